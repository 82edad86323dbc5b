import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Plan } from '../../src/steps/types.js';
import { initialState, reduce, type LiveEvent, type LiveState } from '../../src/ui/live/state.js';

/** Folds events, each at the given time (ms); the default is 1000 ms after the previous one. */
function fold(events: (LiveEvent | [number, LiveEvent])[], from: LiveState = initialState()): LiveState {
  let t = 0;
  return events.reduce((s, e) => {
    const [at, ev] = Array.isArray(e) ? e : [(t += 1000), e];
    t = at;
    return reduce(s, ev, at);
  }, from);
}

const plan: Plan = {
  items: [{ id: 'proxy', title: 'nginx-proxy', status: 'change', detail: 'start it' }],
  secrets: [{ name: 'DEPLOY_HOST', action: 'create' }],
  warnings: [],
};

test('a step runs, then is finished: it leaves the live rows for the static log, with its time', () => {
  const running = fold([[5000, { type: 'step-start', id: 'ssh', title: 'Connect' }]]);
  assert.deepEqual(running.running.map((r) => [r.id, r.title, r.startedAt, r.output]), [['ssh', 'Connect', 5000, []]]);
  assert.deepEqual(running.log, []);
  const done = reduce(running, { type: 'step-end', id: 'ssh', status: 'ok', detail: 'ed25519', ms: 412 }, 5412);
  assert.deepEqual(done.running, []);
  assert.deepEqual(done.finished.map((f) => [f.id, f.title, f.status, f.detail, f.ms]), [['ssh', 'Connect', 'ok', 'ed25519', 412]]);
  assert.deepEqual(done.log.map((l) => l.kind), ['step']);
  // The row keeps its key from start to end: React draws it once in <Static>.
  assert.equal(done.finished[0]!.key, running.running[0]!.key);
});

test('two steps run at once and end in any order; the log keeps the order they ended in', () => {
  const s = fold([
    { type: 'step-start', id: 'inspect-host', title: 'Inspect the host' },
    { type: 'step-start', id: 'inspect-repo', title: 'Read acme/app' },
    { type: 'step-end', id: 'inspect-repo', status: 'ok', detail: 'repo', ms: 10 },
  ]);
  assert.deepEqual(s.running.map((r) => r.id), ['inspect-host']);
  const t = reduce(s, { type: 'step-end', id: 'inspect-host', status: 'ok', detail: 'host', ms: 20 });
  assert.deepEqual(t.finished.map((f) => f.id), ['inspect-repo', 'inspect-host']);
  assert.deepEqual(t.running, []);
});

test('the same step id running twice (deploy-key) gets distinct row keys', () => {
  const s = fold([
    { type: 'step-start', id: 'deploy-key', title: 'Authorize a new deploy key' },
    { type: 'step-end', id: 'deploy-key', status: 'done', detail: 'added', ms: 1 },
    { type: 'step-start', id: 'deploy-key', title: 'Remove replaced deploy keys' },
    { type: 'step-end', id: 'deploy-key', status: 'done', detail: 'removed 1', ms: 1 },
  ]);
  assert.deepEqual(s.finished.map((f) => f.title), ['Authorize a new deploy key', 'Remove replaced deploy keys']);
  assert.equal(new Set(s.log.map((l) => l.key)).size, s.log.length);
});

test('output keeps the last three lines of the running step; output for a step not running is dropped', () => {
  const lines = ['a', 'b', 'c', 'd', 'e'].map((line): LiveEvent => ({ type: 'output', id: 'proxy', line }));
  const s = fold([{ type: 'step-start', id: 'proxy', title: 'proxy' }, ...lines, { type: 'output', id: 'shim', line: 'stray' }]);
  assert.deepEqual(s.running[0]!.output, ['c', 'd', 'e']);
  const ended = reduce(s, { type: 'step-end', id: 'proxy', status: 'done', detail: '', ms: 1 });
  assert.equal(reduce(ended, { type: 'output', id: 'proxy', line: 'late' }), ended);
});

