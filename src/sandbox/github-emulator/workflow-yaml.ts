/**
 * The few facts the emulator needs from a workflow file: its name, whether it has a
 * `workflow_dispatch` trigger, and that trigger's inputs. Read by indentation, without a YAML
 * library, because the emulator may depend on node:* and libsodium only. It understands the
 * block and flow forms real workflows use for `on:`; anything fancier is simply not seen.
 */

export interface DispatchInput {
  required: boolean;
  default?: string;
}

export interface WorkflowFacts {
  name?: string;
  dispatchable: boolean;
  inputs: Map<string, DispatchInput>;
}

interface YamlNode {
  key: string;
  value: string;
  children: YamlNode[];
}

const unquote = (s: string): string => {
  const t = s.trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) return t.slice(1, -1);
  return t;
};

/** A `#` starts a comment only at the start or after whitespace; quoted `#` is rare enough in the keys we read. */
const stripComment = (line: string): string => line.replace(/(^|\s)#.*$/, '');

const KEY_LINE = /^\s*("[^"]*"|'[^']*'|[^\s:'"#\-[{][^:]*?)\s*:(?:\s+(.*))?$/;
const LIST_SCALAR = /^\s*-\s+([^:{}[\]]+)$/;

/** Mapping keys (and scalar list items, keyed '-') as a tree; block scalars are skipped whole. */
function parseTree(text: string): YamlNode {
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

const child = (node: YamlNode | undefined, key: string): YamlNode | undefined => node?.children.find((c) => c.key === key);

/** `on: workflow_dispatch` or `on: [push, workflow_dispatch]` */
const inlineMentions = (value: string, word: string): boolean =>
  unquote(value)
    .replace(/^\[|\]$/g, '')
    .split(',')
    .some((part) => unquote(part) === word);

export function readWorkflow(text: string): WorkflowFacts {
  const root = parseTree(text);
  const nameNode = child(root, 'name');
  // YAML 1.1 reads a bare `on` key as boolean true; GitHub accepts either spelling.
  const on = child(root, 'on') ?? child(root, 'true');
  const inputs = new Map<string, DispatchInput>();
  let dispatchable = false;

  if (on) {
    if (on.value && inlineMentions(on.value, 'workflow_dispatch')) dispatchable = true;
    if (on.children.some((c) => c.key === '-' && c.value === 'workflow_dispatch')) dispatchable = true;
    const trigger = child(on, 'workflow_dispatch');
    if (trigger) {
      dispatchable = true;
      for (const input of child(trigger, 'inputs')?.children ?? []) {
        if (input.key === '-') continue;
        const def = child(input, 'default');
        inputs.set(input.key, {
          required: unquote(child(input, 'required')?.value ?? '') === 'true',
          ...(def ? { default: unquote(def.value) } : {}),
        });
      }
    }
  }
  return { ...(nameNode?.value ? { name: unquote(nameNode.value) } : {}), dispatchable, inputs };
}
