import { RETIRED_RUNNERS, secretRefs } from './workflow.js';

/** One changed line: 1-based number, and the line's text (without its line ending) before and after. */
export interface LineChange {
  line: number;
  before: string;
  after: string;
}

export interface FileRepair {
  path: string;
  before: string;
  after: string;
  changes: LineChange[];
  /** A compose file's Litestream image pinned to this. */
  pin?: string;
}

const PORT_SECRET = '${{ secrets.DEPLOY_PORT }}';
// `runs-on: ubuntu-20.04`, `runs-on: [ubuntu-20.04]`, quoted or not, a comment after it kept.
const RUNS_ON = /^(\s*(?:-\s+)?runs-on\s*:\s*)(.*)$/;
const LITERAL_PORT_22 = /^(\s*(?:-\s+)?port\s*:\s*)(['"]?)22\2(\s*(?:#.*)?)$/;
const LABEL = /(?<![\w.-])([A-Za-z]+-[\w.]+)(?![\w.-])/g;

/**
 * Repairs what can never run, editing text line by line so that every other byte (comments,
 * quoting, order, line endings) stays: re-serializing the YAML would rewrite the file.
 * A literal `port: 22` becomes DEPLOY_PORT only where the file reads that secret elsewhere:
 * there the author meant the host's port, and the program sets that secret.
 */
export function repairWorkflowText(text: string): { text: string; changes: LineChange[] } {
  const readsPort = secretRefs(text).includes('DEPLOY_PORT');
  return editLines(text, (line) => repairLine(line, readsPort));
}

/**
 * Each line through `fix`, its ending (LF, CRLF or none) untouched, and the lines it
 * changed: the one way this program edits someone's file.
 */
function editLines(text: string, fix: (line: string) => string): { text: string; changes: LineChange[] } {
  const changes: LineChange[] = [];
  const pieces = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const out = pieces.map((piece, i) => {
    const ending = /\r?\n$/.exec(piece)?.[0] ?? '';
    const line = piece.slice(0, piece.length - ending.length);
    const fixed = fix(line);
    if (fixed === line) return piece;
    changes.push({ line: i + 1, before: line, after: fixed });
    return fixed + ending;
  });
  return { text: out.join(''), changes };
}

function repairLine(line: string, readsPort: boolean): string {
  const runsOn = RUNS_ON.exec(line);
  if (runsOn) {
    const [, lead, value] = runsOn;
    // Only the value before a comment: a comment may name the old label on purpose.
    const hash = value!.search(/\s#/);
    const body = hash < 0 ? value! : value!.slice(0, hash);
    const rest = hash < 0 ? '' : value!.slice(hash);
    return lead + body.replace(LABEL, (l) => RETIRED_RUNNERS[l.toLowerCase()] ?? l) + rest;
  }
  const port = readsPort ? LITERAL_PORT_22.exec(line) : null;
  if (port) return `${port[1]}${PORT_SECRET}${port[3]}`;
  return line;
}

/**
 * Pins the sidecar's image where the compose file names it (`image: litestream/litestream`),
 * keeping quotes, indentation, a comment and the line ending.
 */
export function pinImageText(text: string, image: string, pin: string): { text: string; changes: LineChange[] } {
  const esc = image.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const re = new RegExp(`^(\\s*(?:-\\s+)?image\\s*:\\s*)(['"]?)${esc}\\2(\\s*(?:#.*)?)$`);
  return editLines(text, (line) => line.replace(re, (_, lead: string, q: string, rest: string) => `${lead}${q}${pin}${q}${rest}`));
}

/** The diff as a reader sees it: per file, each changed line before and after. */
export function diffLines(repairs: FileRepair[]): string[] {
  return repairs.flatMap((r) => [
    `${r.path}:`,
    ...r.changes.flatMap((c) => [`  ${String(c.line).padStart(4)} - ${c.before.trim()}`, `  ${''.padStart(4)} + ${c.after.trim()}`]),
  ]);
}
