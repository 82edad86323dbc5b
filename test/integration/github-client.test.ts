/**
 * The real octokit client (createGitHubClient) against the GitHub emulator: retries, rate
 * limits, the concurrency allowance, the GHES dispatch fallback, pagination, and the token
 * kept out of errors. The request policy itself is in src/github/client.ts.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createGitHubClient, MAX_CONCURRENT, retryDelay, type GitHubClient } from '../../src/github/client.js';
import { dispatchWorkflow, findDispatchedRun, getPublicKey, getRepo, listSecrets, putSecret, type RepoRef } from '../../src/github/api.js';
import { sealSecret } from '../../src/github/seal.js';
import { Sensitive } from '../../src/sensitive.js';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github-emulator.js';
import { mixes } from '../helpers/fixtures.js';

const TOKEN = 'ghp_clientTestToken0123456789abcdefXYZ';
const FULL = 'acme/app';
const R: RepoRef = { owner: 'acme', repo: 'app' };
/** client.ts's MAX_ATTEMPTS (not exported): the first try plus three retries. */
const MAX_ATTEMPTS = 4;
const WORKFLOW = mixes().find((m) => m.name === 'blazor-litestream-aws')!.workflow;

let gh: GitHubEmulator;
let sleeps: number[];
let retries: { route: string; status: number | undefined; waitMs: number; attempt: number }[];

function client(token = TOKEN): GitHubClient {
  return createGitHubClient({
    token: new Sensitive(token),
    baseUrl: gh.url,
    backoffMs: () => 10,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onRetry: (i) => retries.push(i),
  });
}

async function seal(gh: GitHubClient, value: string): Promise<{ keyId: string; sealed: string }> {
  const { keyId, key } = await getPublicKey(gh, R);
  return { keyId, sealed: await sealSecret(new Sensitive(value), key) };
}

const secretPuts = () => gh.requests().filter((r) => r.method === 'PUT' && r.path.includes('/actions/secrets/'));

beforeEach(async () => {
  sleeps = [];
  retries = [];
  gh = await startGitHubEmulator();
  gh.addToken({ token: TOKEN, scopes: ['repo', 'workflow'] });
  gh.addRepo({ fullName: FULL, files: { '.github/workflows/release.yml': WORKFLOW } });
  gh.setPlaybook({ jobs: [{ name: 'deploy', steps: ['checkout'] }], stepMs: 10 });
});

afterEach(async () => {
  await gh.close();
});

describe('retries', () => {
  test('a 502 on the next two requests: the call succeeds after two retries', async () => {
    const c = client();
    const { keyId, sealed } = await seal(c, 'v1');
    gh.reset();
    gh.setFaults({ fail5xx: { count: 2, status: 502 } });
    assert.equal(await putSecret(c, R, 'AWS_S3_BUCKET', sealed, keyId), 'created');
    assert.equal(c.stats.retries, 2);
    assert.deepEqual(sleeps, [10, 10], 'backoffMs before each retry');
    assert.deepEqual(secretPuts().map((r) => r.status), [502, 502, 201]);
    assert.deepEqual(retries.map((r) => [r.status, r.attempt]), [[502, 1], [502, 2]]);
    assert.equal(gh.secretValue(FULL, 'AWS_S3_BUCKET'), 'v1');
  });

  test('a 502 on every secret PUT: fails after MAX_ATTEMPTS with status 502', async () => {
    const c = client();
    const { keyId, sealed } = await seal(c, 'v1');
    gh.reset();
    gh.setFaults({ failSecretPutsAlways: true });
    await assert.rejects(putSecret(c, R, 'AWS_S3_BUCKET', sealed, keyId), (e: { status?: number }) => {
      assert.equal(e.status, 502);
      return true;
    });
    assert.equal(secretPuts().length, MAX_ATTEMPTS);
    assert.equal(c.stats.retries, MAX_ATTEMPTS - 1);
    assert.equal(sleeps.length, MAX_ATTEMPTS - 1);
    assert.equal(gh.secretValue(FULL, 'AWS_S3_BUCKET'), undefined);
  });

  test('a secondary rate limit with retry-after: 3 waits 3000 ms, then succeeds', async () => {
    const c = client();
    const { keyId, sealed } = await seal(c, 'v1');
    gh.reset();
    gh.setFaults({ secondaryRateLimit: { count: 1, retryAfterSec: 3 } });
    assert.equal(await putSecret(c, R, 'AWS_S3_BUCKET', sealed, keyId), 'created');
    assert.deepEqual(sleeps, [3000]);
    assert.equal(c.stats.retries, 1);
    assert.deepEqual(secretPuts().map((r) => r.status), [403, 201]);
  });

  test('a 404 or 422 from the API is not retried', async () => {
    const c = client();
    gh.reset();
    await assert.rejects(getRepo(c, { owner: 'acme', repo: 'missing' }), (e: { status?: number }) => e.status === 404);
    await assert.rejects(putSecret(c, R, 'AWS_S3_BUCKET', 'bm90IHNlYWxlZA==', 'stale-key-id'), (e: { status?: number }) => e.status === 422);
    assert.equal(c.stats.retries, 0);
    assert.deepEqual(sleeps, []);
    assert.equal(gh.stats().total, 2);
  });
});

