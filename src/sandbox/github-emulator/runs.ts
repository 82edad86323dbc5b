/**
 * Workflow runs played back by the wall clock. Nothing is scheduled: every read computes the
 * run's state from the time elapsed since it was created, so no timer outlives a test. A job
 * that asks for a runner GitHub no longer has waits in the queue forever, and so do the jobs
 * after it.
 */
import type { RunPlaybook } from './types.js';
import type { RunActivity } from './trigger-filters.js';
import { iso } from './http.js';

/** Labels of GitHub-hosted runners that GitHub retired: no runner ever picks such a job up. */
export const RETIRED_RUNNER_LABELS = ['ubuntu-16.04', 'ubuntu-18.04', 'ubuntu-20.04', 'windows-2019', 'macos-11', 'macos-12'];

export type RunEvent = 'workflow_dispatch' | 'push' | 'workflow_run';

export type Status = 'queued' | 'in_progress' | 'completed';
export type Conclusion = 'success' | 'failure' | null;

export interface Playbook {
  jobs: { name: string; steps: string[] }[];
  stepMs: number;
  conclusion: 'success' | 'failure';
  queuedMs: number;
}

/** The two jobs of the ServiceStack mix release workflows, with their main steps. */
export const DEFAULT_PLAYBOOK: Playbook = {
  jobs: [
    {
      name: 'push_to_registry',
      steps: ['Set up job', 'checkout', 'Assign version', 'Login to GitHub Container Registry', 'Build and push Docker images', 'Complete job'],
    },
    {
      name: 'deploy_via_ssh',
      steps: ['Set up job', 'checkout', 'docker-compose file prep', 'copy compose file via scp', 'remote docker-compose up via ssh', 'Complete job'],
    },
  ],
  stepMs: 50,
  conclusion: 'success',
  queuedMs: 50,
};

export function toPlaybook(p: RunPlaybook): Playbook {
  const stepMs = Math.max(0, p.stepMs ?? DEFAULT_PLAYBOOK.stepMs);
  return {
    jobs: p.jobs.map((j) => ({ name: j.name, steps: [...j.steps] })),
    stepMs,
    conclusion: p.conclusion ?? 'success',
    queuedMs: Math.max(0, p.queuedMs ?? stepMs),
  };
}

export interface RunRecord {
  id: number;
  runNumber: number;
  workflowId: number;
  workflowPath: string;
  workflowFile: string;
  workflowName: string;
  event: RunEvent;
  /** The run's title: the head commit's first line for a push, else the workflow's name. */
  displayTitle: string;
  /** As sent in the dispatch body, or the branch. */
  ref: string;
  branch: string;
  inputs: Record<string, string>;
  actor: { login: string; id: number };
  headSha: string;
  createdAt: number;
  /** Snapshot: changing the playbook later does not rewrite runs already started. */
  playbook: Playbook;
  jobIds: number[];
  /** runs-on labels of each playbook job, read from the workflow file at the run's commit. */
  labels: string[][];
  /** Index of the first job no runner picks up; undefined when every job gets one. */
  blockedFrom?: number;
  /** The run whose activity started this one (workflow_run), and how deep that chain is. */
  triggeredBy?: number;
  chainDepth: number;
  /** workflow_run activities already announced to other workflows. */
  announced: Set<RunActivity>;
}

export interface StepState {
  name: string;
  number: number;
  status: Status;
  conclusion: Conclusion;
  started_at: string | null;
  completed_at: string | null;
}

export interface JobState {
  id: number;
  name: string;
  status: Status;
  conclusion: Conclusion;
  started_at: string;
  completed_at: string | null;
  steps: StepState[];
}

export interface RunState {
  status: Status;
  conclusion: Conclusion;
  updatedAt: number;
  jobs: JobState[];
}

const phase = (at: number, start: number, end: number): Status => (at < start ? 'queued' : at < end ? 'in_progress' : 'completed');

const NEVER = Number.POSITIVE_INFINITY;

