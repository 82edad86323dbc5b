import { repoName } from '../config/settings.js';
import { StepError } from '../errors.js';
import { dispatchWorkflow, findDispatchedRun, getRun, listJobs, newestRunId, type RunInfo } from '../github/api.js';
import { retiredRunnerFix } from '../github/workflow.js';
import { githubFailure } from '../github/errors.js';
import type { ApplyContext, Inspection, Row, Step } from './types.js';

export function planRelease(ins: Inspection, somethingChanges: boolean): Row {
  const { repo, settings } = ins;
  if (!settings.release) return { status: 'skip', detail: '--no-release' };
  if (!repo.workflow) return { status: 'skip', detail: 'no release workflow to run' };
  if (!repo.workflow.dispatchable)
    return { status: 'skip', detail: `${repo.workflowFile} has no workflow_dispatch trigger: publish a GitHub release to deploy` };
  const other = repo.workflow.requiredInputs.filter((i) => i !== 'version');
  if (other.length)
    return { status: 'skip', detail: `${repo.workflowFile} needs inputs this program cannot fill (${other.join(', ')}): run it from the Actions tab` };
  const last = ins.saved.record.lastRelease;
  if (!somethingChanges && last?.conclusion === 'success')
    return { status: 'ok', detail: `released before (${last.url}); nothing changed since` };
  return { status: 'change', detail: `run ${repo.workflowFile} on ${repo.info.defaultBranch} (version: latest) and follow it` };
}

/** Dispatches the release (after every secret is written: a run reads them when queued) and follows it. */
export async function applyRelease(ctx: ApplyContext): Promise<{ url: string; conclusion: string | null }> {
  try {
    return await dispatchAndFollow(ctx);
  } catch (e) {
    if (e instanceof StepError) throw e;
    throw githubFailure(e, 'dispatch', repoName(ctx.ins.settings), ctx.ins.settings.apiUrl);
  }
}

async function dispatchAndFollow(ctx: ApplyContext): Promise<{ url: string; conclusion: string | null }> {
  const { ins, deps, gh, emit } = ctx;
  const r = ins.settings.repo;
  const branch = ins.repo.info.defaultBranch;
  const since = deps.now();
  // Runs newer than this one are ours; needed only if GitHub does not return the run's id.
  const before = await newestRunId(gh, r, ins.repo.workflowFile);
  let d: { runId?: number };
  try {
    d = await dispatchWorkflow(gh, r, ins.repo.workflowFile, branch, { version: 'latest' });
  } catch (e) {
    // A 5xx may hide a dispatch that went through: look for its run for a minute before
    // trying again, so one release is never started twice.
    const status = (e as { status?: number }).status;
    if (status !== undefined && status < 500) throw e;
    let found;
    for (let waited = 0; !found && waited < 60_000; waited += Math.max(deps.pollMs, 1000)) {
      await deps.sleep(Math.max(deps.pollMs, 1000));
      found = await findDispatchedRun(gh, r, ins.repo.workflowFile, branch, since, before);
    }
    d = found ? { runId: found.id } : await dispatchWorkflow(gh, r, ins.repo.workflowFile, branch, { version: 'latest' });
  }
  let runId = d.runId;
  for (let waited = 0; !runId; waited += deps.pollMs) {
    if (waited > 120_000) throw new StepError('release', 'the dispatched run did not show up within two minutes', `Look for it at ${ins.repo.info.htmlUrl}/actions`);
    await deps.sleep(deps.pollMs);
    runId = (await findDispatchedRun(gh, r, ins.repo.workflowFile, branch, since, before))?.id;
  }
  const started = Date.now();
  let run: RunInfo;
  for (;;) {
    const [got, jobs] = await Promise.all([getRun(gh, r, runId), listJobs(gh, r, runId)]);
    run = got;
    emit({ type: 'run', url: run.htmlUrl, status: run.status, conclusion: run.conclusion, jobs });
    if (run.status === 'completed') break;
    const neverStarted = jobs.every((j) => j.status === 'queued' || j.status === 'waiting' || j.status === 'pending');
    if (neverStarted && Date.now() - started > deps.queuedTimeoutMs) {
      const retired = ins.repo.workflow?.retiredRunners.length ? ` ${retiredRunnerFix(ins.repo.workflow, ins.repo.workflowFile)}` : '';
      throw new StepError('release', `the run is still queued after ${Math.round(deps.queuedTimeoutMs / 60000)} minutes: no runner picked it up`, `Check ${run.htmlUrl}.${retired}`);
    }
    await deps.sleep(deps.pollMs);
  }
  ins.saved.record.lastRelease = { runId: run.id, url: run.htmlUrl, conclusion: run.conclusion, at: deps.now().toISOString() };
  await deps.store.save(repoName(ins.settings), ins.saved);
  if (run.conclusion !== 'success')
    throw new StepError('release', `the workflow run ended with "${run.conclusion}" (${run.htmlUrl})`, 'Open the run to see the failing step; fix it and re-run: everything set up so far stays');
  return { url: run.htmlUrl, conclusion: run.conclusion };
}

export const releaseStep: Step = {
  id: 'release',
  title: 'First release',
  doing: (ins) => `Release: ${ins.repo.workflowFile}`,
  plan: (ins, above) => planRelease(ins, above.some((i) => i.status === 'change')),
  apply: async (ctx) => {
    const r = await applyRelease(ctx);
    ctx.summary.runUrl = r.url;
    ctx.summary.conclusion = r.conclusion;
    return `${r.conclusion} ${r.url}`;
  },
  phase: 'release',
  ownSummary: true,
};
