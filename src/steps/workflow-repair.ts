import { repoName } from '../config/settings.js';
import { StepError } from '../errors.js';
import { branchHead, commitToBranch, createTreeWith, getFileText } from '../github/api.js';
import { githubFailure, tokenPageUrl } from '../github/errors.js';
import { diffLines, pinImageText, repairWorkflowText, type FileRepair } from '../github/repair.js';
import { analyzeWorkflow, secretRefs } from '../github/workflow.js';
import type { ApplyContext, Inspection, Row, Step } from './types.js';

const REPAIR_STEP_ID = 'workflow-repair';

/**
 * What can never run in the release workflow and in the workflows that start it, repaired:
 * a retired runner always; a literal `port: 22` only when the host's port differs (the
 * release could not log in), in a file that reads DEPLOY_PORT.
 */
export function proposedRepairs(ins: Inspection): { repairs: FileRepair[]; unrepairable: string[] } {
  const { repo, settings } = ins;
  const files = [
    ...(repo.workflowText === undefined ? [] : [{ path: `.github/workflows/${repo.workflowFile}`, text: repo.workflowText }]),
    ...repo.triggers,
  ];
  const repairs: FileRepair[] = [];
  const unrepairable: string[] = [];
  for (const f of files) {
    let info;
    try {
      info = analyzeWorkflow(f.text);
    } catch {
      continue;
    }
    const portBlocks = settings.sshPort !== 22 && info.hardCodedPort22 && secretRefs(f.text).includes('DEPLOY_PORT');
    if (!info.retiredRunners.length && !portBlocks) continue;
    const { text, changes } = repairWorkflowText(f.text);
    // A label built by an expression or a matrix is beyond a line edit: say so, do not guess.
    if (analyzeWorkflow(text).retiredRunners.length) unrepairable.push(f.path);
    if (changes.length) repairs.push({ path: f.path, before: f.text, after: text, changes });
  }
  const pin = pinRepair(ins);
  if (pin) repairs.push(pin);
  return { repairs, unrepairable };
}

/**
 * The storage holds a replica the compose file's image cannot restore (0.3's, under an
 * unpinned 0.5): pinning the image is what keeps the release from starting on an empty database.
 */
function pinRepair(ins: Inspection): FileRepair | undefined {
  const s = ins.storage;
  const path = ins.repo.appComposePath;
  const text = ins.repo.appCompose;
  if (s?.kind !== 'checked' || s.finding.kind !== 'blocked' || !s.finding.pin || !path || text === undefined) return undefined;
  const { text: after, changes } = pinImageText(text, s.sidecar.image, s.finding.pin);
  return changes.length ? { path, before: text, after, changes, pin: s.finding.pin } : undefined;
}

const isWorkflow = (r: FileRepair): boolean => r.path.startsWith('.github/workflows/');

const what = (repairs: FileRepair[]): string =>
  `${repairs.reduce((n, r) => n + r.changes.length, 0)} line(s) in ${repairs.map((r) => r.path.replace('.github/workflows/', '')).join(', ')}`;

/** Why the release needs the repair: it could never run, or it would start on an empty database. */
const why = (repairs: FileRepair[]): string => {
  const empty = 'would start on an empty database (the image cannot restore the replica)';
  if (!repairs.some((r) => r.pin)) return 'the release could never run as it is';
  return repairs.some(isWorkflow) ? `the release could never run as it is, and then ${empty}` : `the release ${empty}`;
};

export function planRepair(ins: Inspection): Row {
  const { repo, settings } = ins;
  const { repairs, unrepairable } = proposedRepairs(ins);
  if (!repairs.length && !unrepairable.length) return { status: 'ok', detail: 'every job runs on a runner GitHub provides' };
  const diff = diffLines(repairs);
  if (!settings.release) return { status: 'skip', detail: `--no-release: ${what(repairs)} left as they are (see the ${repairs.some(isWorkflow) ? 'warning' : 'storage row'})` };
  if (unrepairable.length)
    return {
      status: 'blocked',
      detail: `${unrepairable.join(', ')} asks for a retired runner in a way a line edit cannot fix (an expression or a matrix)`,
      fix: 'Change runs-on to ubuntu-24.04 by hand and push, or re-run with --no-release',
    };
  const scopes = repo.info.tokenScopes;
  if (scopes && !scopes.includes('workflow') && repairs.some(isWorkflow))
    return {
      status: 'blocked',
      detail: `the release could never run, and the token lacks the "workflow" scope needed to repair ${what(repairs.filter(isWorkflow))}`,
      fix: `Add the workflow scope to the token (${tokenPageUrl(settings.apiUrl)}), or re-run with --no-release`,
      diff,
    };
  if (settings.yes && !settings.repairWorkflow)
    return {
      status: 'blocked',
      detail: `${why(repairs)}: ${what(repairs)} need the repair below`,
      fix: 'Re-run with --repair-workflow to commit it, or with --no-release to set up without releasing',
      diff,
    };
  return {
    status: 'change',
    detail: `commit ${what(repairs)} to ${repo.info.defaultBranch}, marked [skip ci]: the release below is the one run`,
    diff,
    // Someone's files change only with their own yes (--repair-workflow is that yes given ahead, for --yes).
    ask: `Commit the repair shown above to ${repo.info.defaultBranch}?`,
    askNo: `Without the repair ${why(repairs)}: re-run with --no-release to set up the host and secrets only.`,
  };
}

