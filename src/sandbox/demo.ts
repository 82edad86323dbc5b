/**
 * `--demo`: the whole run, with the real engine, ssh2, sealing and octokit, against a
 * sandbox started in this process: a simulated Ubuntu droplet (src/sandbox/droplet.ts) and a
 * simulated GitHub (src/sandbox/github-emulator.ts). No account, no network, no system
 * program; the only file written is a known_hosts in a temporary folder, removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAsset } from '../assets.js';
import type { CliOptions } from '../config/options.js';
import { toSettings, type Draft, type Settings } from '../config/settings.js';
import { memoryStore } from '../config/store.js';
import type { EngineEvent, Plan, Summary } from '../engine/types.js';
import { parseKeyLine } from '../host/authorized-keys.js';
import type { HostKeyInfo } from '../host/connect.js';
import type { AuthSource } from '../host/transport.js';
import { Sensitive } from '../sensitive.js';
import type { Io } from '../cli.js';
import type { Droplet } from './droplet.js';
import type { GitHubEmulator } from './github-emulator.js';

/** The demo's inputs. The storage values are AWS's documentation examples: nothing real. */
export const DEMO = {
  repo: 'demo/litestream-app',
  host: 'app.litestream-demo.dev',
  user: 'root',
  deployUser: 'deploy',
  email: 'you@litestream-demo.dev',
  target: 'aws',
  template: 'blazor-litestream-aws',
  storage: {
    AWS_S3_BUCKET: 'demo-sqlite-replicas',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  } as Record<string, string>,
  /** html_url base of the simulated GitHub: a reserved name, so no link looks real. */
  htmlUrl: 'https://github.sandbox.test',
} as const;

/** The jobs of the template's release.yml, with the steps a dispatched `version: latest` run shows. */
const RELEASE_JOBS = [
  {
    name: 'push_to_registry',
    steps: ['Set up job', 'checkout', 'Env variable assignment', 'Assign version', 'Login to GitHub Container Registry', 'Setup dotnet', 'Build and push Docker image', 'Post checkout', 'Complete job'],
  },
  {
    name: 'deploy_via_ssh',
    steps: ['Set up job', 'checkout', 'repository name fix and env', 'Create .env file', 'copy files to target server via scp', 'Run remote db migrations', 'remote docker-compose up via ssh', 'Post checkout', 'Complete job'],
  },
];

export interface DemoOptions {
  /** Receives every engine event; default: the plain reporter on io.stdout. */
  reporter?: (e: EngineEvent) => void;
  /** Asked for the sandbox's host key (never seen before); default: trust it. */
  confirmNewHostKey?: (info: HostKeyInfo) => Promise<boolean>;
  /** Shown the plan before anything changes; default: no question. */
  confirmPlan?: (plan: Plan) => Promise<boolean>;
}

/** A running sandbox: the droplet, the GitHub emulator and what a run needs to reach them. */
export interface Sandbox {
  droplet: Droplet;
  github: GitHubEmulator;
  /** A GitHub token the emulator accepts (classic, repo + workflow scopes). */
  token: Sensitive;
  /** Logs in as root on the droplet. */
  auth: AuthSource[];
  /** Temporary folder for the known_hosts file; removed by close(). */
  dir: string;
  fast: boolean;
  close(): Promise<void>;
}

