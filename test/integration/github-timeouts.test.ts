/**
 * A GitHub that accepts requests and never answers, against the real client: every request
 * has a timeout, a call with its retries has a bound, and the user is told which request
 * GitHub left unanswered.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient, GitHubTimeoutError, type GitHubClient } from '../../src/github/client.js';
import { getPublicKey, getRepo, listSecrets, putSecret, type RepoRef } from '../../src/github/api.js';
import { githubFailure } from '../../src/github/errors.js';
import { sealSecret } from '../../src/github/seal.js';
import { StepError } from '../../src/errors.js';
import { Sensitive } from '../../src/sensitive.js';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github-emulator.js';
import { mixes } from '../helpers/fixtures.js';

const TOKEN = 'ghp_timeoutTest0123456789';
const R: RepoRef = { owner: 'acme', repo: 'app' };
const WORKFLOW = mixes().find((m) => m.name === 'blazor-litestream-aws')!.workflow;

let gh: GitHubEmulator;
beforeEach(async () => {
  gh = await startGitHubEmulator();
  gh.addToken({ token: TOKEN, scopes: ['repo', 'workflow'] });
  gh.addRepo({ fullName: 'acme/app', files: { '.github/workflows/release.yml': WORKFLOW } });
});
afterEach(async () => {
  await gh.close();
});

const client = (o: { requestTimeoutMs?: number; callTimeoutMs?: number } = {}): GitHubClient =>
  createGitHubClient({ token: new Sensitive(TOKEN), baseUrl: gh.url, backoffMs: () => 20, requestTimeoutMs: 300, ...o });

/** Setup goes through a patient client: on a busy machine a healthy answer can take over 300 ms. */
async function sealed(value: string) {
  const { keyId, key } = await getPublicKey(client({ requestTimeoutMs: 10_000 }), R);
  return { keyId, sealed: await sealSecret(new Sensitive(value), key) };
}

async function elapsed<T>(p: Promise<T>): Promise<[PromiseSettledResult<T>, number]> {
  const t0 = performance.now();
  const [r] = await Promise.allSettled([p]);
  return [r, performance.now() - t0];
}

describe('a GitHub that never answers', () => {
  test('a secret PUT left unanswered fails after the request timeout, once, naming method and path', async () => {
    const c = client();
    const { keyId, sealed: value } = await sealed('v1');
    gh.reset();
    gh.setFaults({ hang: { match: /^PUT / } });
    const [r, ms] = await elapsed(putSecret(c, R, 'DEPLOY_KEY', value, keyId));
    assert.equal(r.status, 'rejected');
    const e = (r as PromiseRejectedResult).reason;
    assert.ok(e instanceof GitHubTimeoutError, String(e));
    assert.equal(e.message, 'GitHub did not answer PUT /repos/acme/app/actions/secrets/DEPLOY_KEY within 0.3 s');
    assert.ok(ms >= 280 && ms < 1500, `took ${Math.round(ms)} ms`);
    // Not asked again: a silent GitHub would only make the user wait twice as long.
    assert.equal(gh.stats().byMethod.PUT, 1);
    assert.equal(c.stats.retries, 0);

    const f = githubFailure(e, 'secrets', 'acme/app', gh.url);
    assert.ok(f instanceof StepError);
    assert.equal(f.step, 'secrets');
    assert.match(f.cause_, /GitHub did not answer PUT \/repos\/acme\/app\/actions\/secrets\/DEPLOY_KEY within 0\.3 s/);
    assert.match(f.fix, /re-run/);
    assert.ok(!`${f.message} ${f.fix}`.includes(TOKEN));
  });

  test('an answer that stops halfway through the body is a timeout too, not an empty success', async () => {
    const c = client();
    gh.setFaults({ hang: { match: /^GET \/repos\/acme\/app$/, midway: true } });
    const [r, ms] = await elapsed(getRepo(c, R));
    assert.equal(r.status, 'rejected');
    assert.match(String((r as PromiseRejectedResult).reason.message), /^GitHub did not answer GET \/repos\/acme\/app within 0\.3 s$/);
    assert.ok(ms < 1500, `took ${Math.round(ms)} ms`);
  });

  test('each page of a listing has its own timeout; the failing page is named', async () => {
    const c = client();
    gh.setFaults({ hang: { match: /actions\/secrets\?/ } });
    await assert.rejects(listSecrets(c, R), (e: Error) => e instanceof GitHubTimeoutError && /^GitHub did not answer GET \/repos\/acme\/app\/actions\/secrets within/.test(e.message));
  });

  test('slow 502s: the retries stop at the call bound instead of running to four attempts', async () => {
    const c = client({ requestTimeoutMs: 5_000, callTimeoutMs: 1_000 });
    gh.setFaults({ latencyMs: 400, fail5xx: { count: 10, status: 502 } });
    const [r, ms] = await elapsed(getRepo(c, R));
    assert.equal(r.status, 'rejected');
    // Four attempts (the limit) would take 1.6 s; within 1 s at most three start.
    assert.ok(ms < 1_400, `took ${Math.round(ms)} ms`);
    const tries = gh.stats().total;
    assert.ok(tries >= 2 && tries <= 3, `${tries} tries`);
  });

  test('requests queued behind hung ones share the bound: nine hung PUTs end together', async () => {
    const c = client({ requestTimeoutMs: 300, callTimeoutMs: 450 });
    const { keyId, sealed: value } = await sealed('v1');
    gh.setFaults({ hang: { match: /^PUT / } });
    const t0 = performance.now();
    const all = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => putSecret(c, R, `S_${i}`, value, keyId)));
    const ms = performance.now() - t0;
    assert.ok(all.every((r) => r.status === 'rejected' && r.reason instanceof GitHubTimeoutError), 'all nine time out');
    // Six time out at 300 ms; the three queued behind them get what is left of 450 ms.
    assert.ok(ms >= 400 && ms < 1_000, `took ${Math.round(ms)} ms`);
  });

  test('a GitHub that answers in time is unaffected', async () => {
    const c = client({ requestTimeoutMs: 5_000 });
    gh.setFaults({ latencyMs: 50 });
    assert.equal((await getRepo(c, R)).fullName, 'acme/app');
  });
});
