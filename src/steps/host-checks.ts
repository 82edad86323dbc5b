import { DOCKER_PACKAGES, dockerInstallFix } from '../host/commands.js';
import { applyAptDocker, applyJoinGroup, applyStartDaemon, aptTarget, installDockerRow, installPluginRow, joinGroupRow, startDaemonRow } from './docker-fix.js';
import { PROXY_CONTAINERS } from '../host/layout.js';
import type { Inspection, Step, Row } from './types.js';
import { planDeployKey } from './deploy-key.js';
import { planDeployUser } from './deploy-user.js';
import { planProxy } from './proxy.js';
import { planShim } from './shim.js';

/** Prerequisites: each check is a pure function of the facts, with the exact fix. */
export function planOs(ins: Inspection): Row {
  const { os } = ins.facts;
  if (os.kernel && os.kernel !== 'Linux')
    return { status: 'blocked', detail: `${os.kernel} is not Linux`, fix: 'Use a Linux host (Ubuntu 22.04 or 24.04 is what the templates are tested on)' };
  const name = os.pretty || `${os.id} ${os.version}`.trim() || 'Linux';
  const known = ['ubuntu', 'debian'].includes(os.id);
  return { status: 'ok', detail: `${name} (${os.arch || 'unknown arch'})${known ? '' : '; fixes below assume Ubuntu or Debian'}` };
}

export function planDocker(ins: Inspection): Row {
  const d = ins.facts.docker;
  if (!d.path) {
    const t = aptTarget(ins);
    if (t) return installDockerRow(ins, t);
    return { status: 'blocked', detail: 'Docker is not installed', fix: `Install Docker Engine from Docker's repository for this distribution (https://docs.docker.com/engine/install/), then re-run:\n${dockerInstallFix(ins.facts.os.id)}` };
  }
  return { status: 'ok', detail: `Docker ${d.clientVersion ?? '(version unknown)'} at ${d.path}` };
}

export function planDaemon(ins: Inspection): Row {
  const d = ins.facts.docker;
  if (!d.path) return { status: 'skip', detail: aptTarget(ins) ? "Docker's packages start it and enable it at boot" : 'needs Docker first' };
  if (d.daemonError === 'down') {
    const why = `the daemon is not running (${d.daemonMessage ?? 'no answer'})`;
    if (ins.facts.systemd) return startDaemonRow(ins, why);
    return { status: 'blocked', detail: why, fix: 'Start the Docker daemon the way this host starts services, then re-run' };
  }
  if (d.daemonError === 'permission') return { status: 'ok', detail: `answers${d.reachableWithSudo ? ' through sudo' : ''}; socket access below` };
  if (d.daemonError === 'other') return { status: 'blocked', detail: `docker did not answer: ${d.daemonMessage}`, fix: 'Run `docker version` on the host and fix what it reports' };
  return { status: 'ok', detail: `daemon ${d.serverVersion} answers` };
}

/**
 * The login user's access, and the deploy user's: the release workflow runs docker as the
 * latter. Where they are one user, it joins the group here (a new login picks it up); a
 * separate deploy user joins in its own row.
 */
export function planDockerAccess(ins: Inspection): Row {
  const { facts, settings } = ins;
  const d = facts.docker;
  const du = facts.deployUser;
  const loginIsDeploy = settings.deployUser === facts.user;
  const outside = facts.uid !== 0 && !facts.groups.includes('docker');
  if (!d.path || d.daemonError === 'down') {
    if (loginIsDeploy && outside && aptTarget(ins)) return joinGroupRow(ins, facts.user, `${facts.user} is not in the docker group`);
    return { status: 'skip', detail: 'judged once the daemon runs' };
  }
  if (d.daemonError !== 'permission') return { status: 'ok', detail: facts.uid === 0 ? 'root' : `${facts.user} uses the Docker socket` };
  // A deploy user this run creates joins the docker group (useradd --groups docker).
  const deployHasAccess = !loginIsDeploy && (du.exists ? du.uid === 0 || du.groups.includes('docker') : facts.sudo !== 'none' && facts.sudo !== 'password');
  if (deployHasAccess) return { status: 'ok', detail: `${facts.user} has no socket access, but ${du.name} (the deploy user) ${du.exists ? 'has' : 'will'}${d.reachableWithSudo ? '; the daemon answers' : ''}` };
  if (!loginIsDeploy && du.exists) return { status: 'ok', detail: `${facts.user} has no socket access; ${du.name} (the deploy user) joins the docker group below` };
  if (loginIsDeploy && facts.docker.groupExists) return joinGroupRow(ins, facts.user, `${facts.user} may not use the Docker socket (not in the docker group)`);
  return {
    status: 'blocked',
    detail: `${facts.user} may not use the Docker socket (not in the docker group)`,
    fix: `sudo usermod -aG docker ${settings.deployUser}\nthen re-run (a new login picks up the group)`,
  };
}

export function planCompose(ins: Inspection): Row {
  const { docker, dockerCompose } = ins.facts;
  const t = aptTarget(ins);
  if (!docker.path) return { status: 'skip', detail: t ? 'comes with the Docker install above' : 'needs Docker first' };
  if (docker.composeVersion && !/^1\./.test(docker.composeVersion)) return { status: 'ok', detail: `docker compose ${docker.composeVersion}` };
  const v1 = dockerCompose.kind === 'v1' ? ` (only docker-compose ${dockerCompose.version} (v1) is installed; v1 is end-of-life)` : '';
  if (t) return installPluginRow(ins, t, `the compose plugin is missing${v1}`);
  return {
    status: 'blocked',
    detail: `the compose plugin is missing${v1}`,
    fix: 'sudo apt-get update && sudo apt-get install -y docker-compose-plugin\n(from Docker\'s apt repository; see https://docs.docker.com/compose/install/linux/)',
  };
}

