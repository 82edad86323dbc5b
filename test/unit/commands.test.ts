import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, statSync, rmSync, readdirSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pjoin } from 'node:path';
import { asRoot, asUser } from '../../src/host/shell.js';
import { authorizeKey, composeUp, createUser, installShim, removeKeys, writeFileAtomic } from '../../src/host/commands.js';
import { SHIM_MARKER, SHIM_TEXT } from '../../src/host/layout.js';
import { join } from '../../src/host/shell.js';

const root = { user: 'root', uid: 0 };
const tester = { user: 'tester', uid: 1000 };
const run = (argv: string[], stdin?: string | Buffer) => spawnSync('sh', ['-c', join(argv)], { encoding: 'utf8', input: stdin });
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const tmp = (prefix: string) => mkdtempSync(pjoin(tmpdir(), prefix));
/** The folder's entries: a temp file left behind shows here. */
const entries = (dir: string) => readdirSync(dir).sort();

test('privilege wrappers', () => {
  assert.deepEqual(asRoot(['id'], root), ['id']);
  assert.deepEqual(asRoot(['id'], tester), ['sudo', '-n', '--', 'id']);
  assert.deepEqual(asUser(['id'], 'tester', tester), ['id']);
  assert.deepEqual(asUser(['id'], 'deploy', tester), ['sudo', '-n', '--', 'runuser', '-u', 'deploy', '--', 'id']);
  assert.deepEqual(asUser(['id'], 'deploy', root), ['runuser', '-u', 'deploy', '--', 'id']);
});

test('createUser makes a key-only account in the docker group, name passed as one word', () => {
  assert.equal(join(createUser('deploy', tester)), "sudo -n -- useradd --create-home --shell /bin/bash --password '*' --groups docker deploy");
  assert.equal(join(createUser("x'; id #", root)).endsWith(`'x'\\''; id #'`), true);
});

test('composeUp names the project so the proxy never mixes with app stacks', () => {
  assert.equal(join(composeUp('/home/d/.deploy/nginx-proxy/nginx-proxy-compose.yml')), 'docker compose -p nginx-proxy -f /home/d/.deploy/nginx-proxy/nginx-proxy-compose.yml up -d');
});

test('installShim writes through sudo with 0755 and keeps a foreign file as .orig', () => {
  const s = join(installShim(tester));
  assert.match(s, /^sudo -n -- sh -c /);
  assert.match(s, /chmod 0755/);
  assert.match(s, /\.orig/);
});

test('the write script carries the byte count and sha256 of the content it must receive', () => {
  const content = 'ünï 🚀\nline two\n'; // bytes, not characters, are counted
  const script = writeFileAtomic('/srv/x.yml', '0600', content)[2]!;
  const bytes = Buffer.byteLength(content);
  assert.notEqual(bytes, content.length);
  assert.match(script, new RegExp(`\\[ "\\$n" -eq ${bytes} \\]`));
  assert.ok(script.includes(`= ${sha(content)} ]`), 'sha256 of the content');
  const shim = installShim(root)[2]!;
  assert.match(shim, new RegExp(`-eq ${Buffer.byteLength(SHIM_TEXT)} \\]`));
  assert.ok(shim.includes(sha(SHIM_TEXT)));
  // The check comes before the rename, and a failed one removes the temp file.
  assert.ok(script.indexOf(sha(content)) < script.indexOf('mv -f'));
  assert.throws(() => writeFileAtomic('/srv/x', '0600', 'a\0b'), /NUL/);
});

