import type { CliOptions } from '../config/options.js';
import type { Settings } from '../config/settings.js';
import type { EngineEvent, Plan, Summary } from '../steps/types.js';
import type { OpenedLogin } from '../host/connect.js';
import type { AuthSource } from '../host/transport.js';
import type { World } from './world.js';

/** The streams of the program; isTTY when both ends are a terminal. */
export interface Io {
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  isTTY: boolean;
}

export interface Settled {
  settings: Settings;
  auth: AuthSource[];
  /** The wizard connects during the interview; the engine goes on with that login. */
  login?: OpenedLogin;
}

/**
 * What a session shows and asks, on a terminal (the wizard) or as plain lines. The session's
 * sequence calls these in order; a face never decides what happens next.
 */
export interface Face {
  /** The validated inputs and the keys to log in with: asked for, or checked as given. */
  settle(): Promise<Settled>;
  emit(e: EngineEvent): void;
  /** Shown the plan before anything changes; absent: no question (--yes). */
  confirmPlan?: (plan: Plan) => Promise<boolean>;
  /** The end of a run that did not fail. */
  done(settings: Settings, summary: Summary, after?: { ok: boolean; title: string; lines: string[] }): Promise<void>;
  /** Shows a failure its own way (a re-run hint, the live view's failure box). */
  fail(e: unknown): Promise<void>;
}

export interface FaceContext {
  cli: CliOptions;
  io: Io;
  world: World;
  /** Ctrl-C in a view that holds the keyboard: the same path as SIGINT. */
  interrupt: () => void;
}
