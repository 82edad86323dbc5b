import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { REPO, skipWithoutSshd, startWorld, type World } from '../helpers/world.js';

/**
 * Issue 11: a host without a working Docker is repaired, with consent, through the test
 * host's apt-get, curl and systemctl stand-ins (test/harness/fake-apt.sh), which refuse
 * anything but Docker's guide and then install the docker stand-in.
 */
const FULL = 'install -y docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin';
const FAST_LOCK = { CLH_APT_LOCK_WAIT_S: '30', CLH_APT_LOCK_POLL_S: '1' };

describe('Docker repairs under --install-docker', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  before(async () => {
    w = await startWorld({ mix: 'blazor-litestream-aws', scenario: 'missing' });
  });
  after(async () => w?.stop());
  const args = () => [...w.baseArgs('aws', 'tester'), '--install-docker'];
  const snapshot = () => w.host.run('sha256sum /usr/local/bin/docker /usr/local/bin/docker-compose /etc/apt/keyrings/docker.asc /etc/apt/sources.list.d/docker.list /home/tester/.ssh/authorized_keys; id -nG tester');

  /** SSH connections and exec round trips of one run, from the test sshd's log (as bench/ counts them). */
  async function counted<T>(f: () => Promise<T>): Promise<[T, { connections: number; execs: number }]> {
    const from = (await w.host.readLog()).length;
    const r = await f();
    const log = (await w.host.readLog()).slice(from);
    return [r, { connections: log.match(/Accepted publickey for tester/g)?.length ?? 0, execs: log.match(/Starting session: command/g)?.length ?? 0 }];
  }
  let baseline: { connections: number; execs: number } | undefined;

  /** A second run right after finds everything done: no apt, no writes, no release. */
  async function secondRunChangesNothing() {
    const before = await snapshot();
    const aptBefore = (await w.host.aptLog()).length;
    w.gh.reset();
    const [r, n] = await counted(() => w.run(args(), FAST_LOCK));
    baseline = n;
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /nothing to change/);
    assert.equal(r.stdout.match(/inspect-host:/g)?.length, 1, 'one inspection');
    assert.equal((await w.host.aptLog()).length, aptBefore, 'no apt-get, curl or systemctl on a second run');
    assert.equal((await snapshot()).stdout, before.stdout);
    assert.deepEqual(w.gh.events(), []);
  }

  test('without consent under --yes: blocked, and nothing is written anywhere', async () => {
    await w.host.run('gpasswd -d tester docker');
    const r = await w.run(w.baseArgs('aws', 'tester'));
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /install Docker Engine and the Compose plugin from Docker's apt repository \(https:\/\/download\.docker\.com\/linux\/debian, bookworm, amd64\) \(needs consent\)/);
    assert.match(r.stderr, /--install-docker/);
    assert.match(r.stderr, /nothing was changed/);
    assert.deepEqual(await w.host.aptLog(), []);
    assert.deepEqual(w.gh.events(), []);
    assert.equal((await w.host.run('ls /etc/apt/keyrings/docker.asc /usr/local/bin/docker /usr/local/bin/docker-compose 2>&1 | grep -c "No such"')).stdout.trim(), '3');
  });

  test('no Docker, user outside the group: installed from Docker\'s repository as its guide does, group joined over a new login, then the whole setup', async () => {
    const r = await w.run(args(), FAST_LOCK);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const log = (await w.host.aptLog()).map((l) => l.replace(/^\d+ /, ''));
    assert.deepEqual(log, [
      'apt-get update',
      'apt-get install -y ca-certificates curl',
      'curl -fsSL https://download.docker.com/linux/debian/gpg -o /etc/apt/keyrings/docker.asc',
      'apt-get update',
      `apt-get ${FULL}`,
    ]);
    assert.ok((await w.host.aptLog()).every((l) => l.startsWith('0 ')), 'as root');
    const files = await w.host.run('stat -c "%a %n" /etc/apt/keyrings /etc/apt/keyrings/docker.asc; cat /etc/apt/sources.list.d/docker.list; id -nG tester');
    assert.equal(files.stdout, '755 /etc/apt/keyrings\n644 /etc/apt/keyrings/docker.asc\ndeb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable\ntester docker\n');
    assert.match(r.stdout, /\| Setting up docker-ce \.\.\./, 'apt output in the output tail');
    assert.match(r.stdout, /Log in again and inspect the host/);
    assert.match(r.stdout, /release: success/);
    await secondRunChangesNothing();
  });

  test('Compose v1 only: the compose plugin alone, then the shim replaces v1', async () => {
    await w.host.setScenario('compose-v1');
    const start = (await w.host.aptLog()).length;
    const r = await w.run(args(), FAST_LOCK);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const log = (await w.host.aptLog()).slice(start).map((l) => l.replace(/^\d+ /, ''));
    assert.equal(log.at(-1), 'apt-get install -y docker-compose-plugin');
    assert.ok(!log.some((l) => l.includes('docker-ce')), 'Docker itself is left alone');
    assert.match(r.stdout, /Install the Compose plugin: docker-compose-plugin installed/);
    assert.match((await w.host.run('cat /usr/local/bin/docker-compose')).stdout, /exec docker compose --compatibility/);
    await secondRunChangesNothing();
  });

  test('daemon down: started and enabled through systemctl', async () => {
    await w.host.setScenario('daemon-down');
    const [r, n] = await counted(() => w.run(args(), FAST_LOCK));
    // The repair costs its own exec and one more probe; nothing else in the run differs.
    assert.deepEqual(n, { connections: baseline!.connections, execs: baseline!.execs + 2 }, `repair ${JSON.stringify(n)} vs nothing to do ${JSON.stringify(baseline)}`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal((await w.host.aptLog()).at(-1), '0 systemctl enable --now docker');
    assert.match(r.stdout, /Start the Docker daemon: started and enabled at boot/);
    await secondRunChangesNothing();
  });

  test('not in the docker group: joined, and the run goes on over a new login', async () => {
    await w.host.setScenario('no-permission');
    const [r, n] = await counted(() => w.run(args(), FAST_LOCK));
    // usermod and a probe, over one more connection.
    assert.deepEqual(n, { connections: baseline!.connections + 1, execs: baseline!.execs + 2 }, `repair ${JSON.stringify(n)} vs nothing to do ${JSON.stringify(baseline)}`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Join the docker group: tester added to the docker group/);
    assert.match((await w.host.run('id -nG tester')).stdout, /\bdocker\b/);
    await secondRunChangesNothing();
  });

  test('dpkg held by unattended-upgrades: waited for with a countdown, then installed', async () => {
    await w.host.setScenario('missing');
    // Often 20 s and more on a new droplet; 5 s here.
    await w.host.holdAptLock(5);
    const t0 = Date.now();
    const r = await w.run(args(), FAST_LOCK);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.ok(Date.now() - t0 >= 5000, 'it waited');
    const waits = [...r.stdout.matchAll(/\| waiting for apt's lock \(held by unattended-upgr, pid 812\): (\d+) s left/g)].map((m) => Number(m[1]));
    assert.ok(waits.length >= 3, r.stdout);
    assert.ok(waits[0]! <= 30 && waits.at(-1)! < waits[0]!, `counts down from the 30 s allowed: ${waits.join(' ')}`);
    assert.ok(waits.every((n, i) => i === 0 || n <= waits[i - 1]!), `a countdown: ${waits.join(' ')}`);
    assert.ok((await w.host.aptLog()).includes('locked'));
    await secondRunChangesNothing();
  });

  test('a lock held past the wait: the step fails saying so, and a re-run finishes', async () => {
    await w.host.setScenario('missing');
    await w.host.holdAptLock(60);
    const r = await w.run(args(), { CLH_APT_LOCK_WAIT_S: '2', CLH_APT_LOCK_POLL_S: '1' });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /apt stayed locked for 2 s/);
    await w.host.holdAptLock(0);
    const again = await w.run(args(), FAST_LOCK);
    assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
    assert.ok(w.gh.secrets(REPO).length > 0);
  });
});
