import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkHostKey,
  formatKnownHostsLine,
  hostPatternName,
  keyTypeOfBlob,
  knownKeyTypes,
  prefersHashed,
  removeHostCommand,
} from '../../src/host/known-hosts.js';
import { generateDeployKey } from '../../src/host/deploy-key.js';

const SSH_KEYGEN = '/usr/bin/ssh-keygen';

let dir = '';
/** Real host keys made by ssh-keygen, as "type base64" and decoded blob. */
const keys: Record<string, { line: string; blob: Buffer }> = {};

function makeKey(name: string, args: string[]): void {
  const file = join(dir, name);
  execFileSync(SSH_KEYGEN, ['-q', '-N', '', '-C', '', '-f', file, ...args]);
  const line = readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  keys[name] = { line, blob: Buffer.from(line.split(' ')[1]!, 'base64') };
}

const k = (name: string) => keys[name]!;
const fp = (blob: Buffer) => 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
/** A fresh ed25519 blob (cheap; for tests that need many distinct keys). */
const freshBlob = (): Buffer => Buffer.from(generateDeployKey('').publicKey.split(' ')[1]!, 'base64');

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'known-hosts-test-'));
  makeKey('ed1', ['-t', 'ed25519']);
  makeKey('ed2', ['-t', 'ed25519']);
  makeKey('ec256', ['-t', 'ecdsa', '-b', '256']);
  makeKey('ec384', ['-t', 'ecdsa', '-b', '384']);
  makeKey('rsa', ['-t', 'rsa', '-b', '2048']);
  makeKey('rsa2', ['-t', 'rsa', '-b', '2048']);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('hostPatternName: plain for 22, bracketed otherwise, lower-cased; bad input refused', () => {
  assert.equal(hostPatternName('example.com', 22), 'example.com');
  assert.equal(hostPatternName('Example.COM', 22), 'example.com');
  assert.equal(hostPatternName('1.2.3.4', 2222), '[1.2.3.4]:2222');
  assert.equal(hostPatternName('::1', 22), '::1');
  assert.equal(hostPatternName('2001:db8::1', 2200), '[2001:db8::1]:2200');
  for (const bad of ['', 'a b', 'a,b', '*.x', 'h?', '!h', '|1|x', '@revoked', 'a\nb', 'a\tb', '#c', '[1.2.3.4]']) {
    assert.throws(() => hostPatternName(bad, 22), Error, JSON.stringify(bad));
  }
  for (const port of [0, -1, 65536, 22.5, NaN]) assert.throws(() => hostPatternName('h', port));
});

test('keyTypeOfBlob reads the first SSH string', () => {
  assert.equal(keyTypeOfBlob(k('ed1').blob), 'ssh-ed25519');
  assert.equal(keyTypeOfBlob(k('ec256').blob), 'ecdsa-sha2-nistp256');
  assert.equal(keyTypeOfBlob(k('ec384').blob), 'ecdsa-sha2-nistp384');
  assert.equal(keyTypeOfBlob(k('rsa').blob), 'ssh-rsa');
  assert.throws(() => keyTypeOfBlob(Buffer.alloc(0)));
  assert.throws(() => keyTypeOfBlob(Buffer.from([0, 0, 0, 50, 65])));
  assert.throws(() => keyTypeOfBlob(Buffer.from([0, 0, 0, 0])));
  assert.throws(() => keyTypeOfBlob(Buffer.from([0, 0, 0, 2, 0x0a, 0x41])));
});

