// The sandbox droplet (src/sandbox/droplet/) answers the program's REAL commands, built by
// src/host/commands.ts and src/host/probe.ts, the way a fresh Ubuntu droplet with Docker does.
// A change to those builders that the droplet does not know fails here first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { deployKeyComment, deployKeyLine } from '../../src/host/authorized-keys.js';
import { asRoot, asUser } from '../../src/host/shell.js';
import { authorizeKey, composeUp, containersRunning, createUser, installShim, removeKeys, writeFileAtomic } from '../../src/host/commands.js';
import { parsePrivateKey } from '../../src/host/connect.js';
import { fingerprintOfBlob, generateDeployKey } from '../../src/host/deploy-key.js';
import { checkHostKey } from '../../src/host/known-hosts.js';
import { parseFacts, probeScript } from '../../src/host/probe.js';
import { PROXY_FILE, SHIM_PATH, SHIM_TEXT } from '../../src/host/layout.js';
import { shArgv } from '../../src/host/shell.js';
import { connect, ConnectError, type HostSession } from '../../src/host/transport.js';
import { renderProxyCompose } from '../../src/steps/proxy-compose.js';
import { startDroplet, tokenize, type Droplet } from '../../src/sandbox/droplet/index.js';
import { join, quote } from '../../src/host/shell.js';

const root = { user: 'root', uid: 0 };

