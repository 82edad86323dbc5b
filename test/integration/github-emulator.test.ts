/**
 * The GitHub emulator, driven over HTTP with plain fetch (no octokit), sealing values exactly
 * the way the program does. These tests pin the emulator to GitHub's observable behaviour, so
 * the program's own tests and the --demo mode can trust it.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/sandbox/github-emulator.js';

const REPO = 'ServiceStack-Users/my-app';
const ADMIN = 'github_pat_admin';
const CLASSIC = 'ghp_classic_admin';
const READER = 'github_pat_reader';
const CLASSIC_READER = 'ghp_classic_reader';
const NARROW = 'github_pat_other_repo_only';

/**
 * The `on:` block and jobs of the real ServiceStack mix release workflow, trimmed, on the
 * runner the blazor mixes use (the web and jamstack mixes' ubuntu-20.04 never gets a runner:
 * see github-emulator-git.test.ts).
 */
const RELEASE_YML = `name: Release
permissions:
  packages: write
on:
  # Triggered on new GitHub Release
  release:
    types: [published]
  workflow_run:
    workflows: ["Build"]
    branches: [main,master]
    types:
      - completed
  # Manual trigger for rollback to specific release or redeploy latest
  workflow_dispatch:
    inputs:
      version:
        default: latest
        description: Tag you want to release.
        required: true

jobs:
  push_to_registry:
    runs-on: ubuntu-22.04
    steps:
      - name: Assign version
        run: |
          echo "TAG_NAME=latest" >> $GITHUB_ENV
          workflow_dispatch: this line is shell text, not a trigger
  deploy_via_ssh:
    needs: push_to_registry
    runs-on: ubuntu-22.04
    steps:
      - name: copy compose file via scp
        with:
          host: \${{ secrets.DEPLOY_HOST }}
`;

const BUILD_YML = `name: Build
on:
  push:
    branches: [ main ]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "workflow_dispatch"
`;

let gh: GitHubEmulator;

beforeEach(async () => {
  await sodium.ready;
  gh = await startGitHubEmulator();
  gh.addRepo({
    fullName: REPO,
    files: {
      '.github/workflows/release.yml': RELEASE_YML,
      '.github/workflows/build.yml': BUILD_YML,
      '.deploy/docker-compose-template.yml': 'services:\n  app:\n    image: ghcr.io/${IMAGE_REPO}:${RELEASE_VERSION}\n',
      'README.md': `# my-app\n${'x'.repeat(200)}\n`,
    },
    secrets: { EXISTING: 'was-here' },
  });
  gh.addRepo({ fullName: 'acme/secret-project', private: true, defaultBranch: 'trunk' });
  gh.addToken({ token: ADMIN });
  gh.addToken({ token: CLASSIC, scopes: ['repo', 'workflow'], login: 'mythz' });
  gh.addToken({ token: READER, repoPermissions: { admin: false, push: false, pull: true } });
  gh.addToken({ token: CLASSIC_READER, scopes: ['repo'], repoPermissions: { admin: false, push: false, pull: true } });
  gh.addToken({ token: NARROW, canSee: ['acme/secret-project'] });
});

