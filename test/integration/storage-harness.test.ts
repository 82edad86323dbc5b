// Proves the real-storage harness (test/harness/storage-*.ts, litestream.ts): for S3 (s3rver),
// Azure Blob (Azurite) and SFTP (OpenSSH), the real Litestream v0.3.13 replicates a real
// SQLite database (WAL mode, made by Debian's sqlite3) and restores it intact, and prints
// what issue 10 has to classify: refused credentials, a bucket/container/path that does not
// exist, no network path, no replica yet. The texts asserted here are the ones recorded in
// test/harness/STORAGE.md.
//
// Locally a target is skipped when its parts are missing (litestream package, sqlite3; SFTP:
// root + openssh-server); with CI set nothing is skipped and a missing part fails the test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Client } from 'ssh2';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectDb, litestreamAvailable, makeSampleDb, runLitestream, sqlite, startReplicate, waitForSnapshot, writeLitestreamConfig } from '../harness/litestream.js';
import { closedPort, pidAlive } from '../harness/proc.js';
import type { ReplicaTarget, StorageServer } from '../harness/storage.js';
import { azuriteAvailable, startAzurite, type AzureStorage } from '../harness/storage-azure.js';
import { s3Available, startS3, type S3Storage } from '../harness/storage-s3.js';
import { DEFAULT_SFTP_PASSWORD, sftpAvailable, startSftp, type SftpStorage } from '../harness/storage-sftp.js';

const CI = !!process.env.CI;
const base = litestreamAvailable() ? false : 'needs the litestream npm package (npm ci) and /usr/bin/sqlite3';
const skipFor = (ok: boolean, what: string): string | false => (CI ? false : base || (ok ? false : what));

const REPLICA = 'MyApp.sqlite';
const ROWS = 250;
const EXTRA = 40;

