/**
 * The emulator's repository history: the contents API writes, the Git Data API (blobs, trees,
 * commits, refs), and GitHub's refusal to let a token without the workflow scope change
 * .github/workflows/. Shas are git's own, checked against the git binary.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github-emulator.js';
import { apiFor, b64, ghError } from '../helpers/emulator-api.js';

const REPO = 'acme/app';
const WORKFLOW = 'ghp_with_workflow_scope';
const NO_WORKFLOW = 'ghp_repo_scope_only';
const OAUTH_NO_WORKFLOW = 'gho_cli_login_without_workflow';
const FINE = 'github_pat_fine_grained';
const FINE_NO_WORKFLOWS = 'github_pat_without_workflows_permission';
const RELEASE = '.github/workflows/release.yml';
const FILES: Record<string, string> = {
  [RELEASE]: 'name: Release\non: workflow_dispatch\njobs:\n  deploy:\n    runs-on: ubuntu-20.04\n',
  '.deploy/docker-compose.yml': 'services: {}\n',
  'README.md': '# app\n',
};

let gh: GitHubEmulator;
const api = apiFor(() => gh, WORKFLOW);

beforeEach(async () => {
  gh = await startGitHubEmulator();
  gh.addRepo({ fullName: REPO, files: FILES });
  gh.addToken({ token: WORKFLOW, scopes: ['repo', 'workflow'], login: 'mythz' });
  gh.addToken({ token: NO_WORKFLOW, scopes: ['repo'] });
  gh.addToken({ token: OAUTH_NO_WORKFLOW, scopes: ['repo', 'gist', 'read:org'] });
  gh.addToken({ token: FINE });
  gh.addToken({ token: FINE_NO_WORKFLOWS, workflows: false });
});

afterEach(async () => {
  await gh.close();
});

/** The tree sha git itself computes for a set of files. */
function gitTreeSha(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'emu-git-'));
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    git('init', '-q');
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    git('add', '-A');
    return git('write-tree');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function putFile(path: string, content: string, extra: Record<string, unknown> = {}, token = WORKFLOW) {
  return api('PUT', `/repos/${REPO}/contents/${path}`, { token, body: { message: `Update ${path}`, content: b64(content), ...extra } });
}

const shaOf = async (path: string, ref = 'main'): Promise<string> => (await api('GET', `/repos/${REPO}/contents/${path}?ref=${ref}`)).json.sha;

