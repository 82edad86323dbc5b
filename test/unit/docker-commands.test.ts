import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aptInstallDocker, DOCKER_PACKAGES, dockerSourcesLine, joinDockerGroup, startDocker } from '../../src/host/commands.js';
import { parseFacts } from '../../src/host/probe.js';

const tester = { user: 'tester', uid: 1000 };
const o = { osId: 'ubuntu', codename: 'noble', dpkgArch: 'arm64', packages: DOCKER_PACKAGES, lockWaitS: 300, lockPollS: 5 };

test('the install runs as root in one script, as Docker\'s guide does: keyring, sources line, packages; never curl | sh', () => {
  const argv = aptInstallDocker(o, tester);
  assert.deepEqual(argv.slice(0, 5), ['sudo', '-n', '--', 'sh', '-c']);
  const script = argv[5]!;
  assert.match(script, /install -m 0755 -d \/etc\/apt\/keyrings/);
  assert.match(script, /curl -fsSL https:\/\/download\.docker\.com\/linux\/ubuntu\/gpg -o \/etc\/apt\/keyrings\/docker\.asc/);
  assert.match(script, /chmod a\+r \/etc\/apt\/keyrings\/docker\.asc/);
  assert.ok(script.includes(`printf '%s\\n' '${dockerSourcesLine(o)}' > /etc/apt/sources.list.d/docker.list`));
  assert.equal(dockerSourcesLine(o), 'deb [arch=arm64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu noble stable');
  assert.match(script, /apt install -y docker-ce docker-ce-cli containerd\.io docker-buildx-plugin docker-compose-plugin/);
  assert.doesNotMatch(script, /\| *(sudo )?(ba)?sh\b/);
  assert.match(script, /^W=300$/m);
  assert.equal(aptInstallDocker(o, { user: 'root', uid: 0 })[0], 'sh');
});

test('host text never reaches the script unchecked', () => {
  assert.throws(() => aptInstallDocker({ ...o, codename: 'noble; rm -rf /' }, tester), /not a Debian name/);
  assert.throws(() => aptInstallDocker({ ...o, packages: ['docker-ce', '$(id)'] }, tester), /not a Debian name/);
});

test('daemon and group', () => {
  assert.deepEqual(startDocker(tester), ['sudo', '-n', '--', 'systemctl', 'enable', '--now', 'docker']);
  assert.deepEqual(joinDockerGroup('deploy', { user: 'root', uid: 0 }), ['usermod', '-aG', 'docker', 'deploy']);
});

test('the probe\'s new facts: codename, dpkg architecture, systemd, addresses; junk is dropped', () => {
  const f = parseFacts(
    ['os.codename=jammy', 'os.dpkgarch=amd64', 'systemd=1', 'net.addrs=203.0.113.7 10.0.0.5 2001:db8::7 not-an-ip', 'net.ssh=203.0.113.7', 'net.reserved=198.51.100.20', 'probe.done=1'].join('\n'),
    'deploy',
  );
  assert.equal(f.os.codename, 'jammy');
  assert.equal(f.os.dpkgArch, 'amd64');
  assert.equal(f.systemd, true);
  assert.deepEqual(f.net, { addresses: ['203.0.113.7', '10.0.0.5', '2001:db8::7'], sshServer: '203.0.113.7', reservedIp: '198.51.100.20' });
  const bad = parseFacts(['os.codename=no ble', 'net.reserved=<html>', 'probe.done=1'].join('\n'), 'deploy');
  assert.equal(bad.os.codename, '');
  assert.equal(bad.net.reservedIp, undefined);
  assert.equal(bad.systemd, false);
});
