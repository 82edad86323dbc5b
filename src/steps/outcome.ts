import { StepError } from '../errors.js';
import { outcomeArgv } from '../host/outcome.js';
import { printableLine } from '../printable.js';
import { appNameOf, judgeContainers, judgeLog, judgeReplica, parseOutcome, serviceNames, settling, type Check, type Outcome } from '../targets/outcome.js';
import { redactor, sidecarAndDocker, sidecarInput } from './storage-run.js';
import type { ApplyContext, Step } from './types.js';

/**
 * The checks of the outcome that read the host: one round trip reads the containers, the
 * sidecar's log and the replica's listing; three rows judge it. After a release the host is
 * given a little while to settle (the app starts only once Litestream is healthy).
 */
const CONTAINERS = 'App and Litestream';

const justStarted = (ctx: ApplyContext): boolean => !ctx.ins.settings.verifyOnly;

async function readOutcome(ctx: ApplyContext): Promise<NonNullable<ApplyContext['outcome']>> {
  const { settings, repo } = ctx.ins;
  const { sidecar, docker } = sidecarAndDocker(ctx.ins, CONTAINERS);
  const names = serviceNames(sidecar, appNameOf(repo.info.fullName));
  if (!names) throw new StepError(CONTAINERS, `the compose file names no app service beside ${sidecar.service}`, 'Check .deploy/docker-compose*.yml: the app service should depend on the Litestream service');
  const input = sidecarInput(settings, sidecar);
  // Without the storage values the containers and the log can still be read; the replica cannot.
  if (input.missing.length && settings.verifyOnly) throw new StepError(CONTAINERS, `${input.missing.join(', ')} not given to this run: the replica cannot be read`, 'Give them in the environment or --env-file (the repository keeps them sealed), then re-run');
  const readsReplica = !input.missing.length;
  if (!readsReplica) ctx.summary.manual.push(`The replica and the restore drill were not checked: ${input.missing.join(', ')} not given to this run. Check them with npx create-litestream-host --verify and those values`);
  const redact = redactor(settings);
  const waitMs = ctx.deps.outcomeWaitMs;
  const until = Date.now() + waitMs;
  for (let n = 1; ; n++) {
    const r = await ctx.host.exec(outcomeArgv(docker, names, sidecar.image), { stdin: input.stdin }).catch((e: Error) => {
      throw new StepError(CONTAINERS, `${e.message}, while reading the containers`, 'Re-run with --verify: the checks change nothing');
    });
    const result = parseOutcome(redact(`${r.stdout}\n${r.stderr}`));
    const pending = [judgeContainers(result, names, ctx.summary.ssh), ...(readsReplica ? [judgeReplica(result, settings.target)] : [])].find((c) => !c.ok);
    // A release has just started the containers: anything may still change. Months later, only a starting container will.
    const worthWaiting = justStarted(ctx) || settling(result);
    if (!pending || !worthWaiting || Date.now() >= until) return { result, names };
    if (n === 1 || n % 6 === 0) ctx.emit({ type: 'output', id: 'outcome-containers', line: printableLine(`not yet: ${pending.reason}; looking again for up to ${Math.round(waitMs / 1000)} s`) });
    await ctx.deps.sleep(Math.min(5000, Math.max(ctx.deps.pollMs, 1000)));
  }
}

function verdict(ctx: ApplyContext, title: string, c: Check): string {
  if (!c.ok) throw new StepError(title, c.reason, c.fix);
  (ctx.summary.verified ??= []).push(`${title}: ${c.detail}`);
  return c.detail;
}

const outcomeOf = (ctx: ApplyContext): { result: Outcome; names: { app: string; sidecar: string } } => {
  if (!ctx.outcome) throw new StepError(CONTAINERS, 'the containers were not read', 'Re-run with --verify');
  return ctx.outcome;
};

/** Runs after a release (unless --no-verify), and alone with --verify. */
export const afterRelease = (ctx: ApplyContext): boolean => ctx.ins.settings.verifyAfter && !!ctx.summary.runUrl;

/** The storage values the sidecar's URL and environment need and this run was not given (kept sealed in the repository). */
export function missingStorageValues(ctx: ApplyContext): string[] {
  const sidecar = ctx.ins.storage?.sidecar;
  return sidecar ? sidecarInput(ctx.ins.settings, sidecar).missing : [];
}

/** After a release, the checks that read the replica run only with the storage values (the summary says so otherwise). */
export const afterReleaseWithValues = (ctx: ApplyContext): boolean => afterRelease(ctx) && !missingStorageValues(ctx).length;

export const containersStep: Step = {
  id: 'outcome-containers',
  title: CONTAINERS,
  doing: 'Check the app and Litestream containers',
  verify: true,
  phase: 'release',
  ownSummary: true,
  runs: afterRelease,
  apply: async (ctx) => {
    ctx.outcome = await readOutcome(ctx);
    return verdict(ctx, CONTAINERS, judgeContainers(ctx.outcome.result, ctx.outcome.names, ctx.summary.ssh));
  },
};

export const litestreamLogStep: Step = {
  id: 'outcome-log',
  title: 'Litestream log',
  doing: 'Read the Litestream log',
  verify: true,
  phase: 'release',
  ownSummary: true,
  runs: afterRelease,
  apply: async (ctx) => {
    const o = outcomeOf(ctx);
    return verdict(ctx, 'Litestream log', judgeLog(o.result, o.names, ctx.summary.ssh));
  },
};

export const replicaFreshStep: Step = {
  id: 'outcome-replica',
  title: 'Replica',
  doing: "Check the replica's last write",
  verify: true,
  phase: 'release',
  ownSummary: true,
  runs: afterReleaseWithValues,
  apply: async (ctx) => verdict(ctx, 'Replica', judgeReplica(outcomeOf(ctx).result, ctx.ins.settings.target)),
};
