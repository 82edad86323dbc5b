/**
 * `on: workflow_run`: a run's activity (requested, in_progress, completed) starts the
 * workflows that name its workflow. Runs are played back by the clock, so this is settled
 * lazily: before each request (and each inspection), every activity that has happened by
 * then is announced in time order, creating the runs it starts at the moment it happened.
 */
import type { Env } from './context.js';
import { defaultHead, fileText, type RepoState } from './state.js';
import { runTimes, type RunRecord } from './runs.js';
import { startRun } from './run-start.js';
import { workflowRunStarts, type RunActivity } from './trigger-filters.js';
import { readWorkflow } from './workflow-yaml.js';

/** GitHub stops a workflow_run chain after three levels. */
const MAX_CHAIN_DEPTH = 3;

interface Pending {
  repo: RepoState;
  run: RunRecord;
  activity: RunActivity;
  time: number;
}

function nextPending(env: Env, at: number): Pending | undefined {
  let best: Pending | undefined;
  for (const repo of env.state.repos.values()) {
    for (const run of repo.runs) {
      const { start, end } = runTimes(run);
      const moments: [RunActivity, number][] = [
        ['requested', run.createdAt],
        ['in_progress', start],
        ['completed', end],
      ];
      for (const [activity, time] of moments) {
        if (time > at || run.announced.has(activity)) continue;
        if (!best || time < best.time || (time === best.time && run.id < best.run.id)) best = { repo, run, activity, time };
        break; // activities of one run come in order
      }
    }
  }
  return best;
}

function announce(env: Env, p: Pending): void {
  p.run.announced.add(p.activity);
  if (p.run.chainDepth >= MAX_CHAIN_DEPTH) return;
  const head = defaultHead(p.repo);
  // The triggered workflow must be on the default branch, and runs as it is there.
  for (const wf of [...p.repo.workflows]) {
    const trigger = readWorkflow(fileText(p.repo, head, wf.path) ?? '').workflowRun;
    if (!trigger || !workflowRunStarts(trigger, p.run.workflowName, p.run.branch, p.activity)) continue;
    startRun(env, p.repo, wf, {
      event: 'workflow_run',
      ref: p.run.branch,
      branch: p.run.branch,
      sha: p.run.headSha,
      actor: p.run.actor,
      at: p.time,
      triggeredBy: p.run,
    });
  }
}

/** Announces every run activity that happened at or before `at`. */
export function settleRunActivity(env: Env, at: number): void {
  for (let p = nextPending(env, at); p; p = nextPending(env, at)) announce(env, p);
}
