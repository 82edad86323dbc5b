/**
 * A host that stops answering in the middle of a session, against the real sshd: a dead
 * connection fails every command within the keepalive bound instead of hanging.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePrivateKey } from '../../src/host/connect.js';
import { connect, ConnectError, type HostSession } from '../../src/host/transport.js';
import { checkHostKey } from '../../src/host/known-hosts.js';
import { startSshd, type TestHost } from '../harness/sshd.js';
import { skipWithoutSshd, requireSshd } from '../helpers/world.js';

// Short enough for a quick test, long enough that a busy machine does not miss 1.2 s of replies.
const FAST = { keepaliveIntervalMs: 400, keepaliveCountMax: 2 };

describe('a host that stops answering', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let h: TestHost;
  before(async () => {
    requireSshd();
    h = await startSshd();
  });
  after(async () => {
    await h?.thawConnections();
    await h?.stop();
  });

  const open = (): Promise<HostSession> =>
    connect({
      host: h.host,
      port: h.port,
      username: h.user,
      auth: [{ kind: 'key', label: 'login', key: parsePrivateKey(readFileSync(h.loginKey), 'login') }],
      verifyHostKey: async (blob) => checkHostKey(h.knownHostsLine, h.host, h.port, blob).kind === 'known',
      timing: FAST,
    });

  test('a command sent to a frozen host fails with ConnectError within the keepalive bound; later ones at once', async () => {
    const s = await open();
    try {
      assert.equal((await s.exec(['echo', 'alive'])).stdout.trim(), 'alive');
      assert.ok((await h.freezeConnections()) > 0, 'per-connection sshd processes were stopped');
      const t0 = performance.now();
      await assert.rejects(s.exec(['true']), (e) => e instanceof ConnectError && e.code === 'timeout' && /stopped answering/.test(e.message));
      const ms = performance.now() - t0;
      // 400 ms × (2 + 1) unanswered keepalives, give or take an interval.
      assert.ok(ms < 3_000, `took ${Math.round(ms)} ms`);
      const t1 = performance.now();
      await assert.rejects(s.exec(['true']), ConnectError);
      assert.ok(performance.now() - t1 < 100, 'a dead connection fails the next command at once');
    } finally {
      s.close();
      await h.thawConnections();
    }
  });

  test('a command already running when the host freezes fails too', async () => {
    const s = await open();
    try {
      const running = s.exec(['sleep', '30']);
      await new Promise((r) => setTimeout(r, 300));
      await h.freezeConnections();
      const t0 = performance.now();
      await assert.rejects(running, (e) => e instanceof ConnectError && e.code === 'timeout');
      assert.ok(performance.now() - t0 < 3_000);
    } finally {
      s.close();
      await h.thawConnections();
    }
  });

  test('a long quiet command on a live host is not mistaken for a dead one', async () => {
    const s = await open();
    try {
      // Five keepalive intervals without output: sshd answers the keepalives meanwhile.
      const r = await s.exec(['sh', '-c', 'sleep 2; echo done']);
      assert.equal(r.stdout.trim(), 'done');
    } finally {
      s.close();
    }
  });
});