test('secrets progress is a count, the latest wins', () => {
  const s = fold([
    { type: 'step-start', id: 'secrets', title: 'Write repository secrets' },
    { type: 'progress', id: 'secrets', done: 0, total: 9 },
    { type: 'progress', id: 'secrets', done: 7, total: 9 },
  ]);
  assert.deepEqual(s.secrets, { done: 7, total: 9 });
});

test('warnings and a newly trusted host key are logged in order; a plan is not (the wizard showed it before the view)', () => {
  const s = fold([
    { type: 'host-key', info: { host: 'h', port: 22, type: 'ssh-ed25519', fingerprint: 'SHA256:x', blob: Buffer.alloc(0) }, recorded: true },
    { type: 'host-key', info: { host: 'h', port: 22, type: 'ssh-ed25519', fingerprint: 'SHA256:x', blob: Buffer.alloc(0) }, recorded: false },
    { type: 'plan', plan },
    { type: 'warning', message: 'old key' },
    { type: 'plan', plan },
  ]);
  assert.deepEqual(s.log.map((l) => l.kind), ['note', 'warning']);
  assert.deepEqual(s.warnings, ['old key']);
  const note = s.log[0]!;
  assert.ok(note.kind === 'note' && note.message === 'trusted new host key ssh-ed25519 SHA256:x');
});

test('the workflow run follows the latest poll; when the release ends its last state is logged above the release row', () => {
  const job = (status: string, conclusion: string | null) => ({ id: 1, name: 'deploy', status, conclusion, steps: [] });
  const s = fold([
    { type: 'step-start', id: 'release', title: 'Release' },
    { type: 'run', url: 'https://x/runs/1', status: 'queued', conclusion: null, jobs: [] },
    { type: 'run', url: 'https://x/runs/1', status: 'in_progress', conclusion: null, jobs: [job('in_progress', null)] },
  ]);
  assert.deepEqual(s.run, { url: 'https://x/runs/1', status: 'in_progress', conclusion: null, jobs: [job('in_progress', null)] });
  const done = fold([
    { type: 'run', url: 'https://x/runs/1', status: 'completed', conclusion: 'success', jobs: [job('completed', 'success')] },
    { type: 'step-end', id: 'release', status: 'done', detail: 'success', ms: 9 },
  ], s);
  assert.deepEqual(done.log.map((l) => l.kind), ['run', 'step']);
  const run = done.log[0]!;
  assert.ok(run.kind === 'run' && run.run.conclusion === 'success');
});

test('phase and summary are kept', () => {
  const summary = { changed: [], siteUrl: 'https://a', ssh: 'ssh d@a', proxyFile: '/home/d/.deploy/nginx-proxy/nginx-proxy-compose.yml', secretsWritten: [], manual: [], dryRun: false };
  const s = fold([{ type: 'phase', phase: 'done' }, { type: 'summary', summary }]);
  assert.equal(s.phase, 'done');
  assert.equal(s.summary, summary);
});

test('a failure is kept, and rows still running are logged as stopped', () => {
  const s = fold([
    [1000, { type: 'step-start', id: 'inspect-host', title: 'Inspect the host' }],
    [1500, { type: 'step-start', id: 'inspect-repo', title: 'Read acme/app' }],
    [2000, { type: 'step-end', id: 'inspect-repo', status: 'fail', detail: '404', ms: 500 }],
    [2500, { type: 'failure', step: 'inspect repo', cause: 'not found', fix: 'check --repo' }],
  ]);
  assert.deepEqual(s.failure, { step: 'inspect repo', cause: 'not found', fix: 'check --repo' });
  assert.deepEqual(s.running, []);
  assert.deepEqual(s.finished.map((f) => [f.id, f.status, f.detail, f.ms]), [
    ['inspect-repo', 'fail', '404', 500],
    ['inspect-host', 'skip', 'stopped', 1500],
  ]);
});

test('reduce is pure: the previous state is not changed', () => {
  const a = fold([{ type: 'step-start', id: 'proxy', title: 'proxy' }]);
  const snapshot = structuredClone(a);
  fold([{ type: 'output', id: 'proxy', line: 'x' }, { type: 'step-end', id: 'proxy', status: 'done', detail: '', ms: 1 }, { type: 'plan', plan }], a);
  assert.deepEqual(a, snapshot);
});
