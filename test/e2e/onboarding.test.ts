import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, STORAGE, needsRepair, skipWithoutSshd, startWorld, type World } from '../helpers/world.js';
import { encodeUserinfo } from '../../src/targets/index.js';

const SECRET_VALUES = Object.values(STORAGE).flatMap((s) => Object.values(s)).filter((v) => v.length > 6);

function assertNoSecretPrinted(w: World, out: string) {
  for (const v of SECRET_VALUES) assert.ok(!out.includes(v), `a secret value was printed: ${v.slice(0, 4)}…`);
  assert.ok(!out.includes('PRIVATE KEY'), 'the deploy key was printed');
  assert.ok(!out.includes('ghp_'), 'the token was printed');
}

/** The DEPLOY_KEY secret, opened by the emulator, logs in with the real ssh client. */
async function deployKeyLogsIn(w: World, user: string): Promise<boolean> {
  const pem = w.gh.secretValue(REPO, 'DEPLOY_KEY');
  assert.ok(pem, 'DEPLOY_KEY was written');
  assert.ok(pem.endsWith('\n') && !pem.includes('\r'), 'LF line endings with a final newline');
  const file = join(w.home, `deploy-key-${Date.now()}`);
  writeFileSync(file, pem, { mode: 0o600 });
  const r = await w.host.ssh(['id', '-un'], { key: file, user });
  return r.code === 0 && r.stdout.trim() === user;
}

for (const [mix, deployUser] of [
  ['blazor-litestream-aws', 'deploy'],
  ['jamstack-litestream-azure', 'tester'],
  ['litestream-sftp', 'deploy'],
] as const) {
  describe(`first run and re-run: ${mix}`, { skip: skipWithoutSshd(), concurrency: false }, () => {
    let w: World;
    const args = (target: string) => [...w.baseArgs(target, deployUser), ...(needsRepair(mix) ? ['--repair-workflow'] : [])];
    before(async () => {
      w = await startWorld({ mix });
    });
    after(async () => w?.stop());

    test('--dry-run prints the plan and changes nothing', async () => {
      const target = /-(aws|azure|sftp)$/.exec(mix)![1]!;
      const r = await w.run([...args(target), '--dry-run']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Plan:/);
      assert.match(r.stdout, /will change +docker-compose shim/);
      assert.equal(w.gh.events().length, 0);
      const calls = await w.host.dockerCalls();
      assert.ok(!calls.some((c) => c.includes('up')), 'no compose up');
      assertNoSecretPrinted(w, r.stdout + r.stderr);
    });

    test('a full --yes run sets up host and repository and releases', async () => {
      const target = /-(aws|azure|sftp)$/.exec(mix)![1]!;
      const r = await w.run(args(target));
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assertNoSecretPrinted(w, r.stdout + r.stderr);
      // Host: shim, proxy, deploy user, key.
      const shim = await w.host.run('cat /usr/local/bin/docker-compose; stat -c %a /usr/local/bin/docker-compose');
      assert.match(shim.stdout, /^#!\/bin\/sh\n/);
      assert.match(shim.stdout, /exec docker compose --compatibility "\$@"/);
      assert.match(shim.stdout, /755\n$/);
      const calls = await w.host.dockerCalls();
      assert.ok(calls.some((c) => c.join(' ').includes('compose -p nginx-proxy -f') && c.includes('up')), JSON.stringify(calls));
      const home = deployUser === 'tester' ? '/home/tester' : '/home/deploy';
      const proxy = await w.host.run(`cat ${home}/.deploy/nginx-proxy/nginx-proxy-compose.yml; stat -c '%a %U' ${home}/.deploy/nginx-proxy/nginx-proxy-compose.yml ${home}/.ssh ${home}/.ssh/authorized_keys`);
      assert.match(proxy.stdout, /DEFAULT_EMAIL=ops@acme\.io/);
      assert.match(proxy.stdout, mix.startsWith('blazor') ? /name: nginx/ : /network_mode: bridge/);
      assert.match(proxy.stdout, new RegExp(`600 ${deployUser}\\n700 ${deployUser}\\n600 ${deployUser}`));
      // Repository: the workflow's secrets, opened by the emulator.
      const names = w.gh.secrets(REPO).map((s) => s.name).sort();
      const hostSecret = mix.startsWith('jamstack') ? 'DEPLOY_API' : 'DEPLOY_HOST';
      const expected = [hostSecret, 'DEPLOY_KEY', 'DEPLOY_USERNAME', 'LETSENCRYPT_EMAIL', ...Object.keys(STORAGE[target]!)];
      if (mix.startsWith('litestream')) expected.push('DEPLOY_PORT');
      assert.deepEqual(names, expected.sort());
      assert.equal(w.gh.secretValue(REPO, hostSecret), 'app.acme.io');
      assert.equal(w.gh.secretValue(REPO, 'DEPLOY_USERNAME'), deployUser);
      for (const [k, v] of Object.entries(STORAGE[target]!)) assert.equal(w.gh.secretValue(REPO, k), k === 'SFTP_PASSWORD' || k === 'SFTP_USERNAME' ? encodeUserinfo(v) : v, k);
      assert.ok(await deployKeyLogsIn(w, deployUser), 'DEPLOY_KEY logs in with the real ssh client');
      // Release: dispatched after the last secret write, followed to the end.
      const ev = w.gh.events();
      const lastPut = Math.max(...ev.filter((e) => e.kind === 'secret-put').map((e) => e.at));
      const dispatch = ev.find((e) => e.kind === 'dispatch');
      assert.ok(dispatch && dispatch.at > lastPut, 'release dispatched after every secret write');
      assert.deepEqual(w.gh.dispatches(REPO).map((d) => d.inputs), [{ version: 'latest' }]);
      assert.match(r.stdout, /release: success/);
      assert.match(r.stdout, /site: https:\/\/app\.acme\.io/);
    });

    test('a second run right after changes nothing', async () => {
      const target = /-(aws|azure|sftp)$/.exec(mix)![1]!;
      const before = await w.host.run('sha256sum /usr/local/bin/docker-compose /home/*/.ssh/authorized_keys /home/*/.deploy/nginx-proxy/nginx-proxy-compose.yml');
      await w.host.clearDockerCalls();
      w.gh.reset();
      const r = await w.run(args(target));
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /nothing to change/);
      const after = await w.host.run('sha256sum /usr/local/bin/docker-compose /home/*/.ssh/authorized_keys /home/*/.deploy/nginx-proxy/nginx-proxy-compose.yml');
      assert.equal(after.stdout, before.stdout);
      assert.deepEqual(w.gh.events(), [], 'no secret written, no release');
      const calls = await w.host.dockerCalls();
      assert.ok(!calls.some((c) => c.includes('up')), 'compose up not run again');
      assert.ok(await deployKeyLogsIn(w, deployUser), 'DEPLOY_KEY kept and still logs in');
    });
  });
}

