import { Interrupted, StepError, UsageError } from '../errors.js';
import { printableDeep } from '../printable.js';
import type { Settings } from '../config/settings.js';
import { PROXY_FILE } from '../host/layout.js';
import type { AuthSource } from '../host/transport.js';
import type { OpenedLogin } from '../host/connect.js';
import { repoName } from '../config/settings.js';
import { deployHome } from '../steps/deploy-user.js';
import { blockedItems, makePlan, STEPS } from '../steps/index.js';
import type { ApplyContext, Deps, Emit, Plan, PlanItem, Step, Summary } from '../steps/types.js';
import { inspect, openSession, reinspectHost } from './inspect.js';
import { timed } from './timed.js';

/** A row of `after` with a question that `before` (the plan the wizard asked about) did not have. */
export const unaskedQuestion = (before: Plan, after: Plan): PlanItem | undefined => after.items.find((i) => i.ask && !before.items.some((p) => p.id === i.id && p.ask));

/**
 * The onboarding engine: inspect, plan, then change the host first, the repository's
 * secrets next and trigger the release last. A blocked plan changes nothing; a failure
 * leaves a state that a re-run completes.
 */
export async function runOnboarding(settings: Settings, deps: Deps, show: Emit, auth: AuthSource[], opened?: OpenedLogin): Promise<Summary> {
  // Events quote the host and GitHub (job and step names, messages): printable before any renderer.
  const emit: Emit = (e) => show(printableDeep(e));
  const { ins, host, gh } = await inspect(settings, deps, emit, auth, opened);
  // A repair that changed the login user's groups replaces the session.
  let session = host;
  try {
    emit({ type: 'phase', phase: 'plan' });
    const plan = makePlan(ins);
    emit({ type: 'plan', plan });
    for (const w of plan.warnings) emit({ type: 'warning', message: w });
    const home = deployHome(ins);
    const summary: Summary = {
      changed: [],
      siteUrl: `https://${settings.host}`,
      ssh: `ssh ${settings.sshPort === 22 ? '' : `-p ${settings.sshPort} `}${settings.deployUser}@${settings.sshHost}`,
      proxyFile: `${home}/${PROXY_FILE}`,
      secretsWritten: [],
      manual: [],
      dryRun: settings.dryRun,
    };
    if (settings.dryRun) return summary;
    if (settings.verifyOnly) {
      // Changes nothing: the storage row, then each check of the outcome; the first failure ends the run (exit 1).
      const storage = plan.items.find((i) => i.id === 'storage');
      if (storage?.status === 'blocked') throw new StepError(storage.title, storage.detail, storage.fix ?? 'See the plan above');
      const ctx: ApplyContext = { ins, plan, summary, deps, emit, host, gh, deployHome: home, written: [], changed: summary.changed };
      for (const step of STEPS.filter((s) => s.verify && s.apply)) {
        const doing = typeof step.doing === 'function' ? step.doing(ins) : (step.doing ?? step.title);
        await timed(emit, step.id, doing, 'ok', async () => {
          const d = await step.apply!(ctx);
          return [d, d ?? ''];
        });
      }
      emit({ type: 'phase', phase: 'done' });
      emit({ type: 'summary', summary });
      return summary;
    }
    const blocked = blockedItems(plan);
    if (blocked.length) {
      const first = blocked[0]!;
      if (first.badInput) throw new UsageError(`${first.title}: ${first.detail}`, first.fix);
      const more = blocked.length > 1 ? ` (and ${blocked.length - 1} more blocked item${blocked.length > 2 ? 's' : ''} above)` : '';
      throw new StepError(first.title, `${first.detail}${more}; nothing was changed`, first.fix ?? 'See the plan above');
    }
    if (deps.confirmPlan && !(await deps.confirmPlan(plan))) throw new Interrupted('plan not confirmed; nothing was changed');

    emit({ type: 'phase', phase: 'apply' });
    const ctx: ApplyContext = { ins, plan, summary, deps, emit, host, gh, deployHome: home, written: [], changed: summary.changed };
    const rows = new Map(plan.items.map((i) => [i.id, i]));
    /** After a repair: read the host again and judge the rows below on what is there now. */
    const refresh = async (how: 'probe' | 'login') => {
      await timed(emit, 'inspect-host', how === 'login' ? 'Log in again and inspect the host' : 'Inspect the host again', 'ok', async () => {
        if (how === 'login') {
          // Group changes apply to new logins only.
          const fresh = await openSession(settings, deps, auth);
          session.close();
          ctx.host = session = fresh.session;
        }
        await reinspectHost(ctx.host, ins);
        return [undefined, `${ins.facts.os.pretty || ins.facts.os.id}, user ${ins.facts.user} (${ins.facts.groups.join(' ')})`];
      });
      const again = makePlan(ins);
      for (const i of again.items) rows.set(i.id, i);
      const stuck = blockedItems(again)[0];
      if (stuck) throw new StepError(stuck.title, `${stuck.detail} (after the repairs above)`, stuck.fix ?? 'See the plan above');
      // In the wizard, a question nobody was asked (the storage could only be read once Docker was there): stop, and ask it on the re-run.
      const unasked = settings.yes ? undefined : unaskedQuestion(plan, again);
      if (unasked) throw new StepError(unasked.title, `${unasked.detail} (found after the repairs above)`, unasked.fix ?? 'Re-run: the plan asks about it before any other change');
    };
    const run = async (step: Step) => {
      if (!step.apply || !(step.runs ? step.runs(ctx, rows.get(step.id)) : rows.get(step.id)?.status === 'change')) return;
      const doing = typeof step.doing === 'function' ? step.doing(ins) : (step.doing ?? step.title);
      const detail = await timed(emit, step.id, doing, 'done', async () => {
        const d = await step.apply!(ctx);
        return [d, d ?? ''];
      });
      if (detail && !step.ownSummary) summary.changed.push(`${doing}: ${detail}`);
      if (step.refresh) await refresh(step.refresh);
    };
    for (const step of STEPS.filter((s) => !s.phase)) await run(step);
    // Persist non-secret answers and the record even when nothing was written.
    await deps.store.save(repoName(settings), ins.saved);
    summary.secretsWritten = ctx.written;
    for (const step of STEPS.filter((s) => s.phase)) {
      if (step.apply && rows.get(step.id)?.status === 'change') emit({ type: 'phase', phase: step.phase! });
      await run(step);
    }
    if (settings.rotateItems.length) summary.rotated = STEPS.flatMap((s) => s.report?.(ctx).rotated ?? []);
    summary.manual.push(...STEPS.flatMap((s) => s.report?.(ctx).manual ?? []));
    emit({ type: 'phase', phase: 'done' });
    emit({ type: 'summary', summary });
    return summary;
  } finally {
    session.close();
  }
}
