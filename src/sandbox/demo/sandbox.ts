/**
 * The demo's sandbox: its inputs (DEMO), the droplet and the GitHub emulator started in
 * this process with the template's files and release jobs, and the answers a run gets.
 * The repository is the web mix as its users have it: on ubuntu-20.04, which GitHub
 * retired, with a literal `port: 22`, so a demo run walks through the workflow repair.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAsset } from '../../assets.js';
import type { Draft } from '../../config/settings.js';
import type { AuthSource } from '../../host/transport.js';
import { Sensitive } from '../../sensitive.js';
import type { Droplet } from '../droplet/index.js';
import type { GitHubEmulator } from '../github-emulator.js';

/** The demo's inputs. The storage values are AWS's documentation examples: nothing real. */
export const DEMO = {
  repo: 'demo/litestream-app',
  host: 'app.litestream-demo.dev',
  user: 'root',
  deployUser: 'deploy',
  email: 'you@litestream-demo.dev',
  target: 'aws',
  template: 'litestream-aws',
  storage: {
    AWS_S3_BUCKET: 'demo-sqlite-replicas',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  } as Record<string, string>,
  /** html_url base of the simulated GitHub: a reserved name, so no link looks real. */
  htmlUrl: 'https://github.sandbox.test',
} as const;

/** The jobs of the template's release.yml, with the steps a dispatched `version: latest` run shows. */
export const RELEASE_JOBS = [
  {
    name: 'push_to_registry',
    steps: ['Set up job', 'checkout', 'Env variable assignment', 'Assign version', 'Login to GitHub Container Registry', 'Build and push Docker images', 'Post checkout', 'Complete job'],
  },
  {
    name: 'deploy_via_ssh',
    steps: ['Set up job', 'checkout', 'repository name fix and env', 'docker-compose file prep', 'copy compose file via scp', 'Set the value', 'Run remote db migrations', 'remote docker-compose up via ssh', 'Post checkout', 'Complete job'],
  },
];

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
    import('../droplet/index.js'),
    import('../github-emulator.js'),
    import('../../host/connect.js'),
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
        '.deploy/docker-compose-template.yml': readAsset('demo/docker-compose-template.yml'),
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

/** The demo's answers: every input of a run, for the sandbox. */
export function demoDraft(sb: Sandbox, identity: string): Draft {
  const storage: Record<string, Sensitive> = {};
  for (const [k, v] of Object.entries(DEMO.storage)) storage[k] = new Sensitive(v);
  return {
    host: DEMO.host,
    sshHost: sb.droplet.host,
    sshPort: String(sb.droplet.port),
    user: DEMO.user,
    deployUser: DEMO.deployUser,
    identity,
    knownHosts: join(sb.dir, 'known_hosts'),
    email: DEMO.email,
    repo: DEMO.repo,
    target: DEMO.target,
    workflow: 'release.yml',
    githubApiUrl: sb.github.url,
    token: sb.token,
    storage,
  };
}
