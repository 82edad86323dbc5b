import { printable, printableLine } from './printable.js';

/**
 * Two kinds of failure reach the user. A UsageError is bad input found before anything
 * changed (exit 2). A StepError is a step that could not finish (exit 1): it names the
 * step, the cause and the fix, and a re-run resumes. Anything else is a bug.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  readonly fix?: string;
  constructor(message: string, fix?: string) {
    // Messages quote hosts, files and GitHub: printable by construction, whoever shows them.
    super(printable(message));
    this.fix = fix === undefined ? undefined : printable(fix);
    this.name = 'UsageError';
  }
}

export class StepError extends Error {
  readonly exitCode = 1;
  readonly step: string;
  readonly cause_: string;
  readonly fix: string;
  constructor(step: string, cause: string, fix: string) {
    super(printable(`${step}: ${cause}`));
    this.step = printableLine(step);
    this.cause_ = printable(cause);
    this.fix = printable(fix);
    this.name = 'StepError';
  }
}

/** Ctrl-C or a declined prompt: exit 130, nothing half-written. */
export class Interrupted extends Error {
  readonly exitCode = 130;
  constructor(
    message = 'interrupted',
    /** The user was told already (a cancelled question says so itself). */
    readonly alreadySaid = false,
  ) {
    super(message);
    this.name = 'Interrupted';
  }
}

/** The exit code a failure ends the program with: the error classes carry theirs; anything else is a bug (1). */
export const exitCodeOf = (e: unknown): number => (e instanceof UsageError || e instanceof StepError || e instanceof Interrupted ? e.exitCode : 1);

const shown = new WeakSet<object>();
/** The session showed this failure in its own way (the wizard's box, the live view): print it no more. */
export const markShown = <T>(e: T): T => (e && typeof e === 'object' && shown.add(e), e);
export const wasShown = (e: unknown): boolean => !!e && typeof e === 'object' && shown.has(e);
