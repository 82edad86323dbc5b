/** What tests read and do beside the HTTP API: files, history, runs, and a push from outside. */
import type { Env } from './context.js';
import { changedPaths, type FlatEntry, type Person } from './git-objects.js';
import { iso } from './http.js';
import { moveBranch } from './pushes.js';
import { playRun } from './runs.js';
import { branchHead, filesAt, resolveCommitish, type RepoState } from './state.js';
import type { EmulatorCommit, EmulatorRun } from './types.js';

function commitOf(repo: RepoState, ref: string | undefined): string {
  const sha = resolveCommitish(repo, ref ?? repo.defaultBranch);
  if (!sha) throw new Error(`github emulator: ${repo.fullName} has no ref ${ref}`);
  return sha;
}

export const inspectHead = (repo: RepoState, branch?: string): string => {
  const sha = branchHead(repo, branch ?? repo.defaultBranch);
  if (!sha) throw new Error(`github emulator: ${repo.fullName} has no branch ${branch}`);
  return sha;
};

export function inspectFiles(repo: RepoState, ref?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, e] of filesAt(repo, commitOf(repo, ref))) out[path] = repo.git.text(e.sha) ?? '';
  return out;
}

export function inspectCommits(repo: RepoState, ref?: string): EmulatorCommit[] {
  const out: EmulatorCommit[] = [];
  for (let sha: string | undefined = commitOf(repo, ref); sha; ) {
    const c = repo.git.commits.get(sha);
    if (!c) break;
    const parent = c.parents[0];
    out.push({
      sha: c.sha,
      message: c.message,
      parents: [...c.parents],
      tree: c.tree,
      author: { ...c.author },
      changed: changedPaths(parent ? filesAt(repo, parent) : new Map(), repo.git.flatten(c.tree)),
    });
    sha = parent;
  }
  return out;
}

export function inspectRuns(repo: RepoState, at: number): EmulatorRun[] {
  return repo.runs.map((r) => {
    const s = playRun(r, at);
    return {
      id: r.id,
      workflow: r.workflowFile,
      name: r.workflowName,
      event: r.event,
      branch: r.branch,
      headSha: r.headSha,
      status: s.status,
      conclusion: s.conclusion,
      createdAt: r.createdAt,
      ...(r.triggeredBy !== undefined ? { triggeredBy: r.triggeredBy } : {}),
      labels: r.labels.map((l) => [...l]),
    };
  });
}

export function pushFromOutside(
  env: Env,
  repo: RepoState,
  change: { message: string; files: Record<string, string | null>; branch?: string; author?: string },
  at: number,
): string {
  const branch = change.branch ?? repo.defaultBranch;
  const parent = branchHead(repo, branch) ?? branchHead(repo, repo.defaultBranch);
  const files = new Map<string, FlatEntry>(parent ? filesAt(repo, parent) : []);
  for (const [path, content] of Object.entries(change.files)) {
    if (content === null) files.delete(path);
    else files.set(path, { mode: files.get(path)?.mode ?? '100644', sha: repo.git.putBlob(Buffer.from(content, 'utf8')) });
  }
  const login = change.author ?? repo.owner;
  const person: Person = { name: login, email: `${login}@users.noreply.github.com`, date: iso(at) };
  const commit = repo.git.putCommit({ tree: repo.git.treeFromFlat(files), parents: parent ? [parent] : [], message: change.message, author: person, committer: person });
  moveBranch(env, repo, branch, commit.sha, { login, id: 0 }, at);
  return commit.sha;
}
