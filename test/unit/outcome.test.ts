// The checks of the outcome, pure: which services to look at in each mix's compose file,
// what the host's one round trip printed, and the verdicts (containers, log, replica).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outcomeScript } from '../../src/host/outcome.js';
import { judgeContainers, judgeLog, judgeReplica, parseOutcome, serviceNames, settling } from '../../src/targets/outcome.js';
import { findSidecar } from '../../src/targets/replica.js';
import { mixes } from '../helpers/fixtures.js';

const SSH = 'ssh deploy@app.acme.io';
const NAMES = { app: 'app', sidecar: 'app-litestream' };
const HEADER = 'name  generation        lag  start                 end';

test('every mix: the app service waits for the Litestream one, both named from the repository', () => {
  for (const m of mixes()) {
    const sidecar = findSidecar(m.compose)!;
    assert.ok(sidecar, m.name);
    assert.deepEqual(serviceNames(sidecar, 'app'), NAMES, m.name);
  }
  // No depends_on: the service sharing the sidecar's volume; a profile'd one (migration) never.
  const plain = findSidecar('services:\n  migrate:\n    image: x\n    profiles: [m]\n    volumes: [db:/d]\n  web:\n    image: x\n    volumes: ["db:/d"]\n  ls:\n    image: litestream/litestream\n    command: replicate /d/a.db s3://b/a.db\n    volumes: [db:/data]\n')!;
  assert.deepEqual(serviceNames(plain, 'x'), { app: 'web', sidecar: 'ls' });
  assert.equal(serviceNames({ service: 'ls' }, 'x'), undefined);
});