// What Litestream 0.3.13 prints, per class and target (config mode: log on stdout).
const EXPECT = {
  s3: {
    refused: [/SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided\. Check your key and signing method\.\\n\\tstatus code: 403/, /InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records\.\\n\\tstatus code: 403/],
    missing: /NoSuchBucket: The specified bucket does not exist\\n\\tstatus code: 404/,
    network: /RequestError: send request failed\\ncaused by: Get \\"http:\/\/127\.0\.0\.1:\d+\/[^"]*\\": dial tcp 127\.0\.0\.1:\d+: connect: connection refused"/,
  },
  abs: {
    refused: [/===== RESPONSE ERROR \(ServiceCode=AuthorizationFailure\) =====[\s\S]*RESPONSE Status: 403 Server failed to authenticate the request/, /illegal base64 data at input byte \d+"/],
    missing: /===== RESPONSE ERROR \(ServiceCode=ContainerNotFound\) =====[\s\S]*RESPONSE Status: 404 The specified container does not exist\./,
  },
  sftp: {
    refused: [/ssh: handshake failed: ssh: unable to authenticate, attempted methods \[none password\], no supported methods remain"/],
    missing: /error="cannot make parent wal segment directory \\"\/Other\.sqlite\/generations\/[0-9a-f]{16}\/snapshots\\": permission denied"/,
    network: /dial tcp 127\.0\.0\.1:\d+: connect: connection refused"/,
  },
};
const LIST_ERROR = /level=ERROR msg="cannot list generations"/;
const RESTORE_ERROR = /level=ERROR msg="failed to run" error="cannot fetch generations: /;

interface Ctx {
  dir: string;
  db: string;
}

/** `generations` and `restore` with a litestream.yml for this replica; returns both results. */
async function probe(c: Ctx, name: string, t: ReplicaTarget, opts: { timeoutMs?: number } = {}) {
  const cfg = await writeLitestreamConfig(join(c.dir, `${name}.yml`), c.db, t.config);
  const [gen, res] = await Promise.all([
    runLitestream(['generations', '-config', cfg, c.db], { env: t.env, timeoutMs: opts.timeoutMs }),
    runLitestream(['restore', '-config', cfg, '-o', join(c.dir, `${name}.restored.db`), c.db], { env: t.env, timeoutMs: opts.timeoutMs }),
  ]);
  return { gen, res, restored: existsSync(join(c.dir, `${name}.restored.db`)) };
}

/** Asserts the read probes failed the way Litestream 0.3.13 fails: generations exits 0 with an ERROR line, restore exits 1. */
function assertProbeFailed(p: Awaited<ReturnType<typeof probe>>, re: RegExp): void {
  assert.equal(p.gen.code, 0, 'litestream generations exits 0 even when listing fails');
  assert.match(p.gen.stdout, LIST_ERROR);
  assert.match(p.gen.stdout, re);
  assert.equal(p.res.code, 1, p.res.stdout + p.res.stderr);
  assert.match(p.res.stdout, RESTORE_ERROR);
  assert.match(p.res.stdout, re);
  assert.equal(p.restored, false);
}

/** The happy path shared by all three: sample DB, replicate until a snapshot, more rows, stop, restore, check. */
function replicationSuite(name: string, server: () => StorageServer<unknown>, c: () => Ctx, extra?: (out: string, t: ReplicaTarget) => Promise<void>) {
  test(`${name}: replicates a WAL database and restores it intact`, async (t) => {
    const s = server();
    const { dir, db } = c();
    const expected = await makeSampleDb(db, ROWS);
    const target = s.target(REPLICA);
    const cfg = await writeLitestreamConfig(join(dir, 'litestream.yml'), db, target.config);

    const t0 = performance.now();
    const rep = await startReplicate(cfg, { env: target.env });
    try {
      const snaps = await waitForSnapshot(cfg, db, { env: target.env, timeoutMs: 30_000 });
      const firstSnapshotMs = Math.round(performance.now() - t0);
      assert.equal(snaps.length, 1);
      assert.equal(snaps[0]!.replica, s.kind);
      assert.match(snaps[0]!.generation, /^[0-9a-f]{16}$/);

      // More rows while it runs: they must reach the replica as WAL while it runs (a restore
      // taken meanwhile has them), not only at shutdown.
      const segments = () => (rep.output().match(/msg="wal segment written"/g) ?? []).length;
      await rep.waitFor(/msg="wal segment written"/, 15_000);
      await sqlite(db, `WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < ${EXTRA}) INSERT INTO items(name, qty, payload) SELECT 'late ' || v, v, randomblob(32) FROM n;`);
      const t1 = performance.now();
      let seen = segments();
      let walMs = 0;
      for (let i = 0; ; i++) {
        assert.ok(performance.now() - t1 < 20_000, `the inserted rows did not reach the replica within 20 s:\n${rep.output()}`);
        if (segments() === seen) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        seen = segments();
        const live = join(dir, `live${i}.db`);
        const r = await runLitestream(['restore', '-config', cfg, '-o', live, db], { env: target.env });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        if ((await inspectDb(live)).items === expected.items + EXTRA) {
          walMs = Math.round(performance.now() - t1);
          break;
        }
      }
      const code = await rep.stop();
      assert.equal(code, 0, rep.output());
      assert.doesNotMatch(rep.output(), /level=ERROR/);

      const keys = await s.list(`${REPLICA}/`);
      assert.ok(keys.some((k) => /^MyApp\.sqlite\/generations\/[0-9a-f]{16}\/snapshots\/00000000\.snapshot\.lz4$/.test(k)), keys.join('\n'));
      assert.ok(keys.filter((k) => /\/wal\/[0-9a-f]{8}_[0-9a-f]{8}\.wal\.lz4$/.test(k)).length >= 2, keys.join('\n'));

      const out = join(dir, 'restored.db');
      const r = await runLitestream(['restore', '-config', cfg, '-o', out, db], { env: target.env });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /msg="restoring snapshot"/);
      const got = await inspectDb(out);
      assert.deepEqual(got, { integrity: 'ok', items: expected.items + EXTRA, notes: expected.notes, tables: ['_litestream_lock', '_litestream_seq', ...expected.tables] });
      t.diagnostic(`${name}: first snapshot after ${firstSnapshotMs} ms (replicate start to \`litestream snapshots\` listing it), inserted rows restorable from the running replica ${walMs} ms after the insert, restore ${r.ms} ms`);
      await extra?.(out, target);
    } finally {
      await rep.stop();
    }
  });
}

