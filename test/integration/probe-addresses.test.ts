import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseFacts, probeScript } from '../../src/host/probe.js';
import { join, shArgv } from '../../src/host/shell.js';
import { startSshd, type TestHost } from '../harness/sshd.js';
import { skipWithoutSshd } from '../helpers/world.js';

/** The probe's addresses on the real sshd: the metadata service is asked on a droplet only, and never reached from here. */
describe('probe: addresses and a droplet\'s reserved IP', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let h: TestHost;
  before(async () => {
    h = await startSshd({ scenario: 'ok' });
  });
  after(async () => h?.stop());
  const probe = async () => {
    const r = await h.ssh([join(shArgv(probeScript({ deployUser: 'tester' })))]);
    assert.equal(r.code, 0, r.stderr);
    return parseFacts(r.stdout, 'tester');
  };

  test('not a droplet: no metadata request at all; the SSH address and the interfaces are known', async () => {
    const f = await probe();
    assert.equal(f.net.sshServer, '127.0.0.1');
    assert.equal(f.net.reservedIp, undefined);
    assert.ok(!(await h.aptLog()).some((l) => l.includes('169.254.169.254')), 'curl was not asked');
    assert.match(f.os.codename, /^[a-z]+$/);
    assert.match(f.os.dpkgArch, /^[a-z0-9]+$/);
  });

  test('a droplet (DigitalOcean in the DMI vendor): the reserved IP from the metadata stand-in', async (t) => {
    const fake = await h.run('mount -t tmpfs harness-sys-class /sys/class && mkdir -p /sys/class/dmi/id && echo DigitalOcean > /sys/class/dmi/id/sys_vendor && echo 198.51.100.20 > /run/fake-docker/reserved-ip');
    if (fake.code !== 0) {
      t.skip(`cannot fake the DMI vendor here: ${fake.stderr}`);
      return;
    }
    const f = await probe();
    assert.equal(f.net.reservedIp, '198.51.100.20');
    assert.ok((await h.aptLog()).some((l) => / curl .*http:\/\/169\.254\.169\.254\/metadata\/v1\/reserved_ip\/ipv4_address/.test(l)));
  });
});
