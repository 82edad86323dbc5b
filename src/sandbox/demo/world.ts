/**
 * `--demo`: the whole run, with the real engine, ssh2, sealing and octokit, in a world made
 * in this process: a simulated Ubuntu droplet (src/sandbox/droplet/) and a simulated GitHub
 * (src/sandbox/github-emulator.ts). No account, no network, no system program; the only
 * files written are a login key and a known_hosts in a temporary folder, removed at the end.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliOptions } from '../../config/options.js';
import type { Settings } from '../../config/settings.js';
import { memoryStore } from '../../config/store.js';
import { UsageError } from '../../errors.js';
import { DROPLET_IP } from '../droplet/state.js';
import { peekRepo, type World } from '../../session/world.js';
import { sandboxReceipt } from './receipt.js';
import { TARGETS, type TargetId } from '../../targets/index.js';
import { DEMO, DEMO_STORAGE, demoDraft, startSandbox } from './sandbox.js';
import { demoCertificate } from './site.js';

/**
 * Flags other than --dry-run, --no-release, --no-verify, --target and --yes do not apply to
 * the sandbox (these options win over the command line's). The sandbox repository's workflow
 * needs the repair to release: the demo consents to it, since the plan shows the diff before
 * anything changes, and the repository is the sandbox's. The checks after a release run
 * (unless --no-verify): the release deploys the app and its Litestream sidecar on the droplet,
 * which then hold a database and a replica; --verify alone has nothing set up to check.
 */
export const DEMO_OPTIONS: Partial<CliOptions> = { repairWorkflow: true, acceptNewHostKey: true, rotate: false, rotateOnly: [], keepDeployKey: undefined, identity: undefined, verify: false };

/** The target the command line asked for (the demo's AWS without --target); an unknown one is a usage error, as outside the demo. */
function targetOf(cli: Partial<CliOptions> | undefined): TargetId {
  const t = cli?.target;
  if (t === undefined) return 'aws';
  if (!Object.hasOwn(DEMO_STORAGE, t)) throw new UsageError(`--target: "${t}" is not one of ${Object.keys(DEMO_STORAGE).join(', ')}`, 'the demo has a sandbox storage of each target');
  return t as TargetId;
}

/** The storage inputs as the intro names them: values that are not secret, and the secret ones' length only. */
export function storageIntro(target: TargetId): string {
  const values = DEMO_STORAGE[target].values;
  const parts = TARGETS[target].fields.map((f) => (f.secret ? `${f.name} (${values[f.name]!.length} characters, not shown)` : `${f.name}=${values[f.name]}`));
  return `${parts.join(' ')}: ${DEMO_STORAGE[target].about}`;
}

export async function demoWorld(env: Record<string, string | undefined>, cli?: Partial<CliOptions>): Promise<World> {
  const started = Date.now();
  const target = targetOf(cli);
  const sb = await startSandbox({ fast: env.CLH_DEMO_FAST === '1', target });
  try {
    // The sandbox's folder plays the user's home: the demo login key is its ~/.ssh/id_ed25519.
    const home = sb.dir;
    await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    const identity = join(home, '.ssh', 'id_ed25519');
    await writeFile(identity, sb.droplet.loginKey, { mode: 0o600 });
    return {
      options: DEMO_OPTIONS,
      store: memoryStore(),
      env: { ...env, SSH_AUTH_SOCK: undefined },
      home,
      draft: demoDraft(sb, identity),
      peekRepo,
      depsOverrides: {
        pollMs: sb.fast ? 20 : 100,
        resolve: async () => ({ a: [DROPLET_IP], aaaa: [] }),
        // The containers are up when the release completes: a short wait covers a slow machine.
        outcomeWaitMs: sb.fast ? 2000 : 5000,
        // LetsEncrypt answers after a poll or two; the wait is short, the sandbox needs no longer.
        https: { port: 443, pollMs: sb.fast ? 30 : 1200, waitMs: sb.fast ? 3000 : 20_000 },
        certificate: demoCertificate(sb, sb.fast ? 1 : 2),
      },
      sourceLabel: 'the sandbox',
      banner: 'Demo: a sandbox run. The host is a simulated Ubuntu droplet and GitHub a simulated API, both inside this process: nothing real is touched.\nPress Enter to take each prefilled answer.',
      trustByDefault: true,
      intro: (s: Settings) => [
        'create-litestream-host --demo: a sandbox run. Nothing real is touched: no server, no GitHub account, no network.',
        `  host    a simulated Ubuntu 24.04 droplet with Docker 27.3.1: an SSH server in this process, ${s.user}@${s.sshHost}:${s.sshPort}`,
        `  GitHub  a simulated GitHub API in this process, repository ${DEMO.repo} (the ${DEMO_STORAGE[target].template} template)`,
        `  storage a simulated ${TARGETS[target].title} store, reached from the droplet: what the release's Litestream sidecar writes, the checks read back`,
        `  inputs  --host ${s.host} --user ${s.user} --deploy-user ${s.deployUser} --email ${s.email} --target ${s.target}`,
        `          ${storageIntro(target)}`,
        '',
      ],
      afterRun: async (settings, summary) => {
        const r = await sandboxReceipt(sb, settings, summary);
        // The receipt's own heading becomes the title.
        return { ok: r.ok, title: 'What the sandbox received', lines: r.lines.slice(2).map((l) => l.replace(/^  /, '')) };
      },
      outro: (dryRun) =>
        dryRun
          ? ['', 'Dry run: the plan above was made from the sandbox; nothing was changed, not even there.']
          : [
              '',
              `Demo finished: success, in ${((Date.now() - started) / 1000).toFixed(1)}s. The sandbox is gone; nothing outside this process was changed.`,
              "For real: in your app's folder, with a fresh host and a GitHub token: npx create-litestream-host",
            ],
      close: () => sb.close(),
    };
  } catch (e) {
    await sb.close();
    throw e;
  }
}
