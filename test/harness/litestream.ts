// The real Litestream v0.3.13 binary (npm @flydotio/litestream-linux-x64, a devDependency) and
// Debian's sqlite3, for tests that replicate and restore real databases.
//
//   const ls = litestream();                      // throws (naming what is missing) if unusable
//   await sqlite(db, 'PRAGMA journal_mode=WAL; CREATE TABLE ...');
//   const cfg = await writeLitestreamConfig(join(dir, 'litestream.yml'), db, target.config);
//   const rep = startReplicate(cfg, { env: target.env });
//   await waitForSnapshot(cfg, db, { env: target.env });
//   await rep.stop();
//   const r = await runLitestream(['restore', '-config', cfg, '-o', out, db], { env: target.env });
//
// Litestream runs with a clean environment: PATH, HOME=<a temp dir> (so no ~/.aws of the
// developer's is read) and the env passed in; nothing else of this process's environment.

import { existsSync, statSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { exec, requirementError, sleep, startDaemon, trackDir, type Daemon, type ExecResult } from './proc.js';

export const LITESTREAM_PACKAGE = '@flydotio/litestream-linux-x64';
export const LITESTREAM_VERSION = 'v0.3.13';
export const SQLITE3 = '/usr/bin/sqlite3';

/** Path of the litestream binary inside node_modules, or null when the package is not installed. */
export function litestreamPath(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve(`${LITESTREAM_PACKAGE}/package.json`);
    const bin = join(dirname(pkg), 'litestream');
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function missing(): string[] {
  const m: string[] = [];
  if (process.platform !== 'linux' || process.arch !== 'x64') m.push(`linux x64 (${LITESTREAM_PACKAGE} ships a linux-x64 binary; this is ${process.platform}-${process.arch})`);
  const bin = litestreamPath();
  if (!bin) m.push(`${LITESTREAM_PACKAGE} (npm ci)`);
  else if ((statSync(bin).mode & 0o111) === 0) m.push(`${bin} is not executable`);
  if (!existsSync(SQLITE3)) m.push(`${SQLITE3} (apt-get install sqlite3)`);
  return m;
}

/** True when the litestream binary and sqlite3 are here. */
export function litestreamAvailable(): boolean {
  return missing().length === 0;
}

/** The binary's path; throws naming what is missing (with CI set, saying it is a failure). */
export function litestream(): string {
  const m = missing();
  if (m.length) throw requirementError('litestream harness', m);
  return litestreamPath()!;
}

let homeDir: string | undefined;
async function cleanHome(): Promise<string> {
  if (!homeDir) {
    homeDir = await mkdtemp(join(tmpdir(), 'litestream-home-'));
    trackDir(homeDir);
  }
  return homeDir;
}

async function cleanEnv(env: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: await cleanHome(), ...env };
}

export interface LitestreamOptions {
  /** Environment for litestream (e.g. LITESTREAM_ACCESS_KEY_ID); nothing else is inherited but PATH. */
  env?: Record<string, string>;
  /** Killed after this long, default 60 s. */
  timeoutMs?: number;
  cwd?: string;
}

/** Runs `litestream ARGS` to completion. Litestream 0.3.13 logs to stdout (slog text) and prints `error` lines to stderr. */
export async function runLitestream(args: string[], opts: LitestreamOptions = {}): Promise<ExecResult> {
  return exec([litestream(), ...args], { env: await cleanEnv(opts.env), timeoutMs: opts.timeoutMs ?? 60_000, cwd: opts.cwd });
}

/** `litestream replicate -config CONFIG` (or `replicate DB URL` when given two args), running until stop(). */
export async function startReplicate(configOrDb: string, opts: { env?: Record<string, string>; url?: string } = {}): Promise<Daemon> {
  const args = opts.url ? ['replicate', configOrDb, opts.url] : ['replicate', '-config', configOrDb];
  return startDaemon([litestream(), ...args], { env: await cleanEnv(opts.env) });
}

/** Writes a litestream.yml with one database and one replica (the replica entry as given). Returns the path. */
export async function writeLitestreamConfig(path: string, dbPath: string, replica: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
  await writeFile(path, stringify({ ...extra, dbs: [{ path: dbPath, replicas: [replica] }] }), { mode: 0o600 });
  return path;
}

export interface Snapshot {
  replica: string;
  generation: string;
  index: number;
  size: number;
  created: string;
}

/** Parses `litestream snapshots` output (a header line, then one row per snapshot). */
export function parseSnapshots(stdout: string): Snapshot[] {
  const rows = stdout.split('\n').filter((l) => l.trim());
  return rows
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 5)
    .map(([replica = '', generation = '', index = '0', size = '0', created = '']) => ({ replica, generation, index: Number(index), size: Number(size), created }));
}

