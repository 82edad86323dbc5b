// The sandbox droplet's model of the deployed app: its database and Litestream replica, and
// the answers to the scripts the checks after a release send, read with the program's parsers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outcomeArgv } from '../../src/host/outcome.js';
import { replicaListArgv, restoreDrillArgv } from '../../src/host/litestream.js';
import { Host, type Io } from '../../src/sandbox/droplet/host.js';
import { script } from '../../src/sandbox/droplet/scripts.js';
import { freshState, type DropletState, type VUser } from '../../src/sandbox/droplet/state.js';
import { dbAt, generationsTable, replicaAt, sidecarLog, type VDatabase, type VReplica } from '../../src/sandbox/droplet/litestream.js';
import { composeProject, deployRelease, envsubst } from '../../src/sandbox/demo/deploy.js';
import { readAsset } from '../../src/assets.js';
import type { GitHubEmulator } from '../../src/sandbox/github-emulator.js';
import { drillFailure, parseDrill } from '../../src/targets/drill.js';
import { judgeContainers, judgeLog, judgeReplica, parseOutcome } from '../../src/targets/outcome.js';
import { classify, parseListings } from '../../src/targets/replica-check.js';

const URL = 's3://demo-sqlite-replicas/MyApp.sqlite';
const STDIN = `LITESTREAM_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nLITESTREAM_SECRET_ACCESS_KEY=x\nCLH_REPLICA_URL=${URL}\n`;
const NAMES = { app: 'litestream-app', sidecar: 'litestream-app-litestream' };

function io(stdin: string): Io & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t), stdin: async () => stdin, sleep: async () => {} };
  return o;
}

const root = (s: DropletState): VUser => s.users.get('root')!;