afterEach(async () => {
  await gh.close();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
  ms: number;
}

async function api(
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown; headers?: Record<string, string>; scheme?: string } = {},
): Promise<Answer> {
  const token = opts.token === undefined ? ADMIN : opts.token;
  const headers: Record<string, string> = { accept: 'application/vnd.github+json', ...opts.headers };
  if (token !== null) headers.authorization = `${opts.scheme ?? 'Bearer'} ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  const res = await fetch(path.startsWith('http') ? path : gh.url + path, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json, ms: performance.now() - started };
}

/** Exactly what the program does with the repository's public key. */
function seal(value: string, key: string): string {
  const sealed = sodium.crypto_box_seal(value, sodium.from_base64(key, sodium.base64_variants.ORIGINAL));
  return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL);
}

async function publicKey(repo = REPO): Promise<{ key_id: string; key: string }> {
  const r = await api('GET', `/repos/${repo}/actions/secrets/public-key`);
  assert.equal(r.status, 200);
  return r.json;
}

async function putSecret(name: string, value: string, token = ADMIN): Promise<Answer> {
  const { key_id, key } = await publicKey();
  return api('PUT', `/repos/${REPO}/actions/secrets/${name}`, { token, body: { encrypted_value: seal(value, key), key_id } });
}

/** RFC 8288 as GitHub writes it: `<url>; rel="next", <url>; rel="last"`. */
function parseLink(header: string | null): Record<string, string> {
  const rels: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const m = /<([^>]+)>;\s*rel="([^"]+)"/.exec(part);
    if (m?.[1] && m[2]) rels[m[2]] = m[1];
  }
  return rels;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const ghError = (r: Answer, status: number, message: string | RegExp): void => {
  assert.equal(r.status, status, r.text);
  if (typeof message === 'string') assert.equal(r.json.message, message);
  else assert.match(r.json.message, message);
  assert.equal(r.json.status, String(status));
  assert.match(r.json.documentation_url, /^https:\/\/docs\.github\.com\//);
};

describe('authentication and access', () => {
  test('no token, an unknown token, and both Authorization schemes', async () => {
    ghError(await api('GET', '/user', { token: null }), 401, 'Requires authentication');
    ghError(await api('GET', `/repos/${REPO}`, { token: 'ghp_nope' }), 401, 'Bad credentials');
    // GitHub checks credentials before it looks at the path.
    ghError(await api('GET', '/no/such/endpoint', { token: 'ghp_nope' }), 401, 'Bad credentials');
    for (const scheme of ['token', 'Bearer']) {
      const r = await api('GET', '/user', { scheme, token: CLASSIC });
      assert.equal(r.status, 200);
      assert.equal(r.json.login, 'mythz');
      assert.equal(typeof r.json.id, 'number');
    }
  });

  test('repositories a token cannot see are 404, matched case-insensitively otherwise', async () => {
    ghError(await api('GET', '/repos/nobody/nothing'), 404, 'Not Found');
    ghError(await api('GET', `/repos/${REPO}`, { token: NARROW }), 404, 'Not Found');
    ghError(await api('GET', `/repos/${REPO}/actions/secrets/public-key`, { token: NARROW }), 404, 'Not Found');
    assert.equal((await api('GET', '/repos/acme/secret-project', { token: NARROW })).status, 200);

    const r = await api('GET', `/repos/${REPO.toLowerCase()}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.full_name, REPO);
    assert.equal(r.json.name, 'my-app');
    assert.equal(r.json.owner.login, 'ServiceStack-Users');
    assert.equal(r.json.default_branch, 'main');
    assert.equal(r.json.private, false);
    assert.deepEqual(
      { admin: r.json.permissions.admin, push: r.json.permissions.push, pull: r.json.permissions.pull },
      { admin: true, push: true, pull: true },
    );
    assert.equal(r.json.html_url, `https://github.com/${REPO}`);
  });

  test('a classic token without the repo scope cannot see a private repository', async () => {
    gh.addToken({ token: 'ghp_public_only', scopes: ['public_repo'] });
    ghError(await api('GET', '/repos/acme/secret-project', { token: 'ghp_public_only' }), 404, 'Not Found');
    const pub = await api('GET', `/repos/${REPO}`, { token: 'ghp_public_only' });
    assert.equal(pub.status, 200);
    const priv = await api('GET', '/repos/acme/secret-project', { token: CLASSIC });
    assert.equal(priv.status, 200);
    assert.equal(priv.json.default_branch, 'trunk');
  });

  test('secrets need admin: 403 worded per token type', async () => {
    const fine = await api('GET', `/repos/${REPO}/actions/secrets/public-key`, { token: READER });
    ghError(fine, 403, 'Resource not accessible by personal access token');
    const classic = await api('GET', `/repos/${REPO}/actions/secrets`, { token: CLASSIC_READER });
    ghError(classic, 403, 'Must have admin rights to Repository.');
    // ...while reading the repository itself is fine, and tells the client what it may do.
    const repo = await api('GET', `/repos/${REPO}`, { token: READER });
    assert.equal(repo.status, 200);
    assert.equal(repo.json.permissions.admin, false);
  });

  test('GitHub headers: request id, rate limits, and OAuth scopes for classic tokens only', async () => {
    const classic = await api('GET', `/repos/${REPO}`, { token: CLASSIC });
    assert.match(classic.headers.get('x-github-request-id') ?? '', /^[0-9A-F]{4}:[0-9A-F]+:[0-9A-F]+:[0-9A-F]+:[0-9A-F]+$/);
    assert.equal(classic.headers.get('x-oauth-scopes'), 'repo, workflow');
    assert.equal(classic.headers.get('x-accepted-oauth-scopes'), 'repo');
    assert.equal(classic.headers.get('x-ratelimit-limit'), '5000');
    assert.equal(classic.headers.get('x-ratelimit-used'), '1');
    assert.equal(classic.headers.get('x-ratelimit-remaining'), '4999');
    assert.equal(classic.headers.get('x-ratelimit-resource'), 'core');
    assert.ok(Number(classic.headers.get('x-ratelimit-reset')) > Date.now() / 1000);
    const again = await api('GET', `/repos/${REPO}`, { token: CLASSIC });
    assert.equal(again.headers.get('x-ratelimit-remaining'), '4998');

    const fine = await api('GET', `/repos/${REPO}`);
    assert.equal(fine.headers.get('x-oauth-scopes'), null);
    assert.equal(fine.headers.get('x-accepted-oauth-scopes'), null);
  });

  test('anything else is 404 Not Found', async () => {
    ghError(await api('GET', '/repos/a/b/c/d/e'), 404, 'Not Found');
    ghError(await api('PATCH', `/repos/${REPO}`), 404, 'Not Found');
    ghError(await api('GET', `/repos/${REPO}/actions/runs/123`), 404, 'Not Found');
  });
});

