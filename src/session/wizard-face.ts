import type { Draft } from '../config/settings.js';
import { Interrupted, StepError } from '../errors.js';
import type { EngineEvent, Plan } from '../steps/types.js';
import type { HostKeyInfo, OpenedLogin } from '../host/connect.js';
import type { AuthSource } from '../host/transport.js';
import { interview } from '../interview/interview.js';
import { clackPrompter, type Prompter } from '../interview/prompter.js';
import { failureLines } from '../ui/failure.js';
import { planLines, seconds, wrapLines } from '../ui/format.js';
import { compactPlanLines } from '../ui/plan-text.js';
import type { LiveView } from '../ui/live/index.js';
import type { Face, FaceContext } from './face.js';

/**
 * The guided run: clack owns the terminal for the interview, the inspection and the plan;
 * once the plan is confirmed, Ink owns it for the live steps. Never both at once.
 */
export async function wizardFace({ cli, io, world, interrupt }: FaceContext, prompter?: Prompter): Promise<Face> {
  const p = prompter ?? (await clackPrompter({ input: io.stdin as NodeJS.ReadStream, output: io.stdout as NodeJS.WriteStream }));
  const noColor = !!world.env.NO_COLOR || world.env.FORCE_COLOR === '0';
  // clack's boxes take six columns; wrap inside them so a plan stays a table.
  const width = Math.max(40, ((io.stdout as NodeJS.WriteStream).columns ?? 80) - 6);
  const label: Record<string, string> = { 'inspect-host': 'Host', 'inspect-repo': 'Repository' };
  let live: LiveView | undefined;
  let deployUser = '';
  let dryRun = false;
  // After a failure, a row still in flight (the host's inspection, when the repository's failed) is not shown under the error.
  let failed = false;
  const before = (e: EngineEvent) => {
    if (failed) return;
    // The interview already connected and said so.
    if (e.type === 'step-end' && e.id !== 'ssh') (e.status === 'fail' ? p.error : p.success)(`${label[e.id] ?? e.id}: ${e.detail} (${seconds(e.ms)})`);
    else if (e.type === 'plan') {
      p.note(compactPlanLines(e.plan, width).join('\n'), dryRun ? 'Plan (dry run)' : 'Plan');
      if (dryRun) p.info('Every detail of the plan: the same command with --yes prints it whole');
    }
    else if (e.type === 'warning') p.warn(wrapLines([e.message], width).join('\n'));
  };
  return {
    async settle() {
      // ssh2 loads while the first questions are on screen, not before the first frame.
      const connectModule = import('../host/connect.js');
      const res = await interview(p, {
        cli,
        columns: (io.stdout as NodeJS.WriteStream).columns,
        draft: world.draft,
        env: world.env,
        home: world.home,
        sourceLabel: world.sourceLabel,
        banner: world.banner,
        trustByDefault: world.trustByDefault,
        loadSaved: world.loadSaved,
        peekRepo: world.peekRepo,
        authSources: async (o) => (await connectModule).authSources(o),
        connect: async (d: Draft, auth: AuthSource[], confirmNewHostKey: (i: HostKeyInfo) => Promise<boolean>): Promise<OpenedLogin> =>
          (await connectModule).openLogin({
            sshHost: d.sshHost ?? d.host!,
            sshPort: Number(d.sshPort ?? 22),
            user: d.user!,
            knownHostsPath: d.knownHosts ? d.knownHosts.replace(/^~(?=\/)/, world.home) : `${world.home}/.ssh/known_hosts`,
            auth,
            confirmNewHostKey,
          }),
      });
      deployUser = res.settings.deployUser;
      dryRun = res.settings.dryRun;
      return { settings: res.settings, auth: res.auth, login: res.login };
    },
    emit: (e) => (live ? live.emit(e) : before(e)),
    async confirmPlan(plan: Plan) {
      // Installing software, a repair of someone's files and going on past a DNS warning each get their own answer; a no changes nothing.
      for (const i of plan.items.filter((i) => i.ask)) {
        if (await p.confirm({ message: i.ask!, initial: i.status !== 'warn' })) continue;
        if (i.askNo) p.warn(i.askNo);
        return false;
      }
      const n = plan.items.filter((i) => i.status === 'change').length;
      for (;;) {
        const choice = await p.select({
          message: `Apply ${n} changes?`,
          options: [
            { value: 'apply', label: 'Yes, apply them' },
            { value: 'details', label: 'Show every detail first', hint: 'commands, paths, each secret' },
            { value: 'stop', label: 'No, change nothing' },
          ],
          initial: 'apply',
        });
        if (choice === 'stop') return false;
        if (choice === 'apply') break;
        p.note(wrapLines(planLines(plan).slice(1), width).join('\n'), 'The whole plan');
      }
      const { startLiveView } = await import('../ui/live/index.js');
      live = startLiveView({
        stdout: io.stdout as NodeJS.WriteStream,
        stdin: io.stdin as NodeJS.ReadStream,
        noColor,
        deployUser,
        onInterrupt: interrupt,
      });
      return true;
    },
    async done(settings, _summary, after) {
      if (live) await live.stop();
      if (settings.dryRun) return void p.outro('Dry run: nothing was changed.');
      if (after) {
        p.note(wrapLines(after.lines, width).join('\n'), after.title);
        if (!after.ok) return;
      }
      p.outro(live ? 'Done.' : 'Nothing to do: host and repository were already set up.');
    },
    async fail(e) {
      failed = true;
      if (live) {
        // The live view says it in its failure box; the run's rows are closed as stopped.
        if (e instanceof StepError) live.fail({ step: e.step, cause: e.cause_, fix: e.fix });
        else if (e instanceof Interrupted) live.fail({ step: 'interrupted', cause: 'Ctrl-C; every change so far was written whole or not at all', fix: '' });
        await live.stop();
        if (e instanceof StepError || e instanceof Interrupted) return;
      }
      // A question cancelled said so already ("Cancelled: nothing was changed").
      if (e instanceof Interrupted && e.alreadySaid) return;
      p.error(failureLines(e).join('\n'));
    },
  };
}
