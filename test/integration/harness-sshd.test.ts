// Proves the sshd test harness (test/harness/sshd.ts): a real OpenSSH server in a private
// mount namespace, with users, sudo states and a fake Docker CLI per scenario.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Client } from 'ssh2';
import { pidAlive, sshdAvailable, startAgent, startSshd, type TestHost } from '../harness/sshd.js';

// Locally the suite is skipped when the machine cannot run sshd (not root, no openssh-server);
// with CI set it runs anyway, so startSshd() fails loudly instead of silently skipping.
const skip = !sshdAvailable() && !process.env.CI ? 'sshd harness unavailable (needs root, openssh-server, util-linux, sudo)' : false;

const NGINX_PROXY_COMPOSE = `version: "3.9"

services:
  nginx-proxy:
    image: nginxproxy/nginx-proxy
    container_name: nginx-proxy
    restart: always
    ports:
      - "80:80"
      - "443:443"
    volumes:
      - conf:/etc/nginx/conf.d
      - /var/run/docker.sock:/tmp/docker.sock:ro

  letsencrypt:
    image: nginxproxy/acme-companion:2.2
    container_name: nginx-proxy-le
    restart: always
    depends_on:
      - "nginx-proxy"
    environment:
      - DEFAULT_EMAIL=you@example.com

networks:
  default:
    name: nginx

volumes:
  conf:
`;

const APP_COMPOSE = `services:
  app:
    image: ghcr.io/\${IMAGE_REPO:-acme/app}:latest
    container_name: \${APP_NAME}_app
  app-migration:
    image: ghcr.io/acme/app:latest
    profiles:
      - migration
networks:
  default:
    external: true
    name: nginx
`;

function realFileSnapshot(path: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

/** A live ssh session through the real client: resolves once the remote printed "ready". */
function liveSession(h: TestHost): Promise<{ exit: Promise<number | null>; pid: number }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.SSH_AUTH_SOCK;
    const child = spawn('/usr/bin/ssh', h.sshArgv(['echo ready; exec sleep 60']), { stdio: ['ignore', 'pipe', 'pipe'], env });
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`session did not start: ${out}`));
    }, 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve({ exit, pid: child.pid! });
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms))),
  ]);
}

function ssh2Connect(h: TestHost, key: string, verify: (key: Buffer) => boolean): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.once('ready', () => resolve(c));
    c.once('error', reject);
    c.connect({
      host: h.host,
      port: h.port,
      username: h.user,
      privateKey: readFileSync(key),
      hostVerifier: (k: Buffer) => verify(k),
      readyTimeout: 10_000,
    });
  });
}

function ssh2Exec(c: Client, cmd: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    c.exec(cmd, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      stream.on('data', (d: Buffer) => (stdout += d.toString()));
      stream.stderr.on('data', () => {});
      stream.on('close', (code: number | null) => resolve({ code, stdout }));
    });
  });
}

