/** The emulator's public surface; shared by the tests and by `--demo`. */

export interface EmulatorRepoInit {
  /** 'owner/name'; looked up case-insensitively, like GitHub. */
  fullName: string;
  /** Default 'main'. */
  defaultBranch?: string;
  private?: boolean;
  /** path -> content of the first commit ("Initial commit") on the default branch, e.g. '.github/workflows/release.yml'. */
  files?: Record<string, string>;
  /** Pre-existing secrets (plaintext kept for inspection). */
  secrets?: Record<string, string>;
}

export interface EmulatorToken {
  token: string;
  /** Classic token scopes for the X-OAuth-Scopes header; undefined = fine-grained token (no header). */
  scopes?: string[];
  /** Default: all true. */
  repoPermissions?: { admin: boolean; push: boolean; pull: boolean };
  /** Repositories ('owner/name') visible to this token; default: all. */
  canSee?: string[];
  /** Extension: the login `GET /user` answers; default 'octocat'. */
  login?: string;
  /**
   * Fine-grained tokens only: the "Workflows" repository permission, needed to change files
   * under .github/workflows/. Default true. A classic token needs the 'workflow' scope instead.
   */
  workflows?: boolean;
}

export interface FaultPlan {
  /** Added to every request. */
  latencyMs?: number;
  /** The next `count` matching requests answer a 5xx (default 502), then normal. */
  fail5xx?: { count: number; status?: 500 | 502 | 503; match?: RegExp };
  /** The next `count` matching requests answer GitHub's secondary rate limit 403 with retry-after. */
  secondaryRateLimit?: { count: number; retryAfterSec?: number; match?: RegExp };
  /** Every secret PUT answers 502 (for "fails after retries"). */
  failSecretPutsAlways?: boolean;
  /** Act like GitHub Enterprise Server: a dispatch body with return_run_details gets 422. */
  rejectReturnRunDetails?: boolean;
  /**
   * The next `count` matching requests (default: every matching one) are read and then never
   * answered, as behind a stuck proxy; with `midway` the status line, headers and half the
   * body are sent first. Held until the client gives up or the emulator closes.
   */
  hang?: { count?: number; match?: RegExp; midway?: boolean };
}

export interface RunPlaybook {
  jobs: { name: string; steps: string[] }[];
  /** Duration of each step, default 50. */
  stepMs?: number;
  /** Default 'success'. With 'failure' the last step of the last job fails. */
  conclusion?: 'success' | 'failure';
  /** Extension: how long a new run stays queued, default = stepMs. */
  queuedMs?: number;
}

export interface EmulatorRequestLog {
  method: string;
  /** Path and query string, as requested. */
  path: string;
  status: number;
  /** Epoch milliseconds (fractional). */
  start: number;
  end: number;
}

export interface EmulatorEvent {
  /** secret-put, dispatch (the API call), push (a branch moved), run (a workflow run was created). */
  kind: 'secret-put' | 'dispatch' | 'push' | 'run';
  repo: string;
  /** The secret name (secret-put), the workflow file (dispatch, run) or the branch (push). */
  name?: string;
  /** push: the branch's new head; run: the run's head sha. */
  sha?: string;
  /** run: what started it. */
  trigger?: 'workflow_dispatch' | 'push' | 'workflow_run';
  /** run: its id. */
  runId?: number;
  /** push: the head commit's message carries [skip ci] or a similar marker, so no push workflow started. */
  skipCi?: boolean;
  at: number;
}

export interface EmulatorCommit {
  sha: string;
  message: string;
  parents: string[];
  tree: string;
  author: { name: string; email: string; date: string };
  /** Paths this commit adds, changes or removes relative to its first parent. */
  changed: string[];
}

export interface EmulatorRun {
  id: number;
  /** 'release.yml' */
  workflow: string;
  /** The workflow's name at the run's commit. */
  name: string;
  event: 'workflow_dispatch' | 'push' | 'workflow_run';
  branch: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | null;
  createdAt: number;
  /** workflow_run: the run that started this one. */
  triggeredBy?: number;
  /** runs-on labels of each job. */
  labels: string[][];
}

export interface GitHubEmulator {
  /** e.g. http://127.0.0.1:PORT — use as octokit's baseUrl. */
  url: string;
  addRepo(init: EmulatorRepoInit): void;
  addToken(t: EmulatorToken): void;
  /**
   * Renames (or transfers) a repository, as GitHub does: the old name then answers 301 with a
   * Location under /repositories/ID, which answers like the new name. Returns the id.
   */
  renameRepo(from: string, to: string): number;
  setFaults(f: FaultPlan): void;
  /** Without `workflowFile`: the default for every workflow without a playbook of its own. */
  setPlaybook(p: RunPlaybook, workflowFile?: string): void;
  /** Called with "METHOD /path?query" before each request is handled; undefined removes it. */
  onRequest(hook: ((route: string) => Promise<void> | void) | undefined): void;
  /** The opened plaintext. */
  secretValue(repo: string, name: string): string | undefined;
  secrets(repo: string): { name: string; created_at: string; updated_at: string; value: string }[];
  /** Runs created by workflow_dispatch, oldest first. */
  dispatches(repo: string): { workflow: string; ref: string; inputs: Record<string, string>; at: number; runId: number }[];
  /** Every run, oldest first, with its state now. */
  runs(repo: string): EmulatorRun[];
  /** Files (path -> UTF-8 text) at the head of a branch, tag or commit sha; default: the default branch. */
  files(repo: string, ref?: string): Record<string, string>;
  /** History from the head of `ref` (default branch by default), newest first, following first parents. */
  commits(repo: string, ref?: string): EmulatorCommit[];
  /** Head commit sha of a branch (default: the default branch). */
  headSha(repo: string, branch?: string): string;
  /**
   * Extension: a push from outside the API (someone's `git push`): commits `files` (null deletes)
   * on top of the branch's head and moves the branch, with push events and workflows. Returns the sha.
   */
  push(repo: string, change: { message: string; files: Record<string, string | null>; branch?: string; author?: string }): string;
  requests(): EmulatorRequestLog[];
  stats(): { total: number; maxConcurrent: number; byMethod: Record<string, number> };
  /** Ordered, to assert e.g. "release dispatched after the last secret write". */
  events(): EmulatorEvent[];
  /** Clears the request log, stats, events and faults; repositories, secrets and runs stay. */
  reset(): void;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Default 0 (any free port). Always bound to 127.0.0.1. */
  port?: number;
  /** Extension: base of html_url links, default 'https://github.com'. */
  htmlUrl?: string;
  /**
   * Runner labels GitHub no longer serves: a job asking for one stays queued forever. Default
   * RETIRED_RUNNER_LABELS (ubuntu-16.04/18.04/20.04, windows-2019, macos-11/12); [] serves every label.
   */
  retiredRunners?: string[];
}