/** Starts the droplet and the GitHub emulator. `fast`: short delays, for tests. */
export async function startSandbox(o: { fast?: boolean } = {}): Promise<Sandbox> {
  const fast = !!o.fast;
  const [{ startDroplet }, { startGitHubEmulator }, { parsePrivateKey }] = await Promise.all([
    import('./droplet.js'),
    import('./github-emulator.js'),
    import('../host/connect.js'),
  ]);
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    closers.length = 0;
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), 'clh-demo-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const droplet = await startDroplet({ composeDelayMs: fast ? 0 : 80 });
    closers.push(() => droplet.close());
    const github = await startGitHubEmulator({ htmlUrl: DEMO.htmlUrl });
    closers.push(() => github.close());
    const token = `ghp_${randomBytes(18).toString('hex').slice(0, 36)}`;
    github.addToken({ token, scopes: ['repo', 'workflow'], login: 'demo' });
    github.addRepo({
      fullName: DEMO.repo,
      private: true,
      files: {
        '.github/workflows/release.yml': readAsset('demo/release.yml'),
        '.deploy/docker-compose.yml': readAsset('demo/docker-compose.yml'),
      },
    });
    github.setPlaybook({ jobs: RELEASE_JOBS, stepMs: fast ? 10 : 300, queuedMs: fast ? 10 : 800 });
    return {
      droplet,
      github,
      token: new Sensitive(token),
      auth: [{ kind: 'key', label: 'demo key', key: parsePrivateKey(droplet.loginKey, 'demo key') }],
      dir,
      fast,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The demo's Settings: validated like any run's; flags other than --dry-run, --no-release and --yes do not apply. */
export function demoSettings(sb: Sandbox, cli: CliOptions): Settings {
  const storage: Record<string, Sensitive> = {};
  for (const [k, v] of Object.entries(DEMO.storage)) storage[k] = new Sensitive(v);
  const draft: Draft = {
    host: DEMO.host,
    sshHost: sb.droplet.host,
    sshPort: String(sb.droplet.port),
    user: DEMO.user,
    deployUser: DEMO.deployUser,
    knownHosts: join(sb.dir, 'known_hosts'),
    email: DEMO.email,
    repo: DEMO.repo,
    target: DEMO.target,
    workflow: 'release.yml',
    githubApiUrl: sb.github.url,
    token: sb.token,
    storage,
  };
  const demoCli: CliOptions = { ...cli, acceptNewHostKey: true, rotate: false, rotateOnly: [], keepDeployKey: undefined, identity: undefined };
  return toSettings(draft, demoCli, sb.dir);
}

const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s.padEnd(n));
const octal = (m: number) => m.toString(8).padStart(4, '0');

/**
 * What the sandbox received, checked: every secret opened by the emulator and equal to its
 * input (DEPLOY_KEY: a private key whose public half is authorized on the droplet and logs
 * in), the files on the droplet, the proxy containers, the release. No value is printed.
 */
