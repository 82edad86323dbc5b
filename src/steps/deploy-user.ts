import { createUser } from '../host/commands.js';
import { join } from '../host/shell.js';
import { applyJoinGroup, joinGroupRow } from './docker-fix.js';
import { runOnHost } from './host-exec.js';
import type { ApplyContext, Inspection, Row, Step } from './types.js';

export function planDeployUser(ins: Inspection): Row {
  const { facts, settings } = ins;
  const du = facts.deployUser;
  if (settings.deployUser === facts.user) return { status: 'ok', detail: `${facts.user} (the login user)` };
  if (du.exists) {
    if (du.uid !== 0 && !du.groups.includes('docker')) {
      if (facts.docker.groupExists || !facts.docker.path) return joinGroupRow(ins, du.name, `${du.name} exists but is not in the docker group`);
      return { status: 'blocked', detail: `${du.name} exists but is not in the docker group`, fix: `sudo usermod -aG docker ${du.name}` };
    }
    return { status: 'ok', detail: `${du.name} exists (docker group)` };
  }
  if (facts.docker.path && !facts.docker.groupExists)
    return {
      status: 'blocked',
      detail: `there is no docker group to put ${settings.deployUser} in (Docker from snap does not create one)`,
      fix: 'Install Docker from Docker\'s apt repository, or create the group and let the daemon use it: sudo groupadd docker && sudo systemctl restart docker (snap: sudo snap restart docker)',
    };
  return {
    status: 'change',
    detail: `create ${settings.deployUser}: home folder, bash, docker group, key login only`,
    commands: [join(createUser(settings.deployUser, { user: 'root', uid: 0 }, { groupExists: du.groupExists }))],
  };
}

/** Home of the deploy user: known from the probe, or where useradd puts it. */
export const deployHome = (ins: Inspection): string =>
  ins.facts.deployUser.home ?? (ins.settings.deployUser === ins.facts.user ? ins.facts.home : `/home/${ins.settings.deployUser}`);

export async function applyDeployUser(ctx: ApplyContext): Promise<string> {
  const { facts, settings } = ctx.ins;
  if (facts.deployUser.exists) return applyJoinGroup(ctx, 'deploy-user', facts.deployUser.name);
  await runOnHost(ctx, 'deploy-user', createUser(settings.deployUser, { user: facts.user, uid: facts.uid }, { groupExists: facts.deployUser.groupExists }), {
    what: `creating user ${settings.deployUser}`,
    fix: 'Create the user by hand (sudo useradd -m -s /bin/bash -G docker NAME) or pick an existing one with --deploy-user, then re-run',
  });
  const home = (await runOnHost(ctx, 'deploy-user', ['getent', 'passwd', settings.deployUser], { what: 'reading the new user', fix: 'Re-run', quiet: true })).split(':')[5]?.trim();
  if (home) ctx.deployHome = home;
  return `user ${settings.deployUser} created`;
}

export const deployUserStep: Step = { id: 'deploy-user', title: 'Deploy user', doing: (ins) => (ins.facts.deployUser.exists ? 'Add the deploy user to the docker group' : 'Create the deploy user'), plan: planDeployUser, apply: applyDeployUser };
