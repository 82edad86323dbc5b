/**
 * The app the release deploys on the droplet, as a model: its SQLite database (tables, rows
 * that grow as the app writes, a size in bytes) and the replica its Litestream 0.3.13 sidecar
 * keeps on the sandbox's storage (a generation, a snapshot, then WAL segments shipped each
 * second after a write). Everything is a function of the clock: no timer, no real SQLite or
 * Litestream, so it runs wherever Node does; and what Litestream would list or restore is
 * always what the model holds (a replica removed from the storage restores nothing).
 */
import { randomBytes } from 'node:crypto';

export const LITESTREAM_VERSION = 'v0.3.13';
export const PAGE_SIZE = 4096;

/** A table: its rows when the migration made it, and the bytes a row takes. */
export interface VTable {
  name: string;
  rows: number;
  rowBytes: number;
}

/** A database file on a volume. */
export interface VDatabase {
  /** The path inside the containers that share the volume (the sidecar's). */
  path: string;
  /** When the migration created it. */
  createdAt: number;
  tables: VTable[];
  /** The app's writes: one every `everyMs` from `from`, a row in `table` each (and one in `also` every 4th). */
  writer?: { from: number; everyMs: number; table: string; also?: string };
}

/** A replica on the sandbox's storage, as the sidecar writes it. */
export interface VReplica {
  /** The replica URL the sidecar was given (the storage's key for it). */
  url: string;
  /** Litestream's replica name: its type (s3, abs, sftp). */
  name: string;
  generation: string;
  /** The database it replicates (state.databases' key). */
  db: string;
  /** The generation's first snapshot. */
  snapshotAt: number;
  /** Litestream's sync interval (1 s by default). */
  syncMs: number;
}

/** What a database holds at time t. */
export interface DbView {
  tables: { name: string; rows: number }[];
  rows: number;
  bytes: number;
  /** The last write at or before t (the migration when the app has not written). */
  lastWrite: number;
  writes: number;
}

/** The app's writes at or before t. */
export const writesAt = (db: VDatabase, t: number): number => (db.writer && t >= db.writer.from ? Math.floor((t - db.writer.from) / db.writer.everyMs) + 1 : 0);

export function dbAt(db: VDatabase, t: number): DbView {
  const n = writesAt(db, t);
  const w = db.writer;
  const tables = db.tables.map((x) => ({ name: x.name, rows: x.rows + (w && x.name === w.table ? n : 0) + (w && x.name === w.also ? Math.floor(n / 4) : 0), rowBytes: x.rowBytes }));
  // A page for the header and schema, then each table's B-tree (at least one page), rows filling 4000 of each page's bytes.
  const pages = 1 + tables.reduce((p, x) => p + Math.max(1, Math.ceil((x.rows * x.rowBytes) / 4000)), 0);
  return {
    tables: tables.map(({ name, rows }) => ({ name, rows })),
    rows: tables.reduce((s, x) => s + x.rows, 0),
    bytes: pages * PAGE_SIZE,
    lastWrite: n ? w!.from + (n - 1) * w!.everyMs : db.createdAt,
    writes: n,
  };
}

/** What the replica holds at time t: the database as of its last sync, and that sync's time (Litestream's "end"). */
export function replicaAt(r: VReplica, db: VDatabase, t: number): { view: DbView; start: number; end: number } | undefined {
  if (t < r.snapshotAt) return undefined;
  const synced = r.snapshotAt + Math.floor((t - r.snapshotAt) / r.syncMs) * r.syncMs;
  const view = dbAt(db, synced);
  // A sync ships a WAL segment only after a write: the end is the sync that shipped the last one.
  const end = view.lastWrite <= r.snapshotAt ? r.snapshotAt : r.snapshotAt + Math.ceil((view.lastWrite - r.snapshotAt) / r.syncMs) * r.syncMs;
  return { view, start: r.snapshotAt, end };
}

export const newGeneration = (): string => randomBytes(8).toString('hex');