test('known, unknown, changed, other-type on a plain file', () => {
  const text = [
    '# a comment',
    '',
    `example.com ${k('ed1').line}`,
    `example.com ${k('rsa').line} a trailing comment`,
    `other.org ${k('ec256').line}`,
  ].join('\n');
  assert.deepEqual(checkHostKey(text, 'example.com', 22, k('ed1').blob), { kind: 'known', line: 3 });
  assert.deepEqual(checkHostKey(text, 'example.com', 22, k('rsa').blob), { kind: 'known', line: 4 });
  assert.deepEqual(checkHostKey(text, 'nowhere.net', 22, k('ed1').blob), { kind: 'unknown' });
  assert.deepEqual(checkHostKey('', 'example.com', 22, k('ed1').blob), { kind: 'unknown' });
  assert.deepEqual(checkHostKey(text, 'example.com', 22, k('ed2').blob), {
    kind: 'changed',
    line: 3,
    expectedFingerprint: fp(k('ed1').blob),
  });
  assert.deepEqual(checkHostKey(text, 'example.com', 22, k('rsa2').blob), {
    kind: 'changed',
    line: 4,
    expectedFingerprint: fp(k('rsa').blob),
  });
  assert.deepEqual(checkHostKey(text, 'example.com', 22, k('ec256').blob), {
    kind: 'other-type',
    knownTypes: ['ssh-ed25519', 'ssh-rsa'],
  });
  // ECDSA curves are distinct key types here.
  assert.deepEqual(checkHostKey(text, 'other.org', 22, k('ec384').blob), {
    kind: 'other-type',
    knownTypes: ['ecdsa-sha2-nistp256'],
  });
  // The expected fingerprint is what ssh-keygen prints for that key.
  const printed = execFileSync(SSH_KEYGEN, ['-l', '-f', join(dir, 'ed1.pub')], { encoding: 'utf8' }).split(' ')[1];
  assert.equal(fp(k('ed1').blob), printed);
});

test('CRLF files, tabs and leading whitespace', () => {
  const text = `# c\r\n\r\n  \texample.com\t${k('ed1').line.replace(' ', '\t')}\r\n  # indented comment\r\n`;
  assert.deepEqual(checkHostKey(text, 'example.com', 22, k('ed1').blob), { kind: 'known', line: 3 });
  assert.deepEqual(knownKeyTypes(text, 'example.com', 22), ['ssh-ed25519']);
});

test('comma-separated patterns, wildcards and negation', () => {
  const text = [
    `a.example.com,b.example.com,10.0.0.1 ${k('ed1').line}`,
    `*.wild.org,!secret.wild.org ${k('ed2').line}`,
    `host?.q.net ${k('ec256').line}`,
  ].join('\n');
  assert.equal(checkHostKey(text, 'b.example.com', 22, k('ed1').blob).kind, 'known');
  assert.equal(checkHostKey(text, '10.0.0.1', 22, k('ed1').blob).kind, 'known');
  assert.equal(checkHostKey(text, 'c.example.com', 22, k('ed1').blob).kind, 'unknown');
  assert.equal(checkHostKey(text, 'x.wild.org', 22, k('ed2').blob).kind, 'known');
  assert.equal(checkHostKey(text, 'deep.x.wild.org', 22, k('ed2').blob).kind, 'known');
  assert.equal(checkHostKey(text, 'wild.org', 22, k('ed2').blob).kind, 'unknown');
  // A negated match excludes the whole line.
  assert.equal(checkHostKey(text, 'secret.wild.org', 22, k('ed2').blob).kind, 'unknown');
  assert.equal(checkHostKey(text, 'host1.q.net', 22, k('ec256').blob).kind, 'known');
  assert.equal(checkHostKey(text, 'host12.q.net', 22, k('ec256').blob).kind, 'unknown');
  assert.equal(checkHostKey(text, 'host.q.net', 22, k('ec256').blob).kind, 'unknown');
  // Wildcards also match the bracketed non-22 form.
  assert.equal(checkHostKey(`* ${k('ed1').line}`, '1.2.3.4', 2222, k('ed1').blob).kind, 'known');
  assert.equal(checkHostKey(`[1.2.3.*]:2222 ${k('ed1').line}`, '1.2.3.4', 2222, k('ed1').blob).kind, 'known');
  assert.equal(checkHostKey(`[1.2.3.*]:2222 ${k('ed1').line}`, '1.2.3.4', 22, k('ed1').blob).kind, 'unknown');
  // Only negations: no positive match.
  assert.equal(checkHostKey(`!x.org ${k('ed1').line}`, 'y.org', 22, k('ed1').blob).kind, 'unknown');
});

