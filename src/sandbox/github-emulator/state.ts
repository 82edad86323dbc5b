/** Repositories, tokens and secrets: what the emulated GitHub knows, independent of HTTP. */
import { randomInt } from 'node:crypto';
import sodium from 'libsodium-wrappers';
import type { EmulatorRepoInit, EmulatorToken } from './types.js';
import type { RunRecord } from './runs.js';
import { GitObjects, type FlatEntry, type Person } from './git-objects.js';
import { iso, now } from './http.js';

export interface SecretRecord {
  name: string;
  value: string;
  createdAt: number;
  updatedAt: number;
}

export interface WorkflowEntry {
  id: number;
  /** '.github/workflows/release.yml' */
  path: string;
  /** 'release.yml' — what the API accepts in place of the id. */
  file: string;
  createdAt: number;
}

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  private: boolean;
  /** Blobs, trees and commits. */
  git: GitObjects;
  /** Full ref name ('refs/heads/main', 'refs/tags/v1') -> commit sha. */
  refs: Map<string, string>;
  createdAt: number;
  /** Last time a branch moved (pushed_at). */
  pushedAt: number;
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
  secrets: Map<string, SecretRecord>;
  workflows: WorkflowEntry[];
  runs: RunRecord[];
}

export interface TokenState {
  token: string;
  userId: number;
  login: string;
  /** undefined: a fine-grained token. */
  scopes?: string[];
  permissions: { admin: boolean; push: boolean; pull: boolean };
  /** Fine-grained tokens: the "Workflows" repository permission (classic tokens use the `workflow` scope). */
  workflows: boolean;
  /** Lower-cased full names; undefined: every repository. */
  canSee?: Set<string>;
  /** Primary rate limit bookkeeping, for the x-ratelimit-* headers only. */
  used: number;
}

export const WORKFLOW_FILE = /^\.github\/workflows\/([^/]+\.ya?ml)$/;

/** GitHub upper-cases secret names and compares them case-insensitively. */
export const secretKey = (name: string): string => name.toUpperCase();

export class EmulatorState {
  readonly repos = new Map<string, RepoState>();
  readonly tokens = new Map<string, TokenState>();
  /** Lower-cased former full names -> repository id: GitHub redirects them until the name is taken again. */
  readonly formerNames = new Map<string, number>();
  /** Ids shaped like real ones (large, some beyond 32 bits) to catch narrow parsing in the client. */
  private ids = { repo: 700_000_000, user: 1_000, workflow: 80_000_000, run: 21_000_000_000, job: 58_000_000_000 };

  nextRunId(): number {
    return ++this.ids.run;
  }

  nextJobId(): number {
    return ++this.ids.job;
  }

  addRepo(init: EmulatorRepoInit): RepoState {
    const [owner, name, ...rest] = init.fullName.split('/');
    if (!owner || !name || rest.length) throw new Error(`addRepo: fullName must be 'owner/name', got '${init.fullName}'`);
    const key = init.fullName.toLowerCase();
    if (this.repos.has(key)) throw new Error(`addRepo: ${init.fullName} already exists`);

    const created = now();
    const keypair = sodium.crypto_box_keypair();
    const git = new GitObjects();
    const files = new Map<string, FlatEntry>();
    for (const [path, content] of Object.entries(init.files ?? {})) {
      files.set(path.replace(/^\/+/, ''), { mode: '100644', sha: git.putBlob(Buffer.from(content, 'utf8')) });
    }
    const defaultBranch = init.defaultBranch ?? 'main';
    const author: Person = { name: owner, email: `${owner}@users.noreply.github.com`, date: iso(created) };
    const initial = git.putCommit({ tree: git.treeFromFlat(files), parents: [], message: 'Initial commit', author, committer: author });
    const repo: RepoState = {
      id: ++this.ids.repo,
      owner,
      name,
      fullName: `${owner}/${name}`,
      defaultBranch,
      private: init.private ?? false,
      git,
      refs: new Map([[`refs/heads/${defaultBranch}`, initial.sha]]),
      createdAt: created,
      pushedAt: created,
      // GitHub's key ids are long decimal strings.
      keyId: String(randomInt(100_000_000, 999_999_999)) + String(randomInt(100_000_000, 999_999_999)),
      publicKey: keypair.publicKey,
      privateKey: keypair.privateKey,
      secrets: new Map(),
      workflows: [],
      runs: [],
    };
    this.registerWorkflows(repo, created);
    for (const [secretName, value] of Object.entries(init.secrets ?? {})) this.putSecret(repo, secretName, value);
    this.repos.set(key, repo);
    return repo;
  }