export function planPorts(ins: Inspection): Row {
  const { facts } = ins;
  const proxyUp = PROXY_CONTAINERS.every((c) => facts.containers.includes(c));
  // Without root, ss cannot name the holder; with our proxy up, an unnamed holder is it.
  const foreign = facts.ports.filter((p) => !(proxyUp && (p.holder === '' || /^docker-proxy/.test(p.holder))));
  if (!foreign.length) return { status: 'ok', detail: proxyUp && facts.ports.length ? 'served by nginx-proxy' : 'free' };
  const who = foreign.map((p) => `${p.port} by ${p.holder || 'a process this user cannot name'}`).join(', ');
  const names = [...new Set(foreign.map((p) => /^(\S+)/.exec(p.holder)?.[1]).filter(Boolean))];
  const fix = names.includes('docker-proxy')
    ? 'Another container publishes the port: find it with `docker ps --filter publish=80 --filter publish=443` and stop it'
    : names.length
      ? `Stop and disable what holds them, e.g. sudo systemctl disable --now ${names.join(' ')}`
      : 'Find the holder with `sudo ss -ltnp` and stop it';
  return { status: 'blocked', detail: `held: ${who}`, fix };
}

export function planDisk(ins: Inspection): Row {
  const kb = ins.facts.diskFreeKb;
  if (kb === undefined) return { status: 'ok', detail: 'unknown' };
  const gb = kb / 1024 / 1024;
  return { status: 'ok', detail: `${gb.toFixed(1)} GB free${gb < 2 ? ' (low: images and the database need room)' : ''}` };
}

/** What needs root among the changes below the sudo row. */
function needsRoot(ins: Inspection): string[] {
  const otherUser = ins.settings.deployUser !== ins.facts.user;
  const changes = (p: Row) => p.status === 'change';
  return [
    changes(planDocker(ins)) && 'installing Docker',
    changes(planDaemon(ins)) && 'starting the daemon',
    (changes(planDockerAccess(ins)) || changes(planDeployUser(ins))) && 'the docker group',
    changes(planCompose(ins)) && 'installing the compose plugin',
    changes(planShim(ins)) && 'the docker-compose shim',
    changes(planDeployUser(ins)) && 'creating the deploy user',
    otherUser && (changes(planProxy(ins)) || changes(planDeployKey(ins))) && `writing files as ${ins.settings.deployUser}`,
  ].filter((x): x is string => !!x);
}

/** sudo is needed only when something root-owned changes. */
export function planSudo(ins: Inspection): Row {
  const { facts } = ins;
  if (facts.sudo === 'root') return { status: 'ok', detail: 'logged in as root' };
  if (facts.sudo === 'passwordless') return { status: 'ok', detail: 'passwordless sudo' };
  const why = needsRoot(ins).join(', ');
  if (!why) return { status: 'ok', detail: `not needed (sudo: ${facts.sudo})` };
  if (facts.sudo === 'password')
    return {
      status: 'blocked',
      detail: `sudo asks ${facts.user} for a password, and ${why} needs root`,
      fix: `Allow it without a password for this run: echo '${facts.user} ALL=(ALL) NOPASSWD:ALL' | sudo tee /etc/sudoers.d/90-${facts.user}\n(remove the file afterwards), or log in as root with --user root`,
    };
  return { status: 'blocked', detail: `${facts.user} has no sudo, and ${why} needs root`, fix: 'Log in as root (--user root), or install sudo and add the user to the sudo group' };
}

export function planSsh(ins: Inspection): Row {
  const s = ins.settings;
  return { status: 'ok', detail: `${s.user}@${s.sshHost}:${s.sshPort}, host key ${ins.hostKey.type} ${ins.hostKey.fingerprint}` };
}

/** The checks of the host; the Docker ones repair what they found, with consent. */
export const CHECK_STEPS: Step[] = [
  { id: 'ssh', title: 'SSH', plan: planSsh },
  { id: 'os', title: 'Operating system', plan: planOs },
  { id: 'docker', title: 'Docker', doing: 'Install Docker', plan: planDocker, apply: (ctx) => applyAptDocker(ctx, 'docker', DOCKER_PACKAGES), refresh: 'probe' },
  { id: 'daemon', title: 'Docker daemon', doing: 'Start the Docker daemon', plan: planDaemon, apply: (ctx) => applyStartDaemon(ctx, 'daemon'), refresh: 'probe' },
  {
    id: 'docker-access', title: 'Docker socket access', doing: 'Join the docker group', plan: planDockerAccess,
    apply: (ctx) => applyJoinGroup(ctx, 'docker-access', ctx.ins.facts.user), refresh: 'login',
  },
  { id: 'compose', title: 'Docker Compose v2', doing: 'Install the Compose plugin', plan: planCompose, apply: (ctx) => applyAptDocker(ctx, 'compose', ['docker-compose-plugin']), refresh: 'probe' },
  { id: 'ports', title: 'Ports 80 and 443', plan: planPorts },
  { id: 'disk', title: 'Free disk', plan: planDisk },
  { id: 'sudo', title: 'Administrator rights', plan: planSudo },
];
