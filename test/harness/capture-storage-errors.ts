// Captures what the real Litestream v0.3.13 prints for each failure class and storage target
// (the raw material of test/harness/STORAGE.md). Not a test; run it by hand after a change of
// Litestream version or storage server:
//
//   node --import tsx test/harness/capture-storage-errors.ts > /tmp/capture.md    # ~1 min, root (SFTP)
//
// Each case runs `generations` and `restore` with a litestream.yml (config mode: the log goes
// to stdout as `time=... level=... msg=...`), `replicate` for 2.5 s where writing tells more
// than reading, and for SFTP `restore` with the URL alone as the compose healthcheck does (URL
// mode: the log goes to stderr as `YYYY/MM/DD hh:mm:ss LEVEL msg ...`). Paths, ports, account
// names, dates and request ids are replaced by placeholders.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSampleDb, runLitestream, startReplicate, writeLitestreamConfig } from './litestream.js';
import { closedPort, sleep } from './proc.js';
import type { ReplicaTarget } from './storage.js';
import { startAzurite } from './storage-azure.js';
import { startS3 } from './storage-s3.js';
import { startSftp } from './storage-sftp.js';

type Cmd = 'generations' | 'restore' | 'restore-url' | 'restore-url-if-exists' | 'replicate';
interface Case {
  target: 's3' | 'abs' | 'sftp';
  cls: string;
  name: string;
  replica: ReplicaTarget;
  cmds: Cmd[];
}

