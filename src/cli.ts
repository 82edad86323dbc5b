import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile, chmod, mkdir, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { readEnvFile } from './config/env-file.js';
import { npmSwallowed } from './config/npm-swallowed.js';
import { HELP, parseCli, rotateItemsOf, type CliOptions } from './config/options.js';
import { draftFrom, draftWarnings, toSettings, type Draft, type Settings } from './config/settings.js';
import { configDir, fileStore, type RepoFile, type Store } from './config/store.js';
import { Interrupted, StepError, UsageError } from './errors.js';
import type { Deps, EngineEvent } from './engine/types.js';
import { repoFromRemote } from './validate.js';
import { version } from './version.js';

export interface Io {
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  isTTY: boolean;
}

const line = (s: NodeJS.WritableStream) => (text: string) => s.write(`${text}\n`);

function gitRemoteRepo(cwd: string): string | undefined {
  const r = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd, encoding: 'utf8', timeout: 3000 });
  return r.status === 0 ? repoFromRemote(r.stdout) : undefined;
}

function ghToken(apiUrl: string | undefined): string | undefined {
  let host = 'github.com';
  try {
    if (apiUrl) host = new URL(apiUrl).host.replace(/^api\./, '');
  } catch {
    return undefined; // a bad --github-api-url is reported by validation, with exit 2
  }
  const r = spawnSync('gh', ['auth', 'token', '--hostname', host], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** A new file only ('wx': never through an existing file or symlink), 0600, renamed into place. */
async function writePrivateFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/** The real side effects. Heavy modules load here, after the first output. */
export async function realDeps(settings: Settings, env: Record<string, string | undefined>, store: Store, extra: Partial<Deps> = {}): Promise<Deps> {
  const [{ createGitHubClient }, { generateDeployKey }] = await Promise.all([import('./github/client.js'), import('./host/deploy-key.js')]);
  return {
    home: homedir(),
    env,
    store,
    github: (s) => createGitHubClient({ token: s.token, baseUrl: s.apiUrl }),
    confirmNewHostKey: async () => settings.acceptNewHostKey,
    generateKey: generateDeployKey,
    now: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    pollMs: Number(env.CLH_POLL_MS) || 3000,
    queuedTimeoutMs: Number(env.CLH_QUEUED_TIMEOUT_MS) || 15 * 60_000,
    writePrivateFile,
    ...extra,
  };
}

/** Collects the inputs from flags, env, env file, saved defaults and detection. */
export async function collectDraft(
  cli: CliOptions,
  env: Record<string, string | undefined>,
  store: Store,
  cwd: string,
): Promise<{ draft: Draft; env: Record<string, string | undefined>; saved: RepoFile | undefined }> {
  const fileEnv = cli.envFile ? await readEnvFile(cli.envFile) : {};
  const merged = { ...env, ...fileEnv };
  const repo = cli.repo ?? gitRemoteRepo(cwd);
  const saved = repo ? await store.load(repo) : undefined;
  const needGh = !merged.GH_TOKEN && !merged.GITHUB_TOKEN;
  const draft = draftFrom(cli, merged, saved?.defaults ?? {}, { repo, token: needGh ? ghToken(cli.githubApiUrl ?? merged.GITHUB_API_URL) : undefined });
  return { draft, env: merged, saved };
}

/** Non-secret answers become the next run's defaults (the engine keeps the record beside them). */
export async function saveDefaults(store: Store, settings: Settings, cli: CliOptions): Promise<void> {
  const repo = `${settings.repo.owner}/${settings.repo.repo}`;
  const file = await store.load(repo);
  file.defaults = savedDefaultsOf(settings, cli);
  await store.save(repo, file);
}

export async function main(argv: string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  const out = line(io.stdout);
  const err = line(io.stderr);
  const swallowed = npmSwallowed(argv, env); // `npm create litestream-host --dry-run` kept it for npm
  if (swallowed) return reportFailure(swallowed, err);
  let cli: CliOptions;
  try {
    cli = parseCli(argv);
  } catch (e) {
    err(`error: ${(e as Error).message}`);
    if (e instanceof UsageError && e.fix) err(`  ${e.fix}`);
    return 2;
  }
  if (cli.help) return void out(HELP.trimEnd()), 0;
  if (cli.version) return void out(version()), 0;
  if (cli.demo) {
    const { runDemo } = await import('./sandbox/demo/index.js');
    return runDemo(cli, env, io);
  }
  // On a terminal with no --yes, the guided wizard; in CI or a pipe, the plain engine run.
  const wizard = io.isTTY && !cli.yes && !env.CI;
  if (!wizard && !cli.yes && !cli.dryRun)
    return reportFailure(
      new UsageError(
        `no terminal to confirm the plan on (${io.isTTY ? 'CI is set' : 'input or output is not a terminal'}) and no --yes: a plan nobody confirmed is never applied`,
        'Add --yes to apply the plan without asking, or --dry-run to only print it',
      ),
      err,
    );
  if (wizard) {
    try {
      const { runWizard } = await import('./interview/run-wizard.js');
      return await runWizard(cli, env, io);
    } catch (e) {
      return reportFailure(e, err);
    }
  }
  const home = homedir();
  const store = fileStore(configDir(env, home), { notice: (m) => err(`warning: ${m}`) });
  try {
    const { draft, env: merged, saved } = await collectDraft(cli, env, store, process.cwd());
    const rotatingStorage = rotateItemsOf(cli).includes('storage');
    const settings = toSettings(draft, cli, home, { storageAlreadySet: (n) => !!saved?.record.secrets[n] && !rotatingStorage });
    for (const w of draftWarnings(draft)) err(`warning: ${w}`);
    const { authSources } = await import('./host/connect.js');
    const auth = await authSources({ identity: settings.identity, passphrase: settings.passphrase, home, agentSocket: merged.SSH_AUTH_SOCK });
    if (!auth.length) throw new UsageError('no SSH key to log in with: no agent (SSH_AUTH_SOCK) and no ~/.ssh/id_ed25519, id_ecdsa or id_rsa', 'pass the key with -i');
    const deps = await realDeps(settings, merged, store);
    const report = (await import('./ui/plain-reporter.js')).plainReporter(out, { deployUser: settings.deployUser });
    const { runOnboarding } = await import('./engine/run.js');
    await runOnboarding(settings, deps, report as (e: EngineEvent) => void, auth);
    if (!settings.dryRun) await saveDefaults(store, settings, cli);
    return 0;
  } catch (e) {
    return reportFailure(e, err);
  }
}

export function savedDefaultsOf(s: Settings, cli: CliOptions) {
  return {
    host: s.host,
    sshHost: s.sshHost !== s.host ? s.sshHost : undefined,
    sshPort: s.sshPort !== 22 ? String(s.sshPort) : undefined,
    user: s.user,
    deployUser: s.deployUser !== s.user ? s.deployUser : undefined,
    identity: cli.identity,
    knownHosts: cli.knownHosts,
    email: s.email,
    target: s.target,
    workflow: s.workflowFile !== 'release.yml' ? s.workflowFile : undefined,
    githubApiUrl: s.apiUrl !== 'https://api.github.com' ? s.apiUrl : undefined,
  };
}

export function reportFailure(e: unknown, err: (s: string) => void): number {
  if (e instanceof UsageError) {
    for (const l of e.message.split('\n')) err(`error: ${l}`);
    if (e.fix) err(`  ${e.fix}`);
    err('Nothing was changed.');
    return 2;
  }
  if (e instanceof StepError) {
    err(`error: ${e.step}: ${e.cause_}`);
    for (const [i, l] of e.fix.split('\n').entries()) err(`${i ? '       ' : '  fix: '}${l}`);
    err('A re-run resumes where this one stopped.');
    return 1;
  }
  if (e instanceof Interrupted) {
    err(e.message);
    return 130;
  }
  err(`error: unexpected failure (a bug; please report it): ${(e as Error).stack ?? e}`);
  return 1;
}

// Runs when this module is the program (bin/ imports it), not when a test imports it.
if (process.argv[1] && /create-litestream-host(\.js)?$|dist[\\/]cli\.js$/.test(process.argv[1])) {
  process.on('SIGINT', () => {
    // Show the cursor again and leave raw mode, whoever hid or set it.
    if (process.stdout.isTTY) process.stdout.write('\u001b[?25h');
    if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
    process.stderr.write('\ninterrupted; nothing is left half-written (a re-run resumes)\n');
    process.exit(130);
  });
  main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, isTTY: !!process.stdout.isTTY && !!process.stdin.isTTY }).then(
    (code) => process.exit(code),
  );
}
