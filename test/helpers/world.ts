import { spawn, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github-emulator.js';
import { startSshd, sshdAvailable, type DockerScenario, type TestHost } from '../harness/sshd.js';
import { mixes } from './fixtures.js';
import { deployWatcher, type DeployRecord } from './deploy.js';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'create-litestream-host.js');
export const REPO = 'acme/app';
export const TOKEN = 'ghp_e2etoken';

export const STORAGE: Record<string, Record<string, string>> = {
  aws: { AWS_S3_BUCKET: 'acme-db', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  azure: { AZURE_ACCOUNT_KEY: 'tEst123/tEst123/tEst123/tEst123==', AZURE_STORAGEACCOUNT: 'acmestorage', AZURE_CONTAINER: 'acme-db' },
  sftp: { SFTP_USERNAME: 'backup', SFTP_PASSWORD: `p@ss:w/o#rd?%"'$(id)\`x\``, SFTP_HOST: 'backup.acme.io', SFTP_PORT: '22' },
};

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface World {
  host: TestHost;
  gh: GitHubEmulator;
  home: string;
  knownHosts: string;
  /** Runs bin/ with --yes and the flags for this world; extra args and env override. */
  run(args?: string[], env?: Record<string, string | undefined>): Promise<RunResult>;
  start(args?: string[], env?: Record<string, string | undefined>): { proc: ChildProcess; done: Promise<RunResult> };
  baseArgs(target: string, deployUser?: string): string[];
  /** With `deploy: true`: what each release run's deploy job did on the host, in order. */
  deploys(): DeployRecord[];
  /**
   * With `deploy: true`: deploys the release runs that completed with success and were not
   * deployed yet (the world's gh.onRequest hook does this; a test that sets its own hook calls
   * it from there). Returns the new records.
   */
  deployNow(): Promise<DeployRecord[]>;
  stop(): Promise<void>;
}

export function requireSshd(): void {
  if (!sshdAvailable() && process.env.CI) throw new Error('sshd harness unavailable on CI: .ci/run must install openssh-server and sudo');
}

export const skipWithoutSshd = (): string | false => (sshdAvailable() ? false : 'needs root, sshd and util-linux (CI installs them)');

/** Starts bin/ as a child; `done` resolves with its exit code and output (a signal death counts as 128+n). */
export function startBin(args: string[], env: Record<string, string | undefined>, input?: string): { proc: ChildProcess; done: Promise<RunResult> } {
    // Run the bin file itself, through its shebang, as npx does.
  const proc = spawn(BIN, args, { env: { ...env, PATH: `${dirname(process.execPath)}:${env.PATH ?? ''}` } as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  const done = new Promise<RunResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (d) => (stdout += d));
    proc.stderr!.on('data', (d) => (stderr += d));
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : -1), stdout, stderr }));
  });
  proc.stdin!.end(input ?? '');
  return { proc, done };
}

export const runBin = (args: string[], env: Record<string, string | undefined>, input?: string): Promise<RunResult> => startBin(args, env, input).done;

/** The repository files of a mix, as its users have them. */
export const mixFiles = (name: string): Record<string, string> => {
  const mix = mixes().find((m) => m.name === name)!;
  return { '.github/workflows/release.yml': mix.workflow, [mix.composePath]: mix.compose };
};

/** The web and jamstack mixes run on a retired runner: a --yes run releases them only with the repair. */
export const needsRepair = (mix: string): boolean => !mix.startsWith('blazor');


/**
 * `realStorage`: the test points the host's docker at a storage server (harness/storage-docker.ts)
 * and the checks after a release run. Without it the storage values are made up, the stand-in's
 * Litestream answers "reachable, no replica yet", and no sidecar ever writes a replica, so the
 * restore drill after a release would rightly fail: those runs pass --no-verify.
 *
 * `deploy`: the release run's deploy job really happens (helpers/deploy.ts): the first request
 * the emulator gets after a release.yml run completed with success waits while the world fills
 * in the compose template with the repository's secrets, logs in as DEPLOY_USERNAME with the
 * DEPLOY_KEY secret, writes ~/.deploy/REPO-docker-compose.yml and runs the job's docker-compose
 * commands; the stand-in then runs the sidecar and the app. A failed deploy is logged and kept
 * in `deploys()` (the emulator fixes a run's conclusion when the run starts, so the run still
 * says success).
 */
export async function startWorld(o: { mix: string; scenario?: DockerScenario; secrets?: Record<string, string>; realStorage?: boolean; deploy?: boolean }): Promise<World> {
  requireSshd();
  const mix = mixes().find((m) => m.name === o.mix)!;
  // Retired runners stay queued forever, as on GitHub.
  const [host, gh] = await Promise.all([startSshd({ scenario: o.scenario ?? 'ok' }), startGitHubEmulator()]);
  gh.addToken({ token: TOKEN, scopes: ['repo', 'workflow'] });
  gh.addRepo({ fullName: REPO, files: mixFiles(o.mix), secrets: o.secrets });
  gh.setPlaybook({ jobs: [{ name: 'push_to_registry', steps: ['checkout', 'Build and push'] }, { name: 'deploy_via_ssh', steps: ['checkout', 'remote docker-compose up via ssh'] }], stepMs: 15 });
  const watcher = deployWatcher({ host, gh, repo: REPO });
  if (o.deploy) gh.onRequest(async () => void (await watcher.check()));
  const home = mkdtempSync(join(tmpdir(), 'clh-home-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  const knownHosts = join(home, '.ssh', 'known_hosts');
  writeFileSync(knownHosts, `${host.knownHostsLine}\n`, { mode: 0o600 });
  const env = (target: string): Record<string, string | undefined> => ({
    PATH: process.env.PATH,
    HOME: home,
    CI: '1',
    GH_TOKEN: TOKEN,
    GITHUB_API_URL: gh.url,
    CLH_POLL_MS: '20',
    // --host points where SSH reaches the test host, so the DNS check passes without the network.
    CLH_DNS: JSON.stringify({ 'app.acme.io': { a: ['127.0.0.1'] } }),
    ...STORAGE[target],
  });
  const baseArgs = (target: string, deployUser = 'deploy') => [
    '--yes',
    '--host', 'app.acme.io',
    '--ssh-host', '127.0.0.1',
    '--ssh-port', String(host.port),
    '--user', host.user,
    '--deploy-user', deployUser,
    '-i', host.loginKey,
    '--email', 'ops@acme.io',
    '--repo', REPO,
    '--target', target,
    ...(o.realStorage ? [] : ['--no-verify']),
  ];
  return {
    host,
    gh,
    home,
    knownHosts,
    baseArgs,
    run: (args = baseArgs(mix.target), extraEnv = {}) => runBin(args, { ...env(mix.target), ...extraEnv }),
    start: (args = baseArgs(mix.target), extraEnv = {}) => startBin(args, { ...env(mix.target), ...extraEnv }),
    deploys: () => watcher.deploys(),
    deployNow: () => watcher.check(),
    async stop() {
      await Promise.allSettled([host.stop(), gh.close()]);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
