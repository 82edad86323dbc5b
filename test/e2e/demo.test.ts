// `--demo --yes` runs the BUILT program (bin/ -> dist/) end to end against the in-process
// sandbox: no sshd, no docker, no network, no account. `npm test` builds before this runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_STORAGE } from '../../src/sandbox/demo/sandbox.js';
import { TARGETS, type TargetId } from '../../src/targets/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'create-litestream-host.js');
const SECRETS = ['AWS_ACCESS_KEY_ID', 'AWS_S3_BUCKET', 'AWS_SECRET_ACCESS_KEY', 'DEPLOY_HOST', 'DEPLOY_KEY', 'DEPLOY_PORT', 'DEPLOY_USERNAME', 'LETSENCRYPT_EMAIL'];
const SKIP = { skip: !existsSync(join(ROOT, 'dist', 'cli.js')) && !process.env.CI ? 'run `npm run build` first' : false };

/** No secret storage value printed, in clear or percent-encoded; no private key, no token. */
function assertNoSecret(all: string, target: TargetId): void {
  for (const f of TARGETS[target].fields.filter((x) => x.secret)) {
    const v = DEMO_STORAGE[target].values[f.name]!;
    for (const shown of new Set([v, f.encode ? f.encode(v) : v])) assert.ok(!all.includes(shown), `${f.name} was printed: ${shown.slice(0, 4)}…`);
  }
  assert.ok(!all.includes('PRIVATE KEY'), 'the deploy key was printed');
  assert.ok(!all.includes('ghp_'), 'the token was printed');
}

/** The checks after the release, each shown as done, with the drill's figures and the certificate's issuer. */
function assertChecks(stdout: string): void {
  assert.match(stdout, /^done outcome-containers: app up \d+ s, Litestream healthy/m);
  assert.match(stdout, /^done outcome-log: no replication error since Litestream started/m);
  assert.match(stdout, /^done outcome-replica: written \d+ s ago \(generation [0-9a-f]{16}, latest \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)/m);
  assert.match(stdout, /^done restore-drill: restored \d+\.\d KB, 7 tables, integrity ok, in \d+\.\d s/m);
  assert.match(stdout, /^ {4}\| waiting for LetsEncrypt: it presents a self-signed certificate/m);
  assert.match(stdout, /^done https: a certificate for app\.litestream-demo\.dev from Let's Encrypt, R11, valid until \d{4}-\d\d-\d\d \((89|90) days\)/m);
  for (const row of ['App and Litestream', 'Litestream log', 'Replica', 'Restore drill', 'HTTPS']) assert.match(stdout, new RegExp(`^  checked: ${row}: `, 'm'), `summary row ${row}`);
  // The receipt: the deploy, the database and the replica the drill restored.
  assert.match(stdout, /^ {4}\/home\/deploy\/\.deploy\/litestream-app-docker-compose\.yml +0644 deploy +the compose template filled/m);
  assert.match(stdout, /^ {4}replica +\w+:\/\/\S+: generation [0-9a-f]{16}, latest sync [\d:.]+, 7 tables, \d+ rows, \d+\.\d KB$/m);
  assert.match(stdout, /^ {4}restore drill +restored .*: the replica's tables, restored on the droplet$/m);
}

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

test('--demo --yes: the whole run against the sandbox, every secret opened, the checks after the release, nothing written under HOME', SKIP, async () => {
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

    assertChecks(r.stdout);
    assertNoSecret(all, 'aws');
    assert.ok(!/\x1b\[/.test(all), 'no escape codes under CI');

    assert.deepEqual(readdirSync(home), [], 'nothing written under HOME (no config, no known_hosts)');
    assert.ok(r.ms < 15_000, `finishes in a few seconds (took ${r.ms} ms)`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('--demo --dry-run prints the plan from the sandbox and changes nothing', SKIP, async () => {
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

for (const target of ['azure', 'sftp'] as const)
  test(`--demo --yes --target ${target}: the ${target} template, its example values, the checks and the drill`, SKIP, async () => {
    const home = mkdtempSync(join(tmpdir(), 'clh-demo-home-'));
    try {
      const r = await run(['--demo', '--yes', '--target', target], { HOME: home, USERPROFILE: home, CI: '1', CLH_DEMO_FAST: '1', NO_COLOR: '1', TMPDIR: tmpdir() });
      const all = r.stdout + r.stderr;
      assert.equal(r.code, 0, all);
      assert.match(r.stdout, new RegExp(`repository demo/litestream-app \\(the litestream-${target} template\\)`));
      assert.match(r.stdout, new RegExp(`--target ${target}$`, 'm'));
      const names = TARGETS[target].fields.map((f) => f.name);
      const opened = [...r.stdout.matchAll(/^ {4}opened {2}(\w+) +equals /gm)].map((m) => m[1]!);
      for (const n of names) assert.ok(opened.includes(n), `${n} opened and equal`);
      assert.match(r.stdout, /Storage \(Litestream\) +reachable, no replica yet/);
      assertChecks(r.stdout);
      assert.match(r.stdout, target === 'azure' ? /replica +abs:\/\/devstoreaccount1@demo-sqlite-replicas\/MyApp\.sqlite:/ : /replica +sftp:\/\/litestream:\*\*\*@sftp\.example\.org:22\/MyApp\.sqlite:/);
      assert.doesNotMatch(all, /MISMATCH|MISSING|NOT recognised/);
      assertNoSecret(all, target);
      assert.deepEqual(readdirSync(home), []);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

test('--demo --yes --no-verify: the release deploys, no check runs after it', SKIP, async () => {
  const home = mkdtempSync(join(tmpdir(), 'clh-demo-home-'));
  try {
    const r = await run(['--demo', '--yes', '--no-verify'], { HOME: home, USERPROFILE: home, CI: '1', CLH_DEMO_FAST: '1', NO_COLOR: '1', TMPDIR: tmpdir() });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^done release: success/m);
    assert.doesNotMatch(r.stdout, /outcome-|restore-drill|^done https|Restore drill|waiting for LetsEncrypt/m);
    assert.match(r.stdout, /Deployed by the release/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
