import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient } from '../../src/github/client.js';
import { StepError } from '../../src/errors.js';
import { Sensitive } from '../../src/sensitive.js';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github-emulator.js';
import { makePlan } from '../../src/steps/index.js';
import { workflowAccessStep, workflowRepairStep } from '../../src/steps/workflow-repair.js';
import type { ApplyContext } from '../../src/steps/types.js';
import { inspection, repoState, settings } from '../helpers/inspection.js';

let gh: GitHubEmulator;
const WEB = repoState('litestream-aws');
before(async () => {
  gh = await startGitHubEmulator();
  gh.addToken({ token: 'classic', scopes: ['repo', 'workflow'] });
  gh.addToken({ token: 'fine', workflows: false });
});
after(() => gh.close());

let n = 0;
/** A repository of its own per test, and the context the two repair steps run in. */
function setup(token: string): { repo: string; c: ApplyContext } {
  const repo = `acme/app${++n}`;
  gh.addRepo({ fullName: repo, files: { '.github/workflows/release.yml': WEB.workflowText! } });
  const [owner, name] = repo.split('/') as [string, string];
  const s = settings({ apiUrl: gh.url, token: new Sensitive(token), repairWorkflow: true, sshPort: 2222, repo: { owner, repo: name } });
  const ins = inspection({ settings: s, repo: { ...WEB, info: { ...WEB.info, fullName: repo, tokenScopes: token === 'fine' ? undefined : ['repo', 'workflow'] } } });
  const c = { ins, plan: makePlan(ins), gh: createGitHubClient({ token: s.token, baseUrl: gh.url, backoffMs: () => 1 }) } as unknown as ApplyContext;
  return { repo, c };
}

test('the repair is one [skip ci] commit on the inspected head: no run starts', async () => {
  const { repo, c } = setup('classic');
  const head = gh.headSha(repo);
  await workflowAccessStep.apply!(c);
  await workflowRepairStep.apply!(c);
  const [commit] = gh.commits(repo);
  assert.deepEqual(commit!.parents, [head]);
  assert.match(commit!.message, /\[skip ci\]/);
  assert.deepEqual(commit!.changed, ['.github/workflows/release.yml']);
  assert.equal(gh.files(repo)['.github/workflows/release.yml']!.includes('ubuntu-20.04'), false);
  assert.deepEqual(gh.runs(repo), []);
});

test('a push between preparing and committing: a clear error, the other change kept', async () => {
  const { repo, c } = setup('classic');
  await workflowAccessStep.apply!(c);
  gh.push(repo, { message: 'someone else', files: { 'README.md': 'theirs' } });
  const theirs = gh.headSha(repo);
  await assert.rejects(workflowRepairStep.apply!(c), (e: unknown) => e instanceof StepError && /moved while this run was setting up/.test(e.message) && /Re-run/.test(e.fix));
  assert.equal(gh.headSha(repo), theirs);
  assert.equal(gh.files(repo)['README.md'], 'theirs');
});

test('the workflow changed since inspection: refused before anything is written', async () => {
  const { repo, c } = setup('classic');
  gh.push(repo, { message: 'edit', files: { '.github/workflows/release.yml': `${WEB.workflowText!}# edited\n` } });
  await assert.rejects(workflowAccessStep.apply!(c), (e: unknown) => e instanceof StepError && /changed on main since this run read it/.test(e.message));
});

test('a fine-grained token without Workflows: write: refused when the tree is made, before any change, naming the permission', async () => {
  const { repo, c } = setup('fine');
  const head = gh.headSha(repo);
  await assert.rejects(workflowAccessStep.apply!(c), (e: unknown) => e instanceof StepError && /"Workflows: write"/.test(e.fix) && /--no-release/.test(e.fix));
  assert.equal(gh.headSha(repo), head);
  assert.deepEqual(gh.events().filter((e) => e.repo === repo), []);
});
