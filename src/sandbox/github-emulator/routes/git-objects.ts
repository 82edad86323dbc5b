/** Git Data API: blobs, trees and commits, which change no branch until a ref moves. */
import { openRepo, requireToken, tokenPerson, type Ctx } from '../context.js';
import { commitJson, treeJson, wrapBase64 } from '../git-json.js';
import { EMPTY_TREE, type FlatEntry } from '../git-objects.js';
import { ApiError, iso, jsonObjectBody, notFound, notSupplied, type Reply } from '../http.js';
import { resolveCommitish, type RepoState } from '../state.js';
import { hiddenWorkflowWrite, refusedWorkflowPath } from '../workflow-scope.js';
import { readPerson } from './git-person.js';
import { REPO, SEG, p, type Route } from './route.js';

const DOCS = {
  createBlob: 'https://docs.github.com/rest/git/blobs#create-a-blob',
  getBlob: 'https://docs.github.com/rest/git/blobs#get-a-blob',
  createTree: 'https://docs.github.com/rest/git/trees#create-a-tree',
  getTree: 'https://docs.github.com/rest/git/trees#get-a-tree',
  createCommit: 'https://docs.github.com/rest/git/commits#create-a-commit',
  getCommit: 'https://docs.github.com/rest/git/commits#get-a-commit-object',
};

const MODES: Record<string, 'blob' | 'tree' | 'commit'> = { '100644': 'blob', '100755': 'blob', '120000': 'blob', '040000': 'tree', '160000': 'commit' };

const created = (ctx: Ctx, repo: RepoState, kind: string, sha: string, json: unknown): Reply => ({
  status: 201,
  json,
  headers: { location: `${ctx.env.apiUrl}/repos/${repo.fullName}/git/${kind}/${sha}` },
});

function createBlob(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'push', DOCS.createBlob);
  const body = jsonObjectBody(ctx.rawBody, DOCS.createBlob);
  if (typeof body.content !== 'string') throw notSupplied('content', DOCS.createBlob);
  const encoding = body.encoding ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'base64') {
    throw new ApiError(422, `Invalid request.\n\nencoding ${JSON.stringify(encoding)} is not one of utf-8, base64.`, DOCS.createBlob);
  }
  const sha = repo.git.putBlob(Buffer.from(body.content, encoding === 'base64' ? 'base64' : 'utf8'));
  return created(ctx, repo, 'blobs', sha, { sha, url: `${ctx.env.apiUrl}/repos/${repo.fullName}/git/blobs/${sha}` });
}

function getBlob(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.getBlob);
  const sha = p(params, 2);
  const bytes = repo.git.blobs.get(sha);
  if (!bytes) throw notFound(DOCS.getBlob);
  return {
    status: 200,
    json: {
      sha,
      node_id: `B_${Buffer.from(sha.slice(0, 20)).toString('base64url')}`,
      size: bytes.length,
      url: `${ctx.env.apiUrl}/repos/${repo.fullName}/git/blobs/${sha}`,
      content: wrapBase64(bytes),
      encoding: 'base64',
    },
  };
}

const badObjectState = (): ApiError => new ApiError(422, 'GitRPC::BadObjectState', DOCS.createTree);

/** Applies one `tree` entry of a create-tree request to the flat file set. */
function applyEntry(repo: RepoState, files: Map<string, FlatEntry>, raw: unknown): void {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ApiError(422, "Invalid request.\n\nFor 'items', it is not an object.", DOCS.createTree);
  const e = raw as Record<string, unknown>;
  if (typeof e.path !== 'string' || e.path === '') throw notSupplied('path', DOCS.createTree);
  const path = e.path.replace(/^\/+|\/+$/g, '');
  const mode = String(e.mode ?? '');
  const type = MODES[mode];
  if (!type) throw new ApiError(422, `Invalid request.\n\n${JSON.stringify(e.mode ?? null)} is not a valid tree entry mode.`, DOCS.createTree);
  if (e.type !== undefined && e.type !== type) throw new ApiError(422, `Invalid request.\n\ntree.type ${String(e.type)} does not match mode ${mode}.`, DOCS.createTree);
  const under = (f: string): boolean => f === path || f.startsWith(`${path}/`) || path.startsWith(`${f}/`);
  const drop = (): number => {
    const hits = [...files.keys()].filter(under);
    hits.forEach((f) => files.delete(f));
    return hits.length;
  };

  if (e.content !== undefined && e.sha !== undefined) {
    throw new ApiError(422, 'Invalid request.\n\nOnly one of "sha" or "content" may be supplied for a tree entry.', DOCS.createTree);
  }
  if (e.sha === null) {
    if (!files.has(path) && ![...files.keys()].some((f) => f.startsWith(`${path}/`))) throw badObjectState();
    drop();
    return;
  }
  if (typeof e.content === 'string') {
    if (type !== 'blob') throw new ApiError(422, 'Invalid request.\n\n"content" is only valid for blobs.', DOCS.createTree);
    drop();
    files.set(path, { mode, sha: repo.git.putBlob(Buffer.from(e.content, 'utf8')) });
    return;
  }
  if (typeof e.sha !== 'string') throw notSupplied('sha', DOCS.createTree);
  const sha = e.sha;
  if (type === 'blob' && !repo.git.blobs.has(sha)) throw new ApiError(422, `tree.sha ${sha} is not a valid blob`, DOCS.createTree);
  if (type === 'tree' && !repo.git.trees.has(sha)) throw new ApiError(422, `tree.sha ${sha} is not a valid tree`, DOCS.createTree);
  drop();
  if (type === 'tree') for (const [sub, entry] of repo.git.flatten(sha)) files.set(`${path}/${sub}`, entry);
  else files.set(path, { mode, sha });
}

