/**
 * The storage check's and the restore drill's cost (issue 10), with the program's own scripts
 * (src/host/litestream.ts) run over the program's own SSH transport, one connection, against
 * the test host whose docker stand-in runs the real Litestream v0.3.13 (storage-docker.ts).
 * Prints one JSON line; bench/run.mjs makes the table.
 *
 *   node --import tsx bench/drill.ts [--runs N] [--sizes 1,100] [--storage s3,sftp]
 *
 * For each storage server and database size: a real SQLite database of random blobs, made by
 * sqlite3 and replicated by the real `litestream replicate` (stopped once a snapshot is
 * listed, as storage-check.test.ts's seedReplica does); then N × (replicaListArgv,
 * restoreDrillArgv), each timed, its exec round trips counted from sshd's log.
 *
 * Memory, host side: `litestream restore` runs under GNU time (/usr/bin/time -f %M: the
 * kernel's ru_maxrss from wait4, exact, not polled), through a wrapper that stands in for the
 * binary in the stand-in's /run/fake-docker/litestream-bin. Program side: this process's RSS,
 * sampled every 10 ms while each exec runs, against its value just before.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parsePrivateKey } from '../src/host/connect.js';
import { replicaListArgv, restoreDrillArgv } from '../src/host/litestream.js';
import { connect, type HostSession } from '../src/host/transport.js';
import { litestream, litestreamAvailable, sqlite, startReplicate, waitForSnapshot, writeLitestreamConfig } from '../test/harness/litestream.js';
import { sshdAvailable, startSshd, type TestHost } from '../test/harness/sshd.js';
import type { StorageServer } from '../test/harness/storage.js';
import { useRealLitestream } from '../test/harness/storage-docker.js';
import { startS3 } from '../test/harness/storage-s3.js';
import { startSftp } from '../test/harness/storage-sftp.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};
const runs = Number(arg('runs', '3'));
const sizesMb = arg('sizes', '1,100').split(',').map(Number);
const kinds = arg('storage', 's3,sftp').split(',');
// What the ServiceStack mixes' compose files name; the stand-in runs v0.3.13 whatever the tag.
const IMAGE = 'litestream/litestream';
const TIME = '/usr/bin/time';

const skip = !sshdAvailable()
  ? 'needs root, /usr/sbin/sshd, util-linux and sudo (the e2e harness)'
  : !litestreamAvailable()
    ? 'needs the @flydotio/litestream-linux-x64 package and /usr/bin/sqlite3'
    : !existsSync(TIME)
      ? `needs GNU time at ${TIME} (the restore's peak RSS)`
      : null;
if (skip) {
  console.log(JSON.stringify({ skipped: skip }));
  process.exit(0);
}

/** A WAL database of about `mb` MB: random blobs do not compress, so the replica is as large. */
async function makeDb(path: string, mb: number): Promise<number> {
  // randomblob(3000) fills most of a 4 KiB page and two never share one: 256 rows per MiB.
  const rows = mb * 256;
  await sqlite(path, `PRAGMA journal_mode=WAL;
CREATE TABLE blobs(id INTEGER PRIMARY KEY, b BLOB NOT NULL);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${rows}) INSERT INTO blobs(b) SELECT randomblob(3000) FROM c;
PRAGMA wal_checkpoint(TRUNCATE);
`);
  return (await stat(path)).size;
}

/** The real `litestream replicate` until a snapshot is listed, then stopped: the replica a sidecar would leave. */
async function seed(dir: string, storage: StorageServer<unknown>, path: string, mb: number): Promise<{ dbBytes: number; seedMs: number }> {
  const db = join(dir, `${storage.kind}-${path}.db`);
  const dbBytes = await makeDb(db, mb);
  const t = storage.target(path);
  const t0 = performance.now();
  const cfg = await writeLitestreamConfig(join(dir, `${storage.kind}-${path}.yml`), db, t.config);
  const rep = await startReplicate(cfg, { env: t.env });
  await waitForSnapshot(cfg, db, { env: t.env, timeoutMs: 300_000, intervalMs: 500 });
  await rep.stop();
  const seedMs = performance.now() - t0;
  // Only the replica is needed from here on; 100 MB files add up on a small disk.
  for (const f of [db, `${db}-wal`, `${db}-shm`, `${dir}/.${storage.kind}-${path}.db-litestream`]) await rm(f, { recursive: true, force: true });
  return { dbBytes, seedMs };
}

