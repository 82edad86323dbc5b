import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient } from '../../src/github/client.js';
import { inspectRepo } from '../../src/engine/inspect.js';
import { StepError } from '../../src/errors.js';
import { Sensitive } from '../../src/sensitive.js';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github-emulator.js';
import { settings } from '../helpers/inspection.js';
import { mixes } from '../helpers/fixtures.js';

let gh: GitHubEmulator;
before(async () => {
  gh = await startGitHubEmulator();
  const mix = mixes().find((m) => m.name === 'litestream-azure')!;
  gh.addRepo({ fullName: 'acme/app', private: true, files: { '.github/workflows/release.yml': mix.workflow, [mix.composePath]: mix.compose }, secrets: { AZURE_CONTAINER: 'x' } });
  gh.addRepo({ fullName: 'acme/bare', files: {} });
  gh.addToken({ token: 'good', scopes: ['repo', 'workflow'] });
  gh.addToken({ token: 'fine' });
  gh.addToken({ token: 'public-only', scopes: ['public_repo'] });
  gh.addToken({ token: 'not-admin', scopes: ['repo'], repoPermissions: { admin: false, push: true, pull: true } });
  gh.addToken({ token: 'blind', scopes: ['repo'], canSee: [] });
  gh.addToken({ token: 'no-scope', scopes: ['read:user'] });
});
after(() => gh.close());

const inspectWith = (token: string, repo = 'acme/app') => {
  const [owner, name] = repo.split('/') as [string, string];
  const s = settings({ token: new Sensitive(token), apiUrl: gh.url, repo: { owner, repo: name }, target: 'azure' });
  return inspectRepo(createGitHubClient({ token: s.token, baseUrl: gh.url, backoffMs: () => 1 }), s);
};
const fails = (re: RegExp, fixRe?: RegExp) => (e: unknown) => e instanceof StepError && re.test(e.cause_) && (!fixRe || fixRe.test(e.fix));

test('a good token reads workflow, compose file, public key and secrets', async () => {
  const r = await inspectWith('good');
  assert.equal(r.info.defaultBranch, 'main');
  assert.equal(r.workflow?.target, 'azure');
  assert.equal(r.workflow?.hostSecret, 'DEPLOY_HOST');
  assert.equal(r.proxyGeneration, 'bridge');
  assert.deepEqual([...r.secrets.keys()], ['AZURE_CONTAINER']);
  assert.ok(r.publicKey.key.length > 40);
});

test('401, 404, missing scope, no admin: each its own message and fix', async () => {
  await assert.rejects(inspectWith('wrong'), fails(/401 Bad credentials/, /settings\/tokens\/new\?scopes=repo,workflow/));
  await assert.rejects(inspectWith('blind'), fails(/acme\/app was not found with this token/, /repo scope/));
  await assert.rejects(inspectWith('good', 'acme/missing'), fails(/not found/));
  // GitHub hides a private repository from a token without the repo scope: a 404 that names the scope.
  await assert.rejects(inspectWith('public-only'), fails(/not found with this token/, /classic token needs the repo scope/));
  await assert.rejects(inspectWith('not-admin'), fails(/not an admin/));
});

test('a classic token without repo scope on a public repository: named before any write', async () => {
  await assert.rejects(inspectWith('no-scope', 'acme/bare'), fails(/scopes \[read:user\], without "repo"/, /Add the repo scope/));
});

test('no release workflow: reported as absent, not an error', async () => {
  const r = await inspectWith('good', 'acme/bare');
  assert.equal(r.workflow, undefined);
  assert.equal(r.proxyGenerationGuessed, true);
});
