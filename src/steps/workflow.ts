import { retiredRunnerFix } from '../github/workflow.js';
import type { Inspection, Row, Step } from './types.js';
import { TARGETS } from '../targets/index.js';

export function planWorkflow(ins: Inspection): Row {
  const { repo, settings } = ins;
  const path = `.github/workflows/${repo.workflowFile}`;
  if (!repo.workflow)
    return { status: 'ok', detail: `no ${path} on ${repo.info.defaultBranch}: the template's secret names are used and no release is triggered` };
  const wf = repo.workflow;
  if (wf.target && wf.target !== settings.target)
    return {
      status: 'blocked',
      detail: `${path} replicates to ${TARGETS[wf.target].title}, not ${TARGETS[settings.target].title}`,
      fix: `Use --target ${wf.target}, or apply the ${settings.target} Litestream mix to the repository first`,
      badInput: true,
    };
  return { status: 'ok', detail: `${path} reads ${wf.secrets.length} secrets` };
}

/** Things that will not stop this run but will bite the release. */
export function workflowWarnings(ins: Inspection): string[] {
  const wf = ins.repo.workflow;
  const out: string[] = [];
  if (!wf) return out;
  // With a release to run, the workflow-repair row speaks for what it can repair.
  const repairable = ins.settings.release;
  if (wf.retiredRunners.length && !repairable) out.push(retiredRunnerFix(wf, ins.repo.workflowFile));
  if (ins.settings.sshPort !== 22 && wf.hardCodedPort22 && !(repairable && wf.secrets.includes('DEPLOY_PORT')))
    out.push(`SSH port ${ins.settings.sshPort}: some steps of ${ins.repo.workflowFile} use port: 22 literally; change them to \${{ secrets.DEPLOY_PORT }} or the release cannot log in`);
  if (ins.repo.proxyGenerationGuessed)
    out.push('no .deploy/docker-compose*.yml found in the repository: the proxy runs on the default bridge (as the web and jamstack mixes need)');
  return out;
}

export const workflowStep: Step = { id: 'workflow', title: 'Release workflow', plan: planWorkflow };