test('ports: [host]:port only for non-22 ports, plain only for 22', () => {
  const text = [`[1.2.3.4]:2222 ${k('ed1').line}`, `1.2.3.4 ${k('ed2').line}`, `[5.6.7.8]:22 ${k('ed1').line}`].join('\n');
  assert.deepEqual(checkHostKey(text, '1.2.3.4', 2222, k('ed1').blob), { kind: 'known', line: 1 });
  assert.deepEqual(checkHostKey(text, '1.2.3.4', 22, k('ed2').blob), { kind: 'known', line: 2 });
  // The port-22 entry does not vouch for port 2222, nor the other way round.
  assert.equal(checkHostKey(text, '1.2.3.4', 2222, k('ed2').blob).kind, 'changed');
  assert.equal(checkHostKey(text, '1.2.3.4', 22, k('ed1').blob).kind, 'changed');
  assert.equal(checkHostKey(text, '1.2.3.4', 2200, k('ed1').blob).kind, 'unknown');
  // "[h]:22" is never looked up (OpenSSH writes port 22 plain).
  assert.equal(checkHostKey(text, '5.6.7.8', 22, k('ed1').blob).kind, 'unknown');
});

test('several key types per host and the same host on several lines', () => {
  const text = [
    `h.example ${k('ed2').line}`,
    `h.example ${k('rsa').line}`,
    `h.example,other ${k('ed1').line}`,
    `h.example ${k('ec256').line}`,
    `h.example ${k('ed1').line}`,
  ].join('\n');
  // A same-type line with another key does not matter when another line has this key.
  assert.deepEqual(checkHostKey(text, 'h.example', 22, k('ed1').blob), { kind: 'known', line: 3 });
  assert.deepEqual(checkHostKey(text, 'h.example', 22, k('ec256').blob), { kind: 'known', line: 4 });
  assert.deepEqual(knownKeyTypes(text, 'h.example', 22), ['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256']);
  assert.deepEqual(knownKeyTypes(text, 'other', 22), ['ssh-ed25519']);
  assert.deepEqual(knownKeyTypes(text, 'nobody', 22), []);
});

test('host names match case-insensitively', () => {
  const text = `Mixed.Example.COM,*.UPPER.ORG ${k('ed1').line}`;
  assert.equal(checkHostKey(text, 'mixed.example.com', 22, k('ed1').blob).kind, 'known');
  assert.equal(checkHostKey(text, 'MIXED.example.com', 22, k('ed1').blob).kind, 'known');
  assert.equal(checkHostKey(text, 'a.upper.org', 22, k('ed1').blob).kind, 'known');
  const hashed = formatKnownHostsLine('Mixed.Example.COM', 2222, k('ed1').blob, { hashed: true });
  assert.equal(checkHostKey(hashed, 'mixed.example.com', 2222, k('ed1').blob).kind, 'known');
});

