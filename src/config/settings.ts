import { UsageError } from '../errors.js';
import { Sensitive } from '../sensitive.js';
import { TARGETS, type TargetId } from '../targets/index.js';
import * as v from '../validate.js';
import { rotateItemsOf, type CliOptions, type RotateItem } from './options.js';

/** Everything a run needs, validated. Secrets are wrapped so they cannot be printed. */
export interface Settings {
  host: string;
  sshHost: string;
  sshPort: number;
  user: string;
  deployUser: string;
  identity: string | undefined;
  passphrase: Sensitive | undefined;
  knownHostsPath: string;
  acceptNewHostKey: boolean;
  email: string;
  repo: { owner: string; repo: string };
  apiUrl: string;
  target: TargetId;
  /** Raw values as the user gave them; a field may be absent when the repository already holds it. */
  storage: Record<string, Sensitive>;
  token: Sensitive;
  workflowFile: string;
  release: boolean;
  rotate: boolean;
  rotateItems: RotateItem[];
  keepDeployKey: string | undefined;
  dryRun: boolean;
  yes: boolean;
}

/** Non-secret answers saved per repository for the next run. */
export interface SavedDefaults {
  host?: string;
  sshHost?: string;
  sshPort?: string;
  user?: string;
  deployUser?: string;
  identity?: string;
  knownHosts?: string;
  email?: string;
  target?: string;
  workflow?: string;
  githubApiUrl?: string;
}

/** A partly known set of inputs: what the wizard starts from and fills in. */
export interface Draft extends SavedDefaults {
  repo?: string;
  token?: Sensitive;
  passphrase?: Sensitive;
  storage: Record<string, Sensitive>;
}

export interface Problem {
  field: string;
  message: string;
}

/** The flag, or environment variable, a user would set to supply a field. */
export const FIELD_SOURCE: Record<string, string> = {
  host: '--host',
  sshHost: '--ssh-host',
  sshPort: '--ssh-port',
  user: '--user',
  deployUser: '--deploy-user',
  email: '--email',
  repo: '--repo',
  target: '--target',
  githubApiUrl: '--github-api-url (or GITHUB_API_URL)',
  token: 'GH_TOKEN (or GITHUB_TOKEN, or `gh auth login`)',
  identity: '-i/--identity',
  workflow: '--workflow',
};

export const DEFAULT_API_URL = 'https://api.github.com';

/** The one normalization of a plain (non-secret) value, wherever it comes from. */
export const normalizeInput = (v: string): string => v.trim();

/** Answers that say how to reach one host: they belong to the host they were saved for. */
export const CONNECTION_FIELDS = ['sshHost', 'sshPort', 'user', 'deployUser', 'identity'] as const;

const hostKey = (h: string) => h.trim().replace(/\.$/, '').toLowerCase();
export const sameHost = (a: string, b: string): boolean => hostKey(a) === hostKey(b);

/** The saved answers that apply to a run for `host`: another host's connection answers do not. */
export function savedFor(saved: SavedDefaults, host: string | undefined): SavedDefaults {
  if (host === undefined || saved.host === undefined || sameHost(host, saved.host)) return saved;
  const out = { ...saved };
  for (const k of CONNECTION_FIELDS) delete out[k];
  return out;
}

/**
 * Layers the sources: flags, then environment (an --env-file's values over the process
 * environment), then saved defaults, then what can be detected (the git remote, gh).
 */
export function draftFrom(
  cli: CliOptions,
  env: Record<string, string | undefined>,
  saved: SavedDefaults,
  detected: { repo?: string; token?: string } = {},
): Draft {
  saved = savedFor(saved, cli.host);
  // Plain values are normalized once, here and in the wizard's prompter, before validation:
  // what is stored is exactly what was validated. Secret values are taken byte for byte.
  const pick = (...xs: (string | undefined)[]) => xs.map((x) => (x === undefined ? x : normalizeInput(x))).find((x) => x !== undefined && x !== '');
  const token = [env.GH_TOKEN, env.GITHUB_TOKEN, detected.token].find((x) => x !== undefined && x !== '');
  const storage: Record<string, Sensitive> = {};
  for (const t of Object.values(TARGETS))
    for (const f of t.fields) {
      const raw = env[f.name];
      const val = raw === undefined || f.secret ? raw : normalizeInput(raw);
      if (val !== undefined && val !== '') storage[f.name] = new Sensitive(val);
    }
  return {
    host: pick(cli.host, saved.host),
    sshHost: pick(cli.sshHost, saved.sshHost),
    sshPort: pick(cli.sshPort, saved.sshPort),
    user: pick(cli.user, saved.user),
    deployUser: pick(cli.deployUser, saved.deployUser),
    identity: pick(cli.identity, saved.identity),
    knownHosts: pick(cli.knownHosts, saved.knownHosts),
    email: pick(cli.email, saved.email),
    repo: pick(cli.repo, detected.repo),
    target: pick(cli.target, saved.target),
    workflow: pick(cli.workflow, saved.workflow),
    githubApiUrl: pick(cli.githubApiUrl, env.GITHUB_API_URL, saved.githubApiUrl),
    token: token ? new Sensitive(token) : undefined,
    passphrase: env.SSH_KEY_PASSPHRASE ? new Sensitive(env.SSH_KEY_PASSPHRASE) : undefined,
    storage,
  };
}