export async function sandboxReceipt(sb: Sandbox, settings: Settings, summary: Summary): Promise<{ ok: boolean; lines: string[] }> {
  const [{ parsePrivateKey, openPinned }, { publicKeyFromPrivate, fingerprintOfPublicKey }] = await Promise.all([
    import('../host/connect.js'),
    import('../host/deploy-key.js'),
  ]);
  const { droplet, github } = sb;
  const state = droplet.state;
  const du = state.users.get(settings.deployUser);
  const home = du?.home ?? `/home/${settings.deployUser}`;
  const akPath = `${home}/.ssh/authorized_keys`;
  const lines: string[] = [];
  let ok = true;
  const bad = (l: string) => {
    ok = false;
    lines.push(l);
  };

  lines.push('', 'What the sandbox received:');
  const secrets = github.secrets(DEMO.repo);
  lines.push(`  GitHub secrets of ${DEMO.repo}: each sealed here with the repository's public key and opened by the sandbox GitHub`);
  const expected: Record<string, [string, string]> = {
    DEPLOY_HOST: [settings.host, 'equals --host'],
    DEPLOY_API: [settings.host, 'equals --host'],
    DEPLOY_PORT: [String(settings.sshPort), 'equals --ssh-port'],
    DEPLOY_USERNAME: [settings.deployUser, 'equals --deploy-user'],
    LETSENCRYPT_EMAIL: [settings.email, 'equals --email'],
  };
  for (const [k, v] of Object.entries(settings.storage)) expected[k] = [v.reveal(), `equals the ${k} given (${v.length} characters)`];
  const w = Math.max(0, ...secrets.map((s) => s.name.length)) + 2;
  const ak = state.files.get(akPath);
  const authorizedBlobs = new Set((ak?.content ?? '').split('\n').map((l) => parseKeyLine(l)?.blob).filter(Boolean));
  for (const s of secrets) {
    const head = `    opened  ${pad(s.name, w)}`;
    if (s.name === 'DEPLOY_KEY') {
      try {
        const key = parsePrivateKey(s.value, 'DEPLOY_KEY');
        const pub = publicKeyFromPrivate(s.value);
        const blob = pub.split(' ')[1]!;
        const fp = fingerprintOfPublicKey(pub);
        if (!s.value.endsWith('\n') || s.value.includes('\r')) bad(`${head}MISMATCH: not LF line endings with a final newline`);
        else if (!authorizedBlobs.has(blob)) bad(`${head}MISMATCH: ${key.type} key ${fp} is not in ${akPath}`);
        else {
          const hostBlob = Buffer.from(droplet.hostKeyLine.split(' ')[1]!, 'base64');
          const session = await openPinned({ sshHost: settings.sshHost, sshPort: settings.sshPort, user: settings.deployUser }, hostBlob, key);
          try {
            const r = await session.exec(['id', '-un']);
            if (r.code !== 0 || r.stdout.trim() !== settings.deployUser) bad(`${head}MISMATCH: ${fp} logs in but runs as "${r.stdout.trim()}"`);
            else lines.push(`${head}${key.type} private key ${fp}: its public half is in ${akPath}, and it logs in as ${settings.deployUser}`);
          } finally {
            session.close();
          }
        }
      } catch (e) {
        bad(`${head}MISMATCH: ${(e as Error).message}`);
      }
      continue;
    }
    const want = expected[s.name];
    if (!want) lines.push(`${head}set (not by this run)`);
    else if (want[0] !== s.value) bad(`${head}MISMATCH: the opened value differs from the input`);
    else lines.push(`${head}${want[1]}`);
  }
  for (const n of summary.secretsWritten) if (!secrets.some((s) => s.name === n)) bad(`    MISSING ${n}: the run wrote it, the sandbox GitHub does not have it`);

  lines.push('  Files on the droplet:');
  const files: [string, (c: string) => string | undefined][] = [
    ['/usr/local/bin/docker-compose', (c) => (c.includes('exec docker compose --compatibility "$@"') ? 'exec docker compose --compatibility "$@"' : undefined)],
    [summary.proxyFile, (c) => (c.includes(`DEFAULT_EMAIL=${settings.email}`) ? `nginx-proxy + acme-companion, DEFAULT_EMAIL = --email${/name: nginx\b/.test(c) ? ', network nginx' : ''}` : undefined)],
    [akPath, (c) => `${c.split('\n').filter((l) => l.includes('create-litestream-host')).length} deploy key(s) of this program`],
  ];
  const fw = Math.max(...files.map(([p]) => p.length)) + 2;
  for (const [path, describe] of files) {
    const f = state.files.get(path);
    const what = f && describe(f.content);
    if (!f || !what) bad(`    MISSING ${path}${f ? ': not the expected content' : ''}`);
    else lines.push(`    ${pad(path, fw)}${octal(f.mode)} ${pad(f.owner, 8)}${what}`);
  }
  const running = [...state.containers].sort();
  if (!running.includes('nginx-proxy') || !running.includes('nginx-proxy-le')) bad(`  Containers: MISSING the proxy (running: ${running.join(', ') || 'none'})`);
  else lines.push(`  Containers running: ${running.join(', ')} (docker compose -p nginx-proxy)`);
  if (droplet.unrecognised.length)
    bad(`  Commands run over SSH: ${droplet.execLog.length}, ${droplet.unrecognised.length} NOT recognised by the sandbox droplet: ${droplet.unrecognised.map((c) => c.slice(0, 80)).join(' | ')}`);
  else lines.push(`  Commands run over SSH: ${droplet.execLog.length}, every one recognised by the sandbox droplet`);

  if (settings.release) {
    const runs = github.dispatches(DEMO.repo);
    if (summary.conclusion !== 'success' || !runs.length) bad(`  Release: ${summary.conclusion ?? 'not run'}`);
    else {
      const steps = RELEASE_JOBS.reduce((n, j) => n + j.steps.length, 0);
      lines.push(`  Release: ${runs[0]!.workflow} dispatched with version=${runs[0]!.inputs.version ?? '?'}, ${RELEASE_JOBS.length} jobs and ${steps} steps, conclusion: ${summary.conclusion}`);
    }
  }
  return { ok, lines };
}

/**
 * The sandbox listens on a random local port; a droplet's sshd is on 22, where the
 * template's literal `port: 22` is right. Say so instead of warning about it.
 */
const sandboxNote = (settings: Settings) => {
  const portWarning = new RegExp(`^SSH port ${settings.sshPort}: .*port: 22`);
  return (e: EngineEvent): EngineEvent =>
    e.type === 'warning' && portWarning.test(e.message)
      ? { type: 'warning', message: `(sandbox only) SSH is on port ${settings.sshPort} here; on a droplet it is 22, which is what release.yml's \`port: 22\` expects` }
      : e;
};

