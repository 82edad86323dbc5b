// The docker stand-in's containers that really run (test/harness/README.md, "Containers that
// run"): the mix's deploy job (helpers/deploy.ts) against the test host, then the sidecar
// (real Litestream 0.3.13) replicating the app's live SQLite database to a real storage server,
// and the docker commands the program's verification sends. Needs root + sshd + the Litestream
// package + sqlite3, like the other storage tests; with CI set nothing skips.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github-emulator.js';
import { SHIM_PATH, SHIM_TEXT } from '../../src/host/layout.js';
import { inspectDb, litestream, litestreamAvailable, runLitestream, sqlite, writeLitestreamConfig } from '../harness/litestream.js';
import { sshdAvailable, startSshd, type TestHost } from '../harness/sshd.js';
import { startS3, type S3Storage } from '../harness/storage-s3.js';
import { containerDir, useLitestream05Image, useRealLitestream, volumeDir } from '../harness/storage-docker.js';
import { deployRelease } from '../helpers/deploy.js';
import { mixFiles, REPO } from '../helpers/world.js';

const CI = !!process.env.CI;
const skip = CI ? false : !sshdAvailable() ? 'needs root, sshd and util-linux' : !litestreamAvailable() || !existsSync('/usr/bin/sqlite3') ? 'needs the litestream package and sqlite3' : false;

const INSPECT = `{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}}|{{.State.StartedAt}}|{{.RestartCount}}|{{.Config.Image}}`;
// Compose names the project after the compose file's folder, ~/.deploy.
const PROJECT = 'deploy';

async function docker(host: TestHost, cmd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return host.ssh([cmd]);
}
async function idOf(host: TestHost, service: string): Promise<string> {
  const r = await docker(host, `docker ps -aq --filter label=com.docker.compose.service=${service}`);
  assert.equal(r.code, 0, r.stderr);
  const ids = r.stdout.trim().split('\n').filter(Boolean);
  assert.equal(ids.length, 1, `one ${service} container: ${r.stdout}`);
  assert.match(ids[0]!, /^[0-9a-f]{12}$/);
  return ids[0]!;
}
async function inspect(host: TestHost, id: string): Promise<{ status: string; health: string; started: string; restarts: string; image: string }> {
  const r = await docker(host, `docker inspect -f '${INSPECT}' ${id}`);
  assert.equal(r.code, 0, r.stderr);
  const [status = '', health = '', started = '', restarts = '', image = ''] = r.stdout.trim().split('|');
  return { status, health, started, restarts, image };
}
async function until<T>(what: string | (() => string), fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${typeof what === 'string' ? what : what()}`);
    await sleep(250);
  }
}
/** The host's container processes: its namespace's processes running a container's script, Litestream or sqlite3. */
function containerProcesses(host: TestHost): { pid: number; args: string }[] {
  return host
    .processes()
    .map((pid) => {
      try {
        return { pid, args: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') };
      } catch {
        return { pid, args: '' };
      }
    })
    .filter((p) => /fake-docker\/ctr\/|litestream replicate|sqlite3/.test(p.args) || p.args.includes(litestream()));
}
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`);
async function installShim(host: TestHost): Promise<void> {
  await writeFile(join(host.dockerStateDir, 'shim'), SHIM_TEXT, { mode: 0o755 });
  const r = await host.run(`install -m 755 /run/fake-docker/shim ${SHIM_PATH}`);
  assert.equal(r.code, 0, r.stderr);
}
async function addRepo(gh: GitHubEmulator, host: TestHost, mix: string, storage: Record<string, string>, fullName = REPO): Promise<void> {
  gh.addRepo({
    fullName,
    files: mixFiles(mix),
    secrets: {
      DEPLOY_HOST: 'app.acme.io',
      DEPLOY_USERNAME: host.user,
      DEPLOY_PORT: String(host.port),
      DEPLOY_KEY: await readFile(host.loginKey, 'utf8'),
      LETSENCRYPT_EMAIL: 'ops@acme.io',
      ...storage,
    },
  });
}