const repairs = (ctx: ApplyContext): FileRepair[] => proposedRepairs(ctx.ins).repairs;
const willRepair = (ctx: ApplyContext): boolean => ctx.plan.items.some((i) => i.id === REPAIR_STEP_ID && i.status === 'change');

/** GitHub's refusals to write a workflow file, in words naming the permission. */
function workflowFailure(e: unknown, ctx: ApplyContext, stepTitle: string): StepError {
  if (e instanceof StepError) return e;
  const status = (e as { status?: number }).status;
  const message = String((e as Error).message ?? '');
  const name = repoName(ctx.ins.settings);
  const newToken = `or create a token at ${tokenPageUrl(ctx.ins.settings.apiUrl)}`;
  if (status === 403 && !/rate limit/i.test(message))
    return new StepError(stepTitle, `GitHub refused to write .github/workflows/ on ${name} (403: ${message.slice(0, 120)})`, `Give the fine-grained token "Workflows: write" (and "Contents: write") for ${name}, ${newToken}; or re-run with --no-release. Nothing in the repository was changed`);
  if (status === 404 || (status === 422 && /workflow.*scope/i.test(message)))
    return new StepError(stepTitle, `GitHub refused to write .github/workflows/ on ${name}: the token lacks the "workflow" scope`, `Add the workflow scope to the token, ${newToken}; or re-run with --no-release. Nothing in the repository was changed`);
  return githubFailure(e, 'contents', name, ctx.ins.settings.apiUrl);
}

/**
 * Before any change: the repaired files go into a tree no branch points at yet. GitHub checks
 * the workflow permission when the tree is made, so a token that may not write workflows
 * stops the run here, with the host and the secrets untouched.
 */
export const workflowAccessStep: Step = {
  id: 'workflow-access',
  title: 'Workflow write access',
  doing: 'Prepare the workflow repair',
  runs: willRepair,
  ownSummary: true,
  apply: async (ctx) => {
    const { ins, gh } = ctx;
    const r = ins.settings.repo;
    const branch = ins.repo.info.defaultBranch;
    try {
      const head = await branchHead(gh, r, branch);
      const files = repairs(ctx);
      // The repair was shown against what inspection read: a change since then is not overwritten.
      for (const f of files)
        if ((await getFileText(gh, r, f.path, head.commit)) !== f.before)
          throw new StepError('Workflow repair', `${f.path} changed on ${branch} since this run read it`, 'Re-run: it reads the file again and shows the repair on top of the change');
      const tree = await createTreeWith(gh, r, head.tree, files.map((f) => ({ path: f.path, text: f.after })));
      ctx.repairTree = { tree, parent: head.commit };
      return 'the token may write workflow files';
    } catch (e) {
      throw workflowFailure(e, ctx, 'Workflow repair');
    }
  },
};

/** After every secret is written (a run reads them when queued), before the release. */
export const workflowRepairStep: Step = {
  id: REPAIR_STEP_ID,
  title: 'Workflow repair',
  doing: 'Commit the workflow repair',
  plan: planRepair,
  apply: async (ctx) => {
    const { ins, gh } = ctx;
    const branch = ins.repo.info.defaultBranch;
    const prepared = ctx.repairTree;
    if (!prepared) throw new StepError('Workflow repair', 'the repaired tree was not prepared', 'Re-run');
    const files = repairs(ctx);
    // [skip ci] keeps the push from starting Build, whose completion would start a second release.
    const subject = [files.some(isWorkflow) && 'Move workflows off retired runners', files.some((f) => f.pin) && 'Pin Litestream to the version that restores the replica'].filter(Boolean).join('; ');
    const message = `${subject} [skip ci]\n\nBy create-litestream-host: ${files.flatMap((f) => f.changes.map((c) => `${f.path}:${c.line} ${c.before.trim()} -> ${c.after.trim()}`)).join('\n')}`;
    try {
      const sha = await commitToBranch(gh, ins.settings.repo, branch, prepared.parent, prepared.tree, message);
      // The checks after the release run the image the release now deploys.
      const pin = files.find((f) => f.pin)?.pin;
      if (pin && ins.storage?.kind === 'checked') ins.storage.sidecar.image = pin;
      return `${sha.slice(0, 7)} on ${branch}: ${what(files)}`;
    } catch (e) {
      const status = (e as { status?: number }).status;
      if (status === 422 && /fast forward/i.test(String((e as Error).message)))
        throw new StepError('Workflow repair', `${branch} moved while this run was setting up (someone pushed): nothing was committed, and their change is kept`, 'Re-run: it reads the workflow again and proposes the repair on top of the new commit');
      throw workflowFailure(e, ctx, 'Workflow repair');
    }
  },
};
