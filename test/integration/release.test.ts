import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient } from '../../src/github/client.js';
import { applyRelease } from '../../src/steps/release.js';
import { memoryStore } from '../../src/config/store.js';
import { StepError } from '../../src/errors.js';
import { Sensitive } from '../../src/sensitive.js';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github-emulator.js';
import type { ApplyContext, Deps, EngineEvent } from '../../src/steps/types.js';
import { inspection, repoState, settings } from '../helpers/inspection.js';

let gh: GitHubEmulator;
before(async () => {
  gh = await startGitHubEmulator();
  const wf = repoState('blazor-litestream-aws').workflowText!;
  gh.addRepo({ fullName: 'acme/app', files: { '.github/workflows/release.yml': wf } });
  gh.addToken({ token: 't', scopes: ['repo'] });
  gh.setPlaybook({ jobs: [{ name: 'build', steps: ['a', 'b'] }], stepMs: 5 });
});
after(() => gh.close());

function ctx(o: { instantSleep?: boolean } = {}): { c: ApplyContext; events: EngineEvent[] } {
  const events: EngineEvent[] = [];
  const s = settings({ apiUrl: gh.url, token: new Sensitive('t') });
  const deps = { now: () => new Date(), sleep: (ms: number) => new Promise((r) => setTimeout(r, o.instantSleep ? 1 : ms)), pollMs: 10, queuedTimeoutMs: 60_000, store: memoryStore() } as unknown as Deps;
  const c = { ins: inspection({ settings: s }), deps, emit: (e: EngineEvent) => events.push(e), gh: createGitHubClient({ token: s.token, baseUrl: gh.url, backoffMs: () => 1 }) } as unknown as ApplyContext;
  return { c, events };
}

test('dispatches once with version=latest, follows the run to success, records it', async () => {
  gh.reset();
  const { c, events } = ctx();
  const r = await applyRelease(c);
  assert.equal(r.conclusion, 'success');
  assert.equal(gh.dispatches('acme/app').length, 1);
  assert.ok(events.some((e) => e.type === 'run' && e.status === 'completed'));
  assert.equal(c.ins.saved.record.lastRelease?.conclusion, 'success');
});

test('a 502 on the dispatch is not blindly retried: the run is looked for, then dispatched once', async () => {
  const before = gh.dispatches('acme/app').length;
  gh.reset();
  gh.setFaults({ fail5xx: { count: 1, match: /^POST .*dispatches/ } });
  const { c } = ctx({ instantSleep: true });
  const r = await applyRelease(c);
  assert.equal(r.conclusion, 'success');
  assert.equal(gh.dispatches('acme/app').length - before, 1, 'exactly one release started');
});

test('GitHub Enterprise without return_run_details: the run is found by listing', async () => {
  const before = gh.dispatches('acme/app').length;
  gh.reset();
  gh.setFaults({ rejectReturnRunDetails: true });
  const { c } = ctx();
  const r = await applyRelease(c);
  gh.setFaults({});
  assert.equal(r.conclusion, 'success');
  assert.equal(gh.dispatches('acme/app').length - before, 1);
});

test('a failed run is exit 1 with the run URL; a dispatch refused by GitHub names the permission', async () => {
  gh.setPlaybook({ jobs: [{ name: 'build', steps: ['a'] }], stepMs: 5, conclusion: 'failure' });
  await assert.rejects(applyRelease(ctx().c), (e) => e instanceof StepError && /ended with "failure"/.test(e.cause_) && /actions\/runs\//.test(e.cause_));
  gh.setPlaybook({ jobs: [{ name: 'build', steps: ['a'] }], stepMs: 5 });
  gh.addToken({ token: 'ro', scopes: ['repo'], repoPermissions: { admin: false, push: false, pull: true } });
  const { c } = ctx();
  c.gh = createGitHubClient({ token: new Sensitive('nope'), baseUrl: gh.url, backoffMs: () => 1 });
  await assert.rejects(applyRelease(c), (e) => e instanceof StepError && /401/.test(e.cause_));
});