describe('docker scenarios stop before any secret is written', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  before(async () => {
    w = await startWorld({ mix: 'blazor-litestream-aws', scenario: 'missing' });
  });
  after(async () => w?.stop());
  for (const [scenario, expect] of [
    // Without --install-docker, --yes is no consent to repair: each names the flag and the commands.
    ['missing', /install Docker Engine[\s\S]*\(needs consent\)[\s\S]*--install-docker[\s\S]*download\.docker\.com/],
    ['compose-v1', /compose plugin is missing \(only docker-compose 1\.29\.2 \(v1\)[\s\S]*--install-docker[\s\S]*docker-compose-plugin/],
    ['daemon-down', /daemon is not running[\s\S]*--install-docker[\s\S]*systemctl enable --now docker/],
    ['no-permission', /may not use the Docker socket[\s\S]*--install-docker[\s\S]*usermod -aG docker tester/],
  ] as const) {
    test(scenario, async () => {
      await w.host.setScenario(scenario);
      w.gh.reset();
      const r = await w.run(w.baseArgs('aws', 'tester'));
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, expect);
      assert.match(r.stderr, /nothing was changed/);
      assert.equal(w.gh.events().length, 0, 'no secret written, no release');
      assert.deepEqual(await w.host.aptLog(), [], 'no apt-get, curl or systemctl');
      assert.equal((await w.host.run('test -e /usr/local/bin/docker-compose && echo present || echo absent')).stdout.trim(), scenario === 'compose-v1' ? 'present' : 'absent');
    });
  }
});

describe('host keys', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  before(async () => {
    w = await startWorld({ mix: 'blazor-litestream-aws' });
  });
  after(async () => w?.stop());

  test('a changed host key stops before any command runs', async () => {
    const other = w.host.hostKeys.find((k) => k.type === 'ed25519')!;
    // Record a different ed25519 key for this host.
    const fake = `[127.0.0.1]:${w.host.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`;
    writeFileSync(w.knownHosts, fake);
    const logBefore = (await w.host.readLog()).length;
    const r = await w.run([...w.baseArgs('aws', 'tester'), '--accept-new-host-key']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /CHANGED/);
    assert.match(r.stderr, /ssh-keygen .*-R "?\[127\.0\.0\.1\]:\d+/);
    assert.match(r.stderr, new RegExp(other.fingerprint.replace(/[+/]/g, '\\$&')));
    const log = (await w.host.readLog()).slice(logBefore);
    assert.doesNotMatch(log, /Accepted publickey/, 'never authenticated');
    assert.equal(readFileSync(w.knownHosts, 'utf8'), fake, 'known_hosts untouched');
    assert.equal(w.gh.events().length, 0);
  });

  test('an unknown host key is refused under --yes, then trusted and recorded with --accept-new-host-key', async () => {
    writeFileSync(w.knownHosts, '');
    const r = await w.run([...w.baseArgs('aws', 'tester'), '--dry-run']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not in .*known_hosts and was not trusted/);
    assert.match(r.stderr, /SHA256:/);
    const ok = await w.run([...w.baseArgs('aws', 'tester'), '--dry-run', '--accept-new-host-key']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(readFileSync(w.knownHosts, 'utf8'), new RegExp(`\\[127\\.0\\.0\\.1\\]:${w.host.port} ssh-ed25519 `));
  });
});