describe('history', () => {
  test('a new repository has one commit whose tree is the one git computes', async () => {
    const [initial, ...older] = gh.commits(REPO);
    assert.ok(initial);
    assert.deepEqual(older, []);
    assert.equal(initial.message, 'Initial commit');
    assert.equal(initial.tree, gitTreeSha(FILES));
    assert.equal(gh.headSha(REPO), initial.sha);
    assert.deepEqual(gh.files(REPO), FILES);

    const ref = await api('GET', `/repos/${REPO}/git/ref/heads/main`);
    assert.equal(ref.status, 200);
    assert.deepEqual(ref.json.object, { sha: initial.sha, type: 'commit', url: `${gh.url}/repos/${REPO}/git/commits/${initial.sha}` });
    assert.equal(ref.json.ref, 'refs/heads/main');
    const commit = await api('GET', `/repos/${REPO}/git/commits/${initial.sha}`);
    assert.equal(commit.json.tree.sha, initial.tree);
    assert.deepEqual(commit.json.parents, []);
    const tree = await api('GET', `/repos/${REPO}/git/trees/main?recursive=1`);
    assert.deepEqual(
      tree.json.tree.map((e: { path: string; type: string }) => `${e.type} ${e.path}`),
      ['tree .deploy', 'blob .deploy/docker-compose.yml', 'tree .github', 'tree .github/workflows', `blob ${RELEASE}`, 'blob README.md'],
    );
    const readme = tree.json.tree.find((e: { path: string }) => e.path === 'README.md');
    assert.equal(readme.sha, await shaOf('README.md'));
    assert.equal(readme.size, FILES['README.md']?.length);
  });

  test('contents PUT: 201 creates, 200 updates; each is a commit on the branch, and reads follow the ref', async () => {
    const before = gh.headSha(REPO);
    const created = await putFile('docs/notes.md', 'one\n');
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.content.path, 'docs/notes.md');
    assert.equal(created.json.commit.parents[0].sha, before);
    assert.equal(created.json.commit.author.name, 'mythz');
    assert.equal(gh.headSha(REPO), created.json.commit.sha);

    const updated = await putFile('docs/notes.md', 'two\n', { sha: created.json.content.sha });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(
      gh.commits(REPO).map((c) => [c.message, c.changed]),
      [
        ['Update docs/notes.md', ['docs/notes.md']],
        ['Update docs/notes.md', ['docs/notes.md']],
        ['Initial commit', Object.keys(FILES).sort()],
      ],
    );
    assert.equal(gh.files(REPO)['docs/notes.md'], 'two\n');
    const now = await api('GET', `/repos/${REPO}/contents/docs/notes.md`);
    assert.equal(Buffer.from(now.json.content, 'base64').toString(), 'two\n');
    const then = await api('GET', `/repos/${REPO}/contents/docs/notes.md?ref=${created.json.commit.sha}`);
    assert.equal(Buffer.from(then.json.content, 'base64').toString(), 'one\n');
    ghError(await api('GET', `/repos/${REPO}/contents/docs/notes.md?ref=${before}`), 404, 'Not Found');
    assert.deepEqual(gh.files(REPO, before), FILES);
  });

  test("contents PUT answers GitHub's errors", async () => {
    const readme = await shaOf('README.md');
    ghError(await putFile('README.md', 'x'), 422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    ghError(await putFile('README.md', 'x', { sha: 'deadbeef' }), 409, 'README.md does not match deadbeef');
    ghError(await putFile('.deploy/docker-compose.yml', 'x', { sha: readme }), 409, `.deploy/docker-compose.yml does not match ${readme}`);
    ghError(await putFile('README.md', 'x', { sha: 'deadbeef', branch: 'nope' }), 404, 'Branch nope not found');
    ghError(await api('PUT', `/repos/${REPO}/contents/x.txt`, { body: { message: 'm', content: 'not base64!' } }), 422, 'content is not valid Base64');
    ghError(await api('PUT', `/repos/${REPO}/contents/x.txt`, { body: { content: b64('x') } }), 422, 'Invalid request.\n\n"message" wasn\'t supplied.');
    assert.equal((await putFile('new.txt', 'x', { sha: 'ignored-for-new-files' })).status, 201);
    ghError(await putFile('README.md', 'x', { sha: readme }, 'github_pat_unknown'), 401, 'Bad credentials');
    assert.equal(gh.commits(REPO).length, 2, 'only the accepted write made a commit');
  });

  test('Git Data API: blob, tree on a base tree, commit, then a fast-forward of the branch', async () => {
    const head = gh.headSha(REPO);
    const base = (await api('GET', `/repos/${REPO}/git/commits/${head}`)).json.tree.sha;
    const blob = await api('POST', `/repos/${REPO}/git/blobs`, { body: { content: b64('FROM blob\n'), encoding: 'base64' } });
    assert.equal(blob.status, 201);
    assert.equal(blob.headers.get('location'), blob.json.url);
    const tree = await api('POST', `/repos/${REPO}/git/trees`, {
      body: {
        base_tree: base,
        tree: [
          { path: 'Dockerfile', mode: '100644', type: 'blob', sha: blob.json.sha },
          { path: 'src/app.ts', mode: '100644', type: 'blob', content: 'export {};\n' },
          { path: 'README.md', mode: '100644', type: 'blob', sha: null },
        ],
      },
    });
    assert.equal(tree.status, 201, tree.text);
    const expected = { ...FILES, Dockerfile: 'FROM blob\n', 'src/app.ts': 'export {};\n' };
    delete (expected as Record<string, string>)['README.md'];
    assert.equal(tree.json.sha, gitTreeSha(expected));

    const commit = await api('POST', `/repos/${REPO}/git/commits`, { body: { message: 'Add Dockerfile', tree: tree.json.sha, parents: [head] } });
    assert.equal(commit.status, 201, commit.text);
    assert.equal(gh.headSha(REPO), head, 'a commit alone moves nothing');
    const moved = await api('PATCH', `/repos/${REPO}/git/refs/heads/main`, { body: { sha: commit.json.sha } });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.json.object.sha, commit.json.sha);
    assert.deepEqual(gh.files(REPO), expected);
    assert.equal((await api('GET', `/repos/${REPO}/git/commits/${commit.json.sha}`)).json.message, 'Add Dockerfile');
    assert.deepEqual(
      gh.events().filter((e) => e.kind === 'push').map((e) => [e.name, e.sha]),
      [['main', commit.json.sha]],
    );

    // Back to the old head is not a fast-forward unless forced.
    ghError(await api('PATCH', `/repos/${REPO}/git/refs/heads/main`, { body: { sha: head } }), 422, 'Update is not a fast forward');
    assert.equal((await api('PATCH', `/repos/${REPO}/git/refs/heads/main`, { body: { sha: head, force: true } })).status, 200);
    assert.equal(gh.headSha(REPO), head);
  });

  test("the Git Data API's 404s and 422s", async () => {
    const head = gh.headSha(REPO);
    const missing = 'f'.repeat(40);
    ghError(await api('GET', `/repos/${REPO}/git/commits/${missing}`), 404, 'Not Found');
    ghError(await api('GET', `/repos/${REPO}/git/trees/${missing}`), 404, 'Not Found');
    ghError(await api('GET', `/repos/${REPO}/git/blobs/${missing}`), 404, 'Not Found');
    ghError(await api('GET', `/repos/${REPO}/git/ref/heads/nope`), 404, 'Not Found');
    ghError(await api('POST', `/repos/${REPO}/git/blobs`, { body: {} }), 422, 'Invalid request.\n\n"content" wasn\'t supplied.');
    ghError(await api('POST', `/repos/${REPO}/git/trees`, { body: { tree: [{ path: 'a', mode: '100644', type: 'blob', sha: missing }] } }), 422, `tree.sha ${missing} is not a valid blob`);
    ghError(await api('POST', `/repos/${REPO}/git/trees`, { body: { tree: [{ path: 'nope.txt', mode: '100644', type: 'blob', sha: null }] } }), 422, 'GitRPC::BadObjectState');
    ghError(await api('POST', `/repos/${REPO}/git/commits`, { body: { message: 'm', tree: missing } }), 422, 'Tree SHA does not exist');
    const tree = (await api('GET', `/repos/${REPO}/git/commits/${head}`)).json.tree.sha;
    ghError(await api('POST', `/repos/${REPO}/git/commits`, { body: { message: 'm', tree, parents: [missing] } }), 422, 'Parent SHA does not exist or is not a commit object');
    ghError(await api('PATCH', `/repos/${REPO}/git/refs/heads/nope`, { body: { sha: head } }), 422, 'Reference does not exist');
    ghError(await api('PATCH', `/repos/${REPO}/git/refs/heads/main`, { body: { sha: missing } }), 422, 'Object does not exist');
    ghError(await api('PATCH', `/repos/${REPO}/git/refs/heads/main`, { body: {} }), 422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    ghError(await api('POST', `/repos/${REPO}/git/refs`, { body: { ref: 'refs/heads/main', sha: head } }), 422, 'Reference already exists');
    ghError(await api('POST', `/repos/${REPO}/git/refs`, { body: { ref: 'main', sha: head } }), 422, /^Reference name must start with 'refs\/'/);
    ghError(await api('PATCH', `/repos/${REPO}/git/refs/heads/main`, { token: 'github_pat_unknown', body: { sha: head } }), 401, 'Bad credentials');
  });

  test('branches: create a ref, list and match refs, write to the branch, read at its head', async () => {
    const head = gh.headSha(REPO);
    const created = await api('POST', `/repos/${REPO}/git/refs`, { body: { ref: 'refs/heads/fix-runner', sha: head } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.ref, 'refs/heads/fix-runner');
    const written = await putFile('README.md', '# fixed\n', { sha: await shaOf('README.md'), branch: 'fix-runner' });
    assert.equal(written.status, 200, written.text);
    assert.equal(gh.headSha(REPO), head, 'main did not move');
    assert.equal(gh.files(REPO, 'fix-runner')['README.md'], '# fixed\n');
    const onBranch = await api('GET', `/repos/${REPO}/contents/README.md?ref=fix-runner`);
    assert.equal(Buffer.from(onBranch.json.content, 'base64').toString(), '# fixed\n');

    const all = await api('GET', `/repos/${REPO}/git/refs`);
    assert.deepEqual(all.json.map((r: { ref: string }) => r.ref), ['refs/heads/fix-runner', 'refs/heads/main']);
    const heads = await api('GET', `/repos/${REPO}/git/refs/heads`);
    assert.equal(heads.json.length, 2);
    const one = await api('GET', `/repos/${REPO}/git/refs/heads/fix-runner`);
    assert.equal(one.json.object.sha, written.json.commit.sha);
    const matching = await api('GET', `/repos/${REPO}/git/matching-refs/heads/fix`);
    assert.deepEqual(matching.json.map((r: { ref: string }) => r.ref), ['refs/heads/fix-runner']);
    assert.deepEqual((await api('GET', `/repos/${REPO}/git/matching-refs/tags/`)).json, []);
    // octokit sends the ref percent-encoded.
    assert.equal((await api('GET', `/repos/${REPO}/git/ref/heads%2Ffix-runner`)).status, 200);
    // Setting a branch to the commit it already has moves nothing: no push.
    const pushes = gh.events().filter((e) => e.kind === 'push').length;
    assert.equal((await api('PATCH', `/repos/${REPO}/git/refs/heads/main`, { body: { sha: head } })).status, 200);
    assert.equal(gh.events().filter((e) => e.kind === 'push').length, pushes);
  });
});

describe('the workflow scope', () => {
  const repaired = FILES[RELEASE]?.replace('ubuntu-20.04', 'ubuntu-24.04') ?? '';

  test('contents PUT of a workflow: classic token without the scope gets 404, fine-grained without Workflows 403', async () => {
    const sha = await shaOf(RELEASE);
    const classic = await putFile(RELEASE, repaired, { sha }, NO_WORKFLOW);
    ghError(classic, 404, 'Not Found');
    assert.equal(classic.json.documentation_url, 'https://docs.github.com/rest/repos/contents#create-or-update-file-contents');
    assert.equal(classic.headers.get('x-oauth-scopes'), 'repo', 'the scopes header tells a client what is missing');
    ghError(await putFile(RELEASE, repaired, { sha }, FINE_NO_WORKFLOWS), 403, 'Resource not accessible by personal access token');
    ghError(await putFile('.github/workflows/new.yml', repaired, {}, NO_WORKFLOW), 404, 'Not Found');
    assert.equal(gh.files(REPO)[RELEASE], FILES[RELEASE], 'nothing changed');
    // Other files are fine with the same tokens.
    assert.equal((await putFile('README.md', 'x\n', { sha: await shaOf('README.md') }, NO_WORKFLOW)).status, 200);
    assert.equal((await putFile('notes.txt', 'x\n', {}, FINE_NO_WORKFLOWS)).status, 201);
    // With the scope, or the permission, it goes through.
    assert.equal((await putFile(RELEASE, repaired, { sha }, WORKFLOW)).status, 200);
    assert.equal((await putFile(RELEASE, `${repaired}# again\n`, { sha: await shaOf(RELEASE) }, FINE)).status, 200);
  });

  test('a tree changing a workflow: 404 (classic) or 403 (fine-grained); one leaving workflows alone is fine', async () => {
    const base = (await api('GET', `/repos/${REPO}/git/commits/${gh.headSha(REPO)}`)).json.tree.sha;
    const body = { base_tree: base, tree: [{ path: RELEASE, mode: '100644', type: 'blob', content: repaired }] };
    const classic = await api('POST', `/repos/${REPO}/git/trees`, { token: NO_WORKFLOW, body });
    ghError(classic, 404, 'Not Found');
    assert.equal(classic.json.documentation_url, 'https://docs.github.com/rest/git/trees#create-a-tree');
    ghError(await api('POST', `/repos/${REPO}/git/trees`, { token: FINE_NO_WORKFLOWS, body }), 403, 'Resource not accessible by personal access token');
    const removal = { base_tree: base, tree: [{ path: RELEASE, mode: '100644', type: 'blob', sha: null }] };
    ghError(await api('POST', `/repos/${REPO}/git/trees`, { token: NO_WORKFLOW, body: removal }), 404, 'Not Found');
    const harmless = { base_tree: base, tree: [{ path: 'README.md', mode: '100644', type: 'blob', content: 'y\n' }] };
    assert.equal((await api('POST', `/repos/${REPO}/git/trees`, { token: NO_WORKFLOW, body: harmless })).status, 201);
    assert.equal((await api('POST', `/repos/${REPO}/git/trees`, { token: WORKFLOW, body })).status, 201);
  });

  test("moving a branch onto someone else's workflow commit: 422 naming the file, worded per token kind", async () => {
    const head = gh.headSha(REPO);
    const base = (await api('GET', `/repos/${REPO}/git/commits/${head}`)).json.tree.sha;
    const tree = await api('POST', `/repos/${REPO}/git/trees`, { body: { base_tree: base, tree: [{ path: RELEASE, mode: '100644', type: 'blob', content: repaired }] } });
    const commit = await api('POST', `/repos/${REPO}/git/commits`, { body: { message: 'Runs on ubuntu-24.04', tree: tree.json.sha, parents: [head] } });
    const move = (token: string) => api('PATCH', `/repos/${REPO}/git/refs/heads/main`, { token, body: { sha: commit.json.sha } });
    ghError(await move(NO_WORKFLOW), 422, `refusing to allow a Personal Access Token to create or update workflow \`${RELEASE}\` without \`workflow\` scope`);
    ghError(await move(OAUTH_NO_WORKFLOW), 422, `refusing to allow an OAuth App to create or update workflow \`${RELEASE}\` without \`workflow\` scope`);
    ghError(await move(FINE_NO_WORKFLOWS), 403, 'Resource not accessible by personal access token');
    const branch = await api('POST', `/repos/${REPO}/git/refs`, { token: NO_WORKFLOW, body: { ref: 'refs/heads/other', sha: commit.json.sha } });
    ghError(branch, 422, /^refusing to allow a Personal Access Token to create or update workflow/);
    assert.equal(gh.headSha(REPO), head);
    assert.equal(gh.events().filter((e) => e.kind === 'push').length, 0, 'refused moves are not pushes');

    // GitHub's exception: the same file already on another branch needs no scope.
    assert.equal((await api('POST', `/repos/${REPO}/git/refs`, { token: WORKFLOW, body: { ref: 'refs/heads/repair', sha: commit.json.sha } })).status, 201);
    assert.equal((await move(NO_WORKFLOW)).status, 200);
    assert.equal(gh.files(REPO)[RELEASE], repaired);
  });
});