/** When the run starts and ends; Infinity for what never happens. */
export function runTimes(run: RunRecord): { start: number; end: number } {
  const pb = run.playbook;
  const blocked = run.blockedFrom;
  if (blocked === 0) return { start: NEVER, end: NEVER };
  const start = run.createdAt + pb.queuedMs;
  if (blocked !== undefined) return { start, end: NEVER };
  return { start, end: start + pb.jobs.reduce((n, j) => n + j.steps.length * pb.stepMs, 0) };
}

/** Jobs run one after another (`needs:` in the mix workflows), steps one after another within a job. */
export function playRun(run: RunRecord, at: number): RunState {
  const pb = run.playbook;
  const blocked = run.blockedFrom ?? pb.jobs.length;
  const runStart = blocked === 0 ? NEVER : run.createdAt + pb.queuedMs;
  const lastJob = pb.jobs.length - 1;
  const failingStep = (pb.jobs[lastJob]?.steps.length ?? 0) - 1;
  const failing = pb.conclusion === 'failure';
  const transitions = [run.createdAt, runStart];
  let cursor = runStart;

  const jobs = pb.jobs.map((job, j): JobState => {
    if (j >= blocked) cursor = NEVER;
    const jobStart = cursor;
    const jobEnd = jobStart + job.steps.length * pb.stepMs;
    cursor = jobEnd;
    const jobFails = failing && j === lastJob;
    const steps = job.steps.map((name, s): StepState => {
      const start = jobStart + s * pb.stepMs;
      const end = start + pb.stepMs;
      if (start !== NEVER) transitions.push(start, end);
      const status = phase(at, start, end);
      return {
        name,
        number: s + 1,
        status,
        conclusion: status === 'completed' ? (jobFails && s === failingStep ? 'failure' : 'success') : null,
        started_at: status === 'queued' ? null : iso(start),
        completed_at: status === 'completed' ? iso(end) : null,
      };
    });
    const status = phase(at, jobStart, jobEnd);
    return {
      id: run.jobIds[j] ?? 0,
      name: job.name,
      status,
      conclusion: status === 'completed' ? (jobFails ? 'failure' : 'success') : null,
      // GitHub always sends started_at; a job still waiting shows its creation time.
      started_at: iso(status === 'queued' ? run.createdAt : jobStart),
      completed_at: status === 'completed' ? iso(jobEnd) : null,
      steps,
    };
  });

  if (cursor !== NEVER) transitions.push(cursor);
  const status = phase(at, runStart, cursor);
  return {
    status,
    conclusion: status === 'completed' ? (failing ? 'failure' : 'success') : null,
    updatedAt: Math.max(...transitions.filter((t) => t <= at)),
    jobs,
  };
}

/** The `created` filter of the runs lists: `>=X`, `>X`, `<=X`, `<X`, `A..B` or a bare date/time. */
export function createdFilter(expr: string | null): ((createdMs: number) => boolean) | undefined {
  if (!expr) return undefined;
  const parse = (s: string, endOfDay: boolean): number | undefined => {
    const t = Date.parse(s);
    if (Number.isNaN(t)) return undefined;
    return endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(s) ? t + 86_399_999 : t;
  };
  // GitHub stores whole seconds: a run created at 10:00:00.700 does not match >=10:00:00.500.
  const secs = (ms: number): number => Math.floor(ms / 1000) * 1000;
  const range = /^(.+)\.\.(.+)$/.exec(expr);
  if (range) {
    const lo = parse(range[1] ?? '', false);
    const hi = parse(range[2] ?? '', true);
    if (lo === undefined || hi === undefined) return undefined;
    return (c) => secs(c) >= lo && secs(c) <= hi;
  }
  const cmp = /^(>=|<=|>|<)(.+)$/.exec(expr);
  if (cmp) {
    const op = cmp[1];
    const t = parse(cmp[2] ?? '', op === '<=' || op === '>');
    if (t === undefined) return undefined;
    if (op === '>=') return (c) => secs(c) >= t;
    if (op === '>') return (c) => secs(c) > t;
    if (op === '<=') return (c) => secs(c) <= t;
    return (c) => secs(c) < t;
  }
  const lo = parse(expr, false);
  const hi = parse(expr, true);
  if (lo === undefined || hi === undefined) return undefined;
  return (c) => secs(c) >= lo && secs(c) <= hi;
}