const root = await mkdtemp(join(tmpdir(), 'capture-storage-'));
// sftp2's password has `@ : %41` only: a URL with it unencoded still parses, but Go decodes %41 to A.
const RAW_OK_PASSWORD = 'p@ss:w%41rd';
const [s3, az, sftp, sftp2] = await Promise.all([
  startS3(),
  startAzurite(),
  startSftp({ dirs: ['MyApp.sqlite', 'Fresh.sqlite'] }),
  startSftp({ password: RAW_OK_PASSWORD }),
]);
const closed = await closedPort();
const scrub: [RegExp, string | ((m: string) => string)][] = [
  [new RegExp(root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), '<DIR>'],
  [new RegExp(`127\\.0\\.0\\.1:(${s3.port}|${az.port}|${sftp.port}|${sftp2.port})\\b`, 'g'), '127.0.0.1:<PORT>'],
  [new RegExp(`127\\.0\\.0\\.1:${closed}\\b`, 'g'), '127.0.0.1:<CLOSED-PORT>'],
  [new RegExp(az.accountName, 'g'), '<ACCOUNT>'],
  [/lookup (\S+) on [\d.:]+: /g, 'lookup $1 on <RESOLVER>: '],
  [/time=\S+ /g, ''],
  [/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /gm, ''],
  [/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>'],
  [/\[\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\]/g, '[<date>]'],
  [/(generation=|generations\/)[0-9a-f]{16}/g, (m) => m.replace(/[0-9a-f]{16}$/, '<gen>')],
];
const clean = (s: string) =>
  scrub.reduce<string>((acc, [re, to]) => (typeof to === 'string' ? acc.replace(re, to) : acc.replace(re, to)), s).trimEnd();

const P = 'MyApp.sqlite';
const cases: Case[] = [
  // refused credentials
  { target: 's3', cls: 'refused credentials', name: 'wrong secret key', replica: s3.target(P, { secretAccessKey: 'wrong-secret' }), cmds: ['generations', 'restore', 'replicate'] },
  { target: 's3', cls: 'refused credentials', name: 'unknown access key id', replica: s3.target(P, { accessKeyId: 'AKIAUNKNOWN000000000' }), cmds: ['generations', 'restore'] },
  { target: 's3', cls: 'refused credentials', name: 'no credentials at all', replica: { ...s3.target(P), env: {} }, cmds: ['generations'] },
  { target: 'abs', cls: 'refused credentials', name: 'wrong account key', replica: az.target(P, { accountKey: Buffer.alloc(64, 7).toString('base64') }), cmds: ['generations', 'restore', 'replicate'] },
  { target: 'abs', cls: 'refused credentials', name: 'account key not base64', replica: az.target(P, { accountKey: 'not a key!' }), cmds: ['generations'] },
  { target: 'abs', cls: 'refused credentials', name: 'unknown account name (Azurite; real Azure: DNS, see no network path)', replica: az.target(P, { accountName: 'nosuchaccount' }), cmds: ['generations'] },
  { target: 'sftp', cls: 'refused credentials', name: 'wrong password', replica: sftp.target(P, { password: 'wrong-password' }), cmds: ['generations', 'restore', 'restore-url-if-exists', 'replicate'] },
  { target: 'sftp', cls: 'refused credentials', name: 'unknown user', replica: sftp.target(P, { user: 'nosuchuser' }), cmds: ['generations'] },
  { target: 'sftp', cls: 'malformed URL', name: 'password not percent-encoded (space, @ : / # ?)', replica: sftp.target(P, { raw: true }), cmds: ['generations', 'restore-url-if-exists'] },
  ...['p#ss', 'p/ss', 'p?ss', 'p%zz'].map((pw): Case => ({ target: 'sftp', cls: 'malformed URL', name: `password '${pw}' not percent-encoded`, replica: sftp.target(P, { raw: true, password: pw }), cmds: ['restore-url-if-exists'] })),
  { target: 'sftp', cls: 'malformed URL', name: `the right password '${RAW_OK_PASSWORD}' not percent-encoded (parses; %41 becomes A)`, replica: sftp2.target(P, { raw: true }), cmds: ['restore-url-if-exists'] },
  { target: 'sftp', cls: 'malformed URL', name: `control: the same password percent-encoded`, replica: sftp2.target(P), cmds: ['restore-url-if-exists'] },
  // bucket / container / path does not exist
  { target: 's3', cls: 'bucket/container/path missing', name: 'no such bucket', replica: s3.target(P, { bucket: 'no-such-bucket' }), cmds: ['generations', 'restore', 'replicate'] },
  { target: 'abs', cls: 'bucket/container/path missing', name: 'no such container', replica: az.target(P, { container: 'no-such-container' }), cmds: ['generations', 'restore', 'replicate'] },
  { target: 'sftp', cls: 'bucket/container/path missing', name: 'path not writable (/Other.sqlite in a chroot)', replica: sftp.target('Other.sqlite'), cmds: ['generations', 'restore', 'replicate'] },
  // no network path
  { target: 's3', cls: 'no network path', name: 'connection refused', replica: s3.target(P, { port: closed }), cmds: ['generations', 'restore', 'replicate'] },
  { target: 's3', cls: 'no network path', name: 'name does not resolve', replica: s3.target(P, { endpoint: 'http://nosuchhost.invalid:9000' }), cmds: ['generations'] },
  { target: 'abs', cls: 'no network path', name: 'connection refused', replica: az.target(P, { port: closed }), cmds: ['generations', 'restore'] },
  { target: 'abs', cls: 'no network path', name: 'name does not resolve', replica: az.target(P, { endpoint: `http://nosuchhost.invalid/${az.accountName}` }), cmds: ['generations'] },
  { target: 'sftp', cls: 'no network path', name: 'connection refused', replica: sftp.target(P, { port: closed }), cmds: ['generations', 'restore', 'restore-url-if-exists', 'replicate'] },
  { target: 'sftp', cls: 'no network path', name: 'name does not resolve', replica: sftp.target(P, { host: 'nosuchhost.invalid' }), cmds: ['generations'] },
  // no replica yet
  { target: 's3', cls: 'no replica yet', name: 'empty path in an existing bucket', replica: s3.target('Fresh.sqlite'), cmds: ['generations', 'restore'] },
  { target: 'abs', cls: 'no replica yet', name: 'empty path in an existing container', replica: az.target('Fresh.sqlite'), cmds: ['generations', 'restore'] },
  { target: 'sftp', cls: 'no replica yet', name: 'empty writable directory', replica: sftp.target('Fresh.sqlite'), cmds: ['generations', 'restore', 'restore-url', 'restore-url-if-exists'] },
];

async function runCase(c: Case, i: number): Promise<string> {
  const dir = join(root, `case${i}`);
  await import('node:fs/promises').then((f) => f.mkdir(dir));
  const db = join(dir, 'app.db');
  await makeSampleDb(db, 20);
  const cfg = await writeLitestreamConfig(join(dir, 'litestream.yml'), db, c.replica.config);
  const out: string[] = [`### ${c.target} · ${c.cls} · ${c.name}`, ''];
  await Promise.all(
    c.cmds.map(async (cmd) => {
      let text: string;
      if (cmd === 'replicate') {
        const t0 = performance.now();
        const rep = await startReplicate(cfg, { env: c.replica.env });
        await sleep(2500);
        const code = await rep.stop();
        const lines = rep.output().split('\n').filter((l) => /level=(ERROR|WARN)|ERROR|WARN/.test(l));
        text = `$ litestream replicate -config litestream.yml   # stopped after 2.5 s, exit ${code}, ${Math.round(performance.now() - t0)} ms; ERROR/WARN lines:\n${lines.join('\n') || '(none)'}`;
      } else {
        const args =
          cmd === 'generations' ? ['generations', '-config', cfg, db]
          : cmd === 'restore' ? ['restore', '-config', cfg, '-o', join(dir, 'restored.db'), db]
          : cmd === 'restore-url' ? ['restore', '-o', join(dir, 'restored.db'), c.replica.url]
          : ['restore', '-if-db-not-exists', '-if-replica-exists', '-o', join(dir, 'restored.db'), c.replica.url];
        const r = await runLitestream(args, { env: c.replica.env, timeoutMs: 120_000 });
        const shown = args.map((a) => (a === cfg ? 'litestream.yml' : a === db ? 'DB' : a === c.replica.url ? 'URL' : a.startsWith(dir) ? 'OUT' : a)).join(' ');
        text = `$ litestream ${shown}   # exit ${r.code}, ${r.ms} ms\n${r.stdout ? `[stdout]\n${r.stdout}` : ''}${r.stderr ? `[stderr]\n${r.stderr}` : ''}`;
      }
      return { cmd, text };
    }),
  ).then((rs) => {
    for (const cmd of c.cmds) out.push('```', clean(rs.find((r) => r.cmd === cmd)!.text), '```', '');
  });
  if (c.target === 'sftp') out.splice(1, 0, `URL: \`${c.replica.url.replace(`:${sftp.port}/`, ':<PORT>/').replace(`:${sftp2.port}/`, ':<PORT>/').replace(`:${closed}/`, ':<CLOSED-PORT>/')}\``, '');
  return out.join('\n');
}

try {
  const t0 = performance.now();
  // The slow ones (Azure retries a dead endpoint for ~45 s) first, the rest 3 at a time, so
  // the times shown are close to those of a quiet machine.
  const slow = cases.map((c, i) => [c, i] as const).filter(([c]) => c.target === 'abs' && c.cls === 'no network path');
  const rest = cases.map((c, i) => [c, i] as const).filter(([c]) => !(c.target === 'abs' && c.cls === 'no network path'));
  const results: string[] = [];
  const slowDone = Promise.all(slow.map(async ([c, i]) => (results[i] = await runCase(c, i))));
  let next = 0;
  await Promise.all(
    [0, 1, 2].map(async () => {
      while (next < rest.length) {
        const [c, i] = rest[next++]!;
        results[i] = await runCase(c, i);
      }
    }),
  );
  await slowDone;
  process.stdout.write(`<!-- captured by test/harness/capture-storage-errors.ts in ${Math.round((performance.now() - t0) / 1000)} s -->\n\n${results.join('\n')}\n`);
} finally {
  await Promise.all([s3.stop(), az.stop(), sftp.stop(), sftp2.stop()]);
  await rm(root, { recursive: true, force: true });
}