async function newCtx(prefix: string): Promise<Ctx> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, db: join(dir, 'app.db') };
}

async function assertGone(s: StorageServer<unknown>): Promise<void> {
  const { pid, dir } = s;
  await s.stop();
  assert.equal(pidAlive(pid), false, `server pid ${pid} still alive`);
  assert.equal(existsSync(dir), false, `${dir} left behind`);
}

describe('real storage for Litestream 0.3.13', { concurrency: true }, () => {
  // ------------------------------------------------------------------ S3
  describe('S3 (s3rver)', { concurrency: 1, skip: skipFor(s3Available(), 'needs @20minutes/s3rver (npm ci)') }, () => {
    let s3: S3Storage;
    let c: Ctx;
    before(async () => {
      const t0 = performance.now();
      s3 = await startS3();
      c = await newCtx('storage-s3-test-');
      console.log(`s3rver started in ${Math.round(performance.now() - t0)} ms on port ${s3.port}, pid ${s3.pid}`);
    });
    after(async () => {
      if (s3) await assertGone(s3);
      if (c) await rm(c.dir, { recursive: true, force: true });
    });

    replicationSuite('s3', () => s3, () => c);

    test('s3: refused credentials (wrong secret, unknown key id)', async () => {
      const [wrongSecret, unknownKey] = await Promise.all([
        probe(c, 'wrong-secret', s3.target(REPLICA, { secretAccessKey: 'wrong-secret' })),
        probe(c, 'unknown-key', s3.target(REPLICA, { accessKeyId: 'AKIAUNKNOWN000000000' })),
      ]);
      assertProbeFailed(wrongSecret, EXPECT.s3.refused[0]!);
      assertProbeFailed(unknownKey, EXPECT.s3.refused[1]!);
    });

    test('s3: bucket does not exist', async () => {
      assertProbeFailed(await probe(c, 'no-bucket', s3.target(REPLICA, { bucket: 'no-such-bucket' })), EXPECT.s3.missing);
    });

    test('s3: no network path (connection refused)', async () => {
      const p = await probe(c, 'closed', s3.target(REPLICA, { port: await closedPort() }));
      assertProbeFailed(p, EXPECT.s3.network);
      assert.ok(p.res.ms < 10_000, `took ${p.res.ms} ms`);
    });

    test('s3: no replica yet (after deleting the replica)', async () => {
      await s3.remove(`${REPLICA}/`);
      assert.deepEqual(await s3.list(`${REPLICA}/`), []);
      const p = await probe(c, 'empty', s3.target(REPLICA));
      assert.equal(p.gen.code, 0);
      assert.equal(p.gen.stdout.trim(), 'name  generation  lag  start  end');
      assert.equal(p.res.code, 1);
      assert.match(p.res.stdout, /level=ERROR msg="failed to run" error="no matching backups found"/);
    });
  });

  // ------------------------------------------------------------------ Azure Blob
  describe('Azure Blob (Azurite)', { concurrency: 1, skip: skipFor(azuriteAvailable(), 'needs azurite (npm ci)') }, () => {
    let az: AzureStorage;
    let c: Ctx;
    before(async () => {
      const t0 = performance.now();
      az = await startAzurite();
      c = await newCtx('storage-abs-test-');
      console.log(`Azurite started in ${Math.round(performance.now() - t0)} ms on port ${az.port}, pid ${az.pid}`);
    });
    after(async () => {
      if (az) await assertGone(az);
      if (c) await rm(c.dir, { recursive: true, force: true });
    });

    replicationSuite('abs', () => az, () => c);

    test('abs: refused credentials (wrong key, malformed key)', async () => {
      const [wrongKey, badKey] = await Promise.all([
        probe(c, 'wrong-key', az.target(REPLICA, { accountKey: Buffer.alloc(64, 7).toString('base64') })),
        probe(c, 'bad-key', az.target(REPLICA, { accountKey: 'not a key!' })),
      ]);
      assertProbeFailed(wrongKey, EXPECT.abs.refused[0]!);
      assert.match(wrongKey.gen.stdout, /Authorization: REDACTED/, 'the key is not printed');
      assertProbeFailed(badKey, EXPECT.abs.refused[1]!);
    });

    test('abs: container does not exist', async () => {
      assertProbeFailed(await probe(c, 'no-container', az.target(REPLICA, { container: 'no-such-container' })), EXPECT.abs.missing);
    });

    test('abs: no network path: Litestream retries silently (the error comes after ~40-55 s, see STORAGE.md)', async () => {
      const t = az.target(REPLICA, { port: await closedPort() });
      const cfg = await writeLitestreamConfig(join(c.dir, 'closed.yml'), c.db, t.config);
      const r = await runLitestream(['generations', '-config', cfg, c.db], { env: t.env, timeoutMs: 2_500 });
      assert.equal(r.code, 137, `expected to be still retrying after 2.5 s and killed; got exit ${r.code}:\n${r.stdout}${r.stderr}`);
      assert.doesNotMatch(r.stdout, /level=ERROR/);
    });

    test('abs: no replica yet (after deleting the replica)', async () => {
      assert.ok((await az.remove(`${REPLICA}/`)) >= 2);
      assert.deepEqual(await az.list(`${REPLICA}/`), []);
      const p = await probe(c, 'empty', az.target(REPLICA));
      assert.equal(p.gen.code, 0);
      assert.equal(p.gen.stdout.trim(), 'name  generation  lag  start  end');
      assert.equal(p.res.code, 1);
      assert.match(p.res.stdout, /level=ERROR msg="failed to run" error="no matching backups found"/);
    });
  });

  // ------------------------------------------------------------------ SFTP
  describe('SFTP (OpenSSH, password login)', { concurrency: 1, skip: skipFor(sftpAvailable(), 'needs root, openssh-server, util-linux, sudo (like the sshd harness)') }, () => {
    let sftp: SftpStorage;
    let c: Ctx;
    before(async () => {
      const t0 = performance.now();
      sftp = await startSftp();
      c = await newCtx('storage-sftp-test-');
      console.log(`sftp sshd started in ${Math.round(performance.now() - t0)} ms on port ${sftp.port}, pid ${sftp.pid}`);
    });
    after(async () => {
      if (sftp) await assertGone(sftp);
      if (c) await rm(c.dir, { recursive: true, force: true });
    });

    test('sftp: the URL carries the password percent-encoded, as the compose file needs it', () => {
      const { url } = sftp.target(REPLICA);
      assert.equal(url, `sftp://storage:${encodeURIComponent(DEFAULT_SFTP_PASSWORD)}@127.0.0.1:${sftp.port}/MyApp.sqlite`);
      for (const ch of ['@', ':', '/', '#', '?', '%', ' ', '$']) assert.ok(DEFAULT_SFTP_PASSWORD.includes(ch), ch);
      const u = new URL(url);
      assert.equal(decodeURIComponent(u.password), DEFAULT_SFTP_PASSWORD);
    });

    test('sftp: password login for the storage account only, and only SFTP (no shell, chrooted)', async () => {
      const login = (username: string, password: string) =>
        new Promise<Client>((resolve, reject) => {
          const cl = new Client();
          cl.once('ready', () => resolve(cl));
          cl.once('error', reject);
          cl.connect({ host: '127.0.0.1', port: sftp.port, username, password, hostVerifier: (k: Buffer) => sftp.sshd.hostKeys.some((h) => h.publicKey.endsWith(k.toString('base64'))), readyTimeout: 10_000 });
        });
      // pwsudo has a login password on this host, but password login is off for everyone else.
      await assert.rejects(login(sftp.sshd.pwSudoUser, sftp.sshd.pwSudoPassword), /All configured authentication methods failed/);
      const cl = await login(sftp.user, sftp.password);
      try {
        const shell = await new Promise<string>((resolve, reject) =>
          cl.exec('id', (err, st) => {
            if (err) return reject(err);
            let out = '';
            st.on('data', (d: Buffer) => (out += d.toString('latin1'))).on('close', () => resolve(out));
            st.stderr.on('data', () => {});
          }),
        );
        assert.doesNotMatch(shell, /uid=/, 'ForceCommand internal-sftp: no shell command runs');
        const names = await new Promise<string[]>((resolve, reject) =>
          cl.sftp((err, sf) => {
            if (err) return reject(err);
            sf.readdir('/', (e, list) => (e ? reject(e) : resolve(list.map((x) => x.filename).sort())));
          }),
        );
        assert.deepEqual(names, ['MyApp.sqlite'], 'the chroot shows only the account root');
      } finally {
        cl.end();
      }
    });

    replicationSuite('sftp', () => sftp, () => c, async (_out, target) => {
      // The compose healthcheck's form: the URL alone on the command line, no litestream.yml.
      const out2 = join(c.dir, 'restored-url.db');
      const r = await runLitestream(['restore', '-if-db-not-exists', '-if-replica-exists', '-o', out2, target.url]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stderr, /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d INFO restoring snapshot replica=sftp /m, 'URL mode logs to stderr in the default slog format');
      assert.equal((await inspectDb(out2)).integrity, 'ok');
      const log = await sftp.sshd.readLog();
      assert.match(log, /Accepted password for storage from 127\.0\.0\.1/);
      assert.match(log, /Changed root directory to "\/home\/storage"/);
    });

    test('sftp: refused credentials (wrong password)', async () => {
      assertProbeFailed(await probe(c, 'wrong-password', sftp.target(REPLICA, { password: 'wrong-password' })), EXPECT.sftp.refused[0]!);
    });

    test('sftp: a password put into the URL without percent-encoding breaks the URL (and the error shows part of it)', async () => {
      const t = sftp.target(REPLICA, { raw: true });
      const r = await runLitestream(['restore', '-if-db-not-exists', '-if-replica-exists', '-o', join(c.dir, 'raw.db'), t.url]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /ERROR failed to run error="parse \\"sftp:\/\/storage:Pa\$\$ w@rd:\/\\": net\/url: invalid userinfo"/);
    });

    test('sftp: path that the account cannot write (reads look like "no replica yet"; replicate says permission denied)', async () => {
      const t = sftp.target('Other.sqlite');
      const p = await probe(c, 'other', t);
      assert.equal(p.gen.code, 0);
      assert.equal(p.gen.stdout.trim(), 'name  generation  lag  start  end');
      assert.match(p.res.stdout, /error="no matching backups found"/);
      const db2 = join(c.dir, 'other.db');
      await makeSampleDb(db2, 5);
      const cfg = await writeLitestreamConfig(join(c.dir, 'other-rep.yml'), db2, t.config);
      const rep = await startReplicate(cfg, { env: t.env });
      try {
        await rep.waitFor(EXPECT.sftp.missing, 15_000);
      } finally {
        assert.equal(await rep.stop(), 1, 'replicate exits 1 when its final sync fails');
      }
      assert.match(rep.output(), /level=ERROR msg="monitor error"/);
    });

    test('sftp: no network path (connection refused)', async () => {
      assertProbeFailed(await probe(c, 'closed', sftp.target(REPLICA, { port: await closedPort() })), EXPECT.sftp.network);
    });

    test('sftp: no replica yet (after deleting the replica)', async () => {
      assert.ok((await sftp.remove(`${REPLICA}/`)) >= 2);
      assert.deepEqual(await sftp.list(`${REPLICA}/`), []);
      const p = await probe(c, 'empty', sftp.target(REPLICA));
      assert.equal(p.gen.stdout.trim(), 'name  generation  lag  start  end');
      assert.match(p.res.stdout, /level=ERROR msg="failed to run" error="no matching backups found"/);
      const url = sftp.target(REPLICA).url;
      const [plain, ifExists] = await Promise.all([
        runLitestream(['restore', '-o', join(c.dir, 'e1.db'), url]),
        runLitestream(['restore', '-if-replica-exists', '-o', join(c.dir, 'e2.db'), url]),
      ]);
      assert.equal(plain.code, 1);
      assert.match(plain.stderr, /ERROR failed to run error="no matching backups found"/);
      assert.equal(ifExists.code, 0, 'the healthcheck flag turns "no backups" into success');
      assert.match(ifExists.stderr, /INFO no matching backups found/);
    });
  });
});
