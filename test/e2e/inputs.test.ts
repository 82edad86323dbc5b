import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runBin } from '../helpers/world.js';

const home = mkdtempSync(join(tmpdir(), 'clh-inputs-'));
const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH, HOME: home, CI: '1', ...extra });
const full = ['--yes', '--host', 'app.acme.io', '--ssh-host', '127.0.0.1', '--ssh-port', '1', '--user', 'root', '--email', 'ops@acme.io', '--repo', 'acme/app', '--target', 'aws', '-i', '/nonexistent/key'];
const aws = { GH_TOKEN: 'x', AWS_S3_BUCKET: 'acme-db', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

test('--help lists every option of the contract; --version prints the version', async () => {
  const r = await runBin(['--help'], env());
  assert.equal(r.code, 0);
  for (const o of ['--host', '--ssh-host', '--ssh-port', '--user', '--deploy-user', '-i, --identity', '--known-hosts', '--accept-new-host-key', '--install-docker', '--email', '--repo', '--github-api-url', '--target', '--env-file', '--workflow', '--no-release', '--rotate', '--dry-run', '-y, --yes', '--demo', '-h, --help', '-V, --version'])
    assert.ok(r.stdout.includes(o), o);
  const v = await runBin(['-V'], env());
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test('an unknown option or a stray argument exits 2 naming it', async () => {
  const r = await runBin(['--hots', 'x'], env());
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--hots/);
  const s = await runBin(['deploy'], env());
  assert.equal(s.code, 2);
  assert.match(s.stderr, /unexpected argument "deploy"/);
  const t = await runBin(['--rotate-only', 'storage'], env());
  assert.equal(t.code, 2);
  assert.match(t.stderr, /--rotate-only needs --rotate/);
});

test('--yes with nothing given names every missing flag and variable, exit 2', async () => {
  const r = await runBin(['--yes'], env());
  assert.equal(r.code, 2);
  for (const m of ['--host is required', '--user is required', '--email is required', '--repo is required', '--target is required', 'GH_TOKEN']) assert.ok(r.stderr.includes(m), m);
  assert.match(r.stderr, /Nothing was changed/);
});

test('--yes with a target but no storage values names each variable', async () => {
  const r = await runBin([...full], env({ GH_TOKEN: 'x' }));
  assert.equal(r.code, 2);
  for (const n of ['AWS_S3_BUCKET', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) assert.match(r.stderr, new RegExp(`${n} is required for --target aws`));
});

test('bad values exit 2 naming the field and the fix, before any connection', async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--host', '203.0.113.7'], {}, /--host is an IP address.*--ssh-host/],
    [['--ssh-port', '70000'], {}, /--ssh-port 70000 is outside the port range/],
    [['--email', 'me@example.com'], {}, /--email .*LetsEncrypt rejects/],
    [['--repo', 'acme'], {}, /--repo "acme" is not owner\/name/],
    [['--target', 's3'], {}, /--target "s3" is not a storage target/],
    [['--deploy-user', 'Deploy'], {}, /--deploy-user "Deploy" is not a Linux user name/],
    [[], { AWS_S3_BUCKET: 'Bad_Bucket' }, /AWS_S3_BUCKET .*lowercase/],
    [[], { AWS_SECRET_ACCESS_KEY: 'has"quote' }, /AWS_SECRET_ACCESS_KEY contains "/],
    [['--github-api-url', 'ghe.local'], {}, /--github-api-url .* not a URL/],
  ];
  for (const [flags, envOver, expect] of cases) {
    const args = [...full];
    for (let i = 0; i < flags.length; i += 2) {
      const at = args.indexOf(flags[i]!);
      if (at >= 0) args[at + 1] = flags[i + 1]!;
      else args.push(flags[i]!, flags[i + 1]!);
    }
    const r = await runBin(args, env({ ...aws, ...envOver }));
    assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, expect);
  }
});

test('an unreadable -i key is bad input (exit 2), found before connecting', async () => {
  const r = await runBin(full, env(aws));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /-i \/nonexistent\/key: no such file/);
});

test('--env-file supplies secret values; a missing file is stopped by Node itself (README)', async () => {
  const file = join(home, 'secrets.env');
  writeFileSync(file, 'AWS_S3_BUCKET=from-file\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\nGH_TOKEN=x\n');
  // Valid through the file: the run gets as far as reading the (missing) key file.
  const r = await runBin([...full, '--env-file', file], env());
  assert.equal(r.code, 2);
  assert.match(r.stderr, /-i \/nonexistent\/key/);
  // Node reads --env-file after the script name too (nodejs/node#54232) and stops before the
  // program runs: exit 9, its own one line, nothing done. The README says so.
  const missing = join(home, 'nope.env');
  const m = await runBin([...full, '--env-file', missing], env());
  assert.equal(m.code, 9);
  assert.equal(m.stderr, `node: ${missing}: not found\n`);
  assert.equal(m.stdout, '');
});

test('warnings for unusual but possible values do not block', async () => {
  const r = await runBin(full, env({ ...aws, AWS_ACCESS_KEY_ID: 'DO00QWERTYUIOP' }));
  assert.match(r.stderr, /warning: AWS_ACCESS_KEY_ID is not shaped like an AWS access key id/);
  assert.equal(r.code, 2); // still stops at the missing key file, after the warning
});

test('no secret value is printed in any of these errors, and nothing is written to HOME', async () => {
  const r = await runBin([...full, '--email', 'bad'], env({ ...aws, AWS_SECRET_ACCESS_KEY: 'SuperSecretValue"x' }));
  assert.ok(!r.stderr.includes('SuperSecretValue'));
  assert.deepEqual(readdirSync(home).filter((f) => f !== 'secrets.env'), []);
});

test('detection: the repository from `git remote get-url origin`, the token from `gh auth token`', async () => {
  const { mkdirSync, chmodSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const work = join(home, 'app');
  mkdirSync(work, { recursive: true });
  spawnSync('git', ['init', '-q', work]);
  spawnSync('git', ['-C', work, 'remote', 'add', 'origin', 'git@github.com:acme/detected-app.git']);
  const bin = join(home, 'fakebin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'gh'), '#!/bin/sh\n[ "$1 $2" = "auth token" ] && echo gho_fromgh && exit 0\nexit 1\n');
  chmodSync(join(bin, 'gh'), 0o755);
  const args = full.filter((a, i) => a !== '--repo' && full[i - 1] !== '--repo');
  const { GH_TOKEN: _, ...noToken } = aws;
  const { spawn } = await import('node:child_process');
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const p = spawn(join(import.meta.dirname, '..', '..', 'bin', 'create-litestream-host.js'), args, {
      cwd: work,
      env: { ...env(noToken), PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH}` },
    });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
  // Both found: validation passes and the run stops only at the missing key file.
  assert.equal(r.code, 2);
  assert.doesNotMatch(r.stderr, /--repo is required|GH_TOKEN/);
  assert.match(r.stderr, /-i \/nonexistent\/key/);
});

test('--help and --version alone are printed before the program loads: the same text as through the parser', async () => {
  const fast = await runBin(['--help'], env());
  const parsed = await runBin(['-y', '--help'], env());
  assert.equal(fast.code, 0);
  assert.equal(fast.stdout, parsed.stdout);
  assert.match(fast.stdout, /^Usage: npx create-litestream-host \[options\]$/m);
  assert.equal((await runBin(['-V'], env())).stdout, (await runBin(['-y', '--version'], env())).stdout);
});
