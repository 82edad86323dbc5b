import * as v from '../validate.js';

/**
 * One row per input of the command line. The argument parser, `--help`, the wizard's "from
 * …" lines, the answers saved for the next run and the demo's answers all come from here,
 * so an input is added in one place.
 */
export interface ValueField {
  kind: 'value';
  flag: string;
  short?: string;
  /** The placeholder in --help, e.g. `<name>`. */
  arg: string;
  group: Group;
  /** --help's text, one entry per line (the first beside the flag). */
  help: string[];
  /** Environment variables that also give it (after the flag, before saved answers). */
  env?: string[];
  /** Kept in the per-repository file as the next run's default. */
  saved: boolean;
  required?: boolean;
  validate?: v.Check;
}

export interface SwitchField {
  kind: 'switch' | 'list';
  flag: string;
  short?: string;
  /** `--no-release` sets `release: false`. */
  negated?: boolean;
  arg?: string;
  group: Group;
  help: string[];
}

export type Group = 'Host' | 'Repository' | 'Run';

const workflowFile: v.Check = (w) => (/^[\w.-]+\.ya?ml$/.test(w) ? undefined : `"${w}" is not a workflow file name (e.g. release.yml)`);

export const VALUE_FIELDS = {
  host: { kind: 'value', flag: 'host', arg: '<name>', group: 'Host', help: ['public DNS name of the host: the site\'s address,', 'DEPLOY_HOST or DEPLOY_API, and LetsEncrypt\'s name'], saved: true, required: true, validate: v.dnsName },
  sshHost: { kind: 'value', flag: 'ssh-host', arg: '<addr>', group: 'Host', help: ['address to reach over SSH, if not --host'], saved: true, validate: v.sshAddress },
  sshPort: { kind: 'value', flag: 'ssh-port', arg: '<n>', group: 'Host', help: ['SSH port (default 22); DEPLOY_PORT where read'], saved: true, validate: v.port },
  user: { kind: 'value', flag: 'user', arg: '<name>', group: 'Host', help: ['SSH login user for setup'], saved: true, required: true, validate: v.unixUser },
  deployUser: { kind: 'value', flag: 'deploy-user', arg: '<name>', group: 'Host', help: ['user the release workflow logs in as (default:', '--user; created if missing)'], saved: true, validate: v.unixUser },
  identity: {
    kind: 'value', flag: 'identity', short: 'i', arg: '<file>', group: 'Host', saved: true,
    help: ['private key to log in with (default: the SSH', 'agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa)'],
  },
  knownHosts: { kind: 'value', flag: 'known-hosts', arg: '<file>', group: 'Host', help: ['known-hosts file (default ~/.ssh/known_hosts)'], saved: true },
  email: { kind: 'value', flag: 'email', arg: '<addr>', group: 'Host', help: ['LetsEncrypt email (LETSENCRYPT_EMAIL, DEFAULT_EMAIL)'], saved: true, required: true, validate: v.email },
  repo: { kind: 'value', flag: 'repo', arg: '<owner/name>', group: 'Repository', help: ['GitHub repository (default: the git remote "origin")'], saved: false, required: true, validate: v.repo },
  githubApiUrl: {
    kind: 'value', flag: 'github-api-url', arg: '<url>', group: 'Repository', env: ['GITHUB_API_URL'], saved: true, validate: v.apiUrl,
    help: ['GitHub Enterprise API URL (env GITHUB_API_URL)'],
  },
  workflow: { kind: 'value', flag: 'workflow', arg: '<file>', group: 'Repository', help: ['release workflow file name (default release.yml)'], saved: true, validate: workflowFile },
  target: { kind: 'value', flag: 'target', arg: '<aws|azure|sftp>', group: 'Repository', help: ['Litestream storage target'], saved: true, required: true, validate: v.target },
  envFile: { kind: 'value', flag: 'env-file', arg: '<file>', group: 'Repository', help: ['read secret values from a dotenv file'], saved: false },
  keepDeployKey: {
    kind: 'value', flag: 'keep-deploy-key', arg: '<file>', group: 'Run', saved: false,
    help: ['also write the new deploy key\'s private half', 'to this file (0600)'],
  },
} as const satisfies Record<string, ValueField>;

