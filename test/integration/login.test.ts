import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authSources, openLogin } from '../../src/host/connect.js';
import { StepError, UsageError } from '../../src/errors.js';
import { Sensitive } from '../../src/sensitive.js';
import { startAgent, startSshd, type TestHost } from '../harness/sshd.js';
import { skipWithoutSshd, requireSshd } from '../helpers/world.js';

describe('logging in to a real sshd', { skip: skipWithoutSshd() }, () => {
  let h: TestHost;
  let dir: string;
  before(async () => {
    requireSshd();
    h = await startSshd();
    dir = mkdtempSync(join(tmpdir(), 'clh-login-'));
  });
  after(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const target = (auth: Awaited<ReturnType<typeof authSources>>, knownHostsPath = h.knownHostsFile, confirm = async () => false) => ({
    sshHost: h.host,
    sshPort: h.port,
    user: h.user,
    knownHostsPath,
    auth,
    confirmNewHostKey: confirm,
  });

  for (const kind of ['loginKey', 'loginKeyEcdsa', 'loginKeyRsa'] as const) {
    test(`-i with ${kind} logs in and runs a command (rsa uses rsa-sha2)`, async () => {
      const auth = await authSources({ identity: h[kind], home: dir });
      const l = await openLogin(target(auth));
      const r = await l.session.exec(['id', '-un']);
      l.session.close();
      assert.equal(r.stdout.trim(), h.user);
      assert.equal(l.hostKey.fingerprint, h.hostKeyFingerprint);
    });
  }

  test('an encrypted key needs its passphrase: none is exit-2 input, a wrong one too, the right one logs in', async () => {
    await assert.rejects(authSources({ identity: h.loginKeyEncrypted, home: dir }), (e) => e instanceof UsageError && /encrypted.*SSH_KEY_PASSPHRASE/s.test(e.message + e.fix));
    await assert.rejects(authSources({ identity: h.loginKeyEncrypted, home: dir, passphrase: new Sensitive('wrong') }), UsageError);
    const auth = await authSources({ identity: h.loginKeyEncrypted, home: dir, passphrase: new Sensitive(h.passphrase) });
    const l = await openLogin(target(auth));
    l.session.close();
  });

  test('the SSH agent is offered first and logs in', async () => {
    const agent = await startAgent(dir, h.loginKeyEncrypted, h.passphrase);
    try {
      const auth = await authSources({ home: join(dir, 'empty-home'), agentSocket: agent.socket });
      assert.equal(auth[0]!.kind, 'agent');
      const l = await openLogin(target(auth));
      l.session.close();
    } finally {
      await agent.stop();
    }
  });

  test('default key files from ~/.ssh are found', async () => {
    const home = join(dir, 'home');
    writeFileSync(join(dir, 'x'), '');
    const sshDir = join(home, '.ssh');
    mkdirSync(sshDir, { recursive: true });
    copyFileSync(h.loginKeyEcdsa, join(sshDir, 'id_ecdsa'));
    copyFileSync(h.loginKeyEncrypted, join(sshDir, 'id_ed25519')); // encrypted: skipped without a passphrase
    chmodSync(join(sshDir, 'id_ecdsa'), 0o600);
    const auth = await authSources({ home });
    assert.deepEqual(auth.map((a) => (a.kind === 'key' ? a.label : a.kind)), [join(sshDir, 'id_ecdsa')]);
    const l = await openLogin(target(auth));
    l.session.close();
  });

  test('a user the host refuses: a clear message with the fix', async () => {
    const auth = await authSources({ identity: h.loginKey, home: dir });
    await assert.rejects(openLogin({ ...target(auth), user: 'nobody' }), (e) => e instanceof StepError && /refused every key/.test(e.cause_) && /--user/.test(e.fix));
  });

  test('nothing listening: refused, with the fix', async () => {
    const auth = await authSources({ identity: h.loginKey, home: dir });
    await assert.rejects(openLogin({ ...target(auth), sshPort: 1 }), (e) => e instanceof StepError && /refused the connection/.test(e.cause_));
  });

  test('unknown host: asks, records a hashed line when the file is hashed, then it is known', async () => {
    const kh = join(dir, 'kh-hashed');
    // A hashed file (from ssh-keygen -H style) for another host: new entries follow its style.
    writeFileSync(kh, '|1|c2FsdHNhbHRzYWx0c2FsdHNhbHQ=|aGFzaGhhc2hoYXNoaGFzaGhhc2g= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n');
    const auth = await authSources({ identity: h.loginKey, home: dir });
    let asked = 0;
    const l = await openLogin(target(auth, kh, async () => (asked++, true)));
    l.session.close();
    assert.equal(asked, 1);
    assert.equal(l.recorded, true);
    const lines = readFileSync(kh, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /);
    const again = await openLogin(target(auth, kh, async () => (asked++, true)));
    again.session.close();
    assert.equal(asked, 1, 'known now: not asked again');
  });

  test('unknown host declined: refused, nothing recorded', async () => {
    const kh = join(dir, 'kh-empty');
    writeFileSync(kh, '');
    const auth = await authSources({ identity: h.loginKey, home: dir });
    await assert.rejects(openLogin(target(auth, kh, async () => false)), (e) => e instanceof StepError && /not trusted/.test(e.cause_));
    assert.equal(readFileSync(kh, 'utf8'), '');
  });
});

describe('agent identities', { skip: skipWithoutSshd() }, () => {
  test('the keys an agent holds are listed, so they are never removed from a host', async () => {
    requireSshd();
    const { agentKeyBlobs } = await import('../../src/host/connect.js');
    const h2 = await startSshd();
    const d = mkdtempSync(join(tmpdir(), 'clh-agent-'));
    const agent = await startAgent(d, h2.loginKeyEncrypted, h2.passphrase);
    try {
      const blobs = await agentKeyBlobs(agent.socket);
      const pub = readFileSync(`${h2.loginKeyEncrypted}.pub`, 'utf8').split(' ')[1];
      assert.deepEqual(blobs, [pub]);
      assert.deepEqual(await agentKeyBlobs(join(d, 'no-such.sock')), []);
    } finally {
      await agent.stop();
      await h2.stop();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
