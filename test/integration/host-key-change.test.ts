/**
 * A host whose key changes between two logins of one run (the setup login, then the deploy
 * key's proof login), against the real sshd: the second login is refused as a changed host
 * key, worded like the first login's refusal, not blamed on the key.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authSources, openLogin, openPinned, parsePrivateKey } from '../../src/host/connect.js';
import { StepError } from '../../src/errors.js';
import { startSshd, type TestHost } from '../harness/sshd.js';
import { skipWithoutSshd, requireSshd } from '../helpers/world.js';

describe('the host key changes between two logins of one run', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let h: TestHost;
  let dir: string;
  before(async () => {
    requireSshd();
    h = await startSshd();
    dir = mkdtempSync(join(tmpdir(), 'clh-pinned-'));
  });
  after(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the second login is refused as a CHANGED host key, with the ssh-keygen -R fix', async () => {
    const knownHosts = join(dir, 'known_hosts');
    const recorded = `# mine\n${h.knownHostsLine}\n`;
    writeFileSync(knownHosts, recorded);
    const auth = await authSources({ identity: h.loginKey, home: dir });
    const first = await openLogin({ sshHost: h.host, sshPort: h.port, user: h.user, knownHostsPath: knownHosts, auth, confirmNewHostKey: async () => false });
    const before = h.hostKeyFingerprint;
    const { fingerprint } = await h.replaceHostKey();
    assert.notEqual(fingerprint, before);
    try {
      // The first connection is not affected: it keeps the key it was made with.
      assert.equal((await first.session.exec(['echo', 'still'])).stdout.trim(), 'still');
      const key = parsePrivateKey(readFileSync(h.loginKey), 'login');
      await assert.rejects(openPinned({ sshHost: h.host, sshPort: h.port, user: h.user, knownHostsPath: knownHosts }, first.hostKey.blob, key), (e) => {
        assert.ok(e instanceof StepError, String(e));
        assert.equal(e.step, 'host key');
        assert.match(e.cause_, /CHANGED/);
        assert.match(e.cause_, new RegExp(`line 2 records ${before.replace(/[+/]/g, '\\$&')}`));
        assert.ok(e.cause_.includes(fingerprint), e.cause_);
        assert.match(e.fix, /ssh-keygen .*-R "?\[127\.0\.0\.1\]:\d+/);
        return true;
      });
      assert.equal(readFileSync(knownHosts, 'utf8'), recorded, 'known_hosts untouched');
    } finally {
      first.session.close();
    }
    // The harness's own client follows the new key.
    assert.equal((await h.ssh(['echo', 'ok'])).stdout.trim(), 'ok');
  });
});
