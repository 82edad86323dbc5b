import { UsageError } from '../errors.js';
import { Sensitive } from '../sensitive.js';
import { TARGETS, type TargetId } from '../targets/index.js';
import { SAVED_KEYS, sourceOf, VALUE_FIELDS, type ValueField, type ValueKey } from './fields.js';
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
  /** Consent, under --yes, to install or repair Docker on the host. */
  installDocker: boolean;
  email: string;
  repo: { owner: string; repo: string };
  apiUrl: string;
  target: TargetId;
  /** Raw values as the user gave them; a field may be absent when the repository already holds it. */
  storage: Record<string, Sensitive>;
  token: Sensitive;
  workflowFile: string;
  release: boolean;
  /** Consent, given up front, to commit the workflow repairs the plan proposes. */
  repairWorkflow: boolean;
  rotate: boolean;
  rotateItems: RotateItem[];
  keepDeployKey: string | undefined;
  dryRun: boolean;
  /** --verify: change nothing, run the checks of the outcome only. */
  verifyOnly: boolean;
  /** The checks after a release (off with --no-verify). */
  verifyAfter: boolean;
  yes: boolean;
  /** The inputs kept for the next run of this repository (never a secret, never a default). */
  answers: SavedDefaults;
}

/** The inputs kept per repository for the next run: the fields marked `saved`. */
export type SavedKey = { [K in ValueKey]: (typeof VALUE_FIELDS)[K]['saved'] extends true ? K : never }[ValueKey];
export type SavedDefaults = { [K in SavedKey]?: string };

/** The inputs a run is made of: the saved ones and the repository. */
type DraftKey = SavedKey | 'repo';
const DRAFT_KEYS: readonly DraftKey[] = [...(SAVED_KEYS as SavedKey[]), 'repo'];

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

const TOKEN_SOURCE = 'GH_TOKEN (or GITHUB_TOKEN, or `gh auth login`)';

/** The flag, or environment variable, a user would set to supply a field. */
export const fieldSource = (field: string): string =>
  field === 'token' ? TOKEN_SOURCE : field in VALUE_FIELDS ? sourceOf(field as ValueKey) : field;

export const repoName = (s: { repo: { owner: string; repo: string } }): string => `${s.repo.owner}/${s.repo.repo}`;

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
  // As gh does: an Enterprise host's token is GH_ENTERPRISE_TOKEN (or GITHUB_ENTERPRISE_TOKEN) first.
  const apiUrl = pick(cli.githubApiUrl, env.GITHUB_API_URL, saved.githubApiUrl);
  const enterprise = apiUrl !== undefined && !/^https?:\/\/api\.github\.com\/?$/i.test(apiUrl);
  const token = [...(enterprise ? [env.GH_ENTERPRISE_TOKEN, env.GITHUB_ENTERPRISE_TOKEN] : []), env.GH_TOKEN, env.GITHUB_TOKEN, detected.token].find((x) => x !== undefined && x !== '');
  const storage: Record<string, Sensitive> = {};
  for (const t of Object.values(TARGETS))
    for (const f of t.fields) {
      const raw = env[f.name];
      const val = raw === undefined || f.secret ? raw : normalizeInput(raw);
      if (val !== undefined && val !== '') storage[f.name] = new Sensitive(val);
    }
  const draft: Draft = {
    token: token ? new Sensitive(token) : undefined,
    passphrase: env.SSH_KEY_PASSPHRASE ? new Sensitive(env.SSH_KEY_PASSPHRASE) : undefined,
    storage,
  };
  for (const k of DRAFT_KEYS) {
    const f: ValueField = VALUE_FIELDS[k];
    draft[k] = pick(cli[k], ...(f.env ?? []).map((e) => env[e]), k === 'repo' ? detected.repo : saved[k]);
  }
  return draft;
}