/** Every problem with the draft at once, so a user fixes them in one go. */
export function checkDraft(d: Draft, opts: { storageAlreadySet?: (name: string) => boolean } = {}): Problem[] {
  const problems: Problem[] = [];
  const need = (field: keyof Draft & string, value: string | undefined, check?: v.Check) => {
    if (value === undefined || value === '') problems.push({ field, message: `${FIELD_SOURCE[field] ?? field} is required` });
    else if (check) {
      const p = check(value);
      if (p) problems.push({ field, message: `${FIELD_SOURCE[field] ?? field} ${p}` });
    }
  };
  const optional = (field: keyof Draft & string, value: string | undefined, check: v.Check) => {
    if (value !== undefined && value !== '') {
      const p = check(value);
      if (p) problems.push({ field, message: `${FIELD_SOURCE[field] ?? field} ${p}` });
    }
  };
  need('host', d.host, v.dnsName);
  optional('sshHost', d.sshHost, v.sshAddress);
  optional('sshPort', d.sshPort, v.port);
  need('user', d.user, v.unixUser);
  optional('deployUser', d.deployUser, v.unixUser);
  need('email', d.email, v.email);
  need('repo', d.repo, v.repo);
  optional('githubApiUrl', d.githubApiUrl, v.apiUrl);
  optional('workflow', d.workflow, (w) => (/^[\w.-]+\.ya?ml$/.test(w) ? undefined : `"${w}" is not a workflow file name (e.g. release.yml)`));
  if (!d.token) problems.push({ field: 'token', message: `a GitHub token is required: set ${FIELD_SOURCE.token}` });
  need('target', d.target, v.target);
  if (d.target && !v.target(d.target)) {
    for (const f of TARGETS[d.target as TargetId].fields) {
      const val = d.storage[f.name];
      if (!val) {
        if (!opts.storageAlreadySet?.(f.name))
          problems.push({ field: f.name, message: `${f.name} is required for --target ${d.target} (${f.hint}), e.g. ${f.secret ? '…' : f.example}` });
        continue;
      }
      const p = f.validate(val.reveal());
      if (p) problems.push({ field: f.name, message: `${f.name} ${p}` });
    }
  }
  return problems;
}

/** Warnings for values that look unusual but may be right. */
export function draftWarnings(d: Draft): string[] {
  if (!d.target || v.target(d.target)) return [];
  const out: string[] = [];
  for (const f of TARGETS[d.target as TargetId].fields) {
    const val = d.storage[f.name];
    const w = val && f.warn?.(val.reveal());
    if (w) out.push(`${f.name} ${w}`);
  }
  return out;
}

export function toSettings(d: Draft, cli: CliOptions, home: string, opts: { storageAlreadySet?: (name: string) => boolean } = {}): Settings {
  const problems = checkDraft(d, opts);
  if (problems.length) throw new InvalidInput(problems);
  const [owner, repo] = d.repo!.split('/') as [string, string];
  const target = d.target as TargetId;
  const storage: Record<string, Sensitive> = {};
  for (const f of TARGETS[target].fields) if (d.storage[f.name]) storage[f.name] = d.storage[f.name]!;
  return {
    host: d.host!.replace(/\.$/, '').toLowerCase(),
    sshHost: d.sshHost ?? d.host!.replace(/\.$/, '').toLowerCase(),
    sshPort: Number(d.sshPort ?? 22),
    user: d.user!,
    deployUser: d.deployUser ?? d.user!,
    identity: d.identity ? expandHome(d.identity, home) : undefined,
    passphrase: d.passphrase,
    knownHostsPath: expandHome(d.knownHosts ?? '~/.ssh/known_hosts', home),
    acceptNewHostKey: cli.acceptNewHostKey,
    email: d.email!,
    repo: { owner, repo },
    apiUrl: (d.githubApiUrl ?? DEFAULT_API_URL).replace(/\/+$/, ''),
    target,
    storage,
    token: d.token!,
    workflowFile: d.workflow ?? 'release.yml',
    release: cli.release,
    rotate: cli.rotate,
    rotateItems: rotateItemsOf(cli),
    keepDeployKey: cli.keepDeployKey ? expandHome(cli.keepDeployKey, home) : undefined,
    dryRun: cli.dryRun,
    yes: cli.yes,
  };
}

export const expandHome = (p: string, home: string): string => (p === '~' ? home : p.startsWith('~/') ? `${home}/${p.slice(2)}` : p);

export class InvalidInput extends UsageError {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => p.message).join('\n'));
  }
}