/** RFC 3339 in whole seconds, as Litestream 0.3 lists times. */
const rfc3339 = (t: number): string => new Date(Math.floor(t / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A lag as Go's Duration.String() prints it (Litestream 0.3's lag column): e.g. 1.2s, 850ms. */
function goDuration(ms: number): string {
  const m = Math.max(0, Math.round(ms));
  if (m < 1000) return `${m}ms`;
  const s = m / 1000;
  if (s < 60) return `${String(Number(s.toFixed(3)))}s`;
  return `${Math.floor(s / 60)}m${String(Number((s % 60).toFixed(3)))}s`;
}

/** `litestream generations` (0.3.13): tabwriter columns, a row per replica that has a generation. */
export function generationsTable(rows: { name: string; generation: string; lag: number; start: number; end: number }[]): string {
  const table = [['name', 'generation', 'lag', 'start', 'end'], ...rows.map((r) => [r.name, r.generation, goDuration(r.lag), rfc3339(r.start), rfc3339(r.end)])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]! + 2))).join('')).join('\n') + '\n';
}

/** Litestream 0.3.13's slog text time: RFC 3339 with milliseconds. */
const slogTime = (t: number): string => new Date(t).toISOString();

/**
 * The sidecar's log since it started, as Litestream 0.3.13 writes it (`docker logs`): its
 * version, the database, the replica, the new generation and its snapshot, then a WAL segment
 * for each sync that followed a write. No error: the sandbox's storage accepts it.
 */
export function sidecarLog(r: VReplica, db: VDatabase, startedAt: number, now: number, describe: string): string[] {
  const out = [
    `time=${slogTime(startedAt + 40)} level=INFO msg=litestream version=${LITESTREAM_VERSION}`,
    `time=${slogTime(startedAt + 52)} level=INFO msg="initialized db" path=${db.path}`,
    `time=${slogTime(startedAt + 53)} level=INFO msg="replicating to" name=${r.name} type=${r.name} sync-interval=${r.syncMs / 1000}s ${describe}`,
  ];
  if (now < r.snapshotAt) return out;
  out.push(`time=${slogTime(r.snapshotAt - 3)} level=INFO msg="sync: new generation" db=${db.path} generation=${r.generation} reason="no generation exists"`);
  const first = dbAt(db, r.snapshotAt);
  out.push(`time=${slogTime(r.snapshotAt)} level=INFO msg="snapshot written" db=${db.path} replica=${r.name} position=${r.generation}/00000000:${first.bytes}`);
  // One WAL segment per sync that shipped writes; the log shows the first few, as `docker logs --since` would show them all.
  let shipped = 0;
  for (let t = r.snapshotAt + r.syncMs, seg = 0; t <= now && out.length < 40; t += r.syncMs) {
    const n = dbAt(db, t).writes;
    if (n === shipped) continue;
    shipped = n;
    out.push(`time=${slogTime(t)} level=INFO msg="write wal segment" db=${db.path} replica=${r.name} position=${r.generation}/00000000:${(seg++ * 4152).toString()}`);
  }
  return out;
}

/** Litestream's replica name and the description its "replicating to" line gives, from the URL (no credential). */
export function describeUrl(url: string): { name: string; describe: string } {
  const m = /^(\w+):\/\/(?:([^@/]*)@)?([^/:]+)(?::(\d+))?\/(.*)$/.exec(url);
  if (!m) return { name: 'file', describe: '' };
  const [, scheme, user, host, port, path] = m;
  if (scheme === 'abs') return { name: 'abs', describe: `account-name=${user ?? ''} bucket=${host} path=${path} endpoint=""` };
  if (scheme === 'sftp') return { name: 'sftp', describe: `host=${host}:${port ?? '22'} user=${decodeURIComponent((user ?? '').split(':')[0]!)} path=${path}` };
  return { name: 's3', describe: `bucket=${host} path=${path} region="" endpoint=""` };
}

/** The tables of the ServiceStack template's database after its migration, with typical row sizes. */
export const TEMPLATE_TABLES: VTable[] = [
  { name: 'Migration', rows: 2, rowBytes: 220 },
  { name: 'AppUser', rows: 3, rowBytes: 610 },
  { name: 'UserAuthDetails', rows: 0, rowBytes: 480 },
  { name: 'UserAuthRole', rows: 2, rowBytes: 90 },
  { name: 'Booking', rows: 5, rowBytes: 240 },
  { name: 'Coupon', rows: 3, rowBytes: 70 },
  { name: 'CrudEvent', rows: 8, rowBytes: 900 },
];