describe('contents', () => {
  test('a file: base64 wrapped at 60 columns, git blob sha, size', async () => {
    const r = await api('GET', `/repos/${REPO}/contents/.github/workflows/release.yml?ref=main`);
    assert.equal(r.status, 200);
    assert.equal(r.json.type, 'file');
    assert.equal(r.json.encoding, 'base64');
    assert.equal(r.json.name, 'release.yml');
    assert.equal(r.json.path, '.github/workflows/release.yml');
    assert.equal(r.json.size, Buffer.byteLength(RELEASE_YML));
    const lines: string[] = r.json.content.split('\n');
    assert.equal(lines.pop(), '', 'every line, the last one too, ends in \\n');
    assert.ok(lines.slice(0, -1).every((l) => l.length === 60));
    assert.equal(Buffer.from(r.json.content, 'base64').toString('utf8'), RELEASE_YML);
    const blob = createHash('sha1').update(`blob ${Buffer.byteLength(RELEASE_YML)}\0${RELEASE_YML}`).digest('hex');
    assert.equal(r.json.sha, blob);
  });

  test('default ref, raw media type, missing files and refs', async () => {
    const readme = await api('GET', `/repos/${REPO}/contents/README.md`, { headers: { accept: 'application/vnd.github.raw+json' } });
    assert.equal(readme.status, 200);
    assert.match(readme.text, /^# my-app\n/);
    ghError(await api('GET', `/repos/${REPO}/contents/.github/workflows/nope.yml`), 404, 'Not Found');
    ghError(await api('GET', `/repos/${REPO}/contents/README.md?ref=develop`), 404, 'No commit found for the ref develop');
  });

  test('a directory lists its entries', async () => {
    const r = await api('GET', `/repos/${REPO}/contents/.github/workflows`);
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.json.map((e: { name: string; type: string; path: string }) => [e.type, e.name, e.path]),
      [
        ['file', 'build.yml', '.github/workflows/build.yml'],
        ['file', 'release.yml', '.github/workflows/release.yml'],
      ],
    );
    const root = await api('GET', `/repos/${REPO}/contents/`);
    assert.deepEqual(
      root.json.map((e: { name: string; type: string }) => `${e.type}:${e.name}`),
      ['dir:.deploy', 'dir:.github', 'file:README.md'],
    );
  });
});

describe('secrets', () => {
  test('the public key is a base64 (original alphabet) crypto_box key', async () => {
    const { key_id, key } = await publicKey();
    assert.match(key_id, /^\d+$/);
    assert.match(key, /^[A-Za-z0-9+/]{43}=$/);
    assert.equal(sodium.from_base64(key, sodium.base64_variants.ORIGINAL).length, sodium.crypto_box_PUBLICKEYBYTES);
    const other = await publicKey('acme/secret-project');
    assert.notEqual(other.key, key, 'one key pair per repository');
  });

  test('sealed PUT: 201 when created, 204 when updated; the emulator opens the value', async () => {
    const deployKey = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
    const created = await putSecret('DEPLOY_KEY', deployKey);
    assert.equal(created.status, 201);
    assert.equal(gh.secretValue(REPO, 'DEPLOY_KEY'), deployKey);

    const updated = await putSecret('DEPLOY_KEY', 'rotated');
    assert.equal(updated.status, 204);
    assert.equal(updated.text, '');
    assert.equal(gh.secretValue(REPO, 'deploy_key'), 'rotated');

    const meta = await api('GET', `/repos/${REPO}/actions/secrets/DEPLOY_KEY`);
    assert.equal(meta.status, 200);
    assert.deepEqual(Object.keys(meta.json).sort(), ['created_at', 'name', 'updated_at']);
    assert.match(meta.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    ghError(await api('GET', `/repos/${REPO}/actions/secrets/NOPE`), 404, 'Not Found');

    assert.deepEqual(
      gh.secrets(REPO).map((s) => [s.name, s.value]),
      [
        ['DEPLOY_KEY', 'rotated'],
        ['EXISTING', 'was-here'],
      ],
    );
    assert.deepEqual(
      gh.events().map((e) => [e.kind, e.name]),
      [
        ['secret-put', 'DEPLOY_KEY'],
        ['secret-put', 'DEPLOY_KEY'],
      ],
    );
  });

  test('GitHub upper-cases secret names', async () => {
    assert.equal((await putSecret('aws_s3_bucket', 'b')).status, 201);
    const list = await api('GET', `/repos/${REPO}/actions/secrets`);
    assert.ok(list.json.secrets.some((s: { name: string }) => s.name === 'AWS_S3_BUCKET'));
    assert.equal((await putSecret('AWS_S3_BUCKET', 'c')).status, 204);
  });

  test('422: a key_id that is not the current key', async () => {
    const { key } = await publicKey();
    const r = await api('PUT', `/repos/${REPO}/actions/secrets/X`, { body: { encrypted_value: seal('v', key), key_id: '1234' } });
    ghError(r, 422, /key_id/);
    const missing = await api('PUT', `/repos/${REPO}/actions/secrets/X`, { body: { encrypted_value: seal('v', key) } });
    ghError(missing, 422, 'Invalid request.\n\n"key_id" wasn\'t supplied.');
    assert.equal(gh.secretValue(REPO, 'X'), undefined);
  });

  test("422: URL-safe base64 (libsodium's default) does not decode", async () => {
    const { key, key_id } = await publicKey();
    // Seal until the URL-safe text really uses '-' or '_' (about nine times in ten it does).
    let urlSafe = '';
    while (!/[-_]/.test(urlSafe)) {
      urlSafe = sodium.to_base64(sodium.crypto_box_seal('v', sodium.from_base64(key, sodium.base64_variants.ORIGINAL)));
    }
    const r = await api('PUT', `/repos/${REPO}/actions/secrets/X`, { body: { encrypted_value: urlSafe, key_id } });
    ghError(r, 422, /Base64/);
  });

  test('422: a value sealed to another key, or not sealed at all, does not open', async () => {
    const { key_id } = await publicKey();
    const stranger = sodium.crypto_box_keypair();
    const wrongKey = sodium.to_base64(stranger.publicKey, sodium.base64_variants.ORIGINAL);
    for (const encrypted_value of [seal('v', wrongKey), Buffer.from('plain text, not sealed').toString('base64')]) {
      const r = await api('PUT', `/repos/${REPO}/actions/secrets/X`, { body: { encrypted_value, key_id } });
      ghError(r, 422, /could not be decrypted/);
    }
    assert.equal(gh.events().length, 0);
  });

  test('422: names GitHub refuses; 400 for a body that is not JSON', async () => {
    for (const name of ['GITHUB_TOKEN', '1PASSWORD', 'MY-SECRET']) {
      ghError(await putSecret(name, 'v'), 422, /Secret names/);
    }
    ghError(await api('PUT', `/repos/${REPO}/actions/secrets/X`, { body: '{nope' }), 400, 'Problems parsing JSON');
  });

  test('DELETE: 204, then 404', async () => {
    assert.equal((await api('DELETE', `/repos/${REPO}/actions/secrets/EXISTING`)).status, 204);
    ghError(await api('DELETE', `/repos/${REPO}/actions/secrets/EXISTING`), 404, 'Not Found');
    assert.equal(gh.secretValue(REPO, 'EXISTING'), undefined);
  });

  test('150 secrets: sorted, paginated with a Link header', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `S_${String(i).padStart(3, '0')}`);
    gh.addRepo({ fullName: 'o/many', secrets: Object.fromEntries([...names].reverse().map((n) => [n, n.toLowerCase()])) });

    const first = await api('GET', '/repos/o/many/actions/secrets');
    assert.equal(first.json.total_count, 150);
    assert.equal(first.json.secrets.length, 30, 'default per_page is 30');
    const firstLinks = parseLink(first.headers.get('link'));
    assert.deepEqual(Object.keys(firstLinks).sort(), ['last', 'next']);
    assert.equal(new URL(firstLinks.last ?? '').searchParams.get('page'), '5');

    const big = await api('GET', '/repos/o/many/actions/secrets?per_page=500');
    assert.equal(big.json.secrets.length, 100, 'per_page is capped at 100');

    const middle = await api('GET', '/repos/o/many/actions/secrets?per_page=50&page=2');
    const links = parseLink(middle.headers.get('link'));
    assert.deepEqual(Object.keys(links).sort(), ['first', 'last', 'next', 'prev']);
    assert.equal(new URL(links.next ?? '').searchParams.get('page'), '3');
    assert.equal(new URL(links.prev ?? '').searchParams.get('page'), '1');
    assert.equal(middle.json.secrets[0].name, 'S_050');

    // Follow rel="next" like a paginating client does.
    const seen: string[] = [];
    let next: string | undefined = `${gh.url}/repos/o/many/actions/secrets?per_page=100`;
    let pages = 0;
    while (next) {
      const page = await api('GET', next);
      assert.equal(page.status, 200);
      seen.push(...page.json.secrets.map((s: { name: string }) => s.name));
      next = parseLink(page.headers.get('link')).next;
      pages += 1;
    }
    assert.equal(pages, 2);
    assert.deepEqual(seen, names);

    const past = await api('GET', '/repos/o/many/actions/secrets?per_page=100&page=9');
    assert.equal(past.json.secrets.length, 0);
    assert.equal(past.json.total_count, 150);
  });
});