/** Every problem with the draft at once, so a user fixes them in one go. */
export function checkDraft(d: Draft, opts: { storageAlreadySet?: (name: string) => boolean } = {}): Problem[] {
  const problems: Problem[] = [];
  for (const k of DRAFT_KEYS) {
    const f: ValueField = VALUE_FIELDS[k];
    const value = d[k];
    if (value === undefined || value === '') {
      if (f.required) problems.push({ field: k, message: `${fieldSource(k)} is required` });
      continue;
    }
    const p = f.validate?.(value);
    if (p) problems.push({ field: k, message: `${fieldSource(k)} ${p}` });
  }
  if (!d.token) problems.push({ field: 'token', message: `a GitHub token is required: set ${TOKEN_SOURCE}` });
  if (d.target && !VALUE_FIELDS.target.validate(d.target)) {
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
  const out: string[] = [];
  if ((d.deployUser ?? d.user) === 'root')
    out.push('the release workflow will log in as root (--deploy-user defaults to --user): --deploy-user deploy creates a separate user');
  if (!d.target || VALUE_FIELDS.target.validate(d.target)) return out;
  for (const f of TARGETS[d.target as TargetId].fields) {
    const val = d.storage[f.name];
    const w = val && f.warn?.(val.reveal());
    if (w) out.push(`${f.name} ${w}`);
  }
  return out;
}

/** What an input is when not given; a saved answer equal to it is not kept. */
function defaultsFor(d: Draft): SavedDefaults {
  const host = d.host?.replace(/\.$/, '').toLowerCase();
  return { sshHost: host, sshPort: '22', deployUser: d.user, knownHosts: '~/.ssh/known_hosts', workflow: 'release.yml', githubApiUrl: DEFAULT_API_URL };
}

export function toSettings(d: Draft, cli: CliOptions, home: string, opts: { storageAlreadySet?: (name: string) => boolean } = {}): Settings {
  const problems = checkDraft(d, opts);
  if (problems.length) throw new InvalidInput(problems);
  const [owner, repo] = d.repo!.split('/') as [string, string];
  const target = d.target as TargetId;
  const storage: Record<string, Sensitive> = {};
  for (const f of TARGETS[target].fields) if (d.storage[f.name]) storage[f.name] = d.storage[f.name]!;
  const dflt = defaultsFor(d);
  const answers: SavedDefaults = {};
  for (const k of SAVED_KEYS as SavedKey[]) if (d[k] !== undefined && d[k] !== dflt[k]) answers[k] = d[k];
  const value = (k: SavedKey) => d[k] ?? dflt[k]!;
  return {
    host: dflt.sshHost!,
    sshHost: value('sshHost'),
    sshPort: Number(value('sshPort')),
    user: d.user!,
    deployUser: value('deployUser'),
    identity: d.identity ? expandHome(d.identity, home) : undefined,
    passphrase: d.passphrase,
    knownHostsPath: expandHome(value('knownHosts'), home),
    acceptNewHostKey: cli.acceptNewHostKey,
    installDocker: cli.installDocker,
    email: d.email!,
    repo: { owner, repo },
    apiUrl: value('githubApiUrl').replace(/\/+$/, ''),
    target,
    storage,
    token: d.token!,
    workflowFile: value('workflow'),
    release: cli.release,
    repairWorkflow: cli.repairWorkflow,
    rotate: cli.rotate,
    rotateItems: rotateItemsOf(cli),
    keepDeployKey: cli.keepDeployKey ? expandHome(cli.keepDeployKey, home) : undefined,
    dryRun: cli.dryRun,
    verifyOnly: cli.verify,
    verifyAfter: cli.verifyAfter,
    yes: cli.yes,
    answers,
  };
}

export const expandHome = (p: string, home: string): string => (p === '~' ? home : p.startsWith('~/') ? `${home}/${p.slice(2)}` : p);

export class InvalidInput extends UsageError {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => p.message).join('\n'));
  }
}
