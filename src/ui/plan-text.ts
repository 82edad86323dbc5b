import stringWidth from 'string-width';
import type { Plan, PlanItem, SecretPlan } from '../steps/types.js';
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
 * two, each change and each blocked item gets its detail (wrapped under its column), its
 * commands on one line each and its fix, and the secrets are grouped by what happens to them.
 * Below about 70 columns an item's detail goes under its title.
 */
export function compactPlanLines(plan: Plan, width: number): string[] {
  const out: string[] = [];
  const ok = plan.items.filter((i) => i.status === 'ok');
  const shown = plan.items.filter((i) => i.status !== 'ok');
  const titleW = Math.max(0, ...shown.map((i) => stringWidth(i.title)));
  const narrow = width - STATUS_COL - titleW - 2 < 30;
  const lead = narrow ? 4 : STATUS_COL + titleW + 2;
  const under = (lines: string[]) => lines.map((l) => ' '.repeat(lead) + l);
  if (ok.length) {
    const [first, ...rest] = wrapWords(ok.map((i) => i.title).join(', '), width - STATUS_COL);
    out.push(`${STATUS_WORD.ok.padEnd(STATUS_COL)}${first}`, ...rest.map((l) => ' '.repeat(STATUS_COL) + l));
  }
  for (const i of shown) out.push(...itemLines(i, width, titleW, narrow, lead, under));
  const secrets = SECRET_GROUPS.map(([a, label]) => [label, plan.secrets.filter((s) => s.action === a).map((s) => s.name)] as const).filter(([, n]) => n.length);
  if (secrets.length) {
    out.push('Secrets (names only; values are never shown):');
    for (const [label, names] of secrets) {
      const head = `  ${label} ${names.length}: `;
      const [first, ...rest] = wrapWords(names.join(', '), width - head.length);
      out.push(head + first, ...rest.map((l) => ' '.repeat(head.length) + l));
    }
  }
  return out;
}

function itemLines(i: PlanItem, width: number, titleW: number, narrow: boolean, lead: number, under: (l: string[]) => string[]): string[] {
  const status = STATUS_WORD[i.status].padEnd(STATUS_COL);
  const room = width - lead;
  const detail = wrapWords(i.detail, room);
  const out = narrow ? [`${status}${i.title}`, ...under(detail)] : [`${status}${i.title.padEnd(titleW)}  ${detail[0]}`, ...under(detail.slice(1))];
  // A diff is what the user consents to: every line of it, each on one line.
  out.push(...under((i.diff ?? []).map((d) => oneLine(d, room))));
  if (i.status === 'change') out.push(...under((i.commands ?? []).map((c) => oneLine(`$ ${c}`, room))));
  if (i.fix)
    for (const [n, l] of i.fix.split('\n').entries()) {
      const [first, ...rest] = wrapWords(l, room - 5, { keepWords: true });
      out.push(...under([`${n ? '     ' : 'fix: '}${first}`, ...rest.map((x) => `     ${x}`)]));
    }
  return out;
}