function createTree(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'push', DOCS.createTree);
  const token = requireToken(ctx, DOCS.createTree);
  const body = jsonObjectBody(ctx.rawBody, DOCS.createTree);
  if (body.tree === undefined || body.tree === null) throw notSupplied('tree', DOCS.createTree);
  if (!Array.isArray(body.tree)) throw new ApiError(422, "Invalid request.\n\nFor 'properties/tree', it is not an array.", DOCS.createTree);
  let base = EMPTY_TREE;
  if (body.base_tree !== undefined && body.base_tree !== null) {
    if (typeof body.base_tree !== 'string' || !repo.git.trees.has(body.base_tree)) throw badObjectState();
    base = body.base_tree;
  }
  const before = repo.git.flatten(base);
  const files = new Map(before);
  for (const entry of body.tree) applyEntry(repo, files, entry);
  if (refusedWorkflowPath(repo, token, before, files)) throw hiddenWorkflowWrite(token, DOCS.createTree);
  const sha = repo.git.treeFromFlat(files);
  return created(ctx, repo, 'trees', sha, treeJson(ctx, repo, sha, false));
}

function getTree(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.getTree);
  const asked = p(params, 2);
  let sha = repo.git.trees.has(asked) ? asked : undefined;
  if (!sha) {
    const commit = repo.git.commits.get(asked) ?? repo.git.commits.get(resolveCommitish(repo, asked) ?? '');
    sha = commit?.tree;
  }
  if (!sha) throw notFound(DOCS.getTree);
  return { status: 200, json: treeJson(ctx, repo, sha, ctx.query.has('recursive')) };
}

function createCommit(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'push', DOCS.createCommit);
  const token = requireToken(ctx, DOCS.createCommit);
  const body = jsonObjectBody(ctx.rawBody, DOCS.createCommit);
  if (typeof body.message !== 'string') throw notSupplied('message', DOCS.createCommit);
  if (typeof body.tree !== 'string') throw notSupplied('tree', DOCS.createCommit);
  if (!repo.git.trees.has(body.tree)) throw new ApiError(422, 'Tree SHA does not exist', DOCS.createCommit);
  const parents = body.parents ?? [];
  if (!Array.isArray(parents) || parents.some((x) => typeof x !== 'string' || !repo.git.commits.has(x))) {
    throw new ApiError(422, 'Parent SHA does not exist or is not a commit object', DOCS.createCommit);
  }
  const date = iso(ctx.at);
  const author = readPerson(body.author, 'author', date, DOCS.createCommit) ?? { ...tokenPerson(token), date };
  const committer = readPerson(body.committer, 'committer', date, DOCS.createCommit) ?? author;
  const commit = repo.git.putCommit({ tree: body.tree, parents: parents as string[], message: body.message, author, committer });
  return created(ctx, repo, 'commits', commit.sha, commitJson(ctx, repo, commit));
}

function getCommit(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.getCommit);
  const commit = repo.git.commits.get(p(params, 2));
  if (!commit) throw notFound(DOCS.getCommit);
  return { status: 200, json: commitJson(ctx, repo, commit) };
}

export const gitObjectRoutes: Route[] = [
  { method: 'POST', pattern: new RegExp(`${REPO}/git/blobs$`), operation: 'POST /repos/{owner}/{repo}/git/blobs', scopes: 'repo', docs: DOCS.createBlob, handle: createBlob },
  { method: 'GET', pattern: new RegExp(`${REPO}/git/blobs/${SEG}$`), operation: 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}', scopes: 'repo', docs: DOCS.getBlob, handle: getBlob },
  { method: 'POST', pattern: new RegExp(`${REPO}/git/trees$`), operation: 'POST /repos/{owner}/{repo}/git/trees', scopes: 'repo', docs: DOCS.createTree, handle: createTree },
  { method: 'GET', pattern: new RegExp(`${REPO}/git/trees/(.+)$`), operation: 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}', scopes: 'repo', docs: DOCS.getTree, handle: getTree },
  { method: 'POST', pattern: new RegExp(`${REPO}/git/commits$`), operation: 'POST /repos/{owner}/{repo}/git/commits', scopes: 'repo', docs: DOCS.createCommit, handle: createCommit },
  { method: 'GET', pattern: new RegExp(`${REPO}/git/commits/${SEG}$`), operation: 'GET /repos/{owner}/{repo}/git/commits/{commit_sha}', scopes: 'repo', docs: DOCS.getCommit, handle: getCommit },
];