describe('sandbox droplet', { concurrency: false }, () => {
  let d: Droplet;
  let s: HostSession;
  let knownHosts: string;
  const login = (user: string, pem: string, known = knownHosts) =>
    connect({
      host: d.host,
      port: d.port,
      username: user,
      auth: [{ kind: 'key', label: 'test key', key: parsePrivateKey(pem, 'test key') }],
      verifyHostKey: async (blob) => checkHostKey(known, d.host, d.port, blob).kind === 'known',
      timing: { readyTimeoutMs: 5000 },
    });
  const probe = async (deployUser = 'deploy') => {
    const r = await s.exec(shArgv(probeScript({ deployUser })));
    assert.equal(r.code, 0, r.stderr);
    return parseFacts(r.stdout, deployUser);
  };

  before(async () => {
    d = await startDroplet({ composeDelayMs: 0 });
    knownHosts = `[127.0.0.1]:${d.port} ${d.hostKeyLine}\n`;
    s = await login('root', d.loginKey);
  });
  after(async () => {
    s?.close();
    await d?.close();
  });

  test('the tokenizer inverts shell.ts quoting', () => {
    for (const argv of [['sh', '-c', "a 'b' \"c\" $(d)\n\t`e`"], ['', 'x y', "it's", '*', "''"], ['useradd', '--password', '*']])
      assert.deepEqual(tokenize(join(argv)), argv);
    assert.equal(tokenize('echo a; rm -rf /'), undefined);
    assert.equal(tokenize('a && b'), undefined);
  });

  test('host key: checkHostKey knows it from the line the droplet gives, with its fingerprint', () => {
    const blob = s.hostKey.blob;
    assert.equal(s.hostKey.type, 'ssh-ed25519');
    assert.deepEqual(checkHostKey(knownHosts, '127.0.0.1', d.port, blob), { kind: 'known', line: 1 });
    assert.equal(checkHostKey('', '127.0.0.1', d.port, blob).kind, 'unknown');
    assert.equal(fingerprintOfBlob(blob), d.fingerprint);
    assert.match(d.hostKeyLine, /^ssh-ed25519 AAAA[A-Za-z0-9+/=]+$/);
  });

  test('a key that is not authorized is refused, and so is a user without keys', async () => {
    const other = generateDeployKey('stranger').privateKey.reveal();
    await assert.rejects(login('root', other), (e: ConnectError) => e instanceof ConnectError && e.code === 'auth');
    await assert.rejects(login('nobody', d.loginKey), (e: ConnectError) => e instanceof ConnectError && e.code === 'auth');
  });

  test('the probe: a fresh Ubuntu 24.04 droplet with Docker 27.3.1 and Compose 2.29.7, logged in as root', async () => {
    const f = await probe();
    assert.equal(f.os.id, 'ubuntu');
    assert.equal(f.os.version, '24.04');
    assert.equal(f.os.kernel, 'Linux');
    assert.equal(f.user, 'root');
    assert.equal(f.uid, 0);
    assert.equal(f.home, '/root');
    assert.equal(f.sudo, 'root');
    assert.equal(f.docker.path, '/usr/bin/docker');
    assert.equal(f.docker.clientVersion, '27.3.1');
    assert.equal(f.docker.serverVersion, '27.3.1');
    assert.equal(f.docker.daemonError, undefined);
    assert.equal(f.docker.composeVersion, '2.29.7');
    assert.equal(f.dockerCompose.kind, 'absent');
    assert.equal(f.dockerCompose.shimExists, false);
    assert.deepEqual(f.ports, []);
    assert.ok(f.diskFreeKb! > 30 * 1024 * 1024, 'about 40 GB free');
    assert.deepEqual(f.containers, []);
    assert.deepEqual(f.networks.sort(), ['bridge', 'host', 'none']);
    assert.equal(f.deployUser.exists, false);
    assert.equal(f.proxyFile.sha256, undefined);
  });

  test('useradd creates the deploy user in the docker group; getent shows its home', async () => {
    const r = await s.exec(createUser('deploy', root));
    assert.equal(r.code, 0, r.stderr);
    const again = await s.exec(createUser('deploy', root));
    assert.equal(again.code, 9);
    assert.match(again.stderr, /already exists/);
    const g = await s.exec(['getent', 'passwd', 'deploy']);
    assert.equal(g.code, 0);
    assert.equal(g.stdout.split(':')[5], '/home/deploy');
    assert.equal((await s.exec(['getent', 'passwd', 'nobody-here'])).code, 2);
    const f = await probe();
    assert.equal(f.deployUser.exists, true);
    assert.equal(f.deployUser.home, '/home/deploy');
    assert.ok(f.deployUser.groups.includes('docker'));
    assert.equal(f.deployUser.authorizedKeysReadable, true);
    assert.deepEqual(f.deployUser.ourKeys, []);
  });

  test('installShim: content from stdin, 0755, root-owned; the probe then sees our shim', async () => {
    const r = await s.exec(installShim(root), { stdin: SHIM_TEXT });
    assert.equal(r.code, 0, r.stderr);
    const file = d.state.files.get(SHIM_PATH)!;
    assert.equal(file.content, SHIM_TEXT);
    assert.equal(file.mode, 0o755);
    assert.equal(file.owner, 'root');
    assert.ok(!d.state.files.has(`${SHIM_PATH}.orig`), 'no backup of a file that was not there');
    const f = await probe();
    assert.equal(f.dockerCompose.kind, 'ours');
    assert.equal(f.dockerCompose.shimSha256, createHash('sha256').update(SHIM_TEXT).digest('hex'));
  });

  test('installShim over a foreign docker-compose keeps it as .orig', async () => {
    d.state.files.set(SHIM_PATH, { content: '#!/usr/bin/python3\n# docker-compose 1.29\n', mode: 0o755, owner: 'root' });
    assert.equal((await s.exec(installShim(root), { stdin: SHIM_TEXT })).code, 0);
    assert.match(d.state.files.get(`${SHIM_PATH}.orig`)!.content, /python3/);
    assert.equal(d.state.files.get(SHIM_PATH)!.content, SHIM_TEXT);
  });

  test('a cut upload is refused like the real script does: the old file stays, no .orig of our own empty shim', async () => {
    d.state.files.set(SHIM_PATH, { content: '', mode: 0o755, owner: 'root' });
    d.state.files.set(`${SHIM_PATH}.orig`, { content: '', mode: 0o755, owner: 'root' });
    const r = await s.exec(installShim(root), { stdin: SHIM_TEXT.slice(0, 10) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cut short or changed \(10 of \d+ bytes arrived\); the file was left as it was/);
    assert.equal(d.state.files.get(SHIM_PATH)!.content, '');
    assert.equal((await s.exec(installShim(root), { stdin: SHIM_TEXT })).code, 0);
    assert.equal(d.state.files.get(SHIM_PATH)!.content, SHIM_TEXT);
    assert.ok(!d.state.files.has(`${SHIM_PATH}.orig`), 'the empty .orig an interrupted run left is gone');
  });

  test('writeFileAtomic as the deploy user (runuser): owner, mode and 0700 parents', async () => {
    const path = `/home/deploy/${PROXY_FILE}`;
    const content = renderProxyCompose('network', 'ops@acme.io');
    const argv = asUser(writeFileAtomic(path, '0600', content), 'deploy', root);
    assert.deepEqual(argv.slice(0, 4), ['runuser', '-u', 'deploy', '--']);
    const r = await s.exec(argv, { stdin: content });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(d.state.files.get(path), { content, mode: 0o600, owner: 'deploy' });
    assert.deepEqual(d.state.dirs.get('/home/deploy/.deploy/nginx-proxy'), { mode: 0o700, owner: 'deploy' });
    const f = await probe();
    assert.equal(f.proxyFile.sha256, createHash('sha256').update(content).digest('hex'));
  });

  test('the deploy user may not write outside its home, nor sudo', async () => {
    const r = await s.exec(asUser(writeFileAtomic('/usr/local/bin/x', '0755', 'x'), 'deploy', root), { stdin: 'x' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Permission denied/);
    assert.ok(!d.state.files.has('/usr/local/bin/x'));
    const sudo = await s.exec(asUser(asRoot(['true'], { user: 'deploy', uid: 1000 }), 'deploy', root));
    assert.equal(sudo.code, 1);
    assert.match(sudo.stderr, /a password is required/);
  });

  test('authorizeKey twice leaves one line; the key then logs in as deploy; removeKeys removes only our line', async () => {
    const key = generateDeployKey(deployKeyComment('acme/app', new Date('2024-10-01T00:00:00Z')));
    const line = deployKeyLine(key.publicKey);
    for (let i = 0; i < 2; i++) {
      const r = await s.exec(asUser(authorizeKey('/home/deploy', line), 'deploy', root));
      assert.equal(r.code, 0, r.stderr);
    }
    const ak = d.state.files.get('/home/deploy/.ssh/authorized_keys')!;
    assert.equal(ak.content, `${line}\n`);
    assert.equal(ak.mode, 0o600);
    assert.equal(ak.owner, 'deploy');
    assert.deepEqual(d.state.dirs.get('/home/deploy/.ssh'), { mode: 0o700, owner: 'deploy' });

    const f = await probe();
    assert.deepEqual(f.deployUser.ourKeys, [line]);

    const asDeploy = await login('deploy', key.privateKey.reveal());
    try {
      assert.equal((await asDeploy.exec(['true'])).code, 0);
      assert.equal((await asDeploy.exec(['id', '-un'])).stdout, 'deploy\n');
    } finally {
      asDeploy.close();
    }

    // A hand-added line (no marker) with a blob in the list is never removed.
    const hand = generateDeployKey('me@laptop').publicKey;
    ak.content += `${hand}\n`;
    const blobs = [key.publicKey.split(' ')[1]!, hand.split(' ')[1]!];
    const r = await s.exec(asUser(removeKeys('/home/deploy', blobs), 'deploy', root));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(d.state.files.get('/home/deploy/.ssh/authorized_keys')!.content, `${hand}\n`);
    await assert.rejects(login('deploy', key.privateKey.reveal()), (e: ConnectError) => e.code === 'auth');
  });

  test('docker compose up starts the proxy containers, printing like compose; containersRunning sees them', async () => {
    const path = `/home/deploy/${PROXY_FILE}`;
    const lines: string[] = [];
    const r = await s.exec(asUser(composeUp(path), 'deploy', root), { onLine: (l, w) => w === 'stderr' && lines.push(l) });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lines.includes(' Container nginx-proxy  Started'), lines.join('\n'));
    assert.ok(lines.includes(' Container nginx-proxy-le  Started'));
    assert.ok(lines.includes(' Network nginx  Created'));
    assert.deepEqual([...d.state.containers].sort(), ['nginx-proxy', 'nginx-proxy-le']);
    const st = await s.exec(asUser(containersRunning(), 'deploy', root));
    assert.equal(st.stdout, 'nginx-proxy=true\nnginx-proxy-le=true\n');
    const again = await s.exec(asUser(composeUp(path), 'deploy', root));
    assert.match(again.stderr, /Container nginx-proxy  Running/);
    const f = await probe();
    assert.deepEqual(f.containers.sort(), ['nginx-proxy', 'nginx-proxy-le']);
    assert.ok(f.networks.includes('nginx'));
    const ps = await s.exec(['docker', 'ps', '--format', '{{.Names}}']);
    assert.deepEqual(ps.stdout.split('\n').filter(Boolean).sort(), ['nginx-proxy', 'nginx-proxy-le']);
    const v = await s.exec(['docker', 'version', '--format', '{{.Server.Version}}']);
    assert.equal(v.stdout, '27.3.1\n');
    const missing = await s.exec(composeUp('/nope.yml'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no such file or directory/);
  });

  test('anything else: exit 127, "not found", like sh', async () => {
    const r = await s.exec(['apt-get', 'install', '-y', 'docker.io']);
    assert.equal(r.code, 127);
    assert.equal(r.stderr, 'sh: 1: apt-get: not found\n');
    const script = await s.exec(shArgv({ text: `set -e\nrm -rf ${quote('/home/deploy')}` } as never));
    assert.equal(script.code, 127);
    assert.match(script.stderr, /not found/);
    const changed = await s.exec(['sh', '-c', authorizeKey('/home/deploy', 'ssh-ed25519 AAAA x')[2]!.replace('chmod 600', 'chmod 644')]);
    assert.equal(changed.code, 127, 'a script that differs from the known one is not emulated');
  });

  test('every exec is logged with the login user', () => {
    assert.ok(d.execLog.length > 10);
    assert.ok(d.execLog.every((l) => /^(root|deploy): /.test(l)));
    assert.ok(d.execLog.some((l) => l.startsWith('deploy: true')));
  });
});