/** `litestream snapshots` for DB (via -config) or for a replica URL (config = null, dbOrUrl = URL). */
export async function snapshots(config: string | null, dbOrUrl: string, opts: LitestreamOptions = {}): Promise<{ list: Snapshot[]; result: ExecResult }> {
  const result = await runLitestream(config ? ['snapshots', '-config', config, dbOrUrl] : ['snapshots', dbOrUrl], opts);
  return { list: result.code === 0 ? parseSnapshots(result.stdout) : [], result };
}

/** Polls `litestream snapshots` until at least one exists; returns them. Throws after timeoutMs (default 20 s). */
export async function waitForSnapshot(config: string | null, dbOrUrl: string, opts: LitestreamOptions & { intervalMs?: number } = {}): Promise<Snapshot[]> {
  const end = Date.now() + (opts.timeoutMs ?? 20_000);
  let last: ExecResult | undefined;
  for (;;) {
    const { list, result } = await snapshots(config, dbOrUrl, { ...opts, timeoutMs: 20_000 });
    last = result;
    if (list.length) return list;
    if (Date.now() > end) throw new Error(`no snapshot after ${opts.timeoutMs ?? 20_000} ms; last \`litestream snapshots\`: exit ${last.code}\n${last.stdout}${last.stderr}`);
    await sleep(opts.intervalMs ?? 250);
  }
}

/** Runs `sqlite3 -batch DB SQL`; throws on a non-zero exit. Returns stdout. */
export async function sqlite(dbPath: string, sql: string): Promise<string> {
  if (!existsSync(SQLITE3)) throw requirementError('sqlite3', [`${SQLITE3} (apt-get install sqlite3)`]);
  const r = await exec([SQLITE3, '-batch', dbPath], { input: sql, timeoutMs: 30_000 });
  if (r.code !== 0 || r.stderr.trim()) throw new Error(`sqlite3 ${dbPath} failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Creates a WAL-mode database with a few tables and `rows` rows in table `items`; returns the expected counts. */
export async function makeSampleDb(dbPath: string, rows = 250): Promise<{ tables: string[]; items: number; notes: number }> {
  const values = Array.from({ length: rows }, (_, i) => `(${i + 1}, 'item ${i + 1}', ${(i * 37) % 101}, randomblob(64))`).join(',\n');
  const mode = await sqlite(
    dbPath,
    `PRAGMA journal_mode=WAL;
CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, payload BLOB);
CREATE TABLE notes(id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES items(id), body TEXT);
CREATE INDEX notes_item ON notes(item_id);
CREATE VIEW low_stock AS SELECT * FROM items WHERE qty < 10;
BEGIN;
INSERT INTO items VALUES ${values};
INSERT INTO notes(item_id, body) SELECT id, 'note for ' || name FROM items WHERE id % 5 = 0;
COMMIT;
`,
  );
  if (!/^wal$/m.test(mode)) throw new Error(`sqlite3 did not switch ${dbPath} to WAL: ${mode}`);
  return { tables: ['items', 'notes'], items: rows, notes: Math.floor(rows / 5) };
}

/**
 * integrity_check result, row counts and table names of a (restored) database. Litestream 0.3
 * adds two tables of its own to the database it replicates: `_litestream_lock` and
 * `_litestream_seq`, so a restore has them too.
 */
export async function inspectDb(dbPath: string): Promise<{ integrity: string; items: number; notes: number; tables: string[] }> {
  const out = await sqlite(dbPath, `PRAGMA integrity_check;\nSELECT count(*) FROM items;\nSELECT count(*) FROM notes;\nSELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type='table' ORDER BY name);\n`);
  const [integrity = '', items = '', notes = '', tables = ''] = out.trim().split('\n');
  return { integrity, items: Number(items), notes: Number(notes), tables: tables.split(',').filter(Boolean) };
}
