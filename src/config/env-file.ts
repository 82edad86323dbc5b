import { parse as parseDotenv } from 'dotenv';
import { UsageError } from '../errors.js';
import { readLocalText } from '../local-files.js';

/**
 * Lines whose value dotenv reads differently from docker compose and `sh`: an unquoted `#`
 * that is not after a space starts a comment for dotenv only (`P=abc#def` is `abc` to
 * dotenv, `abc#def` to the others). Secrets with `#` are common, so the user must quote.
 * Returns 1-based line numbers and names, never values.
 */
export function ambiguousLines(text: string): { line: number; name: string }[] {
  const out: { line: number; name: string }[] = [];
  const lines = text.split(/\r?\n/);
  let openQuote: string | undefined;
  for (const [i, l] of lines.entries()) {
    if (openQuote) {
      // Inside a quoted value spanning lines: it ends at the line holding the closing quote.
      if (l.includes(openQuote)) openQuote = undefined;
      continue;
    }
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*)$/.exec(l);
    if (!m) continue;
    const [, name, value] = m as unknown as [string, string, string];
    const q = value[0];
    if (q === '"' || q === "'" || q === '`') {
      if (!value.slice(1).includes(q)) openQuote = q;
      continue;
    }
    const hash = value.indexOf('#');
    if (hash > 0 && !/\s/.test(value[hash - 1]!)) out.push({ line: i + 1, name });
  }
  return out;
}

/** Reads a dotenv file exactly as the user meant it, or stops with exit 2 naming the line. */
export async function readEnvFile(path: string): Promise<Record<string, string>> {
  const text = await readLocalText(path, '--env-file');
  if (text === undefined) throw new UsageError(`--env-file ${path}: no such file`);
  const bad = ambiguousLines(text);
  if (bad.length)
    throw new UsageError(
      bad.map((b) => `--env-file ${path} line ${b.line}: the value of ${b.name} holds "#", which dotenv reads as the start of a comment (docker compose and sh keep it)`).join('\n'),
      `Quote the value${bad.length > 1 ? 's' : ''}, e.g. ${bad[0]!.name}='…#…' (single quotes keep every character)`,
    );
  return parseDotenv(text);
}
