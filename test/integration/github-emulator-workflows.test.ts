/**
 * How workflows start and whether they ever finish, as on GitHub: a job on a retired runner
 * label waits forever; a push to a branch starts the `on: push` workflows (unless the commit
 * says [skip ci]); a finished Build starts the Release that names it in `on: workflow_run`.
 * The last test plays the repair the program will make: one commit moves the mix workflows
 * off ubuntu-20.04, and exactly one release follows.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RETIRED_RUNNER_LABELS, startGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github-emulator.js';
import { mixes } from '../helpers/fixtures.js';
import { apiFor, b64, ghError, until } from '../helpers/emulator-api.js';

const REPO = 'acme/app';
const TOKEN = 'ghp_repo_and_workflow';
const WEB = mixes().find((m) => m.name === 'litestream-aws')!;
const BLAZOR = mixes().find((m) => m.name === 'blazor-litestream-aws')!;

/** Shaped like the templates' Build workflow: every branch, one job, the web mixes' runner. */
const buildYml = (runner: string): string => `name: Build

on:
  pull_request: {}
  push:
    branches:
      - '**'        # every branch

jobs:
  build:
    runs-on: ${runner}
    steps:
      - uses: actions/checkout@v4
      - run: dotnet build
      - run: dotnet test
        working-directory: ./MyApp.Tests
`;

let gh: GitHubEmulator;
const api = apiFor(() => gh, TOKEN);

async function start(files: Record<string, string>, opts: { retiredRunners?: string[] } = {}): Promise<void> {
  gh = await startGitHubEmulator(opts);
  gh.addToken({ token: TOKEN, scopes: ['repo', 'workflow'] });
  gh.addRepo({ fullName: REPO, files });
  gh.setPlaybook({ jobs: [{ name: 'push_to_registry', steps: ['checkout', 'push'] }, { name: 'deploy_via_ssh', steps: ['scp', 'up'] }], stepMs: 5 });
  gh.setPlaybook({ jobs: [{ name: 'build', steps: ['checkout', 'build', 'test'] }], stepMs: 5 }, 'build.yml');
}