describe('retryDelay', () => {
  const backoff = (n: number) => n * 100;
  const now = 1_700_000_000_000;
  const err = (status: number | undefined, headers: Record<string, string> = {}, message = '', data?: unknown) => ({
    status,
    message,
    response: { headers, data },
  });

  test('primary limit (x-ratelimit-remaining 0): waits until the reset, plus a second', () => {
    const reset = String(now / 1000 + 30);
    assert.equal(retryDelay(err(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, 'API rate limit exceeded'), 1, backoff, now), 31_000);
    assert.equal(retryDelay(err(429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), 1, backoff, now), 31_000);
    // A reset already past: retry after the one-second margin.
    assert.equal(retryDelay(err(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 - 5) }), 1, backoff, now), 1_000);
    // A reset an hour out is returned as is; the client compares it with MAX_WAIT_MS and gives up.
    assert.equal(retryDelay(err(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 3600) }), 1, backoff, now), 3_601_000);
    // No reset header: final.
    assert.equal(retryDelay(err(403, { 'x-ratelimit-remaining': '0' }), 1, backoff, now), undefined);
  });

  test('secondary limit: retry-after seconds, or a minute without it; the message may be in the body', () => {
    assert.equal(retryDelay(err(403, { 'retry-after': '3' }, 'You have exceeded a secondary rate limit'), 1, backoff, now), 3_000);
    assert.equal(retryDelay(err(429, {}, 'secondary rate limit'), 1, backoff, now), 60_000);
    assert.equal(retryDelay(err(403, { 'retry-after': '7' }, 'Forbidden', { message: 'You have triggered an abuse detection mechanism' }), 1, backoff, now), 7_000);
    assert.equal(retryDelay(err(429, { 'retry-after': '2' }), 1, backoff, now), 2_000);
  });

  test('5xx and network errors back off by attempt', () => {
    assert.equal(retryDelay(err(502), 1, backoff, now), 100);
    assert.equal(retryDelay(err(503), 3, backoff, now), 300);
    assert.equal(retryDelay(err(undefined), 2, backoff, now), 200);
  });

  test('401, 404, 422 and a plain 403 are final (no retry)', () => {
    for (const status of [400, 401, 403, 404, 409, 422]) {
      assert.equal(retryDelay(err(status, { 'x-ratelimit-remaining': '4999' }, 'nope'), 1, backoff, now), undefined, String(status));
    }
  });
});

test(`20 concurrent PUTs with 50 ms latency: exactly MAX_CONCURRENT (${MAX_CONCURRENT}) in flight at most, every value right`, async () => {
  const c = client();
  const { keyId, key } = await getPublicKey(c, R);
  const values = Array.from({ length: 20 }, (_, i) => [`SECRET_${i}`, `value-${i}-${'ü'.repeat(i)}\n`] as const);
  const sealed = await Promise.all(values.map(async ([n, v]) => [n, await sealSecret(new Sensitive(v), key)] as const));
  gh.reset();
  gh.setFaults({ latencyMs: 50 });
  const t0 = performance.now();
  const outcomes = await Promise.all(sealed.map(([n, s]) => putSecret(c, R, n, s, keyId)));
  const ms = performance.now() - t0;
  assert.deepEqual(new Set(outcomes), new Set(['created']));
  const stats = gh.stats();
  assert.equal(stats.total, 20);
  assert.ok(stats.maxConcurrent <= MAX_CONCURRENT, `emulator saw ${stats.maxConcurrent} at once`);
  assert.equal(stats.maxConcurrent, MAX_CONCURRENT, 'the allowance was used');
  assert.equal(c.stats.maxInFlight, MAX_CONCURRENT);
  // ceil(20 / 6) = 4 waves of 50 ms; far from 20 × 50 ms one at a time.
  assert.ok(ms < 20 * 50, `took ${Math.round(ms)} ms`);
  for (const [n, v] of values) assert.equal(gh.secretValue(FULL, n), v, n);
});

