import { Interrupted, markShown } from '../errors.js';
import type { CliOptions } from '../config/options.js';
import { realDeps } from '../deps.js';
import type { Prompter } from '../interview/prompter.js';
import type { Face, Io } from './face.js';
import type { World } from './world.js';

export type { Io } from './face.js';
export type { World } from './world.js';

/** Ends when the signal fires, whatever `work` is waiting for (an SSH command, a poll). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Interrupted(INTERRUPTED));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted(INTERRUPTED));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const INTERRUPTED = 'interrupted; nothing is left half-written (a re-run resumes)';

/**
 * The one sequence of every run, scripted, guided or in the demo's world: settle the inputs,
 * build the dependencies, run the engine, close. Failures are shown by the face, then
 * thrown on: the caller turns them into the exit code.
 */
export async function runSession(cli: CliOptions, io: Io, world: World, signal: AbortSignal, o: { prompter?: Prompter } = {}): Promise<void> {
  // Ctrl-C arrives as SIGINT, or as a key in a view that holds the keyboard: one path for both.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const wizard = io.isTTY && !cli.yes && !world.env.CI;
  const ctx = { cli, io, world, interrupt: () => stop.abort() };
  let face: Face | undefined;
  try {
    face = wizard ? await (await import('./wizard-face.js')).wizardFace(ctx, o.prompter) : (await import('./plain-face.js')).plainFace(ctx);
    const f = face;
    await untilAborted(
      (async () => {
        const { settings, auth, login } = await f.settle();
        const deps = await realDeps(settings, world.env, world.store, {
          ...world.depsOverrides,
          // The wizard asked about a new host key already; --yes trusts one only with --accept-new-host-key.
          ...(wizard ? { confirmNewHostKey: async () => false } : {}),
          ...(f.confirmPlan ? { confirmPlan: f.confirmPlan } : {}),
        });
        const { runOnboarding } = await import('../engine/run.js');
        const emit = world.mapEvent ? (e: Parameters<typeof f.emit>[0]) => f.emit(world.mapEvent!(e)) : f.emit;
        const summary = await runOnboarding(settings, deps, emit, auth, login);
        const after = world.afterRun && !settings.dryRun ? await world.afterRun(settings, summary) : undefined;
        await f.done(settings, summary, after);
        if (after && !after.ok) throw new Error('the sandbox did not receive what the run reported');
      })(),
      stop.signal,
    );
  } catch (e) {
    await face?.fail(e);
    throw face ? markShown(e) : e;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
