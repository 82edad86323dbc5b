import { homedir } from 'node:os';
import type { Io } from '../cli.js';
import { collectDraft, realDeps, reportFailure, saveDefaults } from '../cli.js';
import type { CliOptions } from '../config/options.js';
import type { Draft, Settings } from '../config/settings.js';
import { configDir, fileStore, type RepoFile, type Store } from '../config/store.js';
import { Interrupted, StepError } from '../errors.js';
import type { Deps, EngineEvent, Plan, Summary } from '../engine/types.js';
import type { HostKeyInfo, OpenedLogin } from '../host/connect.js';
import type { AuthSource } from '../host/transport.js';
import { planLines, seconds, wrapLines } from '../ui/format.js';
import { interview, type RepoPeek } from './interview.js';
import { clackPrompter, type Prompter } from './prompter.js';

/** What differs between a real wizard run and the --demo sandbox. */
export interface WizardEnv {
  store: Store;
  draft: Draft;
  env: Record<string, string | undefined>;
  home: string;
  loadSaved?: (repo: string) => Promise<RepoFile>;
  peekRepo?: (d: Draft) => Promise<RepoPeek>;
  depsOverrides?: Partial<Deps>;
  /** Where prefilled values came from, for the interview's "from …" lines. */
  sourceLabel?: string;
  banner?: string;
  trustByDefault?: boolean;
  /** Rewrites an event before it is shown (the sandbox's note on its random port). */
  mapEvent?: (e: EngineEvent) => EngineEvent;
  /** After a successful run: lines for a closing note (the demo's receipt) and whether all is well. */
  afterRun?: (settings: Settings, summary: Summary) => Promise<{ ok: boolean; title: string; lines: string[] }>;
}

/**
 * The guided run: clack owns the terminal for the interview, the inspection and the plan;
 * once the plan is confirmed, Ink owns it for the live steps. Never both at once.
 */
