import { aptInstallDocker, DOCKER_KEYRING, DOCKER_PACKAGES, DOCKER_SOURCES, dockerInstallFix, dockerRepoUrl, dockerSourcesLine, joinDockerGroup, startDocker } from '../host/commands.js';
import { join } from '../host/shell.js';
import { runOnHost } from './host-exec.js';
import type { ApplyContext, Inspection, Row } from './types.js';

/**
 * Repairs of Docker prerequisites: each needs consent (the wizard asks; under --yes,
 * --install-docker gives it), changes only what its row named, and is followed by a fresh
 * probe so the rows below are judged on what is there now.
 */

/** Consent is asked for later in the wizard, and a dry run changes nothing anyway. */
export const mayRepair = (ins: Inspection): boolean => !ins.settings.yes || ins.settings.installDocker || ins.settings.dryRun;

/** Docker's repository has packages for these, and the probe told which release and architecture. */
export function aptTarget(ins: Inspection): { osId: string; codename: string; dpkgArch: string } | undefined {
  const { os } = ins.facts;
  if (!['ubuntu', 'debian'].includes(os.id) || !os.codename || !os.dpkgArch) return undefined;
  return { osId: os.id, codename: os.codename, dpkgArch: os.dpkgArch };
}

/** A repair row: `change` with its question, or `blocked` when --yes came without --install-docker. */
export function repairRow(ins: Inspection, row: Required<Pick<Row, 'detail' | 'commands' | 'ask'>>, byHand: string): Row {
  if (mayRepair(ins)) return { status: 'change', ...row };
  return { status: 'blocked', detail: `${row.detail} (needs consent)`, fix: `Add --install-docker to let this run do it, or do it by hand, then re-run:\n${byHand}` };
}

const sourcesSteps = (t: NonNullable<ReturnType<typeof aptTarget>>): string[] => [
  `key: ${dockerRepoUrl(t.osId)}/gpg → ${DOCKER_KEYRING} (a+r)`,
  `${DOCKER_SOURCES}: ${dockerSourcesLine(t)}`,
];

export function installDockerRow(ins: Inspection, t: NonNullable<ReturnType<typeof aptTarget>>): Row {
  return repairRow(
    ins,
    {
      detail: `install Docker Engine and the Compose plugin from Docker's apt repository (${dockerRepoUrl(t.osId)}, ${t.codename}, ${t.dpkgArch})`,
      commands: [...sourcesSteps(t), `apt-get install -y ${DOCKER_PACKAGES.join(' ')}`],
      ask: `Install Docker Engine and Compose on the host from ${dockerRepoUrl(t.osId)}?`,
    },
    dockerInstallFix(t.osId),
  );
}

export function installPluginRow(ins: Inspection, t: NonNullable<ReturnType<typeof aptTarget>>, why: string): Row {
  return repairRow(
    ins,
    {
      detail: `${why}: install docker-compose-plugin from Docker's apt repository (${t.codename}, ${t.dpkgArch})`,
      commands: [...sourcesSteps(t), 'apt-get install -y docker-compose-plugin'],
      ask: `Install the Docker Compose v2 plugin on the host from ${dockerRepoUrl(t.osId)}?`,
    },
    'sudo apt-get update && sudo apt-get install -y docker-compose-plugin\n(from Docker\'s apt repository; see https://docs.docker.com/compose/install/linux/)',
  );
}

export function startDaemonRow(ins: Inspection, why: string): Row {
  const cmd = join(startDocker({ user: 'root', uid: 0 }));
  return repairRow(ins, { detail: `${why}: start it and start it at boot`, commands: [cmd], ask: 'Start the Docker daemon and enable it at boot?' }, `sudo ${cmd}`);
}

export function joinGroupRow(ins: Inspection, user: string, why: string): Row {
  const cmd = join(joinDockerGroup(user, { user: 'root', uid: 0 }));
  return repairRow(
    ins,
    { detail: `${why}: add ${user} to the docker group`, commands: [cmd], ask: `Add ${user} to the docker group (root-equivalent on this host, as Docker's post-install guide says)?` },
    `sudo ${cmd}\nthen re-run (a new login picks up the group)`,
  );
}

const who = (ctx: ApplyContext) => ({ user: ctx.ins.facts.user, uid: ctx.ins.facts.uid });
const lock = (ctx: ApplyContext) => ctx.deps.aptLock ?? { waitS: 300, pollS: 5 };

export async function applyAptDocker(ctx: ApplyContext, id: string, packages: readonly string[]): Promise<string> {
  const t = aptTarget(ctx.ins);
  if (!t) throw new Error('no apt target: the plan should have blocked this');
  const { waitS, pollS } = lock(ctx);
  await runOnHost(ctx, id, aptInstallDocker({ ...t, packages, lockWaitS: waitS, lockPollS: pollS }, who(ctx)), {
    what: `installing ${packages.join(' ')} from ${dockerRepoUrl(t.osId)}`,
    fix: `Read apt's message above; install by hand if needed, then re-run:\n${dockerInstallFix(t.osId)}`,
  });
  return `${packages.join(', ')} installed from ${dockerRepoUrl(t.osId)}`;
}

export async function applyStartDaemon(ctx: ApplyContext, id: string): Promise<string> {
  await runOnHost(ctx, id, startDocker(who(ctx)), { what: 'starting the Docker daemon', fix: 'Run `sudo systemctl status docker` and `sudo journalctl -u docker` on the host, fix what they say, then re-run' });
  return 'started and enabled at boot';
}

export async function applyJoinGroup(ctx: ApplyContext, id: string, user: string): Promise<string> {
  await runOnHost(ctx, id, joinDockerGroup(user, who(ctx)), { what: `adding ${user} to the docker group`, fix: `sudo usermod -aG docker ${user}, then re-run` });
  return `${user} added to the docker group`;
}
