/**
 * The whole program (bin/, --yes) against a host whose key changes between the setup login
 * and the deploy key's proof login: refused like a changed key at the first login.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { REPO, skipWithoutSshd, startWorld, type World } from '../helpers/world.js';

describe('the host key changes between the setup login and the deploy key proof', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  before(async () => {
    w = await startWorld({ mix: 'blazor-litestream-aws' });
  });
  after(async () => {
    w?.gh.onRequest(undefined);
    await w?.stop();
  });

  test('refused as a CHANGED host key with the ssh-keygen -R fix, not as a key that did not log in; after the fix a re-run finishes', { timeout: 90_000 }, async () => {
    const recorded = readFileSync(w.knownHosts, 'utf8');
    const old = w.host.hostKeyFingerprint;
    let replaced: { publicKey: string; fingerprint: string } | undefined;
    // The first GitHub request comes after the setup login: the host is "rebuilt" then.
    w.gh.onRequest(async () => {
      replaced ??= await w.host.replaceHostKey();
    });
    const r = await w.run(w.baseArgs('aws'));
    w.gh.onRequest(undefined);
    assert.ok(replaced);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /error: host key: the host key of \[127\.0\.0\.1\]:\d+ CHANGED/);
    assert.ok(r.stderr.includes(`line 1 records ${old}`), r.stderr);
    assert.ok(r.stderr.includes(replaced.fingerprint), r.stderr);
    assert.match(r.stderr, /fix: .*ssh-keygen .*-R "?\[127\.0\.0\.1\]:\d+/);
    assert.doesNotMatch(r.stderr, /did not log in|AuthorizedKeysFile/);
    assert.equal(readFileSync(w.knownHosts, 'utf8'), recorded, 'known_hosts untouched');
    assert.equal(w.gh.secretValue(REPO, 'DEPLOY_KEY'), undefined, 'DEPLOY_KEY not written');
    assert.deepEqual(w.gh.dispatches(REPO), []);

    // The user checks the new key and records it (what ssh-keygen -R plus a first login do).
    writeFileSync(w.knownHosts, `${w.host.knownHostsLine}\n`);
    const again = await w.run(w.baseArgs('aws'));
    assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
    assert.ok(w.gh.secretValue(REPO, 'DEPLOY_KEY'), 'DEPLOY_KEY written by the re-run');
    assert.equal(w.gh.dispatches(REPO).length, 1);
  });
});