describe('workflows and dispatch', () => {
  const dispatchPath = `/repos/${REPO}/actions/workflows/release.yml/dispatches`;

  test('workflows are listed from .github/workflows, by id or by file name', async () => {
    const list = await api('GET', `/repos/${REPO}/actions/workflows`);
    assert.equal(list.json.total_count, 2);
    const release = list.json.workflows.find((w: { path: string }) => w.path === '.github/workflows/release.yml');
    assert.equal(release.name, 'Release');
    assert.equal(release.state, 'active');
    const byId = await api('GET', `/repos/${REPO}/actions/workflows/${release.id}`);
    const byFile = await api('GET', `/repos/${REPO}/actions/workflows/release.yml`);
    assert.deepEqual(byId.json, byFile.json);
    ghError(await api('GET', `/repos/${REPO}/actions/workflows/deploy.yml`), 404, 'Not Found');
  });

  test('return_run_details: 200 with the run id and URLs', async () => {
    const r = await api('POST', dispatchPath, { body: { ref: 'main', inputs: { version: 'latest' }, return_run_details: true } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['html_url', 'run_url', 'workflow_run_id']);
    assert.equal(typeof r.json.workflow_run_id, 'number');
    assert.equal(r.json.html_url, `https://github.com/${REPO}/actions/runs/${r.json.workflow_run_id}`);
    const run = await api('GET', r.json.run_url);
    assert.equal(run.status, 200);
    assert.equal(run.json.id, r.json.workflow_run_id);
    assert.equal(run.json.event, 'workflow_dispatch');
    assert.equal(run.json.head_branch, 'main');
    assert.equal(run.json.path, '.github/workflows/release.yml');
    assert.equal(run.json.name, 'Release');

    const [d] = gh.dispatches(REPO);
    assert.deepEqual({ ...d, at: 0 }, { workflow: 'release.yml', ref: 'main', inputs: { version: 'latest' }, at: 0, runId: r.json.workflow_run_id });
  });

  test('without return_run_details: 204, and the run is found by listing', async () => {
    const before = Date.now();
    const r = await api('POST', dispatchPath, { token: CLASSIC, body: { ref: 'refs/heads/main', inputs: { version: 'v1.2.3' } } });
    assert.equal(r.status, 204);
    assert.equal(r.text, '');
    const [d] = gh.dispatches(REPO);
    assert.ok(d);

    const since = new Date(Math.floor(before / 1000) * 1000 - 1000).toISOString();
    const list = await api('GET', `/repos/${REPO}/actions/workflows/release.yml/runs?event=workflow_dispatch&branch=main&created=${encodeURIComponent(`>=${since}`)}`);
    assert.equal(list.status, 200);
    assert.equal(list.json.total_count, 1);
    assert.equal(list.json.workflow_runs[0].id, d.runId);
    assert.equal(list.json.workflow_runs[0].actor.login, 'mythz');

    const repoWide = await api('GET', `/repos/${REPO}/actions/runs?event=workflow_dispatch`);
    assert.equal(repoWide.json.workflow_runs[0].id, d.runId);
    const otherEvent = await api('GET', `/repos/${REPO}/actions/runs?event=push`);
    assert.equal(otherEvent.json.total_count, 0);
    const otherBranch = await api('GET', `/repos/${REPO}/actions/runs?branch=dev`);
    assert.equal(otherBranch.json.total_count, 0);
  });

  test('the created filter compares whole seconds, as GitHub stores them', async () => {
    await api('POST', dispatchPath, { body: { ref: 'main' } });
    const [d] = gh.dispatches(REPO);
    assert.ok(d);
    const exact = new Date(d.at).toISOString(); // with milliseconds
    const r = await api('GET', `/repos/${REPO}/actions/runs?created=${encodeURIComponent(`>=${exact}`)}`);
    const sameWholeSecond = Math.floor(d.at / 1000) * 1000 >= Date.parse(exact);
    assert.equal(r.json.total_count, sameWholeSecond ? 1 : 0);
    const future = await api('GET', `/repos/${REPO}/actions/runs?created=${encodeURIComponent('>2999-01-01')}`);
    assert.equal(future.json.total_count, 0);
  });

  test('newest run first', async () => {
    for (const version of ['a', 'b', 'c']) await api('POST', dispatchPath, { body: { ref: 'main', inputs: { version } } });
    const list = await api('GET', `/repos/${REPO}/actions/runs`);
    const ids = gh.dispatches(REPO).map((d) => d.runId);
    assert.deepEqual(
      list.json.workflow_runs.map((r: { id: number }) => r.id),
      [...ids].reverse(),
    );
    assert.deepEqual(
      list.json.workflow_runs.map((r: { run_number: number }) => r.run_number),
      [3, 2, 1],
    );
  });

  test('GitHub Enterprise mode: return_run_details is an unknown key (422); without it, 204', async () => {
    gh.setFaults({ rejectReturnRunDetails: true });
    const rejected = await api('POST', dispatchPath, { body: { ref: 'main', return_run_details: true } });
    ghError(rejected, 422, /return_run_details/);
    assert.equal(gh.dispatches(REPO).length, 0, 'a rejected dispatch creates no run');
    const retried = await api('POST', dispatchPath, { body: { ref: 'main' } });
    assert.equal(retried.status, 204);
    assert.equal(gh.dispatches(REPO).length, 1);
  });

  test('422s and 404s that GitHub gives for dispatches', async () => {
    ghError(await api('POST', dispatchPath, { body: { ref: 'dev' } }), 422, 'No ref found for: dev');
    ghError(await api('POST', dispatchPath, { body: {} }), 422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
    ghError(
      await api('POST', `/repos/${REPO}/actions/workflows/build.yml/dispatches`, { body: { ref: 'main' } }),
      422,
      "Workflow does not have 'workflow_dispatch' trigger",
    );
    ghError(await api('POST', `/repos/${REPO}/actions/workflows/missing.yml/dispatches`, { body: { ref: 'main' } }), 404, 'Not Found');
    ghError(await api('POST', dispatchPath, { body: { ref: 'main', inputs: { version: 'x', tag: 'y' } } }), 422, 'Unexpected inputs provided: ["tag"]');
    ghError(await api('POST', dispatchPath, { token: READER, body: { ref: 'main' } }), 403, 'Resource not accessible by personal access token');
    assert.equal(gh.dispatches(REPO).length, 0);
  });

  test('trigger forms: inline, flow list, block list, quoted key; required inputs without a default', async () => {
    gh.addRepo({
      fullName: 'o/forms',
      defaultBranch: 'master',
      files: {
        '.github/workflows/inline.yml': 'on: workflow_dispatch\njobs: {}\n',
        '.github/workflows/flow.yaml': "name: 'Flow'\non: [push, workflow_dispatch]\n",
        '.github/workflows/block.yml': 'on:\n- push\n- workflow_dispatch\n',
        '.github/workflows/quoted.yml': '"on":\n  workflow_dispatch:\n    inputs:\n      env:\n        required: true\n',
        '.github/workflows/none.yml': 'on:\n  push:\n    paths:\n      - workflow_dispatch\n',
      },
    });
    for (const file of ['inline.yml', 'flow.yaml', 'block.yml']) {
      const r = await api('POST', `/repos/o/forms/actions/workflows/${file}/dispatches`, { body: { ref: 'master' } });
      assert.equal(r.status, 204, `${file}: ${r.text}`);
    }
    const quoted = '/repos/o/forms/actions/workflows/quoted.yml/dispatches';
    ghError(await api('POST', quoted, { body: { ref: 'master' } }), 422, "Required input 'env' not provided");
    assert.equal((await api('POST', quoted, { body: { ref: 'master', inputs: { env: 'prod' } } })).status, 204);
    ghError(await api('POST', '/repos/o/forms/actions/workflows/none.yml/dispatches', { body: { ref: 'master' } }), 422, /workflow_dispatch/);
    const flow = await api('GET', '/repos/o/forms/actions/workflows/flow.yaml');
    assert.equal(flow.json.name, 'Flow');
    const inline = await api('GET', '/repos/o/forms/actions/workflows/inline.yml');
    assert.equal(inline.json.name, '.github/workflows/inline.yml', 'no name: GitHub shows the path');
  });

  const mixDir = join(import.meta.dirname, '..', 'fixtures', 'servicestack-mix');
  test('every real ServiceStack mix release workflow is dispatchable with its version input', { skip: !existsSync(mixDir) }, async () => {
    const mixes = readdirSync(mixDir).filter((m) => existsSync(join(mixDir, m, '.github/workflows/release.yml')));
    assert.ok(mixes.length >= 9);
    for (const mix of mixes) {
      const full = `mix/${mix}`;
      gh.addRepo({ fullName: full, files: { '.github/workflows/release.yml': readFileSync(join(mixDir, mix, '.github/workflows/release.yml'), 'utf8') } });
      const r = await api('POST', `/repos/${full}/actions/workflows/release.yml/dispatches`, {
        body: { ref: 'main', inputs: { version: 'latest' }, return_run_details: true },
      });
      assert.equal(r.status, 200, `${mix}: ${r.text}`);
      const wf = await api('GET', `/repos/${full}/actions/workflows/release.yml`);
      assert.equal(wf.json.name, 'Release', mix);
    }
  });
});

describe('run playback', () => {
  async function dispatchRun(): Promise<number> {
    const r = await api('POST', `/repos/${REPO}/actions/workflows/release.yml/dispatches`, {
      body: { ref: 'main', inputs: { version: 'latest' }, return_run_details: true },
    });
    assert.equal(r.status, 200, r.text);
    return r.json.workflow_run_id;
  }

  test('queued, in progress, completed: jobs in sequence, steps one after another', async () => {
    gh.setPlaybook({ jobs: [{ name: 'push_to_registry', steps: ['checkout', 'build'] }, { name: 'deploy_via_ssh', steps: ['scp', 'up'] }], stepMs: 60 });
    const id = await dispatchRun();
    const first = await api('GET', `/repos/${REPO}/actions/runs/${id}`);
    assert.equal(first.json.status, 'queued');
    assert.equal(first.json.conclusion, null);

    const seen = new Set<string>();
    let run = first.json;
    const deadline = Date.now() + 5000;
    while (run.status !== 'completed' && Date.now() < deadline) {
      await sleep(15);
      run = (await api('GET', `/repos/${REPO}/actions/runs/${id}`)).json;
      const jobs = (await api('GET', `/repos/${REPO}/actions/runs/${id}/jobs`)).json.jobs;
      seen.add(`${run.status}|${jobs.map((j: { status: string }) => j.status).join(',')}`);
      // Sequence: never is the second job ahead of the first.
      if (jobs[1].status !== 'queued') assert.equal(jobs[0].status, 'completed');
      for (const job of jobs) {
        const steps: string[] = job.steps.map((s: { status: string }) => s.status);
        assert.ok(steps.filter((s) => s === 'in_progress').length <= 1);
        assert.deepEqual(steps, [...steps].sort((a, b) => order(a) - order(b)), 'steps finish in order');
      }
    }
    assert.equal(run.status, 'completed');
    assert.equal(run.conclusion, 'success');
    assert.ok(seen.has('in_progress|in_progress,queued'), [...seen].join(' '));
    assert.ok(seen.has('in_progress|completed,in_progress'), [...seen].join(' '));

    const jobs = await api('GET', `/repos/${REPO}/actions/runs/${id}/jobs`);
    assert.equal(jobs.json.total_count, 2);
    const [push, deploy] = jobs.json.jobs;
    assert.equal(push.name, 'push_to_registry');
    assert.equal(deploy.name, 'deploy_via_ssh');
    for (const job of jobs.json.jobs) {
      assert.equal(job.status, 'completed');
      assert.equal(job.conclusion, 'success');
      assert.equal(job.run_id, id);
      assert.match(job.html_url, new RegExp(`/actions/runs/${id}/job/${job.id}$`));
      assert.ok(job.completed_at >= job.started_at);
      assert.deepEqual(
        job.steps.map((s: { number: number; status: string; conclusion: string }) => [s.number, s.status, s.conclusion]),
        [
          [1, 'completed', 'success'],
          [2, 'completed', 'success'],
        ],
      );
    }
    const single = await api('GET', `/repos/${REPO}/actions/jobs/${deploy.id}`);
    assert.equal(single.json.name, 'deploy_via_ssh');
  });

  test('a failing playbook fails the last step of the last job', async () => {
    gh.setPlaybook({ jobs: [{ name: 'build', steps: ['a'] }, { name: 'deploy', steps: ['b', 'c'] }], stepMs: 5, conclusion: 'failure' });
    const id = await dispatchRun();
    await sleep(80);
    const run = await api('GET', `/repos/${REPO}/actions/runs/${id}`);
    assert.equal(run.json.status, 'completed');
    assert.equal(run.json.conclusion, 'failure');
    const jobs = (await api('GET', `/repos/${REPO}/actions/runs/${id}/jobs`)).json.jobs;
    assert.equal(jobs[0].conclusion, 'success');
    assert.equal(jobs[1].conclusion, 'failure');
    assert.deepEqual(
      jobs[1].steps.map((s: { conclusion: string }) => s.conclusion),
      ['success', 'failure'],
    );
  });

  test('the default playbook is the two jobs of the mix workflows', async () => {
    const id = await dispatchRun();
    const jobs = (await api('GET', `/repos/${REPO}/actions/runs/${id}/jobs`)).json.jobs;
    assert.deepEqual(
      jobs.map((j: { name: string }) => j.name),
      ['push_to_registry', 'deploy_via_ssh'],
    );
    assert.ok(jobs.every((j: { steps: unknown[] }) => j.steps.length >= 3));
  });
});

function order(status: string): number {
  return status === 'completed' ? 0 : status === 'in_progress' ? 1 : 2;
}

describe('faults', () => {
  test('latency is added to every request', async () => {
    gh.setFaults({ latencyMs: 120 });
    const r = await api('GET', '/user');
    assert.equal(r.status, 200);
    assert.ok(r.ms >= 110, `took ${r.ms} ms`);
    const [logged] = gh.requests();
    assert.ok(logged && logged.end - logged.start >= 115);
    gh.setFaults({});
    assert.ok((await api('GET', '/user')).ms < 100);
  });

  test('fail5xx: the next N matching requests fail, then normal', async () => {
    gh.setFaults({ fail5xx: { count: 2, match: /^PUT .*\/actions\/secrets\// } });
    const key = await publicKey(); // does not match: unaffected
    const body = { encrypted_value: seal('v', key.key), key_id: key.key_id };
    const a = await api('PUT', `/repos/${REPO}/actions/secrets/A`, { body });
    const b = await api('PUT', `/repos/${REPO}/actions/secrets/A`, { body });
    const c = await api('PUT', `/repos/${REPO}/actions/secrets/A`, { body });
    assert.deepEqual([a.status, b.status, c.status], [502, 502, 201]);
    assert.match(a.headers.get('content-type') ?? '', /text\/html/);
    assert.match(a.text, /GitHub/);
    assert.ok(a.headers.get('x-github-request-id'));
    assert.equal(gh.secretValue(REPO, 'A'), 'v');
    assert.deepEqual(
      gh.events().map((e) => e.kind),
      ['secret-put'],
      'failed writes are not events',
    );

    gh.setFaults({ fail5xx: { count: 1, status: 500 } });
    const e500 = await api('GET', '/user');
    assert.equal(e500.status, 500);
    assert.deepEqual(e500.json, { message: 'Server Error' });
    assert.equal((await api('GET', '/user')).status, 200);
  });

  test('secondary rate limit: 403 with GitHub body and retry-after, then normal', async () => {
    gh.setFaults({ secondaryRateLimit: { count: 1, retryAfterSec: 3, match: /actions\/secrets/ } });
    assert.equal((await api('GET', '/user')).status, 200, 'not matching');
    const limited = await api('GET', `/repos/${REPO}/actions/secrets`);
    assert.equal(limited.status, 403);
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.match(limited.json.message, /^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again\./);
    assert.ok(limited.json.message.includes(limited.headers.get('x-github-request-id') ?? '!'), 'names the request id');
    assert.equal(limited.json.documentation_url, 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits');
    assert.equal(limited.json.status, '403');
    assert.notEqual(limited.headers.get('x-ratelimit-remaining'), '0', 'unlike the primary limit');
    assert.equal((await api('GET', `/repos/${REPO}/actions/secrets`)).status, 200);
  });

  test('failSecretPutsAlways: every secret PUT answers 502', async () => {
    gh.setFaults({ failSecretPutsAlways: true });
    for (let i = 0; i < 4; i += 1) assert.equal((await putSecret('X', 'v')).status, 502);
    assert.equal((await api('GET', `/repos/${REPO}/actions/secrets/EXISTING`)).status, 200);
    assert.equal(gh.secretValue(REPO, 'X'), undefined);
  });

  test('maxConcurrent counts requests in flight at once', async () => {
    gh.setFaults({ latencyMs: 100 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => api('GET', `/repos/${REPO}`)));
    assert.ok(answers.every((a) => a.status === 200));
    const s = gh.stats();
    assert.equal(s.maxConcurrent, 8);
    assert.equal(s.total, 8);
    assert.deepEqual(s.byMethod, { GET: 8 });

    gh.reset();
    for (let i = 0; i < 3; i += 1) await api('GET', `/repos/${REPO}`);
    await putSecret('ONE', '1');
    const after = gh.stats();
    assert.equal(after.maxConcurrent, 1);
    assert.deepEqual(after.byMethod, { GET: 4, PUT: 1 });
    assert.equal(gh.requests().length, 5);
    assert.ok(gh.requests().every((r) => r.end - r.start < 100), 'reset cleared the latency fault');
  });
  test('hang: matching requests are read and never answered; midway sends headers and half a body', async () => {
    gh.setFaults({ hang: { count: 1, match: /^GET \/user$/ } });
    const ctl = new AbortController();
    const pending = fetch(`${gh.url}/user`, { headers: { authorization: `Bearer ${ADMIN}` }, signal: ctl.signal });
    const first = await Promise.race([pending.then(() => 'answered', () => 'failed'), sleep(300).then(() => 'silent')]);
    assert.equal(first, 'silent');
    assert.equal((await api('GET', `/repos/${REPO}`)).status, 200, 'others are answered');
    ctl.abort();
    await assert.rejects(pending);
    assert.equal((await api('GET', '/user')).status, 200, 'count: 1, then normal');

    gh.setFaults({ hang: { midway: true } });
    const res = await fetch(`${gh.url}/user`, { headers: { authorization: `Bearer ${ADMIN}` } });
    assert.equal(res.status, 200);
    const body = await Promise.race([res.text().then(() => 'complete', () => 'failed'), sleep(300).then(() => 'stuck')]);
    assert.equal(body, 'stuck', 'the body never ends');
    // close() ends held requests rather than waiting for them.
    await gh.close();
    gh = await startGitHubEmulator();
  });
});

describe('renamed repositories', () => {
  const raw = (path: string, token = ADMIN) => fetch(gh.url + path, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });

  test('the old name answers 301 with the body and Location GitHub sends; /repositories/ID answers as the new name', async () => {
    const id = gh.renameRepo(REPO, 'ServiceStack-Users/renamed-app');
    const moved = await raw(`/repos/${REPO}/actions/secrets?per_page=5`);
    assert.equal(moved.status, 301);
    const body = (await moved.json()) as { message: string; url: string; documentation_url: string };
    assert.equal(body.message, 'Moved Permanently');
    assert.equal(body.url, `${gh.url}/repositories/${id}/actions/secrets?per_page=5`);
    assert.equal(moved.headers.get('location'), body.url);
    assert.match(body.documentation_url, /^https:\/\/docs\.github\.com\//);

    const repo = await api('GET', `/repositories/${id}`);
    assert.equal(repo.status, 200);
    assert.equal(repo.json.full_name, 'ServiceStack-Users/renamed-app');
    assert.equal(repo.json.id, id);
    // fetch follows a 301 for GET and PUT (same method and body); a POST becomes a GET.
    assert.equal((await api('GET', `/repos/${REPO}`)).json.full_name, 'ServiceStack-Users/renamed-app');
    const { key_id, key } = await publicKey();
    assert.equal((await api('PUT', `/repos/${REPO}/actions/secrets/MOVED`, { body: { encrypted_value: seal('v', key), key_id } })).status, 201);
    assert.equal(gh.secretValue('ServiceStack-Users/renamed-app', 'MOVED'), 'v');
    const post = await api('POST', `/repos/${REPO}/actions/workflows/release.yml/dispatches`, { body: { ref: 'main' } });
    assert.equal(post.status, 404, 'the dispatch is lost on the way, as on GitHub');
    assert.deepEqual(gh.dispatches('ServiceStack-Users/renamed-app'), []);
  });

  test('a token that may not see the repository gets 404, not where it went; a new repository with the old name takes it back', async () => {
    gh.renameRepo(REPO, 'ServiceStack-Users/renamed-app');
    assert.equal((await raw(`/repos/${REPO}`, NARROW)).status, 404);
    assert.equal((await raw('/repositories/1')).status, 404);
    gh.addRepo({ fullName: REPO });
    const r = await api('GET', `/repos/${REPO}`);
    assert.equal(r.status, 200);
    assert.equal(r.json.full_name, REPO);
  });
});

describe('inspection', () => {
  test('events order secret writes and the dispatch; reset keeps repositories', async () => {
    await putSecret('DEPLOY_HOST', 'example.org');
    await putSecret('DEPLOY_USERNAME', 'deploy');
    await api('POST', `/repos/${REPO}/actions/workflows/release.yml/dispatches`, { body: { ref: 'main' } });
    const events = gh.events();
    assert.deepEqual(
      events.map((e) => `${e.kind}:${e.name}`),
      ['secret-put:DEPLOY_HOST', 'secret-put:DEPLOY_USERNAME', 'dispatch:release.yml', 'run:release.yml'],
    );
    const lastPut = Math.max(...events.filter((e) => e.kind === 'secret-put').map((e) => e.at));
    const dispatch = events.find((e) => e.kind === 'dispatch');
    assert.ok(dispatch && dispatch.at > lastPut);
    assert.ok(events.every((e) => e.repo === REPO));

    const log = gh.requests();
    assert.deepEqual(
      log.map((r) => `${r.method} ${r.status}`),
      ['GET 200', 'PUT 201', 'GET 200', 'PUT 201', 'POST 204'],
    );
    assert.equal(log[0]?.path, `/repos/${REPO}/actions/secrets/public-key`);

    gh.reset();
    assert.deepEqual(gh.events(), []);
    assert.deepEqual(gh.requests(), []);
    assert.equal(gh.secretValue(REPO, 'DEPLOY_HOST'), 'example.org');
    assert.equal(gh.dispatches(REPO).length, 1);
  });

  test('inspecting a repository that does not exist throws', () => {
    assert.throws(() => gh.secrets('no/such'), /no repository/);
    assert.throws(() => gh.addRepo({ fullName: REPO.toUpperCase() }), /already exists/);
  });
});
