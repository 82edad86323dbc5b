/**
 * Shell words: the inverse of src/host/shell.ts `quote`, so the droplet reads a command
 * line back into the argv the program built.
 */

const SAFE_CHAR = /^[A-Za-z0-9_@%+=:,./-]$/;

/** One word as `quote` writes it, as a regular expression source: the same grammar as tokenize. */
export const WORD = String.raw`(?:'[^']*'|\\.|[A-Za-z0-9_@%+=:,./-])+`;

/**
 * Splits a command line made by shell.ts `join` back into its words: single-quoted parts,
 * backslash escapes and safe characters, separated by spaces. Anything else (operators,
 * double quotes, `$`) is not something `join` makes: undefined.
 */
export function tokenize(line: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    let w = '';
    while (i < line.length && line[i] !== ' ') {
      const c = line[i]!;
      if (c === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) return undefined;
        w += line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '\\') {
        if (i + 1 >= line.length) return undefined;
        w += line[i + 1];
        i += 2;
      } else if (SAFE_CHAR.test(c)) {
        w += c;
        i++;
      } else return undefined;
    }
    words.push(w);
  }
  return words;
}