/** On a terminal: the same guided wizard as a real run, every answer prefilled for the sandbox. */
async function runDemoWizard(cli: CliOptions, env: Record<string, string | undefined>, io: Io): Promise<number> {
  const [{ runWizardWith }, { mkdir, writeFile }] = await Promise.all([import('../interview/run-wizard.js'), import('node:fs/promises')]);
  const sb = await startSandbox({ fast: env.CLH_DEMO_FAST === '1' });
  try {
    // The sandbox's folder plays the user's home: the demo login key is its ~/.ssh/id_ed25519.
    const home = sb.dir;
    await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    const identity = join(home, '.ssh', 'id_ed25519');
    await writeFile(identity, sb.droplet.loginKey, { mode: 0o600 });
    const s = demoSettings(sb, cli);
    const draft: Draft = {
      host: s.host,
      sshHost: s.sshHost,
      sshPort: String(s.sshPort),
      user: s.user,
      deployUser: s.deployUser,
      identity,
      knownHosts: s.knownHostsPath,
      email: s.email,
      repo: DEMO.repo,
      target: s.target,
      workflow: s.workflowFile,
      githubApiUrl: s.apiUrl,
      token: s.token,
      storage: s.storage,
    };
    return await runWizardWith({ ...cli, rotate: false, rotateOnly: [] }, io, {
      store: memoryStore(),
      draft,
      env: { ...env, SSH_AUTH_SOCK: undefined },
      home,
      sourceLabel: 'the sandbox',
      banner: [
        'Demo: a sandbox run. The host is a simulated Ubuntu droplet and GitHub',
        'a simulated API, both inside this process: nothing real is touched.',
        'Press Enter to take each prefilled answer.',
      ].join('\n'),
      trustByDefault: true,
      depsOverrides: { pollMs: sb.fast ? 20 : 100 },
      mapEvent: sandboxNote(s),
      afterRun: async (settings, summary) => {
        const r = await sandboxReceipt(sb, settings, summary);
        // The receipt's own heading repeats the note's title.
        return { ok: r.ok, title: 'What the sandbox received', lines: r.lines.filter((l, i) => !(i < 3 && (!l.trim() || /^What the sandbox received/.test(l)))).map((l) => l.replace(/^  /, '')) };
      },
    });
  } finally {
    await sb.close();
  }
}

export async function runDemo(cli: CliOptions, env: Record<string, string | undefined>, io: Io, opts: DemoOptions = {}): Promise<number> {
  if (io.isTTY && !cli.yes && !env.CI && !opts.reporter) return runDemoWizard(cli, env, io);
  const out = (s: string) => void io.stdout.write(`${s}\n`);
  const err = (s: string) => void io.stderr.write(`${s}\n`);
  const fast = env.CLH_DEMO_FAST === '1';
  const started = Date.now();
  let sb: Sandbox | undefined;
  try {
    const [{ realDeps }, { plainReporter }, { runOnboarding }] = await Promise.all([
      import('../cli.js'),
      import('../ui/plain-reporter.js'),
      import('../engine/run.js'),
    ]);
    out('create-litestream-host --demo: a sandbox run. Nothing real is touched: no server, no GitHub account, no network.');
    sb = await startSandbox({ fast });
    const settings = demoSettings(sb, cli);
    out(`  host    a simulated Ubuntu 24.04 droplet with Docker 27.3.1: an SSH server in this process, ${settings.user}@${settings.sshHost}:${settings.sshPort}`);
    out(`  GitHub  a simulated GitHub API in this process, repository ${DEMO.repo} (the ${DEMO.template} template)`);
    out(`  inputs  --host ${settings.host} --user ${settings.user} --deploy-user ${settings.deployUser} --email ${settings.email} --target ${settings.target}, example AWS keys`);
    out('');
    const deps = await realDeps(settings, env, memoryStore(), {
      pollMs: fast ? 20 : 100,
      confirmNewHostKey: opts.confirmNewHostKey ?? (async () => true),
      ...(opts.confirmPlan ? { confirmPlan: opts.confirmPlan } : {}),
    });
    const report = opts.reporter ?? plainReporter(out, { deployUser: settings.deployUser });
    const emit = (e: EngineEvent) => report(sandboxNote(settings)(e));
    const summary = await runOnboarding(settings, deps, emit, sb.auth);
    if (settings.dryRun) {
      out('');
      out('Dry run: the plan above was made from the sandbox; nothing was changed, not even there.');
      return 0;
    }
    const receipt = await sandboxReceipt(sb, settings, summary);
    for (const l of receipt.lines) out(l);
    out('');
    if (!receipt.ok) {
      err('error: the sandbox did not receive what the run reported (a bug; please report it)');
      return 1;
    }
    out(`Demo finished: success, in ${((Date.now() - started) / 1000).toFixed(1)}s. The sandbox is gone; nothing outside this process was changed.`);
    out('For real: in your app\'s folder, with a fresh host and a GitHub token: npx create-litestream-host');
    return 0;
  } catch (e) {
    const { reportFailure } = await import('../cli.js');
    const code = reportFailure(e, err);
    return code === 130 ? 130 : 1;
  } finally {
    await sb?.close();
  }
}