export const SWITCHES = {
  acceptNewHostKey: {
    kind: 'switch', flag: 'accept-new-host-key', group: 'Host',
    help: ['with --yes: trust and record a host key never', 'seen before; a changed key is always refused'],
  },
  installDocker: {
    kind: 'switch', flag: 'install-docker', group: 'Host',
    help: ['with --yes: install or repair Docker (Docker\'s apt', 'repository), start the daemon, join the docker group'],
  },
  release: { kind: 'switch', flag: 'no-release', negated: true, group: 'Run', help: ['do everything but trigger the release'] },
  repairWorkflow: {
    kind: 'switch', flag: 'repair-workflow', group: 'Run',
    help: ['with --yes: commit the workflow repairs the plan', 'shows (a retired runner, a literal port 22)'],
  },
  rotate: { kind: 'switch', flag: 'rotate', group: 'Run', help: ['rotate credentials: new deploy key, storage', 'secrets, email'] },
  rotateOnly: { kind: 'list', flag: 'rotate-only', arg: '<item>', group: 'Run', help: ['with --rotate: only deploy-key, storage or', 'email (repeatable)'] },
  verify: { kind: 'switch', flag: 'verify', group: 'Run', help: ['change nothing; check a host and repository set', 'up before (storage, restore drill); exit 1 naming', 'the first check that fails'] },
  verifyAfter: { kind: 'switch', flag: 'no-verify', negated: true, group: 'Run', help: ['skip the checks that otherwise follow a release'] },
  dryRun: { kind: 'switch', flag: 'dry-run', group: 'Run', help: ['inspect host and repository, print the plan,', 'change nothing'] },
  yes: { kind: 'switch', flag: 'yes', short: 'y', group: 'Run', help: ['never prompt; a missing value is an error'] },
  demo: { kind: 'switch', flag: 'demo', group: 'Run', help: ['run against a built-in sandbox host and GitHub', '(no server, no account)'] },
  help: { kind: 'switch', flag: 'help', short: 'h', group: 'Run', help: ['show this help'] },
  version: { kind: 'switch', flag: 'version', short: 'V', group: 'Run', help: ['show the version'] },
} as const satisfies Record<string, SwitchField>;

export type ValueKey = keyof typeof VALUE_FIELDS;
export type SwitchKey = keyof typeof SWITCHES;
export type Field = ValueField | SwitchField;

/** The inputs in --help's order: by group, then as listed. */
export const HELP_ORDER: readonly (ValueKey | SwitchKey)[] = [
  'host', 'sshHost', 'sshPort', 'user', 'deployUser', 'identity', 'knownHosts', 'acceptNewHostKey', 'installDocker', 'email',
  'repo', 'githubApiUrl', 'workflow', 'target', 'envFile',
  'release', 'repairWorkflow', 'rotate', 'rotateOnly', 'keepDeployKey', 'dryRun', 'verify', 'verifyAfter', 'yes', 'demo', 'help', 'version',
];

export const fieldOf = (k: ValueKey | SwitchKey): Field => (k in VALUE_FIELDS ? VALUE_FIELDS[k as ValueKey] : SWITCHES[k as SwitchKey]);

/** The flag as a user types it: `-i/--identity`, `--host`. */
export const flagName = (f: Field): string => (f.short ? `-${f.short}/--${f.flag}` : `--${f.flag}`);

/** Where a user supplies a value field: its flag, and its environment variable where there is one. */
export const sourceOf = (k: ValueKey): string => {
  const f: ValueField = VALUE_FIELDS[k];
  return f.env ? `${flagName(f)} (or ${f.env.join(', ')})` : flagName(f);
};

export const SAVED_KEYS = (Object.keys(VALUE_FIELDS) as ValueKey[]).filter((k) => VALUE_FIELDS[k].saved);
