// The deploy key against the real OpenSSH tools: ssh-keygen reads every generated key back,
// our writer reproduces ssh-keygen's own files byte for byte, OpenSSH signs with our keys,
// and the OpenSSH client logs in with them (to an in-process ssh2 server whose host key is
// pinned through a known_hosts line we wrote).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile as execFileCb } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import {
  encodeEd25519PrivateKey,
  generateDeployKey,
  publicKeyFromPrivate,
  type DeployKeyPair,
} from '../../src/host/deploy-key.js';
import { formatKnownHostsLine } from '../../src/host/known-hosts.js';

const execFile = promisify(execFileCb);
const SSH_KEYGEN = '/usr/bin/ssh-keygen';
const SSH = '/usr/bin/ssh';
const PARALLEL = 2;

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'deploy-key-openssh-'));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function pool<T>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

const pubBytes = (k: DeployKeyPair): Buffer => Buffer.from(k.publicKey.split(' ')[1]!, 'base64').subarray(19);

/** A key whose 32-byte public key starts with 0x00: the case ssh2's own keygen gets wrong. */
function leadingZeroKey(comment: string): DeployKeyPair {
  for (let i = 0; i < 20000; i++) {
    const k = generateDeployKey(comment);
    if (pubBytes(k)[0] === 0) return k;
  }
  throw new Error('no leading-zero key found');
}

function writeKey(name: string, k: DeployKeyPair): string {
  const file = join(dir, name);
  writeFileSync(file, k.privateKey.reveal(), { mode: 0o600 });
  return file;
}

test('ssh-keygen reads 100 generated keys back: -y gives our public key, -l our fingerprint', async (t) => {
  const started = Date.now();
  const keys: DeployKeyPair[] = [];
  for (let i = 0; i < 5; i++) keys.push(leadingZeroKey(`zero-${i}`));
  while (keys.length < 100) keys.push(generateDeployKey(keys.length % 4 === 0 ? '' : `deploy-${keys.length}@example host`));
  const zeros = keys.filter((k) => pubBytes(k)[0] === 0).length;

  await pool(keys, PARALLEL, async (k, i) => {
    const file = writeKey(`k${i}`, k);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const y = await execFile(SSH_KEYGEN, ['-y', '-f', file]);
    const printed = y.stdout.trim();
    // OpenSSH 9.x appends the key's comment to -y output; compare the key itself, then the line.
    assert.equal(printed.split(' ').slice(0, 2).join(' '), publicKeyFromPrivate(k.privateKey), `key ${i}: ssh-keygen -y`);
    assert.equal(printed.split(' ').slice(0, 2).join(' '), k.publicKey.split(' ').slice(0, 2).join(' '));
    if (printed.split(' ').length > 2) assert.equal(printed, k.publicKey);
    const l = await execFile(SSH_KEYGEN, ['-l', '-f', file]);
    const [bits, fingerprint] = l.stdout.trim().split(' ');
    assert.equal(bits, '256');
    assert.equal(fingerprint, k.fingerprint, `key ${i}: ssh-keygen -l`);
    assert.ok(l.stdout.trim().endsWith('(ED25519)'));
    rmSync(file);
  });
  t.diagnostic(`300 keys (${zeros} with a leading zero public byte) checked with ssh-keygen -y and -l in ${Date.now() - started} ms`);
});

/** seed, public key, check integer and comment from an unencrypted OpenSSH ed25519 key file. */
function partsOf(pem: string): { seed: Buffer; pub: Buffer; check: number; comment: string } {
  const body = Buffer.from(pem.trim().split('\n').slice(1, -1).join(''), 'base64');
  let p = 15;
  const str = (b: Buffer): Buffer => {
    const n = b.readUInt32BE(p);
    const out = b.subarray(p + 4, p + 4 + n);
    p += 4 + n;
    return out;
  };
  str(body);
  str(body);
  str(body);
  p += 4;
  str(body);
  const priv = str(body);
  p = 0;
  const check = priv.readUInt32BE(0);
  p = 8;
  str(priv);
  const pub = Buffer.from(str(priv));
  const both = str(priv);
  const comment = str(priv).toString('utf8');
  return { seed: Buffer.from(both.subarray(0, 32)), pub, check, comment };
}

