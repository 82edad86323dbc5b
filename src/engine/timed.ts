import { StepError } from '../errors.js';
import type { Emit, StepId } from '../steps/types.js';

/**
 * Runs one piece of a run as a row of the view: start, then done/ok with its detail and
 * time, or fail with the cause. `fn` gives the value and the row's detail.
 */
export async function timed<T>(emit: Emit, id: StepId, title: string, status: 'ok' | 'done', fn: () => Promise<[T, string]>): Promise<T> {
  const t0 = Date.now();
  emit({ type: 'step-start', id, title });
  try {
    const [v, detail] = await fn();
    emit({ type: 'step-end', id, status, detail, ms: Date.now() - t0 });
    return v;
  } catch (e) {
    emit({ type: 'step-end', id, status: 'fail', detail: e instanceof StepError ? e.cause_ : String((e as Error)?.message ?? e), ms: Date.now() - t0 });
    throw e;
  }
}