/** Runs one exec, timing it, counting sshd's sessions for it and sampling this process's RSS meanwhile. */
async function measured(host: TestHost, s: HostSession, argv: string[], stdin: string) {
  const from = (await host.readLog()).length;
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const t0 = performance.now();
  const r = await s.exec(argv, { stdin });
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const log = (await host.readLog()).slice(from);
  return { r, ms, execs: log.match(/Starting session: command/g)?.length ?? 0, connections: log.match(/Accepted publickey/g)?.length ?? 0, rssGrowth: peak - rss0 };
}

const field = (out: string, name: string): string | undefined => new RegExp(`^@@${name} (.*)$`, 'm').exec(out)?.[1]?.trim();

const work = await mkdtemp(join(tmpdir(), 'clh-bench-drill-'));
await chmod(work, 0o755); // the stand-in runs Litestream as the login user: it must reach the wrapper and its log
const host = await startSshd({ scenario: 'ok' });
const results: unknown[] = [];
try {
  // The wrapper the stand-in runs as "litestream": `restore` under GNU time, into a log any user can append to.
  const timeLog = join(work, 'time.log');
  await writeFile(timeLog, '', { mode: 0o666 });
  await chmod(timeLog, 0o666);
  const wrapper = join(work, 'litestream');
  await writeFile(
    wrapper,
    `#!/bin/sh
case "$1" in restore) exec ${TIME} -a -o '${timeLog}' -f 'maxrss_kb=%M wall_s=%e' '${litestream()}' "$@" ;; esac
exec '${litestream()}' "$@"
`,
    { mode: 0o755 },
  );
  const key = parsePrivateKey(readFileSync(host.loginKey), host.loginKey);

  for (const kind of kinds) {
    const storage: StorageServer<unknown> = kind === 's3' ? await startS3() : await startSftp({ dirs: sizesMb.map((mb) => `Bench${mb}.sqlite`) });
    try {
      // S3 needs s3rver's endpoint added to the config the drill writes; SFTP needs nothing (and no leftover S3 endpoint).
      await rm(join(host.dockerStateDir, 'storage'), { force: true });
      const s3 = storage as StorageServer<unknown> & { endpoint?: string; region?: string };
      await useRealLitestream(host, kind === 's3' ? { endpoint: s3.endpoint, region: s3.region } : {});
      await writeFile(join(host.dockerStateDir, 'litestream-bin'), `${wrapper}\n`, { mode: 0o644 });

      for (const mb of sizesMb) {
        const path = `Bench${mb}.sqlite`;
        const seeded = await seed(work, storage, path, mb);
        const t = storage.target(path);
        // As sidecarInput makes it: the sidecar's environment, then the replica URL.
        const stdin = `${[...Object.entries(t.env).map(([k, v]) => `${k}=${v}`), `CLH_REPLICA_URL=${t.url}`].join('\n')}\n`;
        const logBefore = (await host.readLog()).length;
        const s = await connect({ host: '127.0.0.1', port: host.port, username: host.user, auth: [{ kind: 'key', label: 'bench', key }], verifyHostKey: async () => true });
        const samples = [];
        try {
          for (let n = 0; n < runs; n++) {
            await writeFile(timeLog, '');
            const check = await measured(host, s, replicaListArgv(IMAGE, ['docker']), stdin);
            const drill = await measured(host, s, restoreDrillArgv(IMAGE, ['docker']), stdin);
            const out = drill.r.stdout + drill.r.stderr;
            const timed = /maxrss_kb=(\d+) wall_s=([\d.]+)/.exec(await readFile(timeLog, 'utf8'));
            samples.push({
              check: { ms: check.ms, execs: check.execs, rssGrowth: check.rssGrowth, sawGeneration: /[0-9a-f]{16}/.test(check.r.stdout), exit: check.r.code },
              drill: {
                ms: drill.ms,
                execs: drill.execs,
                rssGrowth: drill.rssGrowth,
                restoreExit: field(out, 'restore'),
                restoredBytes: Number(field(out, 'size') ?? NaN),
                integrity: field(out, 'integrity'),
                restoreMaxRssKb: timed ? Number(timed[1]) : null,
                restoreWallS: timed ? Number(timed[2]) : null,
                ...(field(out, 'restore') === '0' ? {} : { tail: out.slice(-800) }),
              },
            });
          }
        } finally {
          s.close();
        }
        const connections = (await host.readLog()).slice(logBefore).match(/Accepted publickey/g)?.length ?? 0;
        results.push({ kind, mb, ...seeded, connections, execsCounted: s.stats.execs, samples });
      }
    } finally {
      await storage.stop();
    }
  }
} finally {
  await host.stop();
  await rm(work, { recursive: true, force: true });
}
console.log(JSON.stringify({ image: IMAGE, rssBaseline: process.memoryUsage().rss, results }));
