/**
 * `--demo`: the whole run, with the real engine, ssh2, sealing and octokit, against a
 * sandbox started in this process: a simulated Ubuntu droplet (src/sandbox/droplet/) and a
 * simulated GitHub (src/sandbox/github-emulator.ts). No account, no network, no system
 * program; the only file written is a known_hosts in a temporary folder, removed at the end.
 */
import { join } from 'node:path';
import type { CliOptions } from '../../config/options.js';
import type { Draft, Settings } from '../../config/settings.js';
import { memoryStore } from '../../config/store.js';
import type { EngineEvent, Plan } from '../../engine/types.js';
import type { HostKeyInfo } from '../../host/connect.js';
import type { Io } from '../../cli.js';
import { sandboxReceipt } from './receipt.js';
import { DEMO, demoSettings, startSandbox, type Sandbox } from './sandbox.js';

export { sandboxReceipt } from './receipt.js';
export { DEMO, demoSettings, startSandbox, type Sandbox } from './sandbox.js';

export interface DemoOptions {
  /** Receives every engine event; default: the plain reporter on io.stdout. */
  reporter?: (e: EngineEvent) => void;
  /** Asked for the sandbox's host key (never seen before); default: trust it. */
  confirmNewHostKey?: (info: HostKeyInfo) => Promise<boolean>;
  /** Shown the plan before anything changes; default: no question. */
  confirmPlan?: (plan: Plan) => Promise<boolean>;
}

/**
 * The sandbox listens on a random local port; a droplet's sshd is on 22, where the
 * template's literal `port: 22` is right. Say so instead of warning about it.
 */
const sandboxNote = (settings: Settings) => {
  const portWarning = new RegExp(`^SSH port ${settings.sshPort}: .*port: 22`);
  return (e: EngineEvent): EngineEvent =>
    e.type === 'warning' && portWarning.test(e.message)
      ? { type: 'warning', message: `(sandbox only) SSH is on port ${settings.sshPort} here; on a droplet it is 22, which is what release.yml's \`port: 22\` expects` }
      : e;
};

/** On a terminal: the same guided wizard as a real run, every answer prefilled for the sandbox. */
async function runDemoWizard(cli: CliOptions, env: Record<string, string | undefined>, io: Io): Promise<number> {
  const [{ runWizardWith, peekRepo }, { mkdir, writeFile }] = await Promise.all([import('../../interview/run-wizard.js'), import('node:fs/promises')]);
  const sb = await startSandbox({ fast: env.CLH_DEMO_FAST === '1' });
  try {
    // The sandbox's folder plays the user's home: the demo login key is its ~/.ssh/id_ed25519.
    const home = sb.dir;
    await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    const identity = join(home, '.ssh', 'id_ed25519');
    await writeFile(identity, sb.droplet.loginKey, { mode: 0o600 });
    const s = demoSettings(sb, cli);
    const draft: Draft = {
      host: s.host,
      sshHost: s.sshHost,
      sshPort: String(s.sshPort),
      user: s.user,
      deployUser: s.deployUser,
      identity,
      knownHosts: s.knownHostsPath,
      email: s.email,
      repo: DEMO.repo,
      target: s.target,
      workflow: s.workflowFile,
      githubApiUrl: s.apiUrl,
      token: s.token,
      storage: s.storage,
    };
    return await runWizardWith({ ...cli, rotate: false, rotateOnly: [] }, io, {
      store: memoryStore(),
      draft,
      env: { ...env, SSH_AUTH_SOCK: undefined },
      home,
      sourceLabel: 'the sandbox',
      peekRepo,
      banner: [
        'Demo: a sandbox run. The host is a simulated Ubuntu droplet and GitHub',
        'a simulated API, both inside this process: nothing real is touched.',
        'Press Enter to take each prefilled answer.',
      ].join('\n'),
      trustByDefault: true,
      depsOverrides: { pollMs: sb.fast ? 20 : 100 },
      mapEvent: sandboxNote(s),
      afterRun: async (settings, summary) => {
        const r = await sandboxReceipt(sb, settings, summary);
        // The receipt's own heading repeats the note's title.
        return { ok: r.ok, title: 'What the sandbox received', lines: r.lines.filter((l, i) => !(i < 3 && (!l.trim() || /^What the sandbox received/.test(l)))).map((l) => l.replace(/^  /, '')) };
      },
    });
  } finally {
    await sb.close();
  }
}

export async function runDemo(cli: CliOptions, env: Record<string, string | undefined>, io: Io, opts: DemoOptions = {}): Promise<number> {
  if (io.isTTY && !cli.yes && !env.CI && !opts.reporter) return runDemoWizard(cli, env, io);
  const out = (s: string) => void io.stdout.write(`${s}\n`);
  const err = (s: string) => void io.stderr.write(`${s}\n`);
  const fast = env.CLH_DEMO_FAST === '1';
  const started = Date.now();
  let sb: Sandbox | undefined;
  try {
    const [{ realDeps }, { plainReporter }, { runOnboarding }] = await Promise.all([
      import('../../cli.js'),
      import('../../ui/plain-reporter.js'),
      import('../../engine/run.js'),
    ]);
    out('create-litestream-host --demo: a sandbox run. Nothing real is touched: no server, no GitHub account, no network.');
    sb = await startSandbox({ fast });
    const settings = demoSettings(sb, cli);
    out(`  host    a simulated Ubuntu 24.04 droplet with Docker 27.3.1: an SSH server in this process, ${settings.user}@${settings.sshHost}:${settings.sshPort}`);
    out(`  GitHub  a simulated GitHub API in this process, repository ${DEMO.repo} (the ${DEMO.template} template)`);
    out(`  inputs  --host ${settings.host} --user ${settings.user} --deploy-user ${settings.deployUser} --email ${settings.email} --target ${settings.target}, example AWS keys`);
    out('');
    const deps = await realDeps(settings, env, memoryStore(), {
      pollMs: fast ? 20 : 100,
      confirmNewHostKey: opts.confirmNewHostKey ?? (async () => true),
      ...(opts.confirmPlan ? { confirmPlan: opts.confirmPlan } : {}),
    });
    const report = opts.reporter ?? plainReporter(out, { deployUser: settings.deployUser });
    const emit = (e: EngineEvent) => report(sandboxNote(settings)(e));
    const summary = await runOnboarding(settings, deps, emit, sb.auth);
    if (settings.dryRun) {
      out('');
      out('Dry run: the plan above was made from the sandbox; nothing was changed, not even there.');
      return 0;
    }
    const receipt = await sandboxReceipt(sb, settings, summary);
    for (const l of receipt.lines) out(l);
    out('');
    if (!receipt.ok) {
      err('error: the sandbox did not receive what the run reported (a bug; please report it)');
      return 1;
    }
    out(`Demo finished: success, in ${((Date.now() - started) / 1000).toFixed(1)}s. The sandbox is gone; nothing outside this process was changed.`);
    out('For real: in your app\'s folder, with a fresh host and a GitHub token: npx create-litestream-host');
    return 0;
  } catch (e) {
    const { reportFailure } = await import('../../cli.js');
    const code = reportFailure(e, err);
    return code === 130 ? 130 : 1;
  } finally {
    await sb?.close();
  }
}
