import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, statSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pjoin } from 'node:path';
import { asRoot, asUser, authorizeKey, composeUp, createUser, installShim, removeKeys, writeFileAtomic } from '../../src/host/commands.js';
import { join } from '../../src/host/shell.js';

const root = { user: 'root', uid: 0 };
const tester = { user: 'tester', uid: 1000 };
const run = (argv: string[], stdin?: string) => spawnSync('sh', ['-c', join(argv)], { encoding: 'utf8', input: stdin });

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
  assert.match(s, /docker-compose\.orig/);
});

test('writeFileAtomic writes stdin with the mode, leaves no temp file, survives hostile paths', () => {
  const dir = mkdtempSync(pjoin(tmpdir(), "clh-'$(x)`y`\n"));
  try {
    const f = pjoin(dir, 'sub dir', 'file "1".yml');
    const r = run(writeFileAtomic(f, '0640'), 'hello\n');
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
