import { planDeployKey } from '../steps/deploy-key.js';
import { planDeployUser } from '../steps/deploy-user.js';
import { planCompose, planDaemon, planDisk, planDocker, planOs, planPorts, planSudo } from '../steps/host-checks.js';
import { planProxy } from '../steps/proxy.js';
import { planRelease } from '../steps/release.js';
import { planSecretList, planSecrets } from '../steps/secrets.js';
import { planShim } from '../steps/shim.js';
import { planWorkflow, workflowWarnings } from '../steps/workflow.js';
import type { Inspection, Plan, PlanItem } from './types.js';

/** The whole plan, a pure function of what inspection found. */
export function makePlan(ins: Inspection): Plan {
  const ssh: PlanItem = {
    id: 'ssh',
    title: 'SSH',
    status: 'ok',
    detail: `${ins.settings.user}@${ins.settings.sshHost}:${ins.settings.sshPort}, host key ${ins.hostKey.type} ${ins.hostKey.fingerprint}`,
  };
  const prereqs = [planOs(ins), planDocker(ins), planDaemon(ins), planCompose(ins), planPorts(ins), planDisk(ins)];
  const shim = planShim(ins);
  const user = planDeployUser(ins);
  const proxy = planProxy(ins);
  const key = planDeployKey(ins);
  const otherUser = ins.settings.deployUser !== ins.facts.user;
  const needsRoot = [
    shim.status === 'change' && 'the docker-compose shim',
    user.status === 'change' && 'creating the deploy user',
    otherUser && (proxy.status === 'change' || key.status === 'change') && `writing files as ${ins.settings.deployUser}`,
  ].filter((x): x is string => !!x);
  const secrets = planSecretList(ins);
  const before = [ssh, ...prereqs, planSudo(ins, needsRoot), shim, user, proxy, key, planWorkflow(ins), planSecrets(ins, secrets)];
  const items = [...before, planRelease(ins, before.some((i) => i.status === 'change'))];
  return { items, secrets, warnings: workflowWarnings(ins) };
}

export const blockedItems = (p: Plan): PlanItem[] => p.items.filter((i) => i.status === 'blocked');
export const changes = (p: Plan): PlanItem[] => p.items.filter((i) => i.status === 'change');
