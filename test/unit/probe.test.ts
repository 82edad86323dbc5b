import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseFacts, probeScript, ProbeError } from '../../src/host/probe.js';
import { join, shArgv } from '../../src/host/shell.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

const sample = (over: Record<string, string> = {}) => {
  const kv: Record<string, string> = {
    'os.id': 'ubuntu',
    'os.version': '24.04',
    'os.pretty': 'Ubuntu 24.04.1 LTS',
    'os.kernel': 'Linux',
    'os.arch': 'x86_64',
    user: 'root',
    uid: '0',
    groups: 'root',
    home: '/root',
    sudo: 'root',
    'docker.path': '/usr/bin/docker',
    'docker.client': 'Docker version 27.3.1, build ce12230',
    'docker.server.rc': '0',
    'docker.server': b64('27.3.1\n'),
    'compose.rc': '0',
    compose: '2.29.7',
    containers: 'nginx-proxy nginx-proxy-le ',
    networks: 'bridge host none nginx ',
    'dc.path': '',
    listen: b64('LISTEN 0 4096 0.0.0.0:80 0.0.0.0:* users:(("docker-proxy",pid=1234,fd=4))\nLISTEN 0 4096 [::]:443 [::]:* users:(("nginx",pid=99,fd=6))\nLISTEN 0 128 0.0.0.0:8080 0.0.0.0:*\n'),
    'disk.kb': '41943040',
    'du.exists': '1',
    'du.uid': '1001',
    'du.home': '/home/deploy',
    'du.groups': 'deploy docker',
    'du.ak': 'readable',
    'du.keys': b64('no-port-forwarding ssh-ed25519 AAAAx create-litestream-host o/r 2026-11-23\n'),
    'proxy.sha256': 'abc',
    'probe.done': '1',
    ...over,
  };
  return Object.entries(kv).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
};

test('parses a healthy host', () => {
  const f = parseFacts(sample(), 'deploy');
  assert.equal(f.os.pretty, 'Ubuntu 24.04.1 LTS');
  assert.equal(f.sudo, 'root');
  assert.equal(f.docker.clientVersion, '27.3.1');
  assert.equal(f.docker.serverVersion, '27.3.1');
  assert.equal(f.docker.daemonError, undefined);
  assert.equal(f.docker.composeVersion, '2.29.7');
  assert.equal(f.dockerCompose.kind, 'absent');
  assert.deepEqual(f.ports, [{ port: 80, holder: 'docker-proxy (pid 1234)' }, { port: 443, holder: 'nginx (pid 99)' }]);
  assert.deepEqual(f.containers, ['nginx-proxy', 'nginx-proxy-le']);
  assert.equal(f.diskFreeKb, 41943040);
  assert.equal(f.deployUser.exists, true);
  assert.deepEqual(f.deployUser.groups, ['deploy', 'docker']);
  assert.equal(f.deployUser.ourKeys.length, 1);
  assert.equal(f.proxyFile.sha256, 'abc');
});

test('daemon down, no permission, compose v1 only, docker missing', () => {
  const down = parseFacts(sample({ 'docker.server.rc': '1', 'docker.server': b64('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?') }), 'deploy');
  assert.equal(down.docker.daemonError, 'down');
  assert.equal(down.docker.serverVersion, undefined);
  const perm = parseFacts(sample({ 'docker.server.rc': '1', 'docker.server': b64('permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock') }), 'deploy');
  assert.equal(perm.docker.daemonError, 'permission');
  const v1 = parseFacts(sample({ 'compose.rc': '1', compose: "docker: 'compose' is not a docker command.", 'dc.path': '/usr/local/bin/docker-compose', 'dc.version': '1.29.2', 'shim.exists': '1', 'shim.sha256': 'x' }), 'deploy');
  assert.equal(v1.docker.composeVersion, undefined);
  assert.equal(v1.dockerCompose.kind, 'v1');
  assert.equal(v1.dockerCompose.shimExists, true);
  const ours = parseFacts(sample({ 'dc.path': '/usr/local/bin/docker-compose', 'dc.kind': 'ours' }), 'deploy');
  assert.equal(ours.dockerCompose.kind, 'ours');
  const none = parseFacts(sample({ 'docker.path': '' }), 'deploy');
  assert.equal(none.docker.path, undefined);
  assert.equal(none.docker.serverVersion, undefined);
});

test('sudo states and a missing deploy user', () => {
  assert.equal(parseFacts(sample({ sudo: 'password', uid: '1000' }), 'd').sudo, 'password');
  assert.equal(parseFacts(sample({ sudo: 'weird' }), 'd').sudo, 'none');
  const f = parseFacts(sample({ 'du.exists': '0', 'du.home': '', 'du.keys': '' }), 'newuser');
  assert.equal(f.deployUser.exists, false);
  assert.deepEqual(f.deployUser.ourKeys, []);
});

test('an unfinished probe is an error, not a guess', () => {
  assert.throws(() => parseFacts('os.id=ubuntu\n', 'd'), ProbeError);
});

test('the probe script runs in a real sh and parses (this machine as the host)', () => {
  const r = spawnSync('sh', ['-c', join(shArgv(probeScript({ deployUser: "no-such-user'$(id)" })))], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const f = parseFacts(r.stdout, 'no-such-user');
  assert.equal(f.os.kernel, 'Linux');
  assert.equal(f.user, 'root');
  assert.equal(f.deployUser.exists, false);
});
