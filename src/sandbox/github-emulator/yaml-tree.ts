/**
 * Just enough YAML for workflow files, without a YAML library (the emulator may depend on
 * node:* and libsodium only): mapping keys and scalar list items as a tree, read by
 * indentation. Block scalars (`run: |`) are skipped whole; flow lists (`[a, b]`) stay in
 * `value` for listValues() to split. Anything fancier is simply not seen.
 */

export interface YamlNode {
  key: string;
  value: string;
  children: YamlNode[];
}

export const unquote = (s: string): string => {
  const t = s.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) return t.slice(1, -1);
  return t;
};

/** A `#` starts a comment only at the start or after whitespace; quoted `#` is rare enough in the keys we read. */
const stripComment = (line: string): string => line.replace(/(^|\s)#.*$/, '');

const KEY_LINE = /^\s*("[^"]*"|'[^']*'|[^\s:'"#\-[{][^:]*?)\s*:(?:\s+(.*))?$/;
const LIST_SCALAR = /^\s*-\s+([^:{}[\]]+)$/;

/** Mapping keys (and scalar list items, keyed '-') as a tree. */
export function parseTree(text: string): YamlNode {
  const root: YamlNode = { key: '', value: '', children: [] };
  const stack: { indent: number; node: YamlNode }[] = [{ indent: -1, node: root }];
  let blockScalarIndent: number | undefined;

  for (const raw of text.split(/\r?\n/)) {
    const line = stripComment(raw);
    if (line.trim() === '') continue;
    const indent = line.length - line.trimStart().length;
    if (blockScalarIndent !== undefined) {
      if (indent > blockScalarIndent) continue;
      blockScalarIndent = undefined;
    }
    const keyMatch = KEY_LINE.exec(line);
    const listMatch = keyMatch ? null : LIST_SCALAR.exec(line);
    if (!keyMatch && !listMatch) continue;
    // YAML lets a list sit at its parent key's indentation; nest list items one level deeper.
    const depth = listMatch ? indent + 1 : indent;
    while ((stack.at(-1)?.indent ?? -1) >= depth) stack.pop();
    const node: YamlNode = keyMatch
      ? { key: unquote(keyMatch[1] ?? ''), value: (keyMatch[2] ?? '').trim(), children: [] }
      : { key: '-', value: unquote(listMatch?.[1] ?? ''), children: [] };
    stack.at(-1)?.node.children.push(node);
    stack.push({ indent: depth, node });
    if (keyMatch && /^[|>]/.test(node.value)) blockScalarIndent = indent;
  }
  return root;
}

export const child = (node: YamlNode | undefined, key: string): YamlNode | undefined => node?.children.find((c) => c.key === key);

/** `[a, "b"]`, a bare scalar, or a block list of `- item` lines, as strings. */
export function listValues(node: YamlNode | undefined): string[] {
  if (!node) return [];
  const v = node.value.trim();
  if (v.startsWith('[')) {
    return v
      .replace(/^\[|\]$/g, '')
      .split(',')
      .map(unquote)
      .filter((s) => s !== '');
  }
  if (v !== '' && v !== '{}' && v !== 'null' && v !== '~') return [unquote(v)];
  return node.children.filter((c) => c.key === '-').map((c) => c.value);
}
