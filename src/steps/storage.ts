import type { Inspection, Row, Step } from './types.js';

/** The one-line edit that pins the sidecar's image, as a diff of the repository's compose file. */
function pinEdit(ins: Inspection, image: string, pin: string): string {
  const file = ins.repo.appComposePath ?? 'the compose file';
  const line = ins.repo.appCompose?.split('\n').find((l) => new RegExp(`^\\s*image:\\s*["']?${image.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}["']?\\s*$`).test(l));
  const indent = line ? /^\s*/.exec(line)![0] : '    ';
  return `Pin the Litestream image in ${file} (on the default branch), then re-run:\n- ${line ?? `${indent}image: ${image}`}\n+ ${indent}image: ${pin}`;
}

/** The storage values, as Litestream on the host saw them: blocked here means nothing changes. */
export function planStorage(ins: Inspection): Row {
  const s = ins.storage;
  if (!s) return { status: 'skip', detail: 'not checked' };
  if (s.kind === 'skip') return { status: 'skip', detail: `not checked: ${s.why}` };
  const f = s.finding;
  const by = `${f.image}${f.version ? ` (${f.version})` : ''}`;
  // With a release the repair row pins the image (with consent); without one (or with --verify) nothing would.
  if (f.kind === 'blocked' && f.pin && ins.settings.release && !ins.settings.verifyOnly && ins.repo.appComposePath)
    return { status: 'change', detail: `${f.reason}; tried with ${by}. The repair below pins ${f.pin} in ${ins.repo.appComposePath}` };
  if (f.kind === 'blocked') return { status: 'blocked', detail: `${f.reason}; tried with ${by}`, fix: f.pin ? pinEdit(ins, s.sidecar.image, f.pin) : f.fix };
  if (f.kind === 'empty') return { status: 'ok', detail: `reachable, no replica yet (first setup); ${by}, ${(s.ms / 1000).toFixed(1)} s` };
  const gen = f.generation ? `, generation ${f.generation}` : '';
  const latest = f.latest ? `, latest ${f.latest}` : '';
  return { status: 'ok', detail: `a Litestream ${f.format} replica${gen}${latest}; ${by} restores it` };
}

export const storageStep: Step = { id: 'storage', title: 'Storage (Litestream)', plan: planStorage };
