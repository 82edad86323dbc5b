/**
 * A branch moving (a PATCH or POST of a ref, a contents PUT, or a test's push()) is a push:
 * it is recorded, the default branch's workflows are registered, and every workflow whose
 * `on: push` matches the branch and the changed paths starts, read from the pushed commit,
 * unless the head commit's message asks GitHub to skip them.
 */
import type { Env } from './context.js';
import { changedPaths } from './git-objects.js';
import { branchHead, defaultHead, filesAt, fileText, WORKFLOW_FILE, type RepoState } from './state.js';
import { startRun } from './run-start.js';
import { pushStarts, skipsPushWorkflows } from './trigger-filters.js';
import { readWorkflow } from './workflow-yaml.js';

export interface Pusher {
  login: string;
  id: number;
}

export function moveBranch(env: Env, repo: RepoState, branch: string, sha: string, by: Pusher, at: number): void {
  const before = branchHead(repo, branch);
  if (before === sha) return; // nothing moved: no push
  repo.refs.set(`refs/heads/${branch}`, sha);
  repo.pushedAt = at;
  if (branch === repo.defaultBranch) env.state.registerWorkflows(repo, at);

  const message = repo.git.commits.get(sha)?.message ?? '';
  const skipCi = skipsPushWorkflows(message);
  env.record({ kind: 'push', repo: repo.fullName, name: branch, sha, ...(skipCi ? { skipCi } : {}), at });
  if (skipCi) return;

  // A new branch is compared with the default branch, as GitHub does for path filters.
  const base = before ?? defaultHead(repo);
  const changed = changedPaths(filesAt(repo, base), filesAt(repo, sha));
  for (const path of [...filesAt(repo, sha).keys()].filter((p) => WORKFLOW_FILE.test(p)).sort()) {
    const trigger = readWorkflow(fileText(repo, sha, path) ?? '').push;
    if (!trigger || !pushStarts(trigger, branch, changed)) continue;
    const wf = env.state.workflowFor(repo, path, at);
    startRun(env, repo, wf, {
      event: 'push',
      ref: branch,
      branch,
      sha,
      actor: by,
      at,
      displayTitle: message.split('\n')[0] ?? '',
    });
  }
}
