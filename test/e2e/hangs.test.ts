/**
 * The whole program (bin/, --yes) against a GitHub or a host that stops answering mid-run:
 * each ends with exit 1 and a message naming what happened, well within the test's bound.
 * CLH_GITHUB_TIMEOUT_MS and CLH_SSH_KEEPALIVE_MS shorten the waits, as CLH_POLL_MS does.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { REPO, skipWithoutSshd, startWorld, type World } from '../helpers/world.js';

const BOUND = { timeout: 60_000 };

describe('a GitHub or a host that stops answering', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  before(async () => {
    w = await startWorld({ mix: 'blazor-litestream-aws' });
  });
  after(async () => {
    w?.gh.onRequest(undefined);
    await w?.host.thawConnections();
    await w?.stop();
  });

  test('GitHub never answers the secret writes: exit 1 naming GitHub and the request, no release', BOUND, async () => {
    w.gh.reset();
    w.gh.setFaults({ hang: { match: /^PUT \/repos\/acme\/app\/actions\/secrets\// } });
    let hungAt = 0;
    w.gh.onRequest((route) => {
      if (!hungAt && route.startsWith('PUT ')) hungAt = performance.now();
    });
    const r = await w.run(w.baseArgs('aws'), { CLH_GITHUB_TIMEOUT_MS: '1500' });
    const sinceHang = performance.now() - hungAt;
    w.gh.onRequest(undefined);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /error: secrets: \d+ of \d+ secrets were not written: GitHub did not answer PUT \/repos\/acme\/app\/actions\/secrets\/[A-Z_]+ within 1\.5 s/);
    assert.match(r.stderr, /fix: .*re-run/i);
    assert.ok(hungAt > 0 && sinceHang < 8_000, `ended ${Math.round(sinceHang)} ms after the first unanswered request`);
    assert.deepEqual(w.gh.dispatches(REPO), [], 'no release');
    assert.ok(!`${r.stdout}${r.stderr}`.includes('PRIVATE KEY'));
  });

  test('the host freezes mid-run: exit 1 saying it stopped answering, no hang', BOUND, async () => {
    w.gh.reset();
    let frozeAt = 0;
    // The setup connection is open by the time the repository is read.
    w.gh.onRequest(async (route) => {
      if (!frozeAt && route.startsWith('GET /repos/acme/app/actions/secrets/public-key')) {
        await w.host.freezeConnections();
        frozeAt = performance.now();
      }
    });
    try {
      const r = await w.run(w.baseArgs('aws'), { CLH_SSH_KEEPALIVE_MS: '500' });
      const sinceFreeze = performance.now() - frozeAt;
      assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, /127\.0\.0\.1:\d+ stopped answering \(no reply over SSH for 2 s\)/);
      assert.match(r.stderr, /fix: /);
      assert.ok(frozeAt > 0 && sinceFreeze < 10_000, `ended ${Math.round(sinceFreeze)} ms after the freeze`);
    } finally {
      w.gh.onRequest(undefined);
      await w.host.thawConnections();
    }
  });
});
