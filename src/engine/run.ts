import { Interrupted, StepError } from '../errors.js';
import { printableDeep } from '../printable.js';
import type { Settings } from '../config/settings.js';
import { PROXY_FILE } from '../host/layout.js';
import type { AuthSource } from '../host/transport.js';
import type { OpenedLogin } from '../host/connect.js';
import { applyDeployKey, deployKeyState, finishDeployKey, keysToRemove } from '../steps/deploy-key.js';
import { applyDeployUser, deployHome } from '../steps/deploy-user.js';
import { applyProxy } from '../steps/proxy.js';
import { applyRelease } from '../steps/release.js';
import { applySecrets } from '../steps/secrets.js';
import { applyShim } from '../steps/shim.js';
import { inspect } from './inspect.js';
import { blockedItems, makePlan } from './plan.js';
import type { ApplyContext, Deps, Emit, StepId, Summary } from './types.js';

/** What to do when a planned step runs: apply functions in the order changes must happen. */
const APPLY: { id: StepId; title: string; run: (c: ApplyContext) => Promise<string | undefined>; when?: (c: ApplyContext) => boolean }[] = [
  { id: 'shim', title: 'Install the docker-compose shim', run: applyShim },
  { id: 'deploy-user', title: 'Create the deploy user', run: applyDeployUser },
  { id: 'proxy', title: 'Start nginx-proxy + LetsEncrypt', run: applyProxy },
  // A deploy-key change may be only the removal of replaced keys, done after the secrets.
  { id: 'deploy-key', title: 'Authorize a new deploy key', run: applyDeployKey, when: (c) => deployKeyState(c.ins).needsNew },
  { id: 'secrets', title: 'Write repository secrets', run: applySecrets },
];

async function step(ctx: ApplyContext, id: StepId, title: string, fn: () => Promise<string | undefined>): Promise<void> {
  const t0 = Date.now();
  ctx.emit({ type: 'step-start', id, title });
  try {
    const detail = await fn();
    ctx.emit({ type: 'step-end', id, status: 'done', detail: detail ?? '', ms: Date.now() - t0 });
    if (detail) ctx.changed.push(`${title}: ${detail}`);
  } catch (e) {
    const detail = e instanceof StepError ? e.cause_ : (e as Error).message;
    ctx.emit({ type: 'step-end', id, status: 'fail', detail, ms: Date.now() - t0 });
    throw e;
  }
}

/**
 * The onboarding engine: inspect, plan, then change the host first, the repository's
 * secrets next and trigger the release last. A blocked plan changes nothing; a failure
 * leaves a state that a re-run completes.
 */
export async function runOnboarding(settings: Settings, deps: Deps, show: Emit, auth: AuthSource[], opened?: OpenedLogin): Promise<Summary> {
  // Events quote the host and GitHub (job and step names, messages): printable before any renderer.
  const emit: Emit = (e) => show(printableDeep(e));
  const { ins, host, gh } = await inspect(settings, deps, emit, auth, opened);
  try {
    emit({ type: 'phase', phase: 'plan' });
    const plan = makePlan(ins);
    emit({ type: 'plan', plan });
    for (const w of plan.warnings) emit({ type: 'warning', message: w });
    const home = deployHome(ins);
    const summary: Summary = {
      changed: [],
      siteUrl: `https://${settings.host}`,
      proxyFile: `${home}/${PROXY_FILE}`,
      secretsWritten: [],
      manual: [],
      dryRun: settings.dryRun,
    };
    if (settings.dryRun) return summary;
    const blocked = blockedItems(plan);
    if (blocked.length) {
      const first = blocked[0]!;
      const more = blocked.length > 1 ? ` (and ${blocked.length - 1} more blocked item${blocked.length > 2 ? 's' : ''} above)` : '';
      throw new StepError(first.title, `${first.detail}${more}; nothing was changed`, first.fix ?? 'See the plan above');
    }
    if (deps.confirmPlan && !(await deps.confirmPlan(plan))) throw new Interrupted('plan not confirmed; nothing was changed');

    emit({ type: 'phase', phase: 'apply' });
    const ctx: ApplyContext = { ins, plan, deps, emit, host, gh, deployHome: home, written: [], changed: summary.changed };
    const status = new Map(plan.items.map((i) => [i.id, i.status]));
    for (const s of APPLY) if (status.get(s.id) === 'change' && (s.when?.(ctx) ?? true)) await step(ctx, s.id, s.title, () => s.run(ctx));
    if (keysToRemove(ctx).length) await step(ctx, 'deploy-key', 'Remove replaced deploy keys', () => finishDeployKey(ctx));
    // Persist non-secret answers and the record even when nothing was written.
    await deps.store.save(`${settings.repo.owner}/${settings.repo.repo}`, ins.saved);
    summary.secretsWritten = ctx.written;

    if (status.get('release') === 'change') {
      emit({ type: 'phase', phase: 'release' });
      const t0 = Date.now();
      emit({ type: 'step-start', id: 'release', title: `Release: ${ins.repo.workflowFile}` });
      try {
        const r = await applyRelease(ctx);
        summary.runUrl = r.url;
        summary.conclusion = r.conclusion;
        emit({ type: 'step-end', id: 'release', status: 'done', detail: `${r.conclusion} ${r.url}`, ms: Date.now() - t0 });
      } catch (e) {
        emit({ type: 'step-end', id: 'release', status: 'fail', detail: e instanceof StepError ? e.cause_ : String(e), ms: Date.now() - t0 });
        throw e;
      }
    }
    if (settings.rotateItems.length)
      summary.rotated = [
        ...(ctx.newKey ? [`deploy key (now ${ctx.newKey.fingerprint})`] : []),
        ...plan.secrets.filter((p) => p.note === 'rotated' && ctx.written.includes(p.name)).map((p) => p.name),
      ];
    if (settings.rotateItems.includes('storage'))
      summary.manual.push(`Revoke the previous ${settings.target === 'aws' ? 'AWS access key (IAM > Users > Security credentials)' : settings.target === 'azure' ? 'Azure account key (Storage account > Access keys > Rotate key)' : 'SFTP password'} at your provider: this program cannot`);
    emit({ type: 'phase', phase: 'done' });
    emit({ type: 'summary', summary });
    return summary;
  } finally {
    host.close();
  }
}
