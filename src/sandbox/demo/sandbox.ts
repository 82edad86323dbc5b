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
import type { TargetId } from '../../targets/index.js';
import { Sensitive } from '../../sensitive.js';
import type { Droplet } from '../droplet/index.js';
import { deployOnRelease, type Deployment } from './deploy.js';
import type { GitHubEmulator } from '../github-emulator.js';

/**
 * Each target's storage values: documentation examples, nothing real. AWS: its documentation's
 * example keys. Azure: the storage emulator's documented account and its published key.
 * SFTP: a made-up account on a reserved example domain.
 */
export const DEMO_STORAGE: Record<TargetId, { template: string; values: Record<string, string>; about: string }> = {
  aws: {
    template: 'litestream-aws',
    values: { AWS_S3_BUCKET: 'demo-sqlite-replicas', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    about: "AWS's documentation example keys",
  },
  azure: {
    template: 'litestream-azure',
    values: {
      AZURE_STORAGEACCOUNT: 'devstoreaccount1',
      AZURE_CONTAINER: 'demo-sqlite-replicas',
      AZURE_ACCOUNT_KEY: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
    },
    about: "the Azure storage emulator's documented account and key",
  },
  sftp: {
    template: 'litestream-sftp',
    values: { SFTP_USERNAME: 'litestream', SFTP_PASSWORD: 'demo+Passw0rd!EXAMPLE', SFTP_HOST: 'sftp.example.org', SFTP_PORT: '22' },
    about: 'a made-up account on a reserved example domain',
  },
};

/** The demo's inputs (the storage values: --target aws's, see DEMO_STORAGE). */
export const DEMO = {
  repo: 'demo/litestream-app',
  host: 'app.litestream-demo.dev',
  user: 'root',
  deployUser: 'deploy',
  email: 'you@litestream-demo.dev',
  target: 'aws',
  template: 'litestream-aws',
  storage: DEMO_STORAGE.aws.values,
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
  /** The storage target whose template the repository holds. */
  target: TargetId;
  /** What the release deployed on the droplet, once its run completed. */
  deployed?: Deployment;
  close(): Promise<void>;
}

/** Starts the droplet and the GitHub emulator. `fast`: short delays, for tests. `target`: whose template the repository holds (aws). */
export async function startSandbox(o: { fast?: boolean; target?: TargetId } = {}): Promise<Sandbox> {
  const fast = !!o.fast;
  const target = o.target ?? 'aws';
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
        '.github/workflows/release.yml': readAsset(`demo/${target}/release.yml`),
        '.deploy/docker-compose-template.yml': readAsset(`demo/${target}/docker-compose-template.yml`),
      },
    });
    github.setPlaybook({ jobs: RELEASE_JOBS, stepMs: fast ? 10 : 300, queuedMs: fast ? 10 : 800 });
    const sb: Sandbox = {
      droplet,
      github,
      token: new Sensitive(token),
      auth: [{ kind: 'key', label: 'demo key', key: parsePrivateKey(droplet.loginKey, 'demo key') }],
      dir,
      fast,
      target,
      close,
    };
    deployOnRelease({ state: droplet.state, github, repo: DEMO.repo, workflow: 'release.yml', appWriteMs: fast ? 250 : 700, upAgoMs: 2500, onDeploy: (d) => (sb.deployed = d) });
    return sb;
  } catch (e) {
    await close();
    throw e;
  }
}

/** The demo's answers: every input of a run, for the sandbox. */
export function demoDraft(sb: Sandbox, identity: string): Draft {
  const storage: Record<string, Sensitive> = {};
  for (const [k, v] of Object.entries(DEMO_STORAGE[sb.target].values)) storage[k] = new Sensitive(v);
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
    target: sb.target,
    workflow: 'release.yml',
    githubApiUrl: sb.github.url,
    token: sb.token,
    storage,
  };
}
