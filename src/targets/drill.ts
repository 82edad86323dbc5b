/** What the restore drill (host/litestream.ts) printed, and whether it passed. */
export interface Drill {
  version?: string;
  restoreExit?: number;
  bytes?: number;
  integrity?: string;
  tables?: number;
  /** Litestream's error, when the restore failed. */
  error?: string;
  dockerExit?: number;
}

export function parseDrill(stdout: string): Drill {
  const d: Drill = {};
  for (const line of stdout.split('\n')) {
    const m = /^@@(\w+) ?(.*)$/.exec(line);
    if (!m) {
      const e = /error="((?:[^"\\]|\\.)*)"/.exec(line);
      if (e && !d.error) d.error = e[1]!.replace(/\\n/g, ' ').replace(/\\(.)/g, '$1').slice(0, 240);
      continue;
    }
    const [, k, v = ''] = m;
    if (k === 'version') d.version = v.trim();
    else if (k === 'restore') d.restoreExit = Number(v);
    else if (k === 'size') d.bytes = Number(v.trim());
    else if (k === 'integrity') d.integrity = v.trim();
    else if (k === 'tables') d.tables = Number(v.trim());
    else if (k === 'exit') d.dockerExit = Number(v);
  }
  return d;
}

/** undefined: the drill passed; else what failed and what to do. */
export function drillFailure(d: Drill): { reason: string; fix: string } | undefined {
  if (d.restoreExit === undefined)
    return { reason: `the Litestream image did not run (docker exit ${d.dockerExit ?? '?'})`, fix: 'Run `docker pull litestream/litestream` on the host and fix what it reports' };
  if (d.restoreExit === 124) return { reason: 'the restore did not finish in time', fix: 'Check the network path from the host to the storage' };
  if (d.restoreExit !== 0) {
    const none = /no matching backups|no snapshots available|no generation/.test(d.error ?? '');
    return {
      reason: none ? 'the restore found no replica to restore' : `the restore failed: ${d.error ?? `exit ${d.restoreExit}`}`,
      fix: none
        ? 'The sidecar has not written a replica (or it was deleted): check `docker logs` of the Litestream container and the storage values'
        : 'Check the storage values and the Litestream container\'s log',
    };
  }
  if (d.integrity !== 'ok') return { reason: `the restored database fails PRAGMA integrity_check: ${d.integrity ?? 'sqlite3 did not run'}`, fix: 'Restore from an older generation, then let Litestream take a new snapshot' };
  return undefined;
}

const size = (b: number): string => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MB` : `${(b / 1024).toFixed(1)} KB`);

export const drillLine = (d: Drill, ms: number): string =>
  `restored ${size(d.bytes ?? 0)}, ${d.tables ?? 0} table${d.tables === 1 ? '' : 's'}, integrity ok, in ${(ms / 1000).toFixed(1)} s (temporary file removed)`;
