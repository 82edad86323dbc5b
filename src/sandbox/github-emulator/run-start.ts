/**
 * Creating a workflow run, whatever started it (a dispatch, a push, another run): the
 * workflow file is read at the run's commit, each job's runs-on decides whether a runner
 * will ever pick it up, and the start is recorded as a 'run' event.
 */
import type { Env } from './context.js';
import type { RepoState, WorkflowEntry } from './state.js';
import { fileText } from './state.js';
import type { Playbook, RunEvent, RunRecord } from './runs.js';
import { readWorkflow, type JobFacts } from './workflow-yaml.js';

export interface RunStart {
  event: RunEvent;
  ref: string;
  branch: string;
  sha: string;
  inputs?: Record<string, string>;
  actor: { login: string; id: number };
  at: number;
  displayTitle?: string;
  triggeredBy?: RunRecord;
}

/** A playbook job takes the runs-on of the workflow job with its id or name, else the one at its position. */
function jobLabels(playbook: Playbook, jobs: JobFacts[]): string[][] {
  return playbook.jobs.map((pj, i) => {
    const job = jobs.find((j) => j.id === pj.name || j.name === pj.name) ?? jobs[i] ?? jobs.at(-1);
    return job ? (job.runsOn ?? []) : ['ubuntu-latest'];
  });
}

const neverRuns = (labels: string[], retired: Set<string>): boolean =>
  !labels.includes('self-hosted') && labels.some((l) => retired.has(l.toLowerCase()));

export function startRun(env: Env, repo: RepoState, wf: WorkflowEntry, o: RunStart): RunRecord {
  const { state } = env;
  const facts = readWorkflow(fileText(repo, o.sha, wf.path) ?? '');
  const name = facts.name ?? wf.path;
  const playbook = env.playbook(wf.file);
  const labels = jobLabels(playbook, facts.jobs);
  const blocked = labels.findIndex((l) => neverRuns(l, env.retiredRunners));
  const run: RunRecord = {
    id: state.nextRunId(),
    runNumber: repo.runs.filter((r) => r.workflowId === wf.id).length + 1,
    workflowId: wf.id,
    workflowPath: wf.path,
    workflowFile: wf.file,
    workflowName: name,
    event: o.event,
    displayTitle: o.displayTitle ?? name,
    ref: o.ref,
    branch: o.branch,
    inputs: { ...(o.inputs ?? {}) },
    actor: { ...o.actor },
    headSha: o.sha,
    createdAt: o.at,
    playbook,
    jobIds: playbook.jobs.map(() => state.nextJobId()),
    labels,
    ...(blocked >= 0 ? { blockedFrom: blocked } : {}),
    ...(o.triggeredBy ? { triggeredBy: o.triggeredBy.id } : {}),
    chainDepth: o.triggeredBy ? o.triggeredBy.chainDepth + 1 : 0,
    announced: new Set(),
  };
  repo.runs.push(run);
  env.record({ kind: 'run', repo: repo.fullName, name: wf.file, trigger: o.event, runId: run.id, sha: o.sha, at: o.at });
  return run;
}
