/** How the Actions API shows a workflow run and its jobs. */
import type { Ctx } from './context.js';
import { minimalRepoJson, userJson } from './github-shapes.js';
import { iso } from './http.js';
import { playRun, type JobState, type RunRecord } from './runs.js';
import type { RepoState } from './state.js';

export function runJson(ctx: Ctx, repo: RepoState, run: RunRecord): Record<string, unknown> {
  const state = playRun(run, ctx.at);
  const api = `${ctx.env.apiUrl}/repos/${repo.fullName}`;
  const repoRef = minimalRepoJson(ctx, repo);
  const actor = userJson(ctx, run.actor.login, run.actor.id || undefined);
  const commit = repo.git.commits.get(run.headSha);
  const runUrl = `${api}/actions/runs/${run.id}`;
  return {
    id: run.id,
    name: run.workflowName,
    display_title: run.displayTitle,
    node_id: `WFR_${Buffer.from(String(run.id)).toString('base64url')}`,
    head_branch: run.branch,
    head_sha: run.headSha,
    path: run.workflowPath,
    run_number: run.runNumber,
    run_attempt: 1,
    event: run.event,
    status: state.status,
    conclusion: state.conclusion,
    workflow_id: run.workflowId,
    check_suite_id: run.id + 1,
    check_suite_node_id: `CS_${Buffer.from(String(run.id + 1)).toString('base64url')}`,
    url: runUrl,
    html_url: `${ctx.env.htmlUrl}/${repo.fullName}/actions/runs/${run.id}`,
    jobs_url: `${runUrl}/jobs`,
    logs_url: `${runUrl}/logs`,
    check_suite_url: `${api}/check-suites/${run.id + 1}`,
    artifacts_url: `${runUrl}/artifacts`,
    cancel_url: `${runUrl}/cancel`,
    rerun_url: `${runUrl}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${api}/actions/workflows/${run.workflowId}`,
    created_at: iso(run.createdAt),
    updated_at: iso(state.updatedAt),
    run_started_at: iso(run.createdAt),
    actor,
    triggering_actor: actor,
    pull_requests: [],
    referenced_workflows: [],
    head_commit: commit
      ? {
          id: commit.sha,
          tree_id: commit.tree,
          message: commit.message,
          timestamp: commit.committer.date,
          author: { name: commit.author.name, email: commit.author.email },
          committer: { name: commit.committer.name, email: commit.committer.email },
        }
      : null,
    repository: repoRef,
    head_repository: repoRef,
  };
}

export function jobJson(ctx: Ctx, repo: RepoState, run: RunRecord, job: JobState): Record<string, unknown> {
  const api = `${ctx.env.apiUrl}/repos/${repo.fullName}`;
  return {
    id: job.id,
    run_id: run.id,
    run_url: `${api}/actions/runs/${run.id}`,
    run_attempt: 1,
    node_id: `CR_${Buffer.from(String(job.id)).toString('base64url')}`,
    head_sha: run.headSha,
    head_branch: run.branch,
    url: `${api}/actions/jobs/${job.id}`,
    html_url: `${ctx.env.htmlUrl}/${repo.fullName}/actions/runs/${run.id}/job/${job.id}`,
    status: job.status,
    conclusion: job.conclusion,
    created_at: iso(run.createdAt),
    started_at: job.started_at,
    completed_at: job.completed_at,
    name: job.name,
    steps: job.steps,
    check_run_url: `${api}/check-runs/${job.id}`,
    labels: run.labels[run.jobIds.indexOf(job.id)] ?? ['ubuntu-latest'],
    runner_id: job.status === 'queued' ? null : 1,
    runner_name: job.status === 'queued' ? null : 'GitHub Actions 1',
    runner_group_id: job.status === 'queued' ? null : 1,
    runner_group_name: job.status === 'queued' ? null : 'GitHub Actions',
    workflow_name: run.workflowName,
  };
}