test('@revoked refuses the key wherever it appears for the host; @cert-authority is ignored', () => {
  const text = [
    `h.example ${k('ed1').line}`,
    `@revoked * ${k('ed1').line}`,
    `@revoked h.example ${k('rsa').line}`,
    `h.example ${k('rsa').line}`,
    `@cert-authority *.example ${k('ec256').line}`,
    `@revoked other.host ${k('ed2').line}`,
  ].join('\n');
  assert.deepEqual(checkHostKey(text, 'h.example', 22, k('ed1').blob), { kind: 'revoked', line: 2 });
  assert.deepEqual(checkHostKey(text, 'any.where', 2222, k('ed1').blob), { kind: 'revoked', line: 2 });
  assert.deepEqual(checkHostKey(text, 'h.example', 22, k('rsa').blob), { kind: 'revoked', line: 3 });
  // A revoked entry for another key does not make the host known.
  assert.deepEqual(checkHostKey(text, 'other.host', 22, k('ed1').blob), { kind: 'revoked', line: 2 });
  assert.deepEqual(checkHostKey(`@revoked other.host ${k('ed2').line}`, 'other.host', 22, k('ed1').blob), { kind: 'unknown' });
  assert.deepEqual(knownKeyTypes(`@revoked other.host ${k('ed2').line}`, 'other.host', 22), []);
  // @revoked for another host does not apply.
  assert.deepEqual(checkHostKey(text, 'h.example', 22, k('ed2').blob), {
    kind: 'changed',
    line: 1,
    expectedFingerprint: fp(k('ed1').blob),
  });
  // The CA key is not a host key: not known, not counted as a known type.
  assert.deepEqual(checkHostKey(text, 'ca.example', 22, k('ec256').blob), { kind: 'unknown' });
  assert.deepEqual(knownKeyTypes(text, 'h.example', 22), ['ssh-ed25519', 'ssh-rsa']);
  assert.deepEqual(checkHostKey(text, 'h.example', 22, k('ec256').blob), {
    kind: 'other-type',
    knownTypes: ['ssh-ed25519', 'ssh-rsa'],
  });
});

test('malformed lines are skipped', () => {
  const [, b64] = k('ed1').line.split(' ');
  const text = [
    `h.example ssh-rsa ${b64}`, // type field disagrees with the blob
    `h.example ssh-ed25519 ${b64!.slice(0, -3)}!!!`, // not base64
    `h.example ssh-ed25519`, // no key
    `@unknown h.example ${k('ed1').line}`, // unknown marker
    `h.example 2048 65537 12345678901234567890`, // SSH1 RSA
    `|1|bad|hash ${k('ed1').line}`, // broken hash
    `h.example ${k('ed2').line}`,
  ].join('\n');
  assert.deepEqual(checkHostKey(text, 'h.example', 22, k('ed1').blob), {
    kind: 'changed',
    line: 7,
    expectedFingerprint: fp(k('ed2').blob),
  });
  assert.deepEqual(knownKeyTypes(text, 'h.example', 22), ['ssh-ed25519']);
});

test('formatKnownHostsLine: plain and hashed, deterministic with a salt', () => {
  assert.equal(formatKnownHostsLine('example.com', 22, k('ed1').blob), `example.com ${k('ed1').line}`);
  assert.equal(formatKnownHostsLine('1.2.3.4', 2222, k('rsa').blob), `[1.2.3.4]:2222 ${k('rsa').line}`);
  const salt = Buffer.alloc(20, 7);
  const line = formatKnownHostsLine('1.2.3.4', 2222, k('ed1').blob, { hashed: true, salt });
  const hash = createHmac('sha1', salt).update('[1.2.3.4]:2222').digest('base64');
  assert.equal(line, `|1|${salt.toString('base64')}|${hash} ${k('ed1').line}`);
  assert.deepEqual(checkHostKey(line, '1.2.3.4', 2222, k('ed1').blob), { kind: 'known', line: 1 });
  assert.deepEqual(checkHostKey(line, '1.2.3.4', 22, k('ed1').blob), { kind: 'unknown' });
  const a = formatKnownHostsLine('h', 22, k('ed1').blob, { hashed: true });
  const b = formatKnownHostsLine('h', 22, k('ed1').blob, { hashed: true });
  assert.notEqual(a, b, 'random salt');
  assert.throws(() => formatKnownHostsLine('h', 22, k('ed1').blob, { hashed: true, salt: Buffer.alloc(16) }));
  assert.throws(() => formatKnownHostsLine('h', 22, Buffer.alloc(3)));
  assert.ok(!line.includes('\n'));
});

test('prefersHashed', () => {
  assert.equal(prefersHashed(''), false);
  assert.equal(prefersHashed(`# |1|x|y\nexample.com ${k('ed1').line}\n`), false);
  const hashed = formatKnownHostsLine('example.com', 22, k('ed1').blob, { hashed: true });
  assert.equal(prefersHashed(`example.org ${k('ed2').line}\n${hashed}\n`), true);
  assert.equal(prefersHashed(`${hashed}\r\n`), true);
});

