import { StepError } from '../errors.js';
import { ConnectError } from '../host/transport.js';
import { printableLine } from '../printable.js';
import type { Argv } from '../host/shell.js';
import type { ApplyContext, StepId } from './types.js';

/**
 * Runs one command on the host for a step: streams its output into the live view and
 * turns a non-zero exit into a StepError that quotes the end of what it printed.
 */
export async function runOnHost(
  ctx: ApplyContext,
  id: StepId,
  argv: Argv,
  o: { stdin?: string; what: string; fix: string; quiet?: boolean },
): Promise<string> {
  let r;
  try {
    r = await ctx.host.exec(argv, {
      stdin: o.stdin,
      onLine: o.quiet ? undefined : (line) => line.trim() && ctx.emit({ type: 'output', id, line: printableLine(line) }),
    });
  } catch (e) {
    if (e instanceof ConnectError) throw new StepError(id, `${e.message}, during ${o.what}`, 'Re-run: every change is written whole or not at all, and the run resumes here');
    throw e;
  }
  if (r.code !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-3).map(printableLine).join(' / ');
    throw new StepError(id, `${o.what} failed (exit ${r.code})${tail ? `: ${tail}` : ''}`, o.fix);
  }
  return r.stdout;
}