test('the script: one sh, service names quoted, the listing with the sidecar image', () => {
  const s = outcomeScript(['sudo', '-n', 'docker'], { app: "it's", sidecar: 'app-litestream' }, 'litestream/litestream', 25).text;
  assert.match(s, /id_of 'it'\\''s'/);
  assert.match(s, /sudo -n docker ps -aq --filter "label=com\.docker\.compose\.service=\$1"/);
  assert.match(s, /logs --since "\$t" "\$s"/);
  assert.match(s, /echo @@image litestream\/litestream\n/);
  assert.doesNotMatch(s, /SECRET|PASSWORD/, 'values travel on stdin only');
});

const printed = (o: { app?: string; sidecar?: string; logs?: string[]; rows?: string[]; version?: string } = {}) =>
  [
    `@@app ${o.app ?? 'running|-|2026-11-30T01:00:10.5Z|0|ghcr.io/acme/app:latest'}`,
    `@@sidecar ${o.sidecar ?? 'running|healthy|2026-11-30T01:00:00.1Z|0|litestream/litestream'}`,
    ...(o.logs ?? []).map((l) => `@@log ${l}`),
    '@@now 2026-11-30T01:05:00Z',
    '@@image litestream/litestream',
    `@@version ${o.version ?? 'v0.3.13'}`,
    '@@list generations',
    HEADER,
    ...(o.rows ?? ['s3    7d0c4954c62e02f6  1s   2026-11-30T01:00:01Z  2026-11-30T01:04:58Z']),
    '@@status 0',
    '@@exit 0',
  ].join('\n');

test('all well: containers up and healthy, no error logged, the replica written after the app started', () => {
  const o = parseOutcome(printed());
  assert.deepEqual(o.app, { status: 'running', health: '-', startedAt: '2026-11-30T01:00:10.5Z', restarts: 0, image: 'ghcr.io/acme/app:latest' });
  assert.deepEqual(judgeContainers(o, NAMES, SSH), { ok: true, detail: 'app up 5 min, Litestream healthy' });
  assert.deepEqual(judgeLog(o, NAMES, SSH), { ok: true, detail: 'no replication error since Litestream started' });
  const r = judgeReplica(o, 'aws');
  assert.ok(r.ok && /written 2 s ago \(generation 7d0c4954c62e02f6, latest 2026-11-30T01:04:58Z\), since the app started/.test(r.detail), JSON.stringify(r));
  assert.equal(settling(o), false);
});

test('containers: missing, stopped, unhealthy, the app down; each names itself and a fix', () => {
  const c = (o: Parameters<typeof printed>[0]) => judgeContainers(parseOutcome(printed(o)), NAMES, SSH);
  const noSidecar = c({ sidecar: '' });
  assert.ok(!noSidecar.ok && /no container of the Litestream service app-litestream/.test(noSidecar.reason));
  const stopped = c({ sidecar: 'exited|healthy|2026-11-30T01:00:00Z|0|litestream/litestream' });
  assert.ok(!stopped.ok && /Litestream container \(app-litestream\) is exited, not running: nothing is replicated/.test(stopped.reason) && stopped.fix.includes(SSH));
  const sick = c({ sidecar: 'running|unhealthy|2026-11-30T01:00:00Z|0|litestream/litestream' });
  assert.ok(!sick.ok && /unhealthy/.test(sick.reason) && /storage values/.test(sick.fix));
  const app = c({ app: 'restarting|-|2026-11-30T01:00:00Z|7|ghcr.io/acme/app' });
  assert.ok(!app.ok && /app container \(app\) is restarting/.test(app.reason));
  assert.equal(settling(parseOutcome(printed({ sidecar: 'running|starting|2026-11-30T01:00:00Z|0|l' }))), true);
});

test('the log: the first error quoted', () => {
  const l = judgeLog(parseOutcome(printed({ logs: ['2026/11/30 01:00:02 /data/MyApp.sqlite(s3): monitor error: AccessDenied: Access Denied', 'second'] })), NAMES, SSH);
  assert.ok(!l.ok);
  assert.match(l.reason, /logged an error since it started: 2026\/11\/30 01:00:02 \/data\/MyApp\.sqlite\(s3\): monitor error: AccessDenied/);
  assert.match(l.fix, /docker logs \$\(docker ps -q --filter label=com\.docker\.compose\.service=app-litestream\)/);
});

test('the replica: older than Litestream, empty, unreadable, written before the app (quiet app), 0.5', () => {
  const j = (o: Parameters<typeof printed>[0]) => judgeReplica(parseOutcome(printed(o)), 'aws');
  const stale = j({ rows: ['s3  7d0c4954c62e02f6  1s  2026-10-01T00:00:00Z  2026-10-02T00:00:00Z'] });
  assert.ok(!stale.ok && /latest write \(2026-10-02T00:00:00Z\) is older than the Litestream container/.test(stale.reason));
  const empty = j({ rows: [] });
  assert.ok(!empty.ok && /no replica on the storage/.test(empty.reason));
  const denied = j({ rows: ['time=x level=ERROR msg="x" error="operation error S3: ListObjectsV2, https response error StatusCode: 403, api error AccessDenied: Access Denied"'] });
  assert.ok(!denied.ok && /could not be read: the storage refused the credentials/.test(denied.reason));
  const quiet = j({ rows: ['s3  7d0c4954c62e02f6  1s  2026-11-30T01:00:01Z  2026-11-30T01:00:05Z'] });
  assert.ok(quiet.ok && /after Litestream started; the app has written nothing since it started/.test(quiet.detail));
  // Same second as the app's start: Litestream lists whole seconds.
  assert.ok(j({ rows: ['s3  7d0c4954c62e02f6  1s  2026-11-30T01:00:01Z  2026-11-30T01:00:10Z'] }).ok);
  const v05 = j({ version: 'v0.5.2', rows: ['MyApp.sqlite  1  0000000000000001  2026-11-30T01:04:58Z'] });
  assert.ok(v05.ok && /0\.5 replica/.test(v05.detail));
});

test('after a release without the storage values (kept sealed): containers and log checked, replica and drill not run, the summary says how to check them', async () => {
  const { containersStep, replicaFreshStep } = await import('../../src/steps/outcome.js');
  const { restoreDrillStep } = await import('../../src/steps/verify.js');
  const { inspection, repoState, settings } = await import('../helpers/inspection.js');
  const { Sensitive } = await import('../../src/sensitive.js');
  const repo = repoState('litestream-aws');
  const sidecar = findSidecar(repo.appCompose)!;
  const make = (storage: Record<string, InstanceType<typeof Sensitive>>, verifyOnly = false) => {
    const sent: string[] = [];
    const ins = { ...inspection({ repo, settings: settings({ storage, verifyOnly }) }), storage: { kind: 'skip' as const, why: 'not given', sidecar } };
    const ctx = {
      ins,
      summary: { runUrl: 'https://github.com/acme/app/actions/runs/1', ssh: SSH, manual: [] as string[], verified: [] as string[] },
      deps: { outcomeWaitMs: 0, pollMs: 10, sleep: async () => {} },
      emit: () => {},
      host: { exec: async (_argv: string[], o: { stdin?: string }) => (sent.push(o.stdin ?? ''), { code: 0, stdout: printed(), stderr: '' }) },
    };
    return { ctx: ctx as never, sent, summary: ctx.summary };
  };
  const all = { AWS_S3_BUCKET: new Sensitive('b'), AWS_ACCESS_KEY_ID: new Sensitive('AKIAIOSFODNN7EXAMPLE'), AWS_SECRET_ACCESS_KEY: new Sensitive('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY') };
  const { AWS_SECRET_ACCESS_KEY: _, ...partial } = all;
  const without = make(partial);
  assert.equal(replicaFreshStep.runs!(without.ctx, undefined), false);
  assert.equal(restoreDrillStep.runs!(without.ctx, undefined), false);
  assert.match(await containersStep.apply!(without.ctx) as string, /Litestream healthy/);
  assert.match(without.summary.manual.join('\n'), /not checked: AWS_SECRET_ACCESS_KEY not given to this run[\s\S]*--verify/);
  const withAll = make(all);
  assert.equal(replicaFreshStep.runs!(withAll.ctx, undefined), true);
  assert.equal(restoreDrillStep.runs!(withAll.ctx, undefined), true);
  // --verify cannot say "restorable" without them: it fails naming the values.
  await assert.rejects(containersStep.apply!(make(partial, true).ctx) as Promise<unknown>, /AWS_SECRET_ACCESS_KEY not given to this run/);
});