test('entries hashed by the real ssh-keygen -H are recognised (port 22 and [127.0.0.1]:2222)', () => {
  const file = join(dir, 'known_hosts_hash');
  writeFileSync(
    file,
    [
      `127.0.0.1 ${k('ed1').line}`,
      `[127.0.0.1]:2222 ${k('ec256').line}`,
      `Example.com,10.1.1.1 ${k('rsa').line}`,
      '',
    ].join('\n'),
  );
  execFileSync(SSH_KEYGEN, ['-q', '-H', '-f', file], { stdio: 'pipe' });
  const text = readFileSync(file, 'utf8');
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 4, 'comma-separated names get one hashed line each');
  assert.ok(lines.every((l) => l.startsWith('|1|')), text);
  assert.ok(!text.includes('127.0.0.1'));
  assert.equal(prefersHashed(text), true);
  assert.equal(checkHostKey(text, '127.0.0.1', 22, k('ed1').blob).kind, 'known');
  assert.equal(checkHostKey(text, '127.0.0.1', 2222, k('ec256').blob).kind, 'known');
  assert.deepEqual(checkHostKey(text, '127.0.0.1', 2222, k('ed1').blob), { kind: 'other-type', knownTypes: ['ecdsa-sha2-nistp256'] });
  assert.equal(checkHostKey(text, '127.0.0.1', 22, k('ed2').blob).kind, 'changed');
  assert.equal(checkHostKey(text, '127.0.0.1', 2223, k('ec256').blob).kind, 'unknown');
  assert.equal(checkHostKey(text, 'example.com', 22, k('rsa').blob).kind, 'known');
  assert.equal(checkHostKey(text, '10.1.1.1', 22, k('rsa').blob).kind, 'known');
  assert.deepEqual(knownKeyTypes(text, '127.0.0.1', 2222), ['ecdsa-sha2-nistp256']);
  rmSync(`${file}.old`, { force: true });
});

