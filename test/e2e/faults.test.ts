/**
 * Issue 7 end to end: faults and hostile input against the real sshd harness and the GitHub
 * emulator. Each test fails on the code before the fix it names.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { dirname, join } from 'node:path';
import { BIN, REPO, STORAGE, TOKEN, skipWithoutSshd, startWorld, type RunResult, type World } from '../helpers/world.js';
import { parseCli } from '../../src/config/options.js';
import { draftFrom } from '../../src/config/settings.js';
import { fileStore } from '../../src/config/store.js';
import { createGitHubClient } from '../../src/github/client.js';
import { getPublicKey, putSecret } from '../../src/github/api.js';
import { sealSecret } from '../../src/github/seal.js';
import { runSession } from '../../src/session/index.js';
import type { Prompter } from '../../src/interview/prompter.js';
import { Sensitive } from '../../src/sensitive.js';

const configFile = (home: string) => join(home, '.config', 'create-litestream-host', 'repos', 'acme__app.json');
const accepted = async (w: World) => ((await w.host.readLog()).match(/Accepted publickey/g) ?? []).length;
const connections = async (w: World) => ((await w.host.readLog()).match(/Connection from/g) ?? []).length;
/** The arguments without the given flags that take a value (and their values). */
const without = (args: string[], ...flags: string[]) => args.filter((a, i) => !flags.includes(a) && !flags.includes(args[i - 1]!));
const noYes = (args: string[]) => args.filter((a) => a !== '--yes');
const CONTROL = /[\u001b\u0007\r]/;

/** A prompter that answers every question with its default: the wizard's path, no terminal. */
function defaultsPrompter(log: string[]): Prompter {
  const say = (t: string) => void log.push(t);
  return {
    intro: say, outro: say, note: (t) => say(t), info: say, warn: say, error: say, success: say,
    text: async (o) => o.initial ?? '',
    secret: async () => '',
    select: async (o) => o.initial ?? o.options[0]!.value,
    multiselect: async (o) => o.initial ?? [],
    confirm: async () => true,
    spinner: () => ({ start: say, stop: say, fail: say, message: say }),
  };
}