  addToken(t: EmulatorToken): void {
    this.tokens.set(t.token, {
      token: t.token,
      userId: ++this.ids.user,
      login: t.login ?? 'octocat',
      ...(t.scopes ? { scopes: [...t.scopes] } : {}),
      permissions: { ...(t.repoPermissions ?? { admin: true, push: true, pull: true }) },
      workflows: t.workflows ?? true,
      ...(t.canSee ? { canSee: new Set(t.canSee.map((r) => r.toLowerCase())) } : {}),
      used: 0,
    });
  }

  renameRepo(from: string, to: string): RepoState {
    const repo = this.repo(from);
    const [owner, name, ...rest] = to.split('/');
    if (!owner || !name || rest.length) throw new Error(`renameRepo: the new name must be 'owner/name', got '${to}'`);
    if (this.repos.has(to.toLowerCase())) throw new Error(`renameRepo: ${to} already exists`);
    this.repos.delete(repo.fullName.toLowerCase());
    this.formerNames.set(repo.fullName.toLowerCase(), repo.id);
    Object.assign(repo, { owner, name, fullName: `${owner}/${name}` });
    this.repos.set(repo.fullName.toLowerCase(), repo);
    this.formerNames.delete(repo.fullName.toLowerCase());
    return repo;
  }

  repoById(id: number): RepoState | undefined {
    return [...this.repos.values()].find((r) => r.id === id);
  }

  /** The repository a former name now points to, unless a repository holds that name again. */
  movedRepo(owner: string, name: string): RepoState | undefined {
    if (this.findRepo(owner, name)) return undefined;
    const id = this.formerNames.get(`${owner}/${name}`.toLowerCase());
    return id === undefined ? undefined : this.repoById(id);
  }

  findRepo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  /** For the inspection API: a typo in a test should fail loudly, not read as "no secrets". */
  repo(fullName: string): RepoState {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`github emulator: no repository ${fullName}`);
    return repo;
  }

  putSecret(repo: RepoState, name: string, value: string): 'created' | 'updated' {
    const key = secretKey(name);
    const at = now();
    const existing = repo.secrets.get(key);
    if (existing) {
      existing.value = value;
      existing.updatedAt = at;
      return 'updated';
    }
    repo.secrets.set(key, { name: key, value, createdAt: at, updatedAt: at });
    return 'created';
  }

  sortedSecrets(repo: RepoState): SecretRecord[] {
    return [...repo.secrets.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  findWorkflow(repo: RepoState, idOrFile: string): WorkflowEntry | undefined {
    return repo.workflows.find((w) => String(w.id) === idOrFile || w.file === idOrFile);
  }

  /** The workflow entry for a file, registered now if GitHub has not seen it yet (a first run on another branch). */
  workflowFor(repo: RepoState, path: string, at: number): WorkflowEntry {
    const known = repo.workflows.find((w) => w.path === path);
    if (known) return known;
    const entry: WorkflowEntry = { id: ++this.ids.workflow, path, file: path.split('/').at(-1) ?? path, createdAt: at };
    repo.workflows.push(entry);
    return entry;
  }

  /** GitHub lists a workflow once its file is on the default branch; a workflow stays listed after that. */
  registerWorkflows(repo: RepoState, at: number): void {
    for (const path of [...filesAt(repo, defaultHead(repo)).keys()].sort()) {
      const m = WORKFLOW_FILE.exec(path);
      if (m?.[1] && !repo.workflows.some((w) => w.path === path)) repo.workflows.push({ id: ++this.ids.workflow, path, file: m[1], createdAt: at });
    }
  }
}

export const branchHead = (repo: RepoState, branch: string): string | undefined => repo.refs.get(`refs/heads/${branch}`);

export const defaultHead = (repo: RepoState): string => branchHead(repo, repo.defaultBranch) ?? '';

export const filesAt = (repo: RepoState, commitSha: string): Map<string, FlatEntry> => repo.git.filesAt(commitSha);

/** A file's text at a commit, or undefined. */
export function fileText(repo: RepoState, commitSha: string, path: string): string | undefined {
  const entry = filesAt(repo, commitSha).get(path);
  return entry ? repo.git.text(entry.sha) : undefined;
}

/**
 * What GitHub accepts as a ref in `?ref=` and similar: a branch or tag name, `refs/heads/x`,
 * `heads/x`, or a commit sha (7 hex digits or more).
 */
export function resolveCommitish(repo: RepoState, ref: string): string | undefined {
  const direct = repo.refs.get(ref) ?? repo.refs.get(`refs/${ref}`) ?? repo.refs.get(`refs/heads/${ref}`) ?? repo.refs.get(`refs/tags/${ref}`);
  if (direct) return direct;
  if (/^[0-9a-f]{7,40}$/i.test(ref)) {
    const matches = [...repo.git.commits.keys()].filter((sha) => sha.startsWith(ref.toLowerCase()));
    if (matches.length === 1) return matches[0];
  }
  return undefined;
}