/** A droplet after the release's deploy, `ago` ms ago, with the template's AWS compose file. */
function deployed(ago = 5000): { state: DropletState; host: Host } {
  const state = freshState();
  state.users.set('deploy', { name: 'deploy', uid: 1000, home: '/home/deploy', shell: '/bin/bash', groups: ['deploy', 'docker'], sudo: 'password' });
  state.dirs.set('/home/deploy', { mode: 0o750, owner: 'deploy' });
  const secrets: Record<string, string> = { DEPLOY_USERNAME: 'deploy', DEPLOY_HOST: 'app.example.org', LETSENCRYPT_EMAIL: 'a@example.org', AWS_S3_BUCKET: 'demo-sqlite-replicas', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' };
  const github = {
    secretValue: (_: string, n: string) => secrets[n],
    secrets: () => Object.entries(secrets).map(([name, value]) => ({ name, value })),
    files: () => ({ '.deploy/docker-compose-template.yml': readAsset('demo/aws/docker-compose-template.yml') }),
  } as unknown as GitHubEmulator;
  const now = Date.now();
  const d = deployRelease({ state, github, repo: 'demo/litestream-app', runId: 1, runCreatedAt: now - ago - 10_000, version: 'latest', now: now - ago, appWriteMs: 300, upAgoMs: 2500 });
  assert.ok(d, 'deployed');
  return { state, host: new Host(state, 0) };
}

test('the database grows as the app writes; the replica follows it one sync behind', () => {
  const db: VDatabase = { path: '/data/MyApp.sqlite', createdAt: 0, tables: [{ name: 'A', rows: 2, rowBytes: 100 }, { name: 'Log', rows: 0, rowBytes: 2000 }], writer: { from: 1000, everyMs: 500, table: 'Log' } };
  assert.equal(dbAt(db, 999).rows, 2);
  assert.equal(dbAt(db, 1000).rows, 3);
  assert.equal(dbAt(db, 3000).rows, 2 + 5);
  assert.ok(dbAt(db, 60_000).bytes > dbAt(db, 3000).bytes, 'the file grows');
  assert.equal(dbAt(db, 3000).bytes % 4096, 0, 'whole pages');
  const r: VReplica = { url: URL, name: 's3', generation: '0123456789abcdef', db: 'x', snapshotAt: 200, syncMs: 1000 };
  assert.equal(replicaAt(r, db, 100), undefined, 'nothing before the first snapshot');
  assert.equal(replicaAt(r, db, 900)!.end, 200, 'the snapshot, before the app wrote');
  const at = replicaAt(r, db, 2500)!;
  assert.equal(at.end, 2200, 'the sync that shipped the write at 2000');
  assert.equal(at.view.rows, dbAt(db, 2200).rows);
  const log = sidecarLog(r, db, 0, 5000, 'bucket=b');
  assert.match(log[0]!, /level=INFO msg=litestream version=v0\.3\.13$/);
  assert.ok(log.some((l) => /msg="snapshot written" .*position=0123456789abcdef\//.test(l)));
  assert.ok(!log.some((l) => /error/i.test(l)), 'no error in the log');
  assert.match(generationsTable([{ name: 's3', generation: r.generation, lag: 1200, start: 200, end: 2200 }]), /^name +generation +lag +start +end\ns3 +0123456789abcdef +1\.2s +1970-01-01T00:00:00Z +1970-01-01T00:00:02Z\n$/);
});

test('deploy: the compose file filled with the secrets, the sidecar first, the app once it is healthy', () => {
  assert.equal(envsubst('a ${X} $Y ${Z}', { X: '1', Y: '2' }), 'a 1 2 ');
  assert.equal(composeProject('/home/deploy/.deploy/app-docker-compose.yml'), 'deploy');
  const { state } = deployed();
  const f = state.files.get('/home/deploy/.deploy/litestream-app-docker-compose.yml')!;
  assert.equal(f.owner, 'deploy');
  assert.match(f.content, /replicate \/data\/MyApp\.sqlite s3:\/\/demo-sqlite-replicas\/MyApp\.sqlite/);
  assert.match(f.content, /image: ghcr\.io\/demo\/litestream-app:latest/);
  const side = state.containerInfo.get('deploy-litestream-app-litestream-1')!;
  const app = state.containerInfo.get('deploy-litestream-app-1')!;
  assert.ok(side.running && app.running);
  assert.ok(side.startedAt! < side.healthyAt! && side.healthyAt! <= app.startedAt!, 'sidecar, healthy, then the app');
  assert.ok(app.startedAt! - side.startedAt! < 1000, 'a few hundred ms apart');
  assert.match(state.storage.get(URL)!.generation, /^[0-9a-f]{16}$/);
});

test('the outcome script, from its builder, with or without sudo: what the checks parse and pass', async () => {
  const { state, host } = deployed();
  for (const docker of [['docker'], ['sudo', '-n', '--', 'docker']]) {
    const o = io(STDIN);
    assert.equal(await script(host, root(state), outcomeArgv(docker, NAMES, 'litestream/litestream')[2]!, o), 0, o.stderr);
    const r = parseOutcome(o.stdout);
    assert.equal(r.sidecar?.status, 'running');
    assert.equal(r.sidecar?.health, 'healthy');
    assert.match(r.sidecar!.startedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.equal(r.app?.health, '-');
    assert.equal(r.app?.image, 'ghcr.io/demo/litestream-app:latest');
    assert.ok(judgeContainers(r, NAMES, 'ssh').ok);
    assert.ok(judgeLog(r, NAMES, 'ssh').ok);
    const rep = judgeReplica(r, 'aws');
    assert.ok(rep.ok && /since the app started/.test(rep.detail), JSON.stringify(rep));
  }
  // An unknown service: no container, as compose made none.
  const o = io(STDIN);
  await script(host, root(state), outcomeArgv(['docker'], { app: 'other', sidecar: 'other-litestream' }, 'litestream/litestream')[2]!, o);
  assert.equal(parseOutcome(o.stdout).sidecar, undefined);
  // A login without the docker group, through plain docker: docker's own refusal.
  const nobody: VUser = { name: 'nobody', uid: 1001, home: '/home/nobody', shell: '/bin/sh', groups: ['nobody'], sudo: 'password' };
  const o2 = io(STDIN);
  await assert.rejects(script(host, nobody, outcomeArgv(['docker'], NAMES, 'litestream/litestream')[2]!, o2), /permission denied/);
});

test('the storage listing sees the replica; the drill restores the replica\'s figures, and nothing once it is deleted', async () => {
  const { state, host } = deployed();
  const l = io(STDIN);
  await script(host, root(state), replicaListArgv('litestream/litestream', ['docker'], 'litestream-app-litestream')[2]!, l);
  const f = classify(parseListings(l.stdout), 'aws');
  assert.equal(f.kind, 'replica');
  const d = io(STDIN);
  await script(host, root(state), restoreDrillArgv('litestream/litestream', ['docker'])[2]!, d);
  const drill = parseDrill(d.stdout);
  assert.equal(drillFailure(drill), undefined, d.stdout);
  const r = state.storage.get(URL)!;
  const at = replicaAt(r, state.databases.get(r.db)!, Date.now())!;
  assert.equal(drill.bytes, at.view.bytes);
  assert.equal(drill.tables, at.view.tables.length);
  state.storage.delete(URL);
  const gone = io(STDIN);
  await script(host, root(state), restoreDrillArgv('litestream/litestream', ['docker'])[2]!, gone);
  const fail = drillFailure(parseDrill(gone.stdout));
  assert.match(gone.stdout, /error="no matching backups found"/);
  assert.match(fail?.reason ?? '', /found no replica to restore/);
  // An unknown script still answers 127.
  const u = io('');
  assert.equal(await script(host, root(state), 'frobnicate --all', u), 127);
});
