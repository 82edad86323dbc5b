import { pinImageText } from '../github/repair.js';
import { appNameOf, withAppName } from '../targets/outcome.js';
import type { Finding } from '../targets/replica-check.js';
import type { Inspection, Row, StorageState, Step } from './types.js';

/** The one-line edit that pins the sidecar's image, as a diff of the repository's compose file. */
function pinEdit(ins: Inspection, image: string, pin: string): string {
  const file = ins.repo.appComposePath ?? 'the compose file';
  const change = pinImageText(ins.repo.appCompose ?? '', image, pin).changes[0] ?? { before: `    image: ${image}`, after: `    image: ${pin}` };
  return `Pin the Litestream image in ${file} (on the default branch), then re-run:\n- ${change.before}\n+ ${change.after}`;
}

/** The storage values, as Litestream on the host saw them: blocked here means nothing changes. */
export function planStorage(ins: Inspection): Row {
  const s = ins.storage;
  if (!s) return { status: 'skip', detail: 'not checked' };
  if (s.kind === 'skip') return { status: 'skip', detail: `not checked: ${s.why}` };
  const f = s.finding;
  const by = `${f.image}${f.version ? ` (${f.version})` : ''}`;
  // On a host without the app the release's migration makes a new database before Litestream
  // could restore: any replica there (restorable or after the pin) would not come back.
  const hasReplica = f.kind === 'replica' || (f.kind === 'blocked' && !!f.pin);
  if (hasReplica && s.sidecar.migration && s.deployed === false && ins.settings.release && !ins.settings.verifyOnly) return firstOnHost(ins, s, f.kind === 'blocked' ? `${f.reason}; the repair below pins ${f.pin}` : replicaFound(f, by));
  // With a release the repair row pins the image (with consent); without one (or with --verify) nothing would.
  if (f.kind === 'blocked' && f.pin && ins.settings.release && !ins.settings.verifyOnly && ins.repo.appComposePath)
    return { status: 'change', detail: `${f.reason}; tried with ${by}. The repair below pins ${f.pin} in ${ins.repo.appComposePath}` };
  if (f.kind === 'blocked') return { status: 'blocked', detail: `${f.reason}; tried with ${by}`, fix: f.pin ? pinEdit(ins, s.sidecar.image, f.pin) : f.fix };
  if (f.kind === 'empty') return { status: 'ok', detail: `reachable, no replica yet (first setup); ${by}, ${(s.ms / 1000).toFixed(1)} s` };
  return { status: 'ok', detail: replicaFound(f, by) };
}

function replicaFound(f: Extract<Finding, { kind: 'replica' }>, by: string): string {
  const gen = f.generation ? `, generation ${f.generation}` : '';
  const latest = f.latest ? `, latest ${f.latest}` : '';
  return `a Litestream ${f.format} replica${gen}${latest}; ${by} restores it`;
}

/**
 * The templates' release runs the migration first: on a new host it makes an empty database,
 * the sidecar's restore (-if-db-not-exists) then skips, and the replica's data is replaced by
 * the new, empty generation. --yes stops; the wizard asks, "no" first.
 */
function firstOnHost(ins: Inspection, s: Extract<StorageState, { kind: 'checked' }>, found: string): Row {
  const migration = withAppName(s.sidecar.migration!, appNameOf(ins.repo.info.fullName));
  const lost = `on this host the release runs ${migration} before Litestream's restore: it creates a new, empty database, the restore (-if-db-not-exists) then skips, and this replica's data does not come back`;
  const fix = `Restore first: re-run with --no-release, then on the host restore the replica into the volume the compose file mounts at the sidecar's database path (litestream restore -o <that path> <the replica URL>, with the sidecar's image), then release`;
  if (ins.settings.yes) return { status: 'blocked', detail: `${found}; but ${lost}`, fix };
  return { status: 'warn', detail: `${found}; but ${lost}. ${fix}`, ask: "Release anyway? The replica's data would not come back", askNo: `Nothing was changed. ${fix}.` };
}

export const storageStep: Step = { id: 'storage', title: 'Storage (Litestream)', plan: planStorage };
