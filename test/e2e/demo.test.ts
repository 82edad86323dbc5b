// `--demo --yes` runs the BUILT program (bin/ -> dist/) end to end against the in-process
// sandbox: no sshd, no docker, no network, no account. `npm test` builds before this runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO } from '../../src/sandbox/demo/sandbox.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'create-litestream-host.js');
const SECRETS = ['AWS_ACCESS_KEY_ID', 'AWS_S3_BUCKET', 'AWS_SECRET_ACCESS_KEY', 'DEPLOY_HOST', 'DEPLOY_KEY', 'DEPLOY_PORT', 'DEPLOY_USERNAME', 'LETSENCRYPT_EMAIL'];

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: env.HOME, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

test('--demo --yes: the whole run against the sandbox, every secret opened, nothing written under HOME', { skip: !existsSync(join(ROOT, 'dist', 'cli.js')) && !process.env.CI ? 'run `npm run build` first' : false }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'clh-demo-home-'));
  try {
    // No PATH: the demo needs no system program (sh, ssh, docker, git, gh).
    const env = { HOME: home, USERPROFILE: home, CI: '1', CLH_DEMO_FAST: '1', NO_COLOR: '1', TMPDIR: tmpdir() };
    const r = await run(['--demo', '--yes'], env);
    const all = r.stdout + r.stderr;
    assert.equal(r.code, 0, all);
    assert.equal(r.stderr, '', 'nothing on stderr');

    assert.match(r.stdout, /^create-litestream-host --demo: a sandbox run\. Nothing real is touched/);
    const opened = new Map([...r.stdout.matchAll(/^ {4}opened {2}(\w+) +(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    assert.deepEqual([...opened.keys()].sort(), SECRETS);
    assert.match(opened.get('DEPLOY_KEY')!, /^ssh-ed25519 private key SHA256:\S+: its public half is in \/home\/deploy\/\.ssh\/authorized_keys, and it logs in as deploy$/);
    for (const n of SECRETS.filter((n) => n !== 'DEPLOY_KEY')) assert.match(opened.get(n)!, /^equals /, n);
    assert.doesNotMatch(all, /MISMATCH|MISSING|NOT recognised/);

    assert.match(r.stdout, /^done shim: /m);
    assert.match(r.stdout, /^done workflow-repair: [0-9a-f]{7} on main: 3 line\(s\) in release\.yml \(\d+ms\)$/m);
    assert.match(r.stdout, /^ {4}\| {2}Container nginx-proxy {2}Started$/m, 'compose output streamed');
    assert.match(r.stdout, /^ {4}\/usr\/local\/bin\/docker-compose +0755 root +exec docker compose --compatibility "\$@"$/m);
    assert.match(r.stdout, /^ {4}\/home\/deploy\/\.deploy\/nginx-proxy\/nginx-proxy-compose\.yml +0600 deploy +/m);
    assert.match(r.stdout, /^run completed \(success\) https:\/\/github\.sandbox\.test\/demo\/litestream-app\/actions\/runs\/\d+$/m);
    assert.match(r.stdout, /Release: release\.yml dispatched with version=latest, .* conclusion: success/);
    assert.match(r.stdout, /^Demo finished: success/m);

    // No secret value printed: the storage values, the token, the private key.
    for (const v of Object.values(DEMO.storage)) assert.ok(!all.includes(v), `a storage value was printed: ${v.slice(0, 4)}…`);
    assert.ok(!all.includes('PRIVATE KEY'), 'the deploy key was printed');
    assert.ok(!all.includes('ghp_'), 'the token was printed');
    assert.ok(!/\x1b\[/.test(all), 'no escape codes under CI');

    assert.deepEqual(readdirSync(home), [], 'nothing written under HOME (no config, no known_hosts)');
    assert.ok(r.ms < 15_000, `finishes in a few seconds (took ${r.ms} ms)`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('--demo --dry-run prints the plan from the sandbox and changes nothing', { skip: !existsSync(join(ROOT, 'dist', 'cli.js')) && !process.env.CI ? 'run `npm run build` first' : false }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'clh-demo-home-'));
  try {
    const r = await run(['--demo', '--yes', '--dry-run'], { HOME: home, USERPROFILE: home, CI: '1', CLH_DEMO_FAST: '1', TMPDIR: tmpdir() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Plan:$/m);
    assert.match(r.stdout, /will change +Repository secrets +create 8/);
    // The sandbox repository is the web mix: the repair is in the plan, as a diff.
    assert.match(r.stdout, /will change +Workflow repair +commit 3 line\(s\) in release\.yml/);
    assert.match(r.stdout, /- runs-on: ubuntu-20\.04\n.*\+ runs-on: ubuntu-24\.04/);
    assert.match(r.stdout, /- port: 22\n.*\+ port: \$\{\{ secrets\.DEPLOY_PORT \}\}/);
    assert.doesNotMatch(r.stdout, /^\.\.\. Install the docker-compose shim/m);
    assert.match(r.stdout, /nothing was changed/);
    assert.deepEqual(readdirSync(home), []);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
