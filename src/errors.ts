/**
 * Two kinds of failure reach the user. A UsageError is bad input found before anything
 * changed (exit 2). A StepError is a step that could not finish (exit 1): it names the
 * step, the cause and the fix, and a re-run resumes. Anything else is a bug.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export class StepError extends Error {
  readonly exitCode = 1;
  constructor(
    readonly step: string,
    readonly cause_: string,
    readonly fix: string,
  ) {
    super(`${step}: ${cause_}`);
    this.name = 'StepError';
  }
}

/** Ctrl-C or a declined prompt: exit 130, nothing half-written. */
export class Interrupted extends Error {
  readonly exitCode = 130;
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'Interrupted';
  }
}
