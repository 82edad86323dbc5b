import { oneLine } from './wrap.js';
import type { Plan, PlanItem, SecretPlan } from '../steps/types.js';

/** Text shared by the plain reporter and the Ink view: pure, no colour. */
export const STATUS_WORD: Record<PlanItem['status'], string> = { ok: 'ok', change: 'will change', blocked: 'BLOCKED', skip: 'skip', warn: 'WARNING' };

export { printableLine as sanitize } from '../printable.js';

export const seconds = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`);

export function secretLine(s: SecretPlan): string {
  const when = s.updatedAt ? ` (last set ${s.updatedAt.replace('T', ' ').replace(/:\d\dZ$/, ' UTC').replace(/Z$/, ' UTC')})` : '';
  const note = s.note ? `: ${s.note}` : '';
  return `${s.action.padEnd(8)} ${s.name}${when}${note}`;
}

export function planLines(plan: Plan): string[] {
  const out: string[] = ['Plan:'];
  const w = Math.max(...plan.items.map((i) => i.title.length));
  for (const i of plan.items) {
    out.push(`  ${STATUS_WORD[i.status].padEnd(11)} ${i.title.padEnd(w)}  ${i.detail}`);
    if (i.status === 'change') for (const c of i.commands ?? []) out.push(`  ${''.padEnd(11)} ${''.padEnd(w)}  $ ${c}`);
    // Under the title, not the detail: a changed line keeps its whole width on 80 columns.
    for (const d of i.diff ?? []) out.push(`  ${''.padEnd(11)} ${d}`);
    if (i.fix) for (const [n, l] of i.fix.split('\n').entries()) out.push(`  ${''.padEnd(11)} ${''.padEnd(w)}  ${n ? '    ' : 'fix: '}${l}`);
  }
  if (plan.secrets.length) {
    out.push('Secrets (names only; values are never shown):');
    for (const s of plan.secrets) out.push(`  ${secretLine(s)}`);
  }
  return out;
}

/** `ssh` is how the deploy user logs in, e.g. `ssh deploy@203.0.113.7`. */
export function restoreTestLines(ssh: string): string[] {
  return [
    'Test a restore any time, with the app running: npx create-litestream-host --verify',
    `  it logs in (${ssh}), restores the replica into a temporary file with the sidecar's image, runs PRAGMA integrity_check, removes the file`,
    '  (not the template\'s "Testing restores": with the volume removed, the release runs the migration before Litestream\'s restore, and the data does not come back)',
  ];
}

/**
 * Wraps lines to a width with a hanging indent at the detail column (the end of the last
 * run of two or more spaces), so a plan stays a table on a narrow terminal.
 */
export function wrapLines(lines: string[], width: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (line.length <= width) {
      out.push(line);
      continue;
    }
    const cols = [...line.matchAll(/\S {2,}(?=\S)/g)].map((m) => m.index! + m[0].length);
    const lead = /^ */.exec(line)![0].length;
    const hang = cols.filter((c) => c < width / 2).pop() ?? lead + 2;
    // A word wider than the room (a long path) keeps its ends, cut in the middle: never split.
    let rest = line.replace(/\S+/g, (w) => (w.length > width - hang ? oneLine(w, width - hang) : w));
    let first = true;
    while (rest.length > (first ? width : width - hang)) {
      const room = first ? width : width - hang;
      let cut = rest.lastIndexOf(' ', room);
      if (cut <= (first ? hang : 0)) cut = rest.indexOf(' ', room);
      if (cut < 0) break;
      out.push((first ? '' : ' '.repeat(hang)) + rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
      first = false;
    }
    if (rest) out.push((first ? '' : ' '.repeat(hang)) + rest);
  }
  return out;
}