/** Runs the bin as another (unprivileged) user, as a developer would run it. */
function runAs(uid: number, args: string[], env: Record<string, string | undefined>): Promise<RunResult> {
  const proc = spawn('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', process.execPath, BIN, ...args], {
    env: { ...env, PATH: `${dirname(process.execPath)}:${env.PATH ?? ''}` } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('faults and hostile input', { skip: skipWithoutSshd(), concurrency: false }, () => {
  let w: World;
  const args = () => [...w.baseArgs('sftp', 'deploy'), '--repair-workflow'];
  before(async () => {
    w = await startWorld({ mix: 'litestream-sftp' });
  });
  after(async () => w?.stop());

  test('without a terminal and without --yes: exit 2 before connecting anywhere; --dry-run is fine', async () => {
    const seen = await connections(w);
    const r = await w.run(noYes(args()));
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /no terminal to confirm the plan on .* no --yes: a plan nobody confirmed is never applied/);
    assert.match(r.stderr, /Add --yes .* or --dry-run/);
    assert.equal(w.gh.requests().length, 0, 'GitHub was not asked');
    assert.equal(await connections(w), seen, 'the host was not contacted');
    const d = await w.run([...noYes(args()), '--dry-run']);
    assert.equal(d.code, 0, d.stdout + d.stderr);
    assert.match(d.stdout, /Plan:/);
    w.gh.reset();
  });

  test('an env file whose value dotenv would cut at "#" stops with exit 2 naming the line; quoted, the whole value is used', async () => {
    const f = join(w.home, 'storage.env');
    writeFileSync(f, 'SFTP_USERNAME=backup\nSFTP_PASSWORD=abc#def\nSFTP_HOST=backup.acme.io\nSFTP_PORT=22\n');
    const seen = await connections(w);
    const r = await w.run([...args(), '--env-file', f, '--dry-run'], { SFTP_PASSWORD: undefined });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /line 2: the value of SFTP_PASSWORD holds "#"/);
    assert.match(r.stderr, /Quote the value/);
    assert.ok(!(r.stdout + r.stderr).includes('abc'), 'no part of the value is printed');
    assert.equal(await connections(w), seen);
  });

  test('a known_hosts that cannot be read stops before authentication, naming the file', async () => {
    const seen = await accepted(w);
    const folder = join(w.home, 'kh-folder');
    mkdirSync(folder);
    const r = await w.run([...args(), '--known-hosts', folder, '--accept-new-host-key']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`known_hosts file ${folder} cannot be read: is a folder`));
    assert.equal(await accepted(w), seen, 'no login happened');
    assert.equal(w.gh.events().length, 0);
  });

  test('as a user who cannot read it (mode 0200, or root-owned 0600): refused, never read as empty', async () => {
    const nobody = 65534;
    const home = mkdtempSync(join(tmpdir(), 'clh-nobody-'));
    try {
      mkdirSync(join(home, '.ssh'), { mode: 0o700 });
      const key = join(home, '.ssh', 'login');
      copyFileSync(w.host.loginKey, key);
      // The host's key recorded differently: had the file read as empty, the key would be "new".
      const other = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(home, 'other')]);
      assert.equal(other.status, 0);
      const otherPub = readFileSync(join(home, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
      const kh = join(home, '.ssh', 'known_hosts');
      writeFileSync(kh, `[127.0.0.1]:${w.host.port} ${otherPub}\n`);
      for (const p of [home, join(home, '.ssh'), key, join(home, 'other'), join(home, 'other.pub')]) chownSync(p, nobody, nobody);
      chmodSync(key, 0o600);
      const env = { PATH: process.env.PATH, HOME: home, CI: '1', GH_TOKEN: TOKEN, GITHUB_API_URL: w.gh.url, ...STORAGE.sftp };
      const run = () => runAs(nobody, [...without(args(), '-i'), '-i', key, '--known-hosts', kh, '--accept-new-host-key'], env);
      for (const [owner, mode] of [[nobody, 0o200], [0, 0o600]] as const) {
        chownSync(kh, owner, owner);
        chmodSync(kh, mode);
        const seen = await accepted(w);
        const r = await run();
        assert.equal(r.code, 2, `${owner}:${mode.toString(8)}\n${r.stdout}${r.stderr}`);
        assert.match(r.stderr, new RegExp(`known_hosts file ${kh} cannot be read: permission denied`));
        assert.match(r.stderr, /chown/);
        assert.equal(await accepted(w), seen, 'no login happened');
        assert.equal(w.gh.events().length, 0, 'nothing was written to the repository');
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('a setup with hostile host text and GitHub names: nothing raw reaches the output; values stored as validated', async () => {
    const os = await w.host.run(`rm -f /etc/os-release && printf 'ID=ubuntu\\nVERSION_ID="24.04"\\nPRETTY_NAME="Ubuntu\\033]0;pwned\\007 24.04\\033[2J\\rFAKE LINE"\\n' > /etc/os-release && cat /etc/os-release`);
    assert.equal(os.code, 0, os.stderr);
    assert.match(os.stdout, /\u001b\]0;pwned\u0007/);
    w.gh.setPlaybook({ jobs: [{ name: 'deploy\u001b]0;pwned\u0007\u001b[2J', steps: ['checkout\rFAKE', 'up'] }], stepMs: 15 });
    // GitHub cannot tell when DEPLOY_KEY was written (every read of it fails): the guard must stay on.
    w.gh.setFaults({ fail5xx: { count: 1000, match: /^GET \/repos\/acme\/app\/actions\/secrets\/DEPLOY_KEY$/, status: 502 } });
    const r = await w.run(args(), { SFTP_HOST: ' backup.acme.io', SFTP_PORT: '2222 ' });
    w.gh.setFaults({});
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(!CONTROL.test(r.stdout + r.stderr), JSON.stringify((r.stdout + r.stderr).match(/.{0,20}[\u001b\u0007\r].{0,20}/)?.[0]));
    assert.match(r.stdout, /Ubuntu 24\.04FAKE LINE/);
    assert.equal(w.gh.secretValue(REPO, 'SFTP_HOST'), 'backup.acme.io');
    assert.equal(w.gh.secretValue(REPO, 'SFTP_PORT'), '2222');
    const saved = JSON.parse(readFileSync(configFile(w.home), 'utf8'));
    assert.equal(saved.record.deployKey.secretUpdatedAt, 'unknown', 'an unread time is recorded as unknown, not left out');
  });

  test('after an unread write time, a DEPLOY_KEY written by someone else is never locked out', async () => {
    // Someone else (another machine) rotated: authorized their key with our marker, wrote DEPLOY_KEY, and stopped before removing ours.
    const dir = mkdtempSync(join(tmpdir(), 'clh-other-'));
    const keyFile = join(dir, 'id');
    const date = new Date().toISOString().slice(0, 10);
    assert.equal(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `create-litestream-host ${REPO} ${date}`, '-f', keyFile]).status, 0);
    const pub = readFileSync(`${keyFile}.pub`, 'utf8').trim();
    const add = await w.host.run(`printf '%s\\n' "no-port-forwarding,no-agent-forwarding,no-X11-forwarding ${pub}" >> /home/deploy/.ssh/authorized_keys`);
    assert.equal(add.code, 0);
    const gh = createGitHubClient({ token: new Sensitive(TOKEN), baseUrl: w.gh.url });
    const ref = { owner: 'acme', repo: 'app' };
    const pk = await getPublicKey(gh, ref);
    await new Promise((r) => setTimeout(r, 1100)); // a later updated_at than our write
    await putSecret(gh, ref, 'DEPLOY_KEY', await sealSecret(new Sensitive(readFileSync(keyFile, 'utf8')), pk.key), pk.keyId);
    const r = await w.run([...args(), '--no-release']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const inSecret = join(dir, 'in-secret');
    writeFileSync(inSecret, w.gh.secretValue(REPO, 'DEPLOY_KEY')!, { mode: 0o600 });
    const login = await w.host.ssh(['true'], { key: inSecret, user: 'deploy' });
    assert.equal(login.code, 0, `the key in DEPLOY_KEY logs in: ${login.stderr}`);
    rmSync(dir, { recursive: true, force: true });
  });

  test('saved connection answers are not used for another --host', async () => {
    w.gh.reset();
    const seen = await connections(w);
    const r = await w.run([...without(args(), '--host', '--ssh-host', '--ssh-port', '--user', '-i'), '--host', 'other.acme.io']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--user is required/);
    assert.equal(await connections(w), seen, 'the previous host was not contacted');
    assert.equal(w.gh.events().length, 0);
    // The same host, spelled with a capital and a final dot: the saved answers apply.
    const same = await w.run([...without(args(), '--host', '--ssh-host', '--ssh-port', '--user', '-i'), '--host', 'App.acme.io.', '--dry-run']);
    assert.equal(same.code, 0, same.stdout + same.stderr);
  });

  test('a damaged saved record is kept aside with the time, said, and the run goes on as a first run', async () => {
    const file = configFile(w.home);
    writeFileSync(file, '{"defaults": {"host": "app.acme.io"}, "record": {"secr');
    const r = await w.run([...args(), '--no-release']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /warning: the saved state of acme\/app .* is damaged: this run goes on as a first run would; the file is kept as .*\.damaged-/);
    const aside = readdirSync(dirname(file)).filter((n) => n.includes('.damaged-'));
    assert.equal(aside.length, 1);
    assert.equal(readFileSync(join(dirname(file), aside[0]!), 'utf8'), '{"defaults": {"host": "app.acme.io"}, "record": {"secr');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).defaults.host, 'app.acme.io', 'a new file was written in its place');
  });

  test('under --yes, a --target the workflow does not use is bad input: exit 2, nothing changed', async () => {
    w.gh.reset();
    await w.host.clearDockerCalls();
    const r = await w.run(w.baseArgs('aws', 'deploy'), STORAGE.aws);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /Release workflow: .* replicates to SFTP, not AWS S3/);
    assert.match(r.stderr, /Use --target sftp/);
    assert.match(r.stderr, /Nothing was changed/);
    assert.doesNotMatch(r.stderr, /re-run resumes/);
    assert.ok(!w.gh.requests().some((q) => q.method !== 'GET'), 'only reads');
    assert.ok(!(await w.host.dockerCalls()).some((c) => c.includes('up')), 'no compose up');
  });

  test('the wizard writes no saved answers on --dry-run', async () => {
    const home = mkdtempSync(join(tmpdir(), 'clh-wizard-dry-'));
    try {
      const storeDir = join(home, 'config');
      const store = fileStore(storeDir);
      const env = { GH_TOKEN: TOKEN, GITHUB_API_URL: w.gh.url, ...STORAGE.sftp };
      const cli = parseCli([...noYes(args()), '--known-hosts', w.knownHosts, '--dry-run']);
      const out = new PassThrough();
      out.resume();
      const log: string[] = [];
      await runSession(
        cli,
        { stdout: out, stderr: out, stdin: new PassThrough(), isTTY: true },
        { store, draft: draftFrom(cli, env, {}), env, home, loadSaved: (repo) => store.load(repo) },
        new AbortController().signal,
        { prompter: defaultsPrompter(log) },
      );
      assert.match(log.join('\n'), /Dry run: nothing was changed/);
      assert.ok(!existsSync(storeDir) || readdirSync(storeDir).length === 0, `nothing saved: ${existsSync(storeDir) ? readdirSync(storeDir) : ''}`);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