/** The line numbers `ssh-keygen -F name -f file` reports as matching the name. */
function sshKeygenMatches(file: string, name: string): number[] {
  const r = spawnSync(SSH_KEYGEN, ['-F', name, '-f', file], { encoding: 'utf8' });
  const lines: number[] = [];
  for (const m of r.stdout.matchAll(/^# Host .* found: line (\d+)/gm)) lines.push(Number(m[1]));
  return lines;
}

test('the real ssh-keygen -F finds the lines we write (plain and hashed)', () => {
  const file = join(dir, 'known_hosts_ours');
  const text = [
    formatKnownHostsLine('127.0.0.1', 22, k('ed1').blob),
    formatKnownHostsLine('127.0.0.1', 2222, k('ed2').blob),
    formatKnownHostsLine('127.0.0.1', 22, k('rsa').blob, { hashed: true }),
    formatKnownHostsLine('Deploy.Example.com', 2222, k('ec256').blob, { hashed: true }),
    '',
  ].join('\n');
  writeFileSync(file, text);
  assert.deepEqual(sshKeygenMatches(file, '127.0.0.1'), [1, 3]);
  assert.deepEqual(sshKeygenMatches(file, '[127.0.0.1]:2222'), [2]);
  assert.deepEqual(sshKeygenMatches(file, '[deploy.example.com]:2222'), [4]);
  assert.deepEqual(sshKeygenMatches(file, 'deploy.example.com'), []);
});

test('pattern matching agrees with the real ssh-keygen -F', () => {
  const patterns = [
    'exact.example.com',
    '*.example.com',
    '*.example.com,!bad.example.com',
    '!bad.example.com,*.example.com',
    'host?.example.com',
    '*',
    '*.*',
    '??.example.com',
    '*ample*',
    '[10.0.0.1]:2222',
    '[10.0.0.*]:2222',
    '[10.0.0.1]:*',
    '10.0.0.1',
    '10.0.0.?',
    '10.0.0.1,[10.0.0.1]:2222',
    'EXACT.example.COM',
    '*.example.com,!*.example.com',
    'a*b*c',
    '**',
    '?*',
    '!10.0.0.1',
    '[::1]:2222,::1',
  ];
  const blobs = patterns.map(() => freshBlob());
  const text = patterns.map((p, i) => `${p} ssh-ed25519 ${blobs[i]!.toString('base64')}`).join('\n') + '\n';
  const file = join(dir, 'known_hosts_patterns');
  writeFileSync(file, text);
  const queries: [string, number][] = [
    ['exact.example.com', 22],
    ['bad.example.com', 22],
    ['host1.example.com', 22],
    ['host12.example.com', 22],
    ['ab.example.com', 22],
    ['example.com', 22],
    ['10.0.0.1', 22],
    ['10.0.0.1', 2222],
    ['10.0.0.2', 2222],
    ['10.0.0.12', 22],
    ['aXbYc', 22],
    ['abc', 22],
    ['acb', 22],
    ['x', 22],
    ['::1', 22],
    ['::1', 2222],
    ['EXACT.EXAMPLE.COM', 22],
  ];
  for (const [host, port] of queries) {
    const name = hostPatternName(host, port);
    const theirs = sshKeygenMatches(file, name);
    const ours = blobs
      .map((b, i) => (checkHostKey(text, host, port, b).kind === 'known' ? i + 1 : 0))
      .filter((n) => n > 0);
    assert.deepEqual(ours, theirs, `${name}: ours ${ours} vs ssh-keygen ${theirs}`);
  }
});

test('removeHostCommand gives the exact ssh-keygen -R text, and it works in a shell', () => {
  assert.equal(
    removeHostCommand('1.2.3.4', 2222, '/home/u/.ssh/known_hosts'),
    'ssh-keygen -f "/home/u/.ssh/known_hosts" -R "[1.2.3.4]:2222"',
  );
  assert.equal(removeHostCommand('Example.com', 22, '/k'), 'ssh-keygen -f "/k" -R "example.com"');
  // A quoted ~ would not expand: ~/ becomes $HOME/.
  assert.equal(
    removeHostCommand('1.2.3.4', 2222, '~/.ssh/known_hosts'),
    'ssh-keygen -f "$HOME/.ssh/known_hosts" -R "[1.2.3.4]:2222"',
  );
  assert.equal(removeHostCommand('h', 22, '/a "b" $c `d` \\e'), 'ssh-keygen -f "/a \\"b\\" \\$c \\`d\\` \\\\e" -R "h"');

  // Run the command for real: with an awkward path, and with ~/ under a temporary HOME.
  const home = join(dir, 'home $x "q"');
  execFileSync('mkdir', ['-p', join(home, '.ssh')]);
  const file = join(home, '.ssh', 'known_hosts');
  const content = () =>
    [
      formatKnownHostsLine('1.2.3.4', 2222, k('ed1').blob),
      formatKnownHostsLine('1.2.3.4', 22, k('ed2').blob),
      formatKnownHostsLine('1.2.3.4', 2222, k('rsa').blob, { hashed: true }),
      '',
    ].join('\n');
  for (const path of [file, '~/.ssh/known_hosts']) {
    writeFileSync(file, content());
    const cmd = removeHostCommand('1.2.3.4', 2222, path).replace(/^ssh-keygen/, SSH_KEYGEN);
    execFileSync('/bin/sh', ['-c', cmd], { env: { ...process.env, HOME: home }, stdio: 'pipe' });
    const left = readFileSync(file, 'utf8');
    assert.equal(checkHostKey(left, '1.2.3.4', 2222, k('ed1').blob).kind, 'unknown', path);
    assert.equal(checkHostKey(left, '1.2.3.4', 2222, k('rsa').blob).kind, 'unknown', path);
    assert.equal(checkHostKey(left, '1.2.3.4', 22, k('ed2').blob).kind, 'known', path);
  }
});
