import type { EngineEvent, Summary } from '../../steps/types.js';
import type { JobInfo } from '../../github/api.js';

/** What the live view draws: a pure fold of engine events (and one failure) over time. */

type StepKey = Extract<EngineEvent, { type: 'step-start' }>['id'];

export interface FinishedStep {
  /** Unique per row: the same step id may run twice (deploy-key). */
  key: string;
  id: StepKey;
  title: string;
  status: 'ok' | 'done' | 'skip' | 'fail';
  detail: string;
  ms: number;
}

export interface RunningStep {
  key: string;
  id: StepKey;
  title: string;
  /** Epoch ms, from the `now` passed to reduce. */
  startedAt: number;
  /** The last OUTPUT_TAIL lines of remote output, raw (cleaned for display by OutputTail). */
  output: string[];
}

export interface RunState {
  url: string;
  status: string;
  conclusion: string | null;
  jobs: JobInfo[];
}

export interface Failure {
  step: string;
  cause: string;
  fix: string;
}

/** Rows written once, in order, above the live area (Ink's <Static>). */
export type LogEntry =
  | { kind: 'step'; key: string; step: FinishedStep }
  | { kind: 'warning'; key: string; message: string }
  | { kind: 'note'; key: string; message: string }
  | { kind: 'run'; key: string; run: RunState };

export interface LiveState {
  phase: Extract<EngineEvent, { type: 'phase' }>['phase'] | undefined;
  log: LogEntry[];
  finished: FinishedStep[];
  running: RunningStep[];
  secrets: { done: number; total: number } | undefined;
  warnings: string[];
  run: RunState | undefined;
  summary: Summary | undefined;
  failure: Failure | undefined;
  /** Counter for unique keys. */
  seq: number;
}

export type LiveEvent = EngineEvent | ({ type: 'failure' } & Failure);

export const OUTPUT_TAIL = 3;

export const initialState = (): LiveState => ({
  phase: undefined,
  log: [],
  finished: [],
  running: [],
  secrets: undefined,
  warnings: [],
  run: undefined,
  summary: undefined,
  failure: undefined,
  seq: 0,
});

type Unkeyed<T> = T extends LogEntry ? Omit<T, 'key'> & { key?: string } : never;

const append = (s: LiveState, entry: Unkeyed<LogEntry>): LiveState => ({
  ...s,
  seq: s.seq + 1,
  log: [...s.log, { ...entry, key: entry.key ?? `l${s.seq}` } as LogEntry],
});

/** The most recent running row of a step id, or -1. */
function runningIndex(s: LiveState, id: string): number {
  for (let i = s.running.length - 1; i >= 0; i--) if (s.running[i]!.id === id) return i;
  return -1;
}

/** Pure: the next state. `now` stamps a step's start (elapsed time is drawn from it). */
export function reduce(s: LiveState, e: LiveEvent, now: number = Date.now()): LiveState {
  switch (e.type) {
    case 'phase':
      return { ...s, phase: e.phase };
    case 'step-start':
      return { ...s, seq: s.seq + 1, running: [...s.running, { key: `s${s.seq}`, id: e.id, title: e.title, startedAt: now, output: [] }] };
    case 'step-end': {
      const i = runningIndex(s, e.id);
      const row = s.running[i];
      const step: FinishedStep = { key: row?.key ?? `s${s.seq}`, id: e.id, title: row?.title ?? e.id, status: e.status, detail: e.detail, ms: e.ms };
      let next: LiveState = { ...s, seq: s.seq + 1, running: s.running.filter((_, j) => j !== i), finished: [...s.finished, step] };
      // The run's last state is written once above the release row; only a live run re-renders.
      if (e.id === 'release' && s.run) next = append(next, { kind: 'run', run: s.run });
      return append(next, { kind: 'step', key: step.key, step });
    }
    case 'output': {
      const i = runningIndex(s, e.id);
      const row = s.running[i];
      if (!row) return s;
      const output = [...row.output, e.line].slice(-OUTPUT_TAIL);
      return { ...s, running: s.running.map((r, j) => (j === i ? { ...r, output } : r)) };
    }
    case 'progress':
      return { ...s, secrets: { done: e.done, total: e.total } };
    case 'warning':
      return append({ ...s, warnings: [...s.warnings, e.message] }, { kind: 'warning', message: e.message });
    case 'host-key':
      return e.recorded ? append(s, { kind: 'note', message: `trusted new host key ${e.info.type} ${e.info.fingerprint}` }) : s;
    case 'run':
      return { ...s, run: { url: e.url, status: e.status, conclusion: e.conclusion, jobs: e.jobs } };
    case 'summary':
      return { ...s, summary: e.summary };
    case 'failure': {
      // Rows still spinning when the program gives up are written as stopped, not left frozen.
      let next: LiveState = { ...s, running: [], failure: { step: e.step, cause: e.cause, fix: e.fix } };
      for (const r of s.running) {
        const step: FinishedStep = { key: r.key, id: r.id, title: r.title, status: 'skip', detail: 'stopped', ms: now - r.startedAt };
        next = append({ ...next, finished: [...next.finished, step] }, { kind: 'step', key: r.key, step });
      }
      return next;
    }
    default:
      return s;
  }
}