afterEach(async () => {
  await gh?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function dispatchRelease(inputs: Record<string, string> = { version: 'latest' }): Promise<number> {
  const r = await api('POST', `/repos/${REPO}/actions/workflows/release.yml/dispatches`, { body: { ref: 'main', inputs, return_run_details: true } });
  assert.equal(r.status, 200, r.text);
  return r.json.workflow_run_id;
}

async function commitFile(path: string, content: string, message: string, branch?: string): Promise<string> {
  const current = await api('GET', `/repos/${REPO}/contents/${path}${branch ? `?ref=${branch}` : ''}`);
  const r = await api('PUT', `/repos/${REPO}/contents/${path}`, {
    body: { message, content: b64(content), ...(current.status === 200 ? { sha: current.json.sha } : {}), ...(branch ? { branch } : {}) },
  });
  assert.ok(r.status === 200 || r.status === 201, r.text);
  return r.json.commit.sha;
}

const runsOf = (workflow: string) => gh.runs(REPO).filter((r) => r.workflow === workflow);
const completed = (workflow: string, n = 1) => () => (runsOf(workflow).filter((r) => r.status === 'completed').length >= n ? true : undefined);

describe('runners GitHub retired', () => {
  test('a web mix release on ubuntu-20.04 stays queued: no job ever starts', async () => {
    await start({ '.github/workflows/release.yml': WEB.workflow });
    const id = await dispatchRelease();
    await sleep(150); // the playbook would have finished in 30 ms
    const run = await api('GET', `/repos/${REPO}/actions/runs/${id}`);
    assert.equal(run.json.status, 'queued');
    assert.equal(run.json.conclusion, null);
    const jobs = (await api('GET', `/repos/${REPO}/actions/runs/${id}/jobs`)).json.jobs;
    assert.deepEqual(
      jobs.map((j: { name: string; status: string; labels: string[]; runner_name: string | null }) => [j.name, j.status, j.labels, j.runner_name]),
      [
        ['push_to_registry', 'queued', ['ubuntu-20.04'], null],
        ['deploy_via_ssh', 'queued', ['ubuntu-20.04'], null],
      ],
    );
    const queued = await api('GET', `/repos/${REPO}/actions/runs?status=queued`);
    assert.equal(queued.json.total_count, 1);
  });

  test('the blazor mix on ubuntu-22.04 runs to the end', async () => {
    await start({ '.github/workflows/release.yml': BLAZOR.workflow });
    await dispatchRelease();
    await until('the release', completed('release.yml'));
    assert.equal(runsOf('release.yml')[0]?.conclusion, 'success');
    assert.deepEqual(runsOf('release.yml')[0]?.labels, [['ubuntu-22.04'], ['ubuntu-22.04']]);
  });

  test('every retired label blocks; a later job on one leaves the run in progress for ever', async () => {
    for (const label of RETIRED_RUNNER_LABELS) {
      await start({ '.github/workflows/release.yml': `name: Release\non: workflow_dispatch\njobs:\n  push_to_registry:\n    runs-on: [${label}]\n` });
      await dispatchRelease({});
      await sleep(60);
      assert.equal(gh.runs(REPO)[0]?.status, 'queued', label);
      await gh.close();
    }
    const mixed = 'name: Release\non: workflow_dispatch\njobs:\n  push_to_registry:\n    runs-on: ubuntu-24.04\n  deploy_via_ssh:\n    needs: push_to_registry\n    runs-on:\n      - ubuntu-18.04\n';
    await start({ '.github/workflows/release.yml': mixed });
    const id = await dispatchRelease({});
    await until('the first job', async () => ((await api('GET', `/repos/${REPO}/actions/runs/${id}/jobs`)).json.jobs[0].status === 'completed' ? true : undefined));
    await sleep(60);
    const jobs = (await api('GET', `/repos/${REPO}/actions/runs/${id}/jobs`)).json.jobs;
    assert.deepEqual(
      jobs.map((j: { status: string }) => j.status),
      ['completed', 'queued'],
    );
    assert.equal((await api('GET', `/repos/${REPO}/actions/runs/${id}`)).json.status, 'in_progress');
  });

  test('self-hosted runners carry any label; retiredRunners: [] serves every label', async () => {
    await start({ '.github/workflows/release.yml': 'on: workflow_dispatch\njobs:\n  deploy:\n    runs-on: [self-hosted, ubuntu-20.04]\n' });
    await dispatchRelease({});
    await until('the self-hosted release', completed('release.yml'));
    await gh.close();
    await start({ '.github/workflows/release.yml': WEB.workflow }, { retiredRunners: [] });
    await dispatchRelease();
    await until('the release', completed('release.yml'));
  });
});

describe('push and workflow_run', () => {
  beforeEach(async () => {
    await start({ '.github/workflows/build.yml': buildYml('ubuntu-22.04'), '.github/workflows/release.yml': BLAZOR.workflow, 'README.md': '# app\n' });
  });

  test('a commit to main starts Build; Build finishing starts Release once, for the same commit', async () => {
    gh.setPlaybook({ jobs: [{ name: 'build', steps: ['checkout', 'build', 'test'] }], stepMs: 100 }, 'build.yml');
    const sha = await commitFile('README.md', '# app!\n', 'Say it louder\n\nwith a body');
    const build = runsOf('build.yml');
    assert.deepEqual(build.map((r) => [r.event, r.branch, r.headSha]), [['push', 'main', sha]]);
    assert.equal(runsOf('release.yml').length, 0, 'Release waits for Build to finish');
    const buildJson = (await api('GET', `/repos/${REPO}/actions/runs/${build[0]?.id}`)).json;
    assert.equal(buildJson.event, 'push');
    assert.equal(buildJson.display_title, 'Say it louder');

    await until('the release', completed('release.yml'));
    const [release, ...more] = runsOf('release.yml');
    assert.deepEqual(more, []);
    assert.equal(release?.event, 'workflow_run');
    assert.equal(release?.headSha, sha);
    assert.equal(release?.triggeredBy, build[0]?.id);
    assert.equal(release?.conclusion, 'success');
    const listed = await api('GET', `/repos/${REPO}/actions/workflows/release.yml/runs?event=workflow_run`);
    assert.equal(listed.json.total_count, 1);
    assert.equal(listed.json.workflow_runs[0].head_sha, sha);
    assert.deepEqual(
      gh.events().filter((e) => e.kind !== 'secret-put').map((e) => `${e.kind}:${e.name}:${e.trigger ?? ''}`),
      ['push:main:', 'run:build.yml:push', 'run:release.yml:workflow_run'],
    );
    assert.equal(gh.dispatches(REPO).length, 0, 'nothing was dispatched');
  });

  for (const marker of ['[skip ci]', '[ci skip]', '[no ci]', '[skip actions]', '[actions skip]']) {
    test(`${marker} in the head commit message: no Build, so no Release`, async () => {
      await commitFile('README.md', `# ${marker}\n`, `Docs only ${marker}`);
      await sleep(80);
      assert.deepEqual(gh.runs(REPO), []);
      const [push] = gh.events().filter((e) => e.kind === 'push');
      assert.equal(push?.skipCi, true);
    });
  }

  test('Build runs on every branch; Release follows only Builds of main or master', async () => {
    const head = gh.headSha(REPO);
    // Creating a branch is a push too.
    assert.equal((await api('POST', `/repos/${REPO}/git/refs`, { body: { ref: 'refs/heads/feature', sha: head } })).status, 201);
    const sha = await commitFile('README.md', '# feature\n', 'Feature work', 'feature');
    await until('the feature builds', completed('build.yml', 2));
    assert.deepEqual(runsOf('build.yml').map((r) => [r.branch, r.headSha]), [['feature', head], ['feature', sha]]);
    await sleep(60);
    assert.equal(runsOf('release.yml').length, 0);
  });

  test('push filters: branches and paths-ignore', async () => {
    await commitFile('.github/workflows/docs.yml', 'name: Docs\non:\n  push:\n    branches: [ main ]\n    paths-ignore:\n      - "**.md"\njobs:\n  d:\n    runs-on: ubuntu-latest\n', 'Add docs workflow [skip ci]');
    await commitFile('README.md', '# only markdown\n', 'Markdown only');
    assert.equal(runsOf('docs.yml').length, 0);
    await commitFile('src/app.ts', 'export {};\n', 'Code');
    assert.equal(runsOf('docs.yml').length, 1);
    assert.equal(runsOf('build.yml').length, 2, 'Build has no filters');
  });

  test("a push from outside the API (someone's git push) starts workflows too", async () => {
    const sha = gh.push(REPO, { message: 'Pushed from a laptop', files: { 'src/x.ts': 'x\n', 'README.md': null } });
    assert.equal(gh.headSha(REPO), sha);
    assert.equal(gh.files(REPO)['README.md'], undefined);
    assert.deepEqual(runsOf('build.yml').map((r) => r.headSha), [sha]);
    await until('the release', completed('release.yml'));
  });
});

describe('workflow_run details', () => {
  test('without types, requested, in_progress and completed each start the workflow', async () => {
    await start({
      '.github/workflows/build.yml': buildYml('ubuntu-22.04'),
      '.github/workflows/notify.yml': 'name: Notify\non:\n  workflow_run:\n    workflows: [Build]\njobs:\n  n:\n    runs-on: ubuntu-latest\n',
    });
    gh.push(REPO, { message: 'go', files: { a: 'a' } });
    await until('three notifications', () => (runsOf('notify.yml').length >= 3 ? true : undefined));
    await sleep(50);
    assert.equal(runsOf('notify.yml').length, 3);
  });

  test('a chain of workflow_run stops after three levels', async () => {
    const link = (name: string, after: string) => `name: ${name}\non:\n  workflow_run:\n    workflows: ["${after}"]\n    types: [completed]\njobs:\n  j:\n    runs-on: ubuntu-latest\n`;
    await start({
      '.github/workflows/build.yml': buildYml('ubuntu-22.04'),
      '.github/workflows/b.yml': link('B', 'Build'),
      '.github/workflows/c.yml': link('C', 'B'),
      '.github/workflows/d.yml': link('D', 'C'),
      '.github/workflows/e.yml': link('E', 'D'),
    });
    gh.setPlaybook({ jobs: [{ name: 'j', steps: ['x'] }], stepMs: 3 });
    gh.push(REPO, { message: 'go', files: { a: 'a' } });
    await until('D', completed('d.yml'));
    await sleep(60);
    assert.deepEqual(gh.runs(REPO).map((r) => r.name), ['Build', 'B', 'C', 'D']);
  });
});

describe('the repair issue 9 will make', () => {
  test('web mix: one commit moves Build and Release off ubuntu-20.04; exactly one release follows it', async () => {
    await start({ '.github/workflows/build.yml': buildYml('ubuntu-20.04'), '.github/workflows/release.yml': WEB.workflow, [WEB.composePath]: WEB.compose });
    gh.addToken({ token: 'ghp_no_workflow_scope', scopes: ['repo'] });
    const stuck = await dispatchRelease();
    await sleep(60);
    assert.equal(gh.runs(REPO)[0]?.status, 'queued');

    // One commit with both files, through the Git Data API.
    const head = gh.headSha(REPO);
    const base = (await api('GET', `/repos/${REPO}/git/commits/${head}`)).json.tree.sha;
    const fixed = (text: string) => text.replaceAll('ubuntu-20.04', 'ubuntu-24.04');
    const tree = await api('POST', `/repos/${REPO}/git/trees`, {
      body: {
        base_tree: base,
        tree: [
          { path: '.github/workflows/build.yml', mode: '100644', type: 'blob', content: fixed(buildYml('ubuntu-20.04')) },
          { path: '.github/workflows/release.yml', mode: '100644', type: 'blob', content: fixed(WEB.workflow) },
        ],
      },
    });
    assert.equal(tree.status, 201, tree.text);
    const commit = await api('POST', `/repos/${REPO}/git/commits`, { body: { message: 'Run the workflows on ubuntu-24.04', tree: tree.json.sha, parents: [head] } });
    // Without the workflow scope the branch does not move...
    ghError(await api('PATCH', `/repos/${REPO}/git/refs/heads/main`, { token: 'ghp_no_workflow_scope', body: { sha: commit.json.sha } }), 422, /without `workflow` scope$/);
    assert.equal(gh.runs(REPO).length, 1);
    // ...with it, the push starts Build, and Build's success starts the release.
    assert.equal((await api('PATCH', `/repos/${REPO}/git/refs/heads/main`, { body: { sha: commit.json.sha } })).status, 200);
    await until('the release after the repair', () => runsOf('release.yml').find((r) => r.event === 'workflow_run' && r.status === 'completed'));
    await sleep(60);

    const started = gh.events().filter((e) => e.kind === 'run' && e.name === 'release.yml');
    assert.deepEqual(started.map((e) => e.trigger), ['workflow_dispatch', 'workflow_run'], 'one release before the repair, exactly one after');
    const after = runsOf('release.yml').filter((r) => r.headSha === commit.json.sha);
    assert.deepEqual(after.map((r) => [r.event, r.status, r.conclusion, r.labels]), [['workflow_run', 'completed', 'success', [['ubuntu-24.04'], ['ubuntu-24.04']]]]);
    assert.equal(runsOf('release.yml').find((r) => r.id === stuck)?.status, 'queued', 'the old run still waits, as on GitHub');
  });

  test('web mix: a [skip ci] repair starts nothing; the one dispatched release then runs', async () => {
    await start({ '.github/workflows/build.yml': buildYml('ubuntu-20.04'), '.github/workflows/release.yml': WEB.workflow });
    await commitFile('.github/workflows/release.yml', WEB.workflow.replaceAll('ubuntu-20.04', 'ubuntu-24.04'), 'Run the release on ubuntu-24.04 [skip ci]');
    assert.deepEqual(gh.runs(REPO), []);
    const id = await dispatchRelease();
    await until('the release', completed('release.yml'));
    assert.deepEqual(gh.runs(REPO).map((r) => [r.id, r.workflow, r.event, r.conclusion]), [[id, 'release.yml', 'workflow_dispatch', 'success']]);
  });
});
