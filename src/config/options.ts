import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

/** What the command line said, before environment, env file and saved defaults are merged. */
export interface CliOptions {
  host?: string;
  sshHost?: string;
  sshPort?: string;
  user?: string;
  deployUser?: string;
  identity?: string;
  knownHosts?: string;
  acceptNewHostKey: boolean;
  email?: string;
  repo?: string;
  githubApiUrl?: string;
  target?: string;
  envFile?: string;
  workflow?: string;
  release: boolean;
  rotate: boolean;
  rotateOnly: RotateItem[];
  keepDeployKey?: string;
  dryRun: boolean;
  yes: boolean;
  demo: boolean;
  help: boolean;
  version: boolean;
}

export type RotateItem = 'deploy-key' | 'storage' | 'email';

export const SPEC = {
  host: { type: 'string' },
  'ssh-host': { type: 'string' },
  'ssh-port': { type: 'string' },
  user: { type: 'string' },
  'deploy-user': { type: 'string' },
  identity: { type: 'string', short: 'i' },
  'known-hosts': { type: 'string' },
  'accept-new-host-key': { type: 'boolean' },
  email: { type: 'string' },
  repo: { type: 'string' },
  'github-api-url': { type: 'string' },
  target: { type: 'string' },
  'env-file': { type: 'string' },
  workflow: { type: 'string' },
  'no-release': { type: 'boolean' },
  rotate: { type: 'boolean' },
  'rotate-only': { type: 'string', multiple: true },
  'keep-deploy-key': { type: 'string' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  demo: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

export const HELP = `create-litestream-host: set up a Linux host and a GitHub repository for the
ServiceStack Litestream templates, then release the app.

Usage: npx create-litestream-host [options]
       npm create litestream-host -- [options]   (npm create: options after --)

With no options on a terminal it asks for what it needs. Every question can be
answered by a flag or an environment variable, so a run can be scripted (--yes).

Host
  --host <name>             public DNS name of the host (DEPLOY_HOST/DEPLOY_API, LetsEncrypt)
  --ssh-host <addr>         address to reach over SSH, when it differs from --host
  --ssh-port <n>            SSH port (default 22); stored as DEPLOY_PORT where read
  --user <name>             SSH login user for setup
  --deploy-user <name>      user the release workflow logs in as (default: --user)
  -i, --identity <file>     private key to log in with (default: the SSH agent, then
                            ~/.ssh/id_ed25519, id_ecdsa, id_rsa)
  --known-hosts <file>      known-hosts file (default ~/.ssh/known_hosts)
  --accept-new-host-key     with --yes: trust and record a host key never seen before;
                            a key that differs from the recorded one is always refused
  --email <addr>            LetsEncrypt email (LETSENCRYPT_EMAIL, DEFAULT_EMAIL)

Repository
  --repo <owner/name>       GitHub repository (default: the git remote "origin")
  --github-api-url <url>    GitHub Enterprise API URL (env GITHUB_API_URL)
  --workflow <file>         release workflow file name (default release.yml)
  --target <aws|azure|sftp> Litestream storage target
  --env-file <file>         read secret values from a dotenv file

Run
  --no-release              do everything but trigger the release
  --rotate                  rotate credentials: new deploy key, storage secrets, email
  --rotate-only <item>      with --rotate: only deploy-key, storage or email (repeatable)
  --keep-deploy-key <file>  also write the new deploy key's private half to this file (0600)
  --dry-run                 inspect host and repository, print the plan, change nothing
  -y, --yes                 never prompt; a missing value is an error
  --demo                    run against a built-in sandbox host and GitHub (no account)
  -h, --help                show this help
  -V, --version             show the version

Environment
  GH_TOKEN, GITHUB_TOKEN    GitHub token (else \`gh auth token\`, else a prompt)
  AWS_S3_BUCKET AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY            (--target aws)
  AZURE_ACCOUNT_KEY AZURE_STORAGEACCOUNT AZURE_CONTAINER           (--target azure)
  SFTP_USERNAME SFTP_PASSWORD SFTP_HOST SFTP_PORT                  (--target sftp)
  SSH_KEY_PASSPHRASE        passphrase of an encrypted --identity key under --yes
  NO_COLOR, CI              plain output without colour or animation

Exit codes: 0 done, 1 a step failed (a re-run resumes), 2 bad usage or input,
130 interrupted.
`;

const ROTATE_ITEMS: readonly RotateItem[] = ['deploy-key', 'storage', 'email'];

/** What a run rotates: nothing without --rotate, everything unless --rotate-only picks. */
export const rotateItemsOf = (cli: Pick<CliOptions, 'rotate' | 'rotateOnly'>): RotateItem[] =>
  cli.rotate ? (cli.rotateOnly.length ? cli.rotateOnly : [...ROTATE_ITEMS]) : [];

export function parseCli(argv: string[]): CliOptions {
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: true }));
  } catch (e) {
    const msg = (e as Error).message;
    // node's messages name the option; keep them, add where to look.
    throw new UsageError(msg.replace(/\. To specify a positional.*$/s, '').replace(/\s+$/, ''), 'run with --help to see every option');
  }
  if (positionals.length)
    throw new UsageError(`unexpected argument "${positionals[0]}"`, 'options start with --; run with --help to see them');
  const s = (k: string) => values[k] as string | undefined;
  const b = (k: string) => values[k] === true;
  const rotateOnly = ((values['rotate-only'] as string[] | undefined) ?? []).map((item) => {
    if (!ROTATE_ITEMS.includes(item as RotateItem))
      throw new UsageError(`--rotate-only: "${item}" is not one of ${ROTATE_ITEMS.join(', ')}`);
    return item as RotateItem;
  });
  if (rotateOnly.length && !b('rotate')) throw new UsageError('--rotate-only needs --rotate');
  return {
    host: s('host'),
    sshHost: s('ssh-host'),
    sshPort: s('ssh-port'),
    user: s('user'),
    deployUser: s('deploy-user'),
    identity: s('identity'),
    knownHosts: s('known-hosts'),
    acceptNewHostKey: b('accept-new-host-key'),
    email: s('email'),
    repo: s('repo'),
    githubApiUrl: s('github-api-url'),
    target: s('target'),
    envFile: s('env-file'),
    workflow: s('workflow'),
    release: !b('no-release'),
    rotate: b('rotate'),
    rotateOnly,
    keepDeployKey: s('keep-deploy-key'),
    dryRun: b('dry-run'),
    yes: b('yes'),
    demo: b('demo'),
    help: b('help'),
    version: b('version'),
  };
}