describe('docker stand-in: containers that run (S3 via s3rver)', { skip, timeout: 120_000 }, () => {
  let s3: S3Storage;
  let host: TestHost;
  let gh: GitHubEmulator;
  let dir: string;
  before(async () => {
    [s3, host, gh] = await Promise.all([startS3(), startSshd({ scenario: 'ok' }), startGitHubEmulator()]);
    dir = await mkdtemp(join(tmpdir(), 'clh-containers-'));
    await useRealLitestream(host, { endpoint: s3.endpoint, region: s3.region });
    await installShim(host);
    await addRepo(gh, host, 'litestream-aws', { AWS_S3_BUCKET: s3.bucket, AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey });
  });
  after(async () => {
    await Promise.allSettled([host?.stop(), s3?.stop(), gh?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('deploy, replicate, logs, stop, restore, 0.5 image', async () => {
    const t0 = Date.now();
    const d = await deployRelease({ host, gh, repo: REPO });
    assert.ok(d.ok, `deploy failed: ${d.error}\n${d.commands.map((c) => `$ ${c.script}\n${c.stdout}${c.stderr}`).join('\n')}`);
    assert.equal(d.composeFile, '~/.deploy/app-docker-compose.yml');
    assert.deepEqual(d.commands.map((c) => c.code), [0, 0, 0]);
    assert.match(d.commands[1]!.stdout, /Migrations ran on MyApp\.sqlite/);
    const deployMs = Date.now() - t0;

    // What the verification sends: ids by service label, then inspect.
    const sidecar = await idOf(host, 'app-litestream');
    const app = await idOf(host, 'app');
    const s = await inspect(host, sidecar);
    assert.equal(s.status, 'running');
    assert.equal(s.health, 'healthy');
    assert.equal(s.restarts, '0');
    assert.equal(s.image, 'litestream/litestream');
    assert.match(s.started, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    const a = await inspect(host, app);
    assert.deepEqual([a.status, a.health, a.image], ['running', '-', 'ghcr.io/acme/app:latest']);
    const m = await inspect(host, await idOf(host, 'app-migration'));
    assert.equal(m.status, 'exited');
    const json = JSON.parse((await docker(host, `docker inspect ${sidecar}`)).stdout) as { State: { Status: string; StartedAt: string; Health?: { Status: string } } }[];
    assert.deepEqual([json[0]!.State.Status, json[0]!.State.StartedAt, json[0]!.State.Health?.Status], ['running', s.started, 'healthy']);
    const names = await docker(host, `docker ps -a --filter label=com.docker.compose.service=app --format '{{.Names}}'`);
    assert.equal(names.stdout.trim(), `${PROJECT}-app-1`);

    // Real rows in a real WAL database on the volume the two share.
    const db = join(volumeDir(host, PROJECT, 'app-mydb'), 'MyApp.sqlite');
    await until('3 bookings', async () => (existsSync(db) && Number(await sqlite(db, 'SELECT count(*) FROM Booking;')) >= 3 ? true : undefined));
    assert.equal((await sqlite(db, 'PRAGMA journal_mode;')).trim(), 'wal');

    // The replica on s3rver, written after the app started.
    // `generations -config` wants the (local) database file to exist, as the program's check does.
    await writeFile(join(dir, 'MyApp.sqlite'), '');
    const cfg = await writeLitestreamConfig(join(dir, 'litestream.yml'), join(dir, 'MyApp.sqlite'), s3.target('MyApp.sqlite').config);
    const env = s3.target('MyApp.sqlite').env;
    const appStarted = Date.parse(a.started);
    const sidecarLog = () => {
      const f = join(containerDir(host, `${PROJECT}-app-litestream-1`), 'log');
      return existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-15).join('\n') : '(no log)';
    };
    let lastList = '';
    const latest = await until(() => `a generation newer than the app (${a.started}); last \`litestream generations\`:\n${lastList}\nsidecar log:\n${sidecarLog()}`, async () => {
      const g = await runLitestream(['generations', '-config', cfg, join(dir, 'MyApp.sqlite')], { env });
      lastList = g.stdout + g.stderr;
      const row = g.stdout.split('\n').find((l) => /^s3\s/.test(l));
      const end = row?.trim().split(/\s+/)[4];
      return end && Date.parse(end) > appStarted ? end : undefined;
    });
    assert.ok(Date.parse(latest) > appStarted);

    // docker logs: the sidecar's lines since it started; a time after the last line gives none.
    const logs = await docker(host, `docker logs --since ${s.started} ${sidecar}`);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout + logs.stderr, /replicating to|initialized db/);
    const appLogs = await docker(host, `docker logs ${app}`);
    assert.match(appLogs.stdout, /saved Booking 1/);
    const future = await docker(host, `docker logs --since 2099-01-01T00:00:00Z ${sidecar}`);
    assert.equal(future.stdout, '');

    // A restore of the replica (real litestream, from here) has the rows and is sound.
    const booked = Number(await sqlite(db, 'SELECT count(*) FROM Booking;'));
    await sleep(1500);
    const out = join(dir, 'restored.sqlite');
    const r = await runLitestream(['restore', '-config', cfg, '-o', out, join(dir, 'MyApp.sqlite')], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const restored = await sqlite(out, 'PRAGMA integrity_check;\nSELECT count(*) FROM Booking;\nSELECT count(*) FROM Migration;\n');
    const [integrity, rows, migrations] = restored.trim().split('\n');
    assert.equal(integrity, 'ok');
    assert.ok(Number(rows) >= booked, `restored ${rows} bookings, ${booked} were there before`);
    assert.equal(migrations, '1');
    void inspectDb;

    // docker stop: the process dies, the container says exited and keeps its health.
    const pid = (await readFile(join(containerDir(host, `${PROJECT}-app-litestream-1`), 'pid'), 'utf8')).trim();
    const stop = await docker(host, `docker stop ${sidecar}`);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout.trim(), sidecar);
    const after = await inspect(host, sidecar);
    assert.deepEqual([after.status, after.health, after.started], ['exited', 'healthy', s.started]);
    const group = await host.run(`ps -o pid= -g ${pid} || true`);
    assert.equal(group.stdout.trim(), '', 'the sidecar process group is gone');

    // The fake 0.5 image: `docker run` of the untagged image says v0.5.2 and lists no LTX; 0.3.13 is real.
    await useLitestream05Image(host);
    const v5 = await docker(host, `docker run --rm -i --network host --entrypoint /bin/sh litestream/litestream -c 'litestream version; litestream ltx -config /nonexistent /x.db; echo "rc=$?"'`);
    assert.equal(v5.stdout, 'v0.5.2\nrc=0\n');
    const v3 = await docker(host, `docker run --rm -i --network host --entrypoint /bin/sh litestream/litestream:0.3.13 -c 'litestream version'`);
    assert.equal(v3.stdout.trim(), 'v0.3.13');

    // Nothing outlives the host.
    const running = containerProcesses(host);
    assert.ok(running.some((p) => p.args.includes('deploy-app-1/run')), `the app loop runs before stop(): ${JSON.stringify(running)}`);
    await host.stop();
    assert.deepEqual(running.filter((p) => alive(p.pid)), []);
    process.stderr.write(`containers (s3): deploy ${deployMs} ms, whole case ${Date.now() - t0} ms\n`);
  });
});

// SFTP end to end (deploy, replicate, stop, a changed password): test/e2e/outcome-sftp.test.ts.

describe('startWorld({ deploy: true }): the release run deploys through gh.onRequest', { skip, timeout: 120_000 }, () => {
  test('blazor mix: a completed release run is deployed before the next request, once', async () => {
    const t0 = Date.now();
    const { startWorld, TOKEN, STORAGE } = await import('../helpers/world.js');
    // The secrets go in through the API once the host (and its key) exists, as the program puts them.
    const world = await startWorld({ mix: 'blazor-litestream-aws', deploy: true });
    try {
      const { host, gh } = world;
      const key = await readFile(host.loginKey, 'utf8');
      // Made-up storage: the stand-in's Litestream answers "reachable, no replica yet", so the
      // sidecar is healthy and replicate idles (no litestream-bin).
      const secrets: Record<string, string> = { DEPLOY_HOST: 'app.acme.io', DEPLOY_USERNAME: host.user, DEPLOY_KEY: key, LETSENCRYPT_EMAIL: 'ops@acme.io', ...STORAGE.aws };
      await setSecrets(gh.url, TOKEN, secrets);
      assert.equal((await host.ssh(['docker network create nginx'])).code, 0);
      const api = (path: string, init?: RequestInit) => fetch(`${gh.url}${path}`, { ...init, headers: { authorization: `token ${TOKEN}`, accept: 'application/vnd.github+json', ...(init?.headers ?? {}) } });
      const dispatched = await api('/repos/acme/app/actions/workflows/release.yml/dispatches', { method: 'POST', body: JSON.stringify({ ref: 'main', inputs: { version: 'latest' } }) });
      assert.equal(dispatched.status, 204);
      await until('the release run completes', async () => (gh.runs(REPO).some((r) => r.workflow === 'release.yml' && r.status === 'completed') ? true : undefined), 10_000);
      assert.deepEqual(world.deploys(), []);
      const res = await api('/repos/acme/app/actions/runs');
      assert.equal(res.status, 200);
      const [d, ...more] = world.deploys();
      assert.equal(more.length, 0);
      assert.ok(d?.ok, `deploy failed: ${d?.error}\n${d?.commands.map((c) => `$ ${c.script}\n${c.stdout}${c.stderr}`).join('\n')}`);
      assert.equal(d.composeFile, '~/.deploy/app/docker-compose.yml');
      const env = await host.ssh(['cat ~/.deploy/app/.env']);
      assert.match(env.stdout, /^APP_NAME=app$/m);
      assert.match(env.stdout, /^HOST_DOMAIN=app\.acme\.io$/m);
      const app = await inspect(host, 'app_app');
      assert.equal(app.status, 'running');
      const side = await inspect(host, await idOf(host, 'app-litestream'));
      assert.deepEqual([side.status, side.health], ['running', 'healthy']);
      // Later requests do not deploy the same run again.
      await api('/repos/acme/app/actions/runs');
      assert.equal(world.deploys().length, 1);
      process.stderr.write(`containers (world hook): ${Date.now() - t0} ms\n`);
    } finally {
      await world.stop();
    }
  });
});

/** PUT each secret through the emulator's API, sealed with the repository's public key, as the program does. */
async function setSecrets(url: string, token: string, secrets: Record<string, string>): Promise<void> {
  const sodium = (await import('libsodium-wrappers')).default;
  await sodium.ready;
  const headers = { authorization: `token ${token}`, accept: 'application/vnd.github+json' };
  const key = (await (await fetch(`${url}/repos/${REPO}/actions/secrets/public-key`, { headers })).json()) as { key: string; key_id: string };
  for (const [name, value] of Object.entries(secrets)) {
    const sealed = sodium.crypto_box_seal(sodium.from_string(value), sodium.from_base64(key.key, sodium.base64_variants.ORIGINAL));
    const r = await fetch(`${url}/repos/${REPO}/actions/secrets/${name}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ encrypted_value: sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL), key_id: key.key_id }),
    });
    assert.ok(r.status === 201 || r.status === 204, `PUT secret ${name}: ${r.status}`);
  }
}