export async function runWizardWith(cli: CliOptions, io: Io, w: WizardEnv, prompter?: Prompter): Promise<number> {
  const p = prompter ?? (await clackPrompter({ input: io.stdin as NodeJS.ReadStream, output: io.stdout as NodeJS.WriteStream }));
  const noColor = !!w.env.NO_COLOR || w.env.FORCE_COLOR === '0';
  let live: import('../ui/live/index.js').LiveView | undefined;
  try {
    // ssh2 loads while the first questions are on screen, not before the first frame.
    const connectModule = import('../host/connect.js');
    const res = await interview(p, {
      cli,
      draft: w.draft,
      saved: undefined,
      env: w.env,
      home: w.home,
      sourceLabel: w.sourceLabel,
      banner: w.banner,
      trustByDefault: w.trustByDefault,
      loadSaved: w.loadSaved,
      peekRepo: w.peekRepo,
      authSources: async (o) => (await connectModule).authSources(o),
      connect: async (d: Draft, auth: AuthSource[], confirmNewHostKey: (i: HostKeyInfo) => Promise<boolean>): Promise<OpenedLogin> =>
        (await connectModule).openLogin({
          sshHost: d.sshHost ?? d.host!,
          sshPort: Number(d.sshPort ?? 22),
          user: d.user!,
          knownHostsPath: d.knownHosts ? d.knownHosts.replace(/^~(?=\/)/, w.home) : `${w.home}/.ssh/known_hosts`,
          auth,
          confirmNewHostKey,
        }),
    });
    const { settings } = res;
    await saveDefaults(w.store, settings, cli);
    const asked = `${settings.repo.owner}/${settings.repo.repo}`;

    const deps = await realDeps(settings, w.env, w.store, {
      ...w.depsOverrides,
      confirmNewHostKey: async () => false,
      confirmPlan: async (plan: Plan) => {
        if (!(await p.confirm({ message: `Apply ${plan.items.filter((i) => i.status === 'change').length} changes?`, initial: true }))) return false;
        const { startLiveView } = await import('../ui/live/index.js');
        const view = startLiveView({
          stdout: io.stdout as NodeJS.WriteStream,
          stdin: io.stdin as NodeJS.ReadStream,
          noColor,
          deployUser: settings.deployUser,
          // Close the view cleanly (running rows marked stopped), then exit 130 through cli.ts.
          onInterrupt: () => {
            view.fail({ step: 'interrupted', cause: 'Ctrl-C; every change so far was written whole or not at all', fix: 'Re-run: it resumes where this one stopped' });
            void view.stop().finally(() => process.kill(process.pid, 'SIGINT'));
          },
        });
        live = view;
        return true;
      },
    });
    // clack's boxes take six columns; wrap inside them so a plan stays a table.
    const width = Math.max(40, ((io.stdout as NodeJS.WriteStream).columns ?? 80) - 6);
    const label: Record<string, string> = { 'inspect-host': 'Host', 'inspect-repo': 'Repository' };
    const pre = (e: EngineEvent) => {
      // The interview already connected and said so.
      if (e.type === 'step-end' && e.id !== 'ssh') (e.status === 'fail' ? p.error : p.success)(`${label[e.id] ?? e.id}: ${e.detail} (${seconds(e.ms)})`);
      else if (e.type === 'plan') p.note(wrapLines(planLines(e.plan).slice(1), width).join('\n'), settings.dryRun ? 'Plan (dry run)' : 'Plan');
      else if (e.type === 'warning') p.warn(wrapLines([e.message], width).join('\n'));
    };
    const { runOnboarding } = await import('../engine/run.js');
    const show = (e: EngineEvent) => (live ? live.emit(e) : pre(e));
    const summary = await runOnboarding(settings, deps, w.mapEvent ? (e) => show(w.mapEvent!(e)) : show, res.auth, res.login);
    // A renamed repository: the engine moved to the new name; the answers go there too.
    if (`${settings.repo.owner}/${settings.repo.repo}` !== asked) await saveDefaults(w.store, settings, cli);
    if (live) await live.stop();
    if (settings.dryRun) {
      p.outro('Dry run: nothing was changed.');
      return 0;
    }
    if (w.afterRun) {
      const r = await w.afterRun(settings, summary);
      p.note(wrapLines(r.lines, width).join('\n'), r.title);
      if (!r.ok) {
        p.error('the sandbox did not receive what the run reported (a bug; please report it)');
        return 1;
      }
    }
    p.outro(live ? 'Done.' : 'Nothing to do: host and repository were already set up.');
    return 0;
  } catch (e) {
    if (live) {
      if (e instanceof StepError) live.fail({ step: e.step, cause: e.cause_, fix: e.fix });
      await live.stop();
      if (e instanceof StepError) return 1;
    }
    if (e instanceof Interrupted) return 130;
    const lines: string[] = [];
    const code = reportFailure(e, (s) => void lines.push(s));
    p.error(lines.join('\n'));
    return code;
  }
}

export async function runWizard(cli: CliOptions, env: Record<string, string | undefined>, io: Io): Promise<number> {
  const home = homedir();
  const store = fileStore(configDir(env, home));
  const { draft, env: merged } = await collectDraft(cli, env, store, process.cwd());
  return runWizardWith(cli, io, {
    store,
    draft,
    env: merged,
    home,
    loadSaved: (repo) => store.load(repo),
    peekRepo,
  });
}

/** What the repository already holds, read as soon as repository and token are known. */
export async function peekRepo(d: Draft): Promise<RepoPeek> {
  if (!d.repo || !d.token) return {};
  const [{ createGitHubClient }, { getRepo, getFileText, listSecrets }, { analyzeWorkflow }] = await Promise.all([
    import('../github/client.js'),
    import('../github/api.js'),
    import('../github/workflow.js'),
  ]);
  const gh = createGitHubClient({ token: d.token, baseUrl: d.githubApiUrl ?? 'https://api.github.com' });
  const [owner, repo] = d.repo.split('/') as [string, string];
  const info = await getRepo(gh, { owner, repo });
  const [text, secrets] = await Promise.all([
    getFileText(gh, { owner, repo }, `.github/workflows/${d.workflow ?? 'release.yml'}`, info.defaultBranch).catch(() => undefined),
    listSecrets(gh, { owner, repo }).catch(() => undefined),
  ]);
  return { target: text ? analyzeWorkflow(text).target : undefined, secrets: secrets && new Set(secrets.map((x) => x.name)) };
}