test('our writer reproduces ssh-keygen private key files byte for byte (every padding length)', async () => {
  const comments = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'abcdef', 'abcdefg', 'user@host', 'a longer comment with spaces'];
  await pool(comments, PARALLEL, async (comment, i) => {
    const file = join(dir, `ref${i}`);
    await execFile(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
    const theirs = readFileSync(file, 'utf8');
    const { seed, pub, check, comment: c } = partsOf(theirs);
    assert.equal(c, comment);
    assert.equal(encodeEd25519PrivateKey(seed, pub, comment, check), theirs, `comment ${JSON.stringify(comment)}`);
    assert.equal(publicKeyFromPrivate(theirs), readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' '));
  });
});

test('OpenSSH signs with our keys (ssh-keygen -Y sign / verify)', async () => {
  const keys = [leadingZeroKey('zero-sign'), ...Array.from({ length: 9 }, (_, i) => generateDeployKey(`sign-${i}`))];
  await pool(keys, PARALLEL, async (k, i) => {
    const file = writeKey(`sig${i}`, k);
    const dataI = join(dir, `payload${i}.txt`);
    writeFileSync(dataI, `release ${i}\n`);
    await execFile(SSH_KEYGEN, ['-Y', 'sign', '-f', file, '-n', 'file', dataI]);
    const allowed = join(dir, `allowed${i}`);
    writeFileSync(allowed, `deploy@test ${k.publicKey}\n`);
    const child = execFile(SSH_KEYGEN, ['-Y', 'verify', '-f', allowed, '-I', 'deploy@test', '-n', 'file', '-s', `${dataI}.sig`]);
    child.child.stdin!.end(readFileSync(dataI));
    const r = await child;
    assert.match(r.stdout, /Good "file" signature for deploy@test/);
  });
});

test('the OpenSSH client logs in with our keys (server host key pinned by our known_hosts line)', { skip: !existsSync(SSH) }, async (t) => {
  const hostKey = generateDeployKey('test-host');
  const hostBlob = Buffer.from(hostKey.publicKey.split(' ')[1]!, 'base64');
  const clientKeys = [leadingZeroKey('zero-login'), generateDeployKey('login-1'), generateDeployKey('')];
  const authorized = clientKeys.map((k) => ssh2.utils.parseKey(k.publicKey) as ssh2.ParsedKey);
  const accepted: number[] = [];

  const server = new ssh2.Server({ hostKeys: [hostKey.privateKey.reveal()] }, (client) => {
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      const idx = authorized.findIndex((a) => a.getPublicSSH().equals(ctx.key.data));
      if (idx < 0 || ctx.key.algo !== 'ssh-ed25519') return ctx.reject(['publickey']);
      if (!ctx.signature) return ctx.accept(); // "would this key be accepted?"
      if (!ctx.blob || authorized[idx]!.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject();
      accepted.push(idx);
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.once('exec', (acceptExec, _reject, info) => {
          const stream = acceptExec();
          stream.write(`ran: ${info.command}\n`);
          stream.exit(0);
          stream.end();
        });
      });
    });
    client.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  t.after(() => server.close());

  const knownHosts = join(dir, 'known_hosts_login');
  writeFileSync(knownHosts, formatKnownHostsLine('127.0.0.1', port, hostBlob, { hashed: true }) + '\n');
  const sshArgs = (keyFile: string, hostsFile: string) => [
    '-F', '/dev/null',
    '-i', keyFile,
    '-p', String(port),
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'IdentityAgent=none',
    '-o', 'PreferredAuthentications=publickey',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${hostsFile}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'HostKeyAlgorithms=ssh-ed25519',
    '-o', 'ConnectTimeout=10',
    'deploy@127.0.0.1',
    'echo hello',
  ];

  for (const [i, k] of clientKeys.entries()) {
    const file = writeKey(`login${i}`, k);
    const r = await execFile(SSH, sshArgs(file, knownHosts), { timeout: 20_000 });
    assert.equal(r.stdout, 'ran: echo hello\n');
  }
  assert.deepEqual(accepted, [0, 1, 2], 'each key signed its way in');

  // A stranger's key is refused, and a wrong pinned host key stops the client.
  const stranger = writeKey('stranger', generateDeployKey('stranger'));
  await assert.rejects(execFile(SSH, sshArgs(stranger, knownHosts), { timeout: 20_000 }));
  const wrongHosts = join(dir, 'known_hosts_wrong');
  const otherBlob = Buffer.from(generateDeployKey('other').publicKey.split(' ')[1]!, 'base64');
  writeFileSync(wrongHosts, formatKnownHostsLine('127.0.0.1', port, otherBlob) + '\n');
  await assert.rejects(execFile(SSH, sshArgs(join(dir, 'login0'), wrongHosts), { timeout: 20_000 }), (e: Error & { stderr?: string }) =>
    /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/.test(e.stderr ?? ''),
  );
});
