import { StepError } from '../errors.js';
import { restoreDrillArgv } from '../host/litestream.js';
import { drillFailure, drillLine, parseDrill } from '../targets/drill.js';
import { redactor, sidecarAndDocker, sidecarInput } from './storage-run.js';
import { afterReleaseWithValues } from './outcome.js';
import type { ApplyContext, Step } from './types.js';

const TITLE = 'Restore drill';

/** Restores the replica on the host with the sidecar's image, into a temporary file, and checks it. */
async function drill(ctx: ApplyContext): Promise<string> {
  const { settings } = ctx.ins;
  const { sidecar, docker } = sidecarAndDocker(ctx.ins, TITLE);
  const input = sidecarInput(settings, sidecar);
  if (input.missing.length) throw new StepError(TITLE, `${input.missing.join(', ')} not given to this run`, `Give them in the environment or --env-file (the repository keeps them sealed), then re-run`);
  const t0 = Date.now();
  const r = await ctx.host.exec(restoreDrillArgv(sidecar.image, docker), { stdin: input.stdin }).catch((e: Error) => {
    throw new StepError(TITLE, `${e.message}, during the restore drill`, 'Re-run with --verify: the drill changes nothing');
  });
  const ms = Date.now() - t0;
  const d = parseDrill(redactor(settings)(`${r.stdout}\n${r.stderr}`));
  const failed = drillFailure(d);
  if (failed) throw new StepError(TITLE, failed.reason, failed.fix);
  const line = drillLine(d, ms);
  (ctx.summary.verified ??= []).push(`${TITLE}: ${line}`);
  ctx.summary.drilled = true;
  return line;
}

export const restoreDrillStep: Step = {
  id: 'restore-drill',
  title: TITLE,
  doing: 'Restore drill (a temporary file on the host)',
  verify: true,
  phase: 'release',
  ownSummary: true,
  runs: afterReleaseWithValues,
  apply: drill,
};