describe('sshd test harness', { skip }, () => {
  let h: TestHost;
  const realPasswd = realFileSnapshot('/etc/passwd');
  const realDockerCompose = realFileSnapshot('/usr/local/bin/docker-compose');
  const realDocker = realFileSnapshot('/usr/local/bin/docker');
  const realRunSshd = existsSync('/run/sshd');

  before(async () => {
    const t0 = Date.now();
    h = await startSshd();
    const ms = Date.now() - t0;
    if (ms > 2_000) console.log(`# note: startSshd took ${ms} ms`);
  });
  after(async () => {
    await h?.stop();
  });

  test('describes itself: loopback address, port, known_hosts line and fingerprint', async () => {
    assert.equal(h.host, '127.0.0.1');
    assert.ok(h.port > 0 && h.port < 65536);
    assert.equal(h.user, 'tester');
    assert.match(h.knownHostsLine, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${h.port} ssh-ed25519 AAAA[A-Za-z0-9+/=]+$`));
    assert.match(h.hostKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    // What the server really presents matches.
    const scan = spawn('ssh-keyscan', ['-p', String(h.port), '-t', 'ed25519', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    scan.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => scan.on('close', r));
    assert.equal(out.trim(), h.knownHostsLine);
    const b64 = h.knownHostsLine.split(' ')[2]!;
    const fp = 'SHA256:' + createHash('sha256').update(Buffer.from(b64, 'base64')).digest('base64').replace(/=+$/, '');
    assert.equal(fp, h.hostKeyFingerprint);
    // uid >= 1000
    const id = await h.ssh(['id -u']);
    assert.equal(id.code, 0, id.stderr);
    assert.ok(Number(id.stdout.trim()) >= 1000);
  });

  for (const [name, pick] of [
    ['ed25519', (x: TestHost) => x.loginKey],
    ['rsa (rsa-sha2)', (x: TestHost) => x.loginKeyRsa],
    ['ecdsa', (x: TestHost) => x.loginKeyEcdsa],
  ] as const) {
    test(`the real ssh client logs in with the ${name} key`, async () => {
      const r = await h.ssh(['id -un'], { key: pick(h) });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'tester');
    });
  }

  test('the encrypted key needs its passphrase: refused in batch mode, works through ssh-agent', async () => {
    const pub = (await readFile(`${h.loginKeyEncrypted}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
    const derive = spawn('ssh-keygen', ['-y', '-P', h.passphrase, '-f', h.loginKeyEncrypted], { stdio: ['ignore', 'pipe', 'pipe'] });
    let derived = '';
    derive.stdout.on('data', (d: Buffer) => (derived += d.toString()));
    const code = await new Promise((r) => derive.on('close', r));
    assert.equal(code, 0);
    assert.equal(derived.trim().split(' ').slice(0, 2).join(' '), pub);

    const batch = await h.ssh(['true'], { key: h.loginKeyEncrypted });
    assert.equal(batch.code, 255, 'BatchMode cannot ask for the passphrase');

    const agent = await startAgent(h.dir, h.loginKeyEncrypted, h.passphrase);
    try {
      const r = await h.ssh(['id -un'], { key: h.loginKeyEncrypted, agentSocket: agent.socket });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'tester');
    } finally {
      await agent.stop();
    }
  });

  test('a key that is not authorized is refused', async () => {
    const r = await h.ssh(['true'], { key: `${h.dir}/ssh_host_ed25519_key` });
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Permission denied \(publickey\)/);
  });

  test('sudo: tester passwordless, nosudo none, pwsudo needs a password', async () => {
    const t = await h.ssh(['sudo -n true && sudo -n id -u']);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.stdout.trim(), '0');

    const n = await h.ssh(['sudo -n true'], { user: 'nosudo' });
    assert.notEqual(n.code, 0);
    assert.match(n.stderr, /password is required/);
    const nl = await h.ssh([`echo ${h.pwSudoPassword} | sudo -S -p '' true`], { user: 'nosudo' });
    assert.notEqual(nl.code, 0, 'nosudo has no sudo rights, even with a password');

    const p = await h.ssh(['sudo -n true'], { user: 'pwsudo' });
    assert.notEqual(p.code, 0);
    assert.match(p.stderr, /password is required/);
    const pw = await h.ssh(["sudo -S -p '' id -u"], { user: 'pwsudo', input: `${h.pwSudoPassword}\n` });
    assert.equal(pw.code, 0, pw.stderr);
    assert.equal(pw.stdout.trim(), '0');
  });

  test('run() executes as root inside the private namespace', async () => {
    const r = await h.run('id -u; getent passwd tester | cut -d: -f1; stat -c %a /home/tester/.ssh; findmnt -n -o FSTYPE /home');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['0', 'tester', '700', 'tmpfs']);
  });

  test('ssh2 Client logs in, verifying the host key against knownHostsLine', async () => {
    const expected = Buffer.from(h.knownHostsLine.split(' ')[2]!, 'base64');
    let seen: Buffer | undefined;
    const c = await ssh2Connect(h, h.loginKey, (k) => {
      seen = k;
      return k.equals(expected);
    });
    try {
      const r = await ssh2Exec(c, 'id -un');
      assert.equal(r.code, 0);
      assert.equal(r.stdout.trim(), 'tester');
      assert.ok(seen);
      const fp = 'SHA256:' + createHash('sha256').update(seen).digest('base64').replace(/=+$/, '');
      assert.equal(fp, h.hostKeyFingerprint);
    } finally {
      c.end();
    }
    // rsa-sha2 through ssh2 too
    const rsa = await ssh2Connect(h, h.loginKeyRsa, (k) => k.equals(expected));
    rsa.end();
    // and a verifier that says no ends the handshake
    await assert.rejects(ssh2Connect(h, h.loginKey, () => false));
  });

  describe('fake docker', () => {
    before(async () => {
      const r = await h.ssh(['mkdir -p nginx-proxy app && cat > nginx-proxy/nginx-proxy-compose.yml'], { input: NGINX_PROXY_COMPOSE });
      assert.equal(r.code, 0, r.stderr);
      const a = await h.ssh(['cat > app/docker-compose.yml'], { input: APP_COMPOSE });
      assert.equal(a.code, 0, a.stderr);
      await h.setScenario('ok');
      await h.clearDockerCalls();
    });

    test('ok: client, server and compose v2 versions', async () => {
      const r = await h.ssh([
        `command -v docker; docker --version; docker version --format '{{.Server.Version}}'; docker info --format '{{.ServerVersion}}'; docker compose version --short; docker compose version; command -v docker-compose || echo no-v1`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), [
        '/usr/local/bin/docker',
        'Docker version 27.3.1, build ce12230',
        '27.3.1',
        '27.3.1',
        '2.29.7',
        'Docker Compose version v2.29.7',
        'no-v1',
      ]);
      assert.equal(r.stderr, '');
    });

    test('ok: compose up/ps/inspect/network/down', async () => {
      const up = await h.ssh(['docker compose -f nginx-proxy/nginx-proxy-compose.yml up -d']);
      assert.equal(up.code, 0, up.stderr);
      assert.match(up.stderr, /^ Network nginx {2}Created$/m);
      assert.match(up.stderr, /^ Container nginx-proxy {2}Started$/m);
      assert.match(up.stderr, /^ Container nginx-proxy-le {2}Started$/m);
      assert.match(up.stderr, /the attribute `version` is obsolete/);

      const again = await h.ssh(['docker compose --file nginx-proxy/nginx-proxy-compose.yml -p nginx-proxy up -d']);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /^ Container nginx-proxy {2}Running$/m);

      const ps = await h.ssh([`docker ps --format '{{.Names}}'; docker ps --filter name=nginx-proxy-le --format '{{.Names}}'`]);
      assert.equal(ps.code, 0, ps.stderr);
      // Newest first, as Docker lists them.
      assert.deepEqual(ps.stdout.trim().split('\n'), ['nginx-proxy-le', 'nginx-proxy', 'nginx-proxy-le']);

      const ins = await h.ssh([`docker inspect -f '{{.State.Running}}' nginx-proxy`]);
      assert.equal(ins.stdout.trim(), 'true');
      const none = await h.ssh([`docker inspect -f '{{.State.Running}}' nope`]);
      assert.equal(none.code, 1);
      assert.equal(none.stderr.trim(), 'Error: No such object: nope');

      const nets = await h.ssh([`docker network ls --format '{{.Name}}'`]);
      assert.deepEqual(nets.stdout.trim().split('\n'), ['bridge', 'host', 'none', 'nginx']);

      // an app compose file joining the external network, with ${VAR} and a profile
      const app = await h.ssh(['APP_NAME=web docker compose -f app/docker-compose.yml up -d']);
      assert.equal(app.code, 0, app.stderr);
      assert.match(app.stderr, /Container web_app {2}Started/);
      assert.doesNotMatch(app.stderr, /migration/);

      const missing = await h.ssh(['docker compose -f nope.yml up -d']);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr.trim(), 'open /home/tester/nope.yml: no such file or directory');

      const down = await h.ssh(['docker compose -f nginx-proxy/nginx-proxy-compose.yml down && docker compose -f app/docker-compose.yml down']);
      assert.equal(down.code, 0, down.stderr);
      assert.match(down.stderr, / Container nginx-proxy {2}Removed/);
      const after = await h.ssh([`docker ps -a --format '{{.Names}}'; docker network ls --format '{{.Name}}'`]);
      assert.deepEqual(after.stdout.trim().split('\n'), ['bridge', 'host', 'none']);

      // external network missing now
      const ext = await h.ssh(['APP_NAME=web docker compose -f app/docker-compose.yml up -d']);
      assert.equal(ext.code, 1);
      assert.match(ext.stderr, /network nginx declared as external, but could not be found/);

      const calls = await h.dockerCalls();
      assert.ok(calls.some((c) => c.join(' ') === 'docker compose -f nginx-proxy/nginx-proxy-compose.yml up -d'));
      assert.ok(calls.some((c) => c.join(' ') === 'docker compose --file nginx-proxy/nginx-proxy-compose.yml -p nginx-proxy up -d'));
    });

    test('dockerCalls keeps exact argv (spaces, quotes, empty args) and logs every user', async () => {
      await h.clearDockerCalls();
      await h.ssh([`docker ps --format '{{.Names}} {{.Status}}' '' "it's"`]);
      await h.ssh(['docker --version'], { user: 'nosudo' });
      await h.ssh(['sudo -n docker --version']);
      const log = await h.dockerCallLog();
      assert.deepEqual(
        log.map((c) => [c.user, ...c.argv]),
        [
          ['tester', 'docker', 'ps', '--format', '{{.Names}} {{.Status}}', '', "it's"],
          ['nosudo', 'docker', '--version'],
          ['root', 'docker', '--version'],
        ],
      );
      assert.deepEqual(await h.dockerCalls(), log.map((c) => c.argv));
    });

    test('daemon-down: the client answers, daemon commands fail', async () => {
      await h.setScenario('daemon-down');
      const v = await h.ssh([`docker --version && docker compose version --short`]);
      assert.equal(v.code, 0, v.stderr);
      assert.deepEqual(v.stdout.trim().split('\n'), ['Docker version 27.3.1, build ce12230', '2.29.7']);
      const msg = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';
      for (const cmd of [
        `docker version --format '{{.Server.Version}}'`,
        `docker info --format '{{.ServerVersion}}'`,
        `docker ps --format '{{.Names}}'`,
        `docker network ls --format '{{.Name}}'`,
        `docker inspect -f '{{.State.Running}}' nginx-proxy`,
        'docker compose -f nginx-proxy/nginx-proxy-compose.yml up -d',
      ]) {
        const r = await h.ssh([cmd]);
        assert.equal(r.code, 1, cmd);
        assert.equal(r.stderr.trim().split('\n').pop(), msg, cmd);
      }
    });

    test('no-permission: tester is not in group docker; root still may', async () => {
      await h.setScenario('no-permission');
      const g = await h.ssh(['id -nG']);
      assert.doesNotMatch(g.stdout, /\bdocker\b/);
      const v = await h.ssh([`docker --version`]);
      assert.equal(v.code, 0);
      const s = await h.ssh([`docker version --format '{{.Server.Version}}'`]);
      assert.equal(s.code, 1);
      assert.equal(
        s.stderr.trim(),
        'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.47/version": dial unix /var/run/docker.sock: connect: permission denied',
      );
      const ps = await h.ssh([`docker ps`]);
      assert.equal(ps.code, 1);
      assert.match(ps.stderr, /^permission denied while trying to connect to the Docker daemon socket/);
      const root = await h.ssh([`sudo -n docker version --format '{{.Server.Version}}'`]);
      assert.equal(root.code, 0, root.stderr);
      assert.equal(root.stdout.trim(), '27.3.1');
    });

    test('compose-v1: no compose plugin, docker-compose 1.29.2', async () => {
      await h.setScenario('compose-v1');
      const p = await h.ssh(['docker compose version']);
      assert.equal(p.code, 1);
      assert.equal(p.stderr, "docker: 'compose' is not a docker command.\nSee 'docker --help'\n");
      const v1 = await h.ssh(['command -v docker-compose; docker-compose version --short; docker-compose --version']);
      assert.equal(v1.code, 0, v1.stderr);
      assert.deepEqual(v1.stdout.trim().split('\n'), ['/usr/local/bin/docker-compose', '1.29.2', 'docker-compose version 1.29.2, build 5becea4c']);
      const up = await h.ssh(['docker-compose -f nginx-proxy/nginx-proxy-compose.yml up -d']);
      assert.equal(up.code, 0, up.stderr);
      assert.match(up.stderr, /Creating nginx-proxy \.\.\. done/);
      const down = await h.ssh(['docker-compose -f nginx-proxy/nginx-proxy-compose.yml down']);
      assert.equal(down.code, 0, down.stderr);
    });

    test('missing: no docker on PATH at all', async () => {
      await h.setScenario('missing');
      const r = await h.ssh(['command -v docker; echo "rc=$?"; sh -c "command -v docker" || echo sh-none; docker --version']);
      assert.equal(r.code, 127);
      assert.equal(r.stdout, 'rc=1\nsh-none\n');
      assert.match(r.stderr, /docker: command not found/);
    });

    test('back to ok: v1 binary gone, group restored, a shim the program installs is kept', async () => {
      await h.setScenario('compose-v1');
      await h.setScenario('ok');
      const r = await h.ssh(['command -v docker-compose || echo none; id -nG']);
      assert.equal(r.stdout.split('\n')[0], 'none');
      assert.match(r.stdout, /\bdocker\b/);
      // what the program under test installs: a v2 shim
      const shim = await h.ssh(['printf \'#!/bin/sh\\nexec docker compose "$@"\\n\' | sudo -n tee /usr/local/bin/docker-compose >/dev/null && sudo -n chmod 755 /usr/local/bin/docker-compose && docker-compose version --short']);
      assert.equal(shim.code, 0, shim.stderr);
      assert.equal(shim.stdout.trim(), '2.29.7');
      await h.setScenario('ok');
      const kept = await h.ssh(['docker-compose version --short']);
      assert.equal(kept.stdout.trim(), '2.29.7');
      const rm = await h.run('rm -f /usr/local/bin/docker-compose');
      assert.equal(rm.code, 0);
    });
  });

  test('dropConnections ends live sessions (real ssh and ssh2); new connections still work', async () => {
    const session = await liveSession(h);
    const expected = Buffer.from(h.knownHostsLine.split(' ')[2]!, 'base64');
    const c = await ssh2Connect(h, h.loginKey, (k) => k.equals(expected));
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.on('error', () => {});
    await new Promise<void>((resolve, reject) =>
      c.exec('sleep 60', (err, stream) => {
        if (err) return reject(err);
        stream.on('data', () => {});
        stream.stderr.on('data', () => {});
        resolve();
      }),
    );

    await h.dropConnections();
    const code = await withTimeout(session.exit, 5_000, 'ssh client exit after drop');
    assert.equal(code, 255);
    await withTimeout(closed, 5_000, 'ssh2 close after drop');
    assert.ok(pidAlive(h.sshdPid), 'the listener survives');

    const r = await h.ssh(['echo still-here']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'still-here');
  });

  test('the real /etc, /home, /usr/local/bin and /run are untouched', async () => {
    // write from inside, then look from outside
    const w = await h.run(`printf '#!/bin/sh\\necho inside\\n' > /usr/local/bin/docker-compose && chmod 755 /usr/local/bin/docker-compose && echo 'probe:x:4242:4242::/nonexistent:/bin/false' >> /etc/passwd`);
    assert.equal(w.code, 0, w.stderr);
    const inside = await h.run('cat /usr/local/bin/docker-compose; grep -c "^tester:" /etc/passwd; ls /home');
    assert.match(inside.stdout, /echo inside/);
    assert.match(inside.stdout, /^1$/m);

    const passwd = readFileSync('/etc/passwd', 'utf8');
    assert.doesNotMatch(passwd, /^(tester|nosudo|pwsudo|probe):/m);
    assert.equal(realFileSnapshot('/etc/passwd'), realPasswd);
    assert.equal(realFileSnapshot('/usr/local/bin/docker-compose'), realDockerCompose, 'real /usr/local/bin/docker-compose unchanged');
    assert.equal(realFileSnapshot('/usr/local/bin/docker'), realDocker, 'real /usr/local/bin/docker unchanged');
    assert.equal(existsSync('/home/tester'), false);
    assert.equal(existsSync('/etc/sudoers.d/90-harness-tester'), false);
    assert.equal(existsSync('/run/sshd'), realRunSshd);
    assert.equal(existsSync('/run/fake-docker'), false);
    await h.run('rm -f /usr/local/bin/docker-compose');
  });

  test('stop() leaves no process behind and removes the dir', async () => {
    const other = await startSshd({ scenario: 'daemon-down' });
    const session = await liveSession(other);
    const procs = other.processes();
    assert.ok(procs.length >= 3, `listener + session processes: ${procs.join(' ')}`);
    const dir = other.dir;
    assert.ok(statSync(dir).isDirectory());
    await other.stop();
    await withTimeout(session.exit, 5_000, 'client exit after stop');
    for (const p of procs) assert.equal(pidAlive(p), false, `pid ${p} still alive`);
    // not even zombies: everything was reaped (sshd is the PID namespace's init)
    const deadline = Date.now() + 2_000;
    while (procs.some((p) => existsSync(`/proc/${p}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(procs.filter((p) => existsSync(`/proc/${p}`)), []);
    assert.equal(existsSync(dir), false);
    assert.equal(pidAlive(other.sshdPid), false);
    await assert.rejects(other.run('true'), /stopped/);
    await other.stop(); // idempotent
    // the shared host is unaffected
    const r = await h.ssh(['true']);
    assert.equal(r.code, 0, r.stderr);
  });
});
