import { Interrupted, StepError, UsageError } from '../errors.js';

/** How a failure reads in plain output (and in the wizard's error box): the cause, the fix, what happens next. */
export function failureLines(e: unknown): string[] {
  if (e instanceof UsageError) return [...e.message.split('\n').map((l) => `error: ${l}`), ...(e.fix ? [`  ${e.fix}`] : []), 'Nothing was changed.'];
  if (e instanceof StepError)
    return [`error: ${e.step}: ${e.cause_}`, ...e.fix.split('\n').map((l, i) => `${i ? '       ' : '  fix: '}${l}`), 'A re-run resumes where this one stopped.'];
  if (e instanceof Interrupted) return [e.message];
  return [`error: unexpected failure (a bug; please report it): ${(e as Error).stack ?? e}`];
}
