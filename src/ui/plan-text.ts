import type { Plan, SecretPlan } from '../steps/types.js';
import { STATUS_WORD } from './format.js';
import { oneLine, wrapWords } from './wrap.js';

const STATUS_COL = 12;

const SECRET_GROUPS: [SecretPlan['action'], string][] = [
  ['create', 'create'],
  ['update', 'update'],
  ['keep', 'keep'],
  ['missing', 'MISSING'],
  ['optional', 'optional, not set'],
];

/**
 * The plan for the wizard, to fit one screen: the items that are simply ok share a line or
 * two, each change and each blocked item gets its title and detail (wrapped under them), its
 * diff and its fix, and the secrets are grouped by what happens to them; the commands are
 * in the whole plan, on request.
 */
export function compactPlanLines(plan: Plan, width: number): string[] {
  const out: string[] = [];
  const hang = (first: string, text: string, indent = STATUS_COL) => {
    const [a, ...rest] = wrapWords(text, width - indent);
    return [`${first.padEnd(indent)}${a}`, ...rest.map((l) => ' '.repeat(indent) + l)];
  };
  const ok = plan.items.filter((i) => i.status === 'ok');
  if (ok.length) out.push(...hang(STATUS_WORD.ok, ok.map((i) => i.title).join(', ')));
  for (const i of plan.items.filter((x) => x.status !== 'ok')) {
    out.push(...hang(STATUS_WORD[i.status], `${i.title}: ${i.detail}`));
    // A diff is what the user consents to: every line of it whole, at full width.
    out.push(...(i.diff ?? []).map((d) => `    ${oneLine(d, width - 4)}`));
    // The commands are details (the whole plan shows them): the compact one keeps to a screen.
    if (i.fix)
      for (const [n, l] of i.fix.split('\n').entries()) {
        const [first, ...rest] = wrapWords(l, width - STATUS_COL - 5, { keepWords: true });
        out.push(`${' '.repeat(STATUS_COL)}${n ? '     ' : 'fix: '}${first}`, ...rest.map((x) => `${' '.repeat(STATUS_COL + 5)}${x}`));
      }
  }
  const secrets = SECRET_GROUPS.map(([a, label]) => [label, plan.secrets.filter((x) => x.action === a).map((x) => x.name)] as const).filter(([, n]) => n.length);
  if (secrets.length) {
    out.push('Secrets (names only; values are never shown):');
    for (const [label, names] of secrets) out.push(...hang(`  ${label} ${names.length}:`, names.join(', '), STATUS_COL + 2 + Math.max(0, label.length + 4 - STATUS_COL)));
  }
  return out;
}