test('writeFileAtomic: a short, empty, longer or different upload changes nothing and says so', () => {
  const dir = tmp('clh-write-');
  try {
    const f = pjoin(dir, 'nginx-proxy-compose.yml');
    writeFileSync(f, 'old\n', { mode: 0o644 });
    const content = 'services:\n  nginx-proxy:\n    image: nginxproxy/nginx-proxy\n';
    const argv = writeFileAtomic(f, '0600', content);
    for (const sent of ['', content.slice(0, content.length / 2), content.slice(0, -1), `${content}x`, content.replace('nginx', 'NGINX')]) {
      const r = run(argv, sent);
      assert.equal(r.status, 1, `sent ${sent.length} bytes`);
      assert.match(r.stderr, /cut short or changed \(\d+ of \d+ bytes arrived\); the file was left as it was/);
      assert.ok(r.stderr.includes(`${sent.length} of ${content.length} bytes`));
      assert.equal(readFileSync(f, 'utf8'), 'old\n');
      assert.equal(statSync(f).mode & 0o777, 0o644);
      assert.deepEqual(entries(dir), ['nginx-proxy-compose.yml'], 'no temp file left');
    }
    const ok = run(argv, content);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(readFileSync(f, 'utf8'), content);
    assert.equal(statSync(f).mode & 0o777, 0o600);
    assert.deepEqual(entries(dir), ['nginx-proxy-compose.yml']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic keeps trailing newlines, no final newline, and non-UTF-8 bytes exactly', () => {
  const dir = tmp('clh-write-');
  try {
    const f = pjoin(dir, 'f');
    for (const content of ['a\n\n\n', 'no newline', '\n', Buffer.from([0xff, 0xfe, 0x0a, 0xc3])]) {
      const r = run(writeFileAtomic(f, '0600', content), content);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(readFileSync(f), Buffer.from(content));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic: hostile paths reach the host as one word, never as code', () => {
  const dir = tmp('clh-hostile-');
  try {
    const pwned = pjoin(dir, 'pwned');
    for (const name of ["it's", '$(touch PWNED)', '`touch PWNED`', 'a\nb', '; touch PWNED; ', '-n', ' lead', '"q"', '*', '$HOME']) {
      const f = pjoin(dir, name.replaceAll('PWNED', pwned));
      const r = run(writeFileAtomic(f, '0600', 'x\n'), 'x\n');
      assert.equal(r.status, 0, `${JSON.stringify(name)}: ${r.stderr}`);
      assert.equal(readFileSync(f, 'utf8'), 'x\n');
      assert.ok(!existsSync(pwned), JSON.stringify(name));
      // A cut upload names the path in its message, quoted through printf, not expanded.
      const short = run(writeFileAtomic(f, '0600', 'y\n'), '');
      assert.equal(short.status, 1);
      assert.ok(short.stderr.startsWith(`${f}: the upload was cut short`), short.stderr);
      assert.ok(!existsSync(pwned));
    }
    assert.ok(!entries(dir).some((e) => e.startsWith('.clh.')), 'no temp file left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backup: a foreign file is kept once; an empty, partial or marked file of ours never is', () => {
  const dir = tmp('clh-backup-');
  try {
    const f = pjoin(dir, 'docker-compose');
    const orig = `${f}.orig`;
    const write = () => run(writeFileAtomic(f, '0755', SHIM_TEXT, { backup: { suffix: '.orig', marker: SHIM_MARKER } }), SHIM_TEXT);
    const ours = ['', SHIM_TEXT.slice(0, 5), SHIM_TEXT.slice(0, -1), `#!/bin/sh\n${SHIM_MARKER}\nexec docker compose "$@"\n`, SHIM_TEXT];
    for (const left of ours) {
      rmSync(orig, { force: true });
      writeFileSync(f, left, { mode: 0o755 });
      assert.equal(write().status, 0);
      assert.ok(!existsSync(orig), `no backup of ${JSON.stringify(left)}`);
      assert.equal(readFileSync(f, 'utf8'), SHIM_TEXT);
    }
    // What an interrupted run of an earlier version left: an empty .orig. A foreign file replaces it.
    const v1 = '#!/usr/bin/python3\n# docker-compose 1.29.2\n';
    writeFileSync(orig, '', { mode: 0o755 });
    writeFileSync(f, v1, { mode: 0o755 });
    assert.equal(write().status, 0);
    assert.equal(readFileSync(orig, 'utf8'), v1);
    assert.equal(statSync(orig).mode & 0o777, 0o755);
    // A second foreign file never replaces the first backup.
    writeFileSync(f, '#!/bin/sh\necho other\n');
    assert.equal(write().status, 0);
    assert.equal(readFileSync(orig, 'utf8'), v1);
    // An empty .orig next to our own shim is removed: it could only mislead.
    writeFileSync(orig, '');
    assert.equal(write().status, 0);
    assert.ok(!existsSync(orig));
    // A cut upload over a foreign file neither replaces it nor makes a backup.
    writeFileSync(f, v1);
    assert.equal(run(writeFileAtomic(f, '0755', SHIM_TEXT, { backup: { suffix: '.orig', marker: SHIM_MARKER } }), SHIM_TEXT.slice(0, 9)).status, 1);
    assert.equal(readFileSync(f, 'utf8'), v1);
    assert.ok(!existsSync(orig));
    assert.deepEqual(entries(dir), ['docker-compose']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic writes stdin with the mode, leaves no temp file, survives hostile paths', () => {
  const dir = mkdtempSync(pjoin(tmpdir(), "clh-'$(x)`y`\n"));
  try {
    const f = pjoin(dir, 'sub dir', 'file "1".yml');
    const r = run(writeFileAtomic(f, '0640', 'hello\n'), 'hello\n');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(f, 'utf8'), 'hello\n');
    assert.equal(statSync(f).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(pjoin(dir, 'sub dir')), ['file "1".yml']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('authorizeKey appends once, keeps other lines, fixes a missing final newline, sets 0700/0600', () => {
  const home = mkdtempSync(pjoin(tmpdir(), 'clh-home-'));
  try {
    const ak = pjoin(home, '.ssh', 'authorized_keys');
    spawnSync('mkdir', ['-p', pjoin(home, '.ssh')]);
    writeFileSync(ak, 'ssh-ed25519 AAAAuser me@laptop'); // no final newline
    const line = 'no-port-forwarding ssh-ed25519 AAAAdeploy create-litestream-host o/r 2026-11-23';
    assert.equal(run(authorizeKey(home, line)).status, 0);
    assert.equal(run(authorizeKey(home, line)).status, 0);
    assert.equal(readFileSync(ak, 'utf8'), `ssh-ed25519 AAAAuser me@laptop\n${line}\n`);
    assert.equal(statSync(ak).mode & 0o777, 0o600);
    assert.equal(statSync(pjoin(home, '.ssh')).mode & 0o777, 0o700);
    assert.throws(() => authorizeKey(home, 'a\nb'), /line break/);
    assert.deepEqual(entries(pjoin(home, '.ssh')), ['authorized_keys'], 'no temp file left');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('removeKeys removes only marked lines with a listed blob, never the login key', () => {
  const home = mkdtempSync(pjoin(tmpdir(), 'clh-home-'));
  try {
    const ak = pjoin(home, '.ssh', 'authorized_keys');
    spawnSync('mkdir', ['-p', pjoin(home, '.ssh')]);
    const lines = [
      'ssh-ed25519 AAAAlogin me@laptop',
      'no-port-forwarding ssh-ed25519 AAAAold create-litestream-host o/r 2026-01-01',
      'no-port-forwarding ssh-ed25519 AAAAnew create-litestream-host o/r 2026-11-23',
      'ssh-ed25519 AAAAold added-by-hand', // same blob, no marker: stays
    ];
    writeFileSync(ak, lines.join('\n') + '\n');
    assert.equal(run(removeKeys(home, ['AAAAold', 'AAAAlogin'])).status, 0);
    assert.equal(readFileSync(ak, 'utf8'), [lines[0], lines[2], lines[3]].join('\n') + '\n');
    assert.throws(() => removeKeys(home, ["x' ; rm -rf / '"]), /base64/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('authorized_keys edits that fail half way change nothing and leave no temp file', () => {
  const home = tmp('clh-home-');
  try {
    const ssh = pjoin(home, '.ssh');
    const ak = pjoin(ssh, 'authorized_keys');
    mkdirSync(ssh);
    const before = 'ssh-ed25519 AAAAlogin me@laptop\nno-port-forwarding ssh-ed25519 AAAAold create-litestream-host o/r\n';
    writeFileSync(ak, before, { mode: 0o600 });
    // A shell whose every external command but mktemp succeeds: cat and awk fail after mktemp.
    const bin = pjoin(home, 'bin');
    mkdirSync(bin);
    for (const c of ['cat', 'awk']) {
      writeFileSync(pjoin(bin, c), '#!/bin/sh\necho "$0: write error: No space left on device" >&2\nexit 1\n');
      chmodSync(pjoin(bin, c), 0o755);
    }
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    for (const argv of [authorizeKey(home, 'ssh-ed25519 AAAAnew create-litestream-host o/r'), removeKeys(home, ['AAAAold'])]) {
      const r = spawnSync('sh', ['-c', join(argv)], { encoding: 'utf8', env });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /No space left/);
      assert.equal(readFileSync(ak, 'utf8'), before);
      assert.deepEqual(entries(ssh), ['authorized_keys'], 'no temp file left');
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
