/**
 * Git references: reading them, creating one, and moving one. Moving or creating a branch is
 * a push (pushes.ts): it records a push event and starts `on: push` workflows.
 */
import { openRepo, requireToken, type Ctx } from '../context.js';
import { refJson } from '../git-json.js';
import { ApiError, jsonObjectBody, notFound, notSupplied, type Reply } from '../http.js';
import { moveBranch } from '../pushes.js';
import type { RepoState, TokenState } from '../state.js';
import { refusedWorkflowPath, refusedWorkflowPush } from '../workflow-scope.js';
import { REPO, p, type Route } from './route.js';

const DOCS = {
  get: 'https://docs.github.com/rest/git/refs#get-a-reference',
  matching: 'https://docs.github.com/rest/git/refs#list-matching-references',
  create: 'https://docs.github.com/rest/git/refs#create-a-reference',
  update: 'https://docs.github.com/rest/git/refs#update-a-reference',
};

const sortedRefs = (repo: RepoState, prefix: string): [string, string][] =>
  [...repo.refs].filter(([name]) => name.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** A workflow file changed by a commit the push brings that the token may not change. */
function refusedByNewCommits(repo: RepoState, token: TokenState, sha: string): string | undefined {
  for (const c of repo.git.newCommits(sha, [...repo.refs.values()])) {
    const parent = c.parents[0];
    const before = parent ? repo.git.filesAt(parent) : new Map();
    const refused = refusedWorkflowPath(repo, token, before, repo.git.flatten(c.tree));
    if (refused) return refused;
  }
  return undefined;
}

/** Sets a ref; a branch moving is a push. */
function setRef(ctx: Ctx, repo: RepoState, token: TokenState, ref: string, sha: string): void {
  const branch = /^refs\/heads\/(.+)$/.exec(ref)?.[1];
  if (branch) moveBranch(ctx.env, repo, branch, sha, { login: token.login, id: token.userId }, ctx.at);
  else repo.refs.set(ref, sha);
}

function requireSha(repo: RepoState, body: Record<string, unknown>, docs: string, branch: boolean): string {
  if (body.sha === undefined || body.sha === null) throw notSupplied('sha', docs);
  const sha = String(body.sha);
  const kind = repo.git.kind(sha);
  if (!kind || (branch && kind !== 'commit')) throw new ApiError(422, 'Object does not exist', docs);
  return sha;
}

function createRef(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'push', DOCS.create);
  const token = requireToken(ctx, DOCS.create);
  const body = jsonObjectBody(ctx.rawBody, DOCS.create);
  if (body.ref === undefined || body.ref === null) throw notSupplied('ref', DOCS.create);
  const ref = String(body.ref);
  if (!/^refs\/[^/]+\/[^/].*$/.test(ref) || /\.\.|\/\/|[\s~^:?*[\\]|\/$|\.lock$/.test(ref)) {
    throw new ApiError(422, `Reference name must start with 'refs/' and have at least two slashes: ${ref}`, DOCS.create);
  }
  if (repo.refs.has(ref)) throw new ApiError(422, 'Reference already exists', DOCS.create);
  const sha = requireSha(repo, body, DOCS.create, ref.startsWith('refs/heads/'));
  const refused = refusedByNewCommits(repo, token, sha);
  if (refused) throw refusedWorkflowPush(token, refused, DOCS.create);
  setRef(ctx, repo, token, ref, sha);
  return { status: 201, json: refJson(ctx, repo, ref, sha), headers: { location: `${ctx.env.apiUrl}/repos/${repo.fullName}/git/${ref}` } };
}

/** Only a fast-forward moves a branch unless `force` is true. */
function updateRef(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'push', DOCS.update);
  const token = requireToken(ctx, DOCS.update);
  const ref = `refs/${p(params, 2)}`;
  const body = jsonObjectBody(ctx.rawBody, DOCS.update);
  const current = repo.refs.get(ref);
  if (!current) throw new ApiError(422, 'Reference does not exist', DOCS.update);
  const sha = requireSha(repo, body, DOCS.update, ref.startsWith('refs/heads/'));
  if (body.force !== true && !repo.git.isAncestor(current, sha)) throw new ApiError(422, 'Update is not a fast forward', DOCS.update);
  const refused = refusedByNewCommits(repo, token, sha);
  if (refused) throw refusedWorkflowPush(token, refused, DOCS.update);
  setRef(ctx, repo, token, ref, sha);
  return { status: 200, json: refJson(ctx, repo, ref, sha) };
}

const listRefs = (ctx: Ctx, repo: RepoState, prefix: string): unknown[] => sortedRefs(repo, prefix).map(([name, sha]) => refJson(ctx, repo, name, sha));

export const gitRefRoutes: Route[] = [
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}/git/ref/(.+)$`),
    operation: 'GET /repos/{owner}/{repo}/git/ref/{ref}',
    scopes: 'repo',
    docs: DOCS.get,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.get);
      const ref = `refs/${p(params, 2)}`;
      const sha = repo.refs.get(ref);
      if (!sha) throw notFound(DOCS.get);
      return { status: 200, json: refJson(ctx, repo, ref, sha) };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}/git/matching-refs/(.*)$`),
    operation: 'GET /repos/{owner}/{repo}/git/matching-refs/{ref}',
    scopes: 'repo',
    docs: DOCS.matching,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.matching);
      return { status: 200, json: listRefs(ctx, repo, `refs/${p(params, 2)}`) };
    },
  },
  {
    // The older spelling GitHub still answers (cli/cli reads refs this way): an exact name
    // gives the ref, a prefix gives the list, nothing gives 404.
    method: 'GET',
    pattern: new RegExp(`${REPO}/git/refs(?:/(.*))?$`),
    operation: undefined,
    scopes: 'repo',
    docs: DOCS.get,
    handle: (ctx, params) => {
      const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.get);
      const rest = p(params, 2).replace(/\/+$/, '');
      const ref = rest === '' ? 'refs' : `refs/${rest}`;
      const exact = repo.refs.get(ref);
      if (exact) return { status: 200, json: refJson(ctx, repo, ref, exact) };
      const list = listRefs(ctx, repo, `${ref}/`);
      if (list.length === 0) throw notFound(DOCS.get);
      return { status: 200, json: list };
    },
  },
  { method: 'POST', pattern: new RegExp(`${REPO}/git/refs$`), operation: 'POST /repos/{owner}/{repo}/git/refs', scopes: 'repo', docs: DOCS.create, handle: createRef },
  { method: 'PATCH', pattern: new RegExp(`${REPO}/git/refs/(.+)$`), operation: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}', scopes: 'repo', docs: DOCS.update, handle: updateRef },
];
