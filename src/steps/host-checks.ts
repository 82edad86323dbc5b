import { dockerInstallFix } from '../host/commands.js';
import { PROXY_CONTAINERS } from '../host/layout.js';
import type { Inspection, PlanItem } from '../engine/types.js';

/** Prerequisites: each check is a pure function of the facts, with the exact fix. */
export function planOs(ins: Inspection): PlanItem {
  const { os } = ins.facts;
  const base = { id: 'os' as const, title: 'Operating system' };
  if (os.kernel && os.kernel !== 'Linux')
    return { ...base, status: 'blocked', detail: `${os.kernel} is not Linux`, fix: 'Use a Linux host (Ubuntu 22.04 or 24.04 is what the templates are tested on)' };
  const name = os.pretty || `${os.id} ${os.version}`.trim() || 'Linux';
  const known = ['ubuntu', 'debian'].includes(os.id);
  return { ...base, status: 'ok', detail: `${name} (${os.arch || 'unknown arch'})${known ? '' : '; fixes below assume Ubuntu or Debian'}` };
}

export function planDocker(ins: Inspection): PlanItem {
  const d = ins.facts.docker;
  const base = { id: 'docker' as const, title: 'Docker' };
  if (!d.path)
    return { ...base, status: 'blocked', detail: 'Docker is not installed', fix: `Install Docker Engine from Docker's apt repository, then re-run:\n${dockerInstallFix(ins.facts.os.id)}` };
  return { ...base, status: 'ok', detail: `Docker ${d.clientVersion ?? '(version unknown)'} at ${d.path}` };
}

/** The login user's access, and the deploy user's: the release workflow runs docker as the latter. */
export function planDaemon(ins: Inspection): PlanItem {
  const { facts, settings } = ins;
  const d = facts.docker;
  const base = { id: 'daemon' as const, title: 'Docker daemon' };
  if (!d.path) return { ...base, status: 'skip', detail: 'needs Docker first' };
  if (d.daemonError === 'down')
    return { ...base, status: 'blocked', detail: `the daemon is not running (${d.daemonMessage ?? 'no answer'})`, fix: 'sudo systemctl enable --now docker' };
  if (d.daemonError === 'permission') {
    const du = facts.deployUser;
    // A deploy user this run creates joins the docker group (useradd --groups docker).
    const deployHasAccess = du.name !== facts.user && (du.exists ? du.uid === 0 || du.groups.includes('docker') : facts.sudo !== 'none' && facts.sudo !== 'password');
    if (!deployHasAccess)
      return {
        ...base,
        status: 'blocked',
        detail: `${facts.user} may not use the Docker socket (not in the docker group)`,
        fix: `sudo usermod -aG docker ${settings.deployUser}\nthen re-run (a new login picks up the group)`,
      };
    return { ...base, status: 'ok', detail: `${facts.user} has no socket access, but ${du.name} (the deploy user) ${du.exists ? 'has' : 'will'}${d.reachableWithSudo ? '; the daemon answers' : ''}` };
  }
  if (d.daemonError === 'other') return { ...base, status: 'blocked', detail: `docker did not answer: ${d.daemonMessage}`, fix: 'Run `docker version` on the host and fix what it reports' };
  return { ...base, status: 'ok', detail: `daemon ${d.serverVersion} answers` };
}

export function planCompose(ins: Inspection): PlanItem {
  const { docker, dockerCompose } = ins.facts;
  const base = { id: 'compose' as const, title: 'Docker Compose v2' };
  if (!docker.path) return { ...base, status: 'skip', detail: 'needs Docker first' };
  if (docker.composeVersion && !/^1\./.test(docker.composeVersion)) return { ...base, status: 'ok', detail: `docker compose ${docker.composeVersion}` };
  const v1 = dockerCompose.kind === 'v1' ? ` (only docker-compose ${dockerCompose.version} (v1) is installed; v1 is end-of-life)` : '';
  return {
    ...base,
    status: 'blocked',
    detail: `the compose plugin is missing${v1}`,
    fix: 'sudo apt-get update && sudo apt-get install -y docker-compose-plugin\n(from Docker\'s apt repository; see https://docs.docker.com/compose/install/linux/)',
  };
}

export function planPorts(ins: Inspection): PlanItem {
  const { facts } = ins;
  const base = { id: 'ports' as const, title: 'Ports 80 and 443' };
  const proxyUp = PROXY_CONTAINERS.every((c) => facts.containers.includes(c));
  // Without root, ss cannot name the holder; with our proxy up, an unnamed holder is it.
  const foreign = facts.ports.filter((p) => !(proxyUp && (p.holder === '' || /^docker-proxy/.test(p.holder))));
  if (!foreign.length) return { ...base, status: 'ok', detail: proxyUp && facts.ports.length ? 'served by nginx-proxy' : 'free' };
  const who = foreign.map((p) => `${p.port} by ${p.holder || 'a process this user cannot name'}`).join(', ');
  const names = [...new Set(foreign.map((p) => /^(\S+)/.exec(p.holder)?.[1]).filter(Boolean))];
  const fix = names.includes('docker-proxy')
    ? 'Another container publishes the port: find it with `docker ps --filter publish=80 --filter publish=443` and stop it'
    : names.length
      ? `Stop and disable what holds them, e.g. sudo systemctl disable --now ${names.join(' ')}`
      : 'Find the holder with `sudo ss -ltnp` and stop it';
  return { ...base, status: 'blocked', detail: `held: ${who}`, fix };
}

export function planDisk(ins: Inspection): PlanItem {
  const kb = ins.facts.diskFreeKb;
  const base = { id: 'disk' as const, title: 'Free disk' };
  if (kb === undefined) return { ...base, status: 'ok', detail: 'unknown' };
  const gb = kb / 1024 / 1024;
  return { ...base, status: 'ok', detail: `${gb.toFixed(1)} GB free${gb < 2 ? ' (low: images and the database need room)' : ''}` };
}

/** sudo is needed only when something root-owned changes. */
export function planSudo(ins: Inspection, needsRoot: string[]): PlanItem {
  const { facts } = ins;
  const base = { id: 'sudo' as const, title: 'Administrator rights' };
  if (facts.sudo === 'root') return { ...base, status: 'ok', detail: 'logged in as root' };
  if (facts.sudo === 'passwordless') return { ...base, status: 'ok', detail: 'passwordless sudo' };
  if (!needsRoot.length) return { ...base, status: 'ok', detail: `not needed (sudo: ${facts.sudo})` };
  const why = needsRoot.join(', ');
  if (facts.sudo === 'password')
    return {
      ...base,
      status: 'blocked',
      detail: `sudo asks ${facts.user} for a password, and ${why} needs root`,
      fix: `Allow it without a password for this run: echo '${facts.user} ALL=(ALL) NOPASSWD:ALL' | sudo tee /etc/sudoers.d/90-${facts.user}\n(remove the file afterwards), or log in as root with --user root`,
    };
  return { ...base, status: 'blocked', detail: `${facts.user} has no sudo, and ${why} needs root`, fix: 'Log in as root (--user root), or install sudo and add the user to the sudo group' };
}