describe('dispatch', () => {
  test('GHES-like (return_run_details refused): dispatches again without it, returns {}; findDispatchedRun finds the run', async () => {
    const c = client();
    gh.setFaults({ rejectReturnRunDetails: true });
    const since = new Date();
    const res = await dispatchWorkflow(c, R, 'release.yml', 'main', { version: 'latest' });
    assert.deepEqual(res, {});
    const posts = gh.requests().filter((r) => r.method === 'POST');
    assert.deepEqual(posts.map((r) => r.status), [422, 204]);
    const dispatched = gh.dispatches(FULL);
    assert.equal(dispatched.length, 1, 'one run, not two');
    assert.deepEqual(dispatched[0]!.inputs, { version: 'latest' });
    const run = await findDispatchedRun(c, R, 'release.yml', 'main', since);
    assert.ok(run, 'the run was found by listing');
    assert.equal(run.id, dispatched[0]!.runId);
    assert.match(run.htmlUrl, new RegExp(`/acme/app/actions/runs/${run.id}$`));
    assert.equal(c.stats.retries, 0, 'a 422 is not retried by the client');
  });

  test('GitHub.com: the run id comes back from the dispatch itself', async () => {
    const c = client();
    const res = await dispatchWorkflow(c, R, 'release.yml', 'main', { version: 'latest' });
    assert.equal(res.runId, gh.dispatches(FULL)[0]!.runId);
    assert.equal(gh.requests().filter((r) => r.method === 'POST').length, 1);
  });
});

test('listSecrets over 150 secrets paginates to all 150', async () => {
  const secrets = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`S_${String(i).padStart(3, '0')}`, `v${i}`]));
  gh.addRepo({ fullName: 'acme/many', secrets });
  const c = client();
  const list = await listSecrets(c, { owner: 'acme', repo: 'many' });
  assert.equal(list.length, 150);
  assert.deepEqual(list.map((s) => s.name).sort(), Object.keys(secrets).sort());
  assert.equal(new Set(list.map((s) => s.name)).size, 150, 'no duplicates across pages');
  assert.equal(gh.requests().filter((r) => r.path.includes('/actions/secrets')).length, 2, 'two pages of 100');
});

describe('the token stays out of errors', () => {
  function assertNoToken(e: unknown, token: string): void {
    const err = e as { message?: string; request?: { headers?: Record<string, string> }; response?: unknown };
    const texts = {
      message: String(err.message),
      json: JSON.stringify(err),
      inspect: inspect(err, { depth: 10 }),
      string: String(err),
      stack: String((err as Error).stack),
    };
    for (const [where, text] of Object.entries(texts)) assert.ok(!text.includes(token), `the token appears in the error's ${where}`);
    const auth = err.request?.headers?.authorization;
    assert.ok(auth, 'octokit keeps the request headers on the error');
    assert.match(auth, /^token \[REDACTED\]$/, 'authorization is redacted');
  }

  test('401 Bad credentials (unknown token)', async () => {
    const other = 'ghp_unknownToken_ZZZZ9999';
    await assert.rejects(getRepo(client(other), R), (e) => {
      assert.equal((e as { status?: number }).status, 401);
      assertNoToken(e, other);
      return true;
    });
  });

  test('404, 422, 502 after retries and a secondary rate limit that gives up', async () => {
    const c = client();
    const cases: [string, () => Promise<unknown>, number][] = [
      ['404', () => getRepo(c, { owner: 'acme', repo: 'missing' }), 404],
      ['422', () => putSecret(c, R, 'X', 'bm90IHNlYWxlZA==', 'stale'), 422],
      [
        '502',
        async () => {
          gh.setFaults({ fail5xx: { count: MAX_ATTEMPTS, status: 502 } });
          return getRepo(c, R);
        },
        502,
      ],
      [
        'secondary',
        async () => {
          gh.setFaults({ secondaryRateLimit: { count: MAX_ATTEMPTS, retryAfterSec: 1 } });
          return getRepo(c, R);
        },
        403,
      ],
    ];
    for (const [name, call, status] of cases) {
      await assert.rejects(call(), (e) => {
        assert.equal((e as { status?: number }).status, status, name);
        assertNoToken(e, TOKEN);
        return true;
      });
      gh.setFaults({});
    }
  });

  test('a network error (nothing listening)', async () => {
    const url = gh.url;
    await gh.close();
    const c = createGitHubClient({ token: new Sensitive(TOKEN), baseUrl: url, backoffMs: () => 1, sleep: async () => {} });
    await assert.rejects(getRepo(c, R), (e) => {
      assert.equal((e as { status?: number }).status, 500, 'octokit reports a fetch failure as status 500');
      assertNoToken(e, TOKEN);
      return true;
    });
    // afterEach closes again: harmless.
    gh = await startGitHubEmulator();
  });
});
