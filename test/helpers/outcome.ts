// The checks of the outcome end to end, for one storage target (issue 10): a replica written
// earlier by the real Litestream 0.3.13 on a host without the app stops --yes (the release's
// migration would replace its data); then a first setup whose release really deploys (the
// sidecar replicates, the app writes rows), the checks and the drill on real data, HTTPS from a
// loopback site whose certificate arrives after a self-signed one; then `--verify` alone, with
// the replica deleted, with the sidecar stopped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { litestreamAvailable, makeSampleDb, startReplicate, waitForSnapshot, writeLitestreamConfig } from '../harness/litestream.js';
import type { StorageServer } from '../harness/storage.js';
import { makeCerts, skipWithoutOpenssl, startSite, type Certs, type Site } from './site.js';
import { skipWithoutSshd, startWorld, type RunResult, type World } from './world.js';

export const skipOutcome = (): string | false => skipWithoutSshd() || skipWithoutOpenssl() || (litestreamAvailable() ? false : 'needs the litestream npm package and sqlite3');

/** A replica written by the real Litestream 0.3.13 where the compose file's URL points (2 tables). */
export async function seedReplica(storage: StorageServer<unknown>, path = 'MyApp.sqlite'): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'clh-seed-'));
  try {
    const db = join(dir, 'app.db');
    await makeSampleDb(db);
    const t = storage.target(path);
    const cfg = await writeLitestreamConfig(join(dir, 'litestream.yml'), db, t.config);
    const rep = await startReplicate(cfg, { env: t.env });
    await waitForSnapshot(cfg, db, { env: t.env });
    await rep.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** SSH logins and exec round trips sshd logged since `from` bytes of its log. */
export async function sshCounts(w: World, from: number): Promise<{ logins: number; execs: number; size: number }> {
  const log = await readFile(w.host.logFile, 'utf8');
  const part = log.slice(from);
  return { logins: (part.match(/Accepted publickey for /g) ?? []).length, execs: (part.match(/Starting session: command/g) ?? []).length, size: log.length };
}

/** What a run did on the host and GitHub that changes something: every docker call but a read, every GitHub event. */
export async function writes(w: World): Promise<string[]> {
  const calls = await w.host.dockerCalls();
  const reads = (c: string[]) => ['run', '--version', 'version', 'info', 'ps', 'inspect', 'logs'].includes(c[1] ?? '') || (['compose', 'network'].includes(c[1] ?? '') && ['version', 'ls'].includes(c[2] ?? ''));
  return [...w.gh.events().map((e) => `github ${e.kind} ${e.name}`), ...calls.filter((c) => !reads(c)).map((c) => c.join(' '))];
}

export interface OutcomeTarget<S extends StorageServer<unknown>> {
  label: string;
  mix: string;
  target: 'aws' | 'azure' | 'sftp';
  /** Where the compose file's URL keeps the replica (default MyApp.sqlite). */
  replicaPath?: string;
  start: () => Promise<S>;
  /** Points the host's docker at the server (harness/storage-docker.ts). */
  prepare: (w: World, s: S) => Promise<void>;
  env: (s: S) => Record<string, string>;
  /** Secret values that must never be printed. */
  secrets: (s: S) => string[];
  /** Also the moved replica (a replica and a host without the app): one target is enough. */
  moved?: boolean;
  /** More tests on the same world, after the common ones. */
  more?: (get: () => { w: World; s: S; env: Record<string, string> }) => void;
}

export function outcomeSuite<S extends StorageServer<unknown>>(t: OutcomeTarget<S>): void {
  describe(`the outcome: ${t.label}`, { skip: skipOutcome(), concurrency: false }, () => {
    let w: World;
    let s: S;
    let certs: Certs;
    let site: Site;
    let env: Record<string, string>;
    const path = t.replicaPath ?? 'MyApp.sqlite';
    const run = (args: string[]): Promise<RunResult> => w.run(args, env);
    const quiet = (r: RunResult) => {
      const out = r.stdout + r.stderr;
      for (const v of t.secrets(s)) assert.ok(!out.includes(v), 'a storage secret was printed');
      return out;
    };

    before(async () => {
      certs = makeCerts();
      [w, s, site] = await Promise.all([startWorld({ mix: t.mix, realStorage: true, deploy: true }), t.start(), startSite(certs.selfSigned('letsencrypt-nginx-proxy-companion'))]);
      await t.prepare(w, s);
      env = { ...t.env(s), NODE_EXTRA_CA_CERTS: certs.caPath, CLH_HTTPS_PORT: String(site.port), CLH_HTTPS_POLL_MS: '200', CLH_HTTPS_WAIT_MS: '20000', CLH_OUTCOME_WAIT_MS: '20000' };
    });
    after(async () => {
      await Promise.allSettled([w?.stop(), s?.stop(), site?.stop()]);
      certs?.remove();
    });

    if (t.moved)
      test('a replica from elsewhere and a host without the app: --yes stops before any change (the migration would replace its data)', async () => {
        await seedReplica(s, path);
        w.gh.reset();
        await w.host.clearDockerCalls();
        const r = await run([...w.baseArgs(t.target), '--repair-workflow']);
        const out = quiet(r);
        assert.equal(r.code, 1, out);
        assert.match(out, /a Litestream 0\.3 replica, generation [0-9a-f]{16}[\s\S]*runs app-migration before Litestream's restore: it creates a new, empty database/);
        assert.match(r.stderr, /nothing was changed/);
        assert.deepEqual(await writes(w), []);
        assert.equal(w.deploys().length, 0);
        assert.ok((await s.remove(`${path}/`)) > 0);
      });

    test('a full --yes run: the release deploys, and every check passes on real data', async () => {
      // LetsEncrypt's certificate arrives a moment after the program first looks.
      const issued = setInterval(() => {
        if (site.handshakes() > 0) {
          site.use(certs.leaf('app.acme.io'));
          clearInterval(issued);
        }
      }, 100);
      const r = await run([...w.baseArgs(t.target), '--repair-workflow']).finally(() => clearInterval(issued));
      const out = quiet(r);
      assert.equal(r.code, 0, out);
      assert.equal(w.deploys().length, 1);
      assert.ok(w.deploys()[0]!.ok, w.deploys()[0]!.error);
      assert.match(out, /Storage \(Litestream\) +reachable, no replica yet/);
      assert.match(r.stdout, /^done outcome-containers: app up \d+ s, Litestream healthy/m);
      assert.match(r.stdout, /^done outcome-log: no replication error since Litestream started/m);
      assert.match(r.stdout, /^done outcome-replica: written \d+ s ago \(generation [0-9a-f]{16}, latest [\dT:Z-]+\), since the app started/m);
      // The app's tables, written by its migration and its rows, through the sidecar's replica.
      const drill = /^done restore-drill: restored ([\d.]+) KB, (\d+) tables, integrity ok/m.exec(r.stdout);
      assert.ok(drill && Number(drill[2]) >= 2, r.stdout);
      assert.match(r.stdout, /waiting for LetsEncrypt: .*not valid for app\.acme\.io|waiting for LetsEncrypt: .*self-signed/);
      assert.match(r.stdout, /^done https: a certificate for app\.acme\.io from Test Encrypt, T11, valid until \d{4}-\d\d-\d\d \(8\d days\)/m);
      assert.match(r.stdout, /checked: Restore drill: restored/);
      console.log(`${t.label} full run: ${r.stdout.split('\n').filter((l) => /^done (outcome|restore|https)/.test(l)).join(' | ')}`);
    });

    test('--verify changes nothing, exits 0, and reads the host in at most three round trips beyond the inspection', async () => {
      w.gh.reset();
      await w.host.clearDockerCalls();
      const { size } = await sshCounts(w, 0);
      const t0 = Date.now();
      const r = await run([...w.baseArgs(t.target).filter((a) => a !== '--yes'), '--verify']);
      const out = quiet(r);
      assert.equal(r.code, 0, out);
      assert.match(r.stdout, /^ok {3}restore-drill: restored .* integrity ok/m);
      assert.match(r.stdout, /^ok {3}https: a certificate for app\.acme\.io/m);
      assert.deepEqual(await writes(w), []);
      const n = await sshCounts(w, size);
      // The inspection and the storage check are two; the outcome read and the drill two more.
      assert.ok(n.execs <= 4 + 1, `${n.execs} execs`);
      console.log(`${t.label} --verify: ${Date.now() - t0} ms, ${n.logins} SSH login(s), ${n.execs} exec round trips`);
    });

    test('the replica deleted on the storage: --verify exits 1 naming the restore', async () => {
      assert.ok((await s.remove(`${path}/`)) > 0);
      // The app writes every second: the sidecar's next WAL upload lands in the emptied path.
      const r = await run([...w.baseArgs(t.target), '--verify']);
      const out = quiet(r);
      assert.equal(r.code, 1, out);
      assert.match(out, /Restore drill[\s\S]*no replica to restore|Replica[\s\S]*no replica on the storage/);
      console.log(`${t.label} replica deleted: ${r.stderr.trim().split('\n').slice(0, 2).join(' / ')}`);
    });

    test('the sidecar stopped: --verify exits 1 naming Litestream', async () => {
      const stop = await w.host.run('docker stop $(docker ps -q --filter label=com.docker.compose.service=app-litestream)');
      assert.equal(stop.code, 0, stop.stderr);
      const r = await run([...w.baseArgs(t.target), '--verify']);
      const out = quiet(r);
      assert.equal(r.code, 1, out);
      assert.match(out, /App and Litestream[\s\S]*the Litestream container \(app-litestream\) is exited, not running/);
    });

    t.more?.(() => ({ w, s, env }));
  });
}
