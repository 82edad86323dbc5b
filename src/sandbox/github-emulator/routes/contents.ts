/** The contents API: reading a file or directory at a ref, and committing one file to a branch. */
import { openRepo, requireToken, tokenPerson, type Ctx } from '../context.js';
import { dirEntry, fileEntry, commitJson, wrapBase64 } from '../git-json.js';
import type { FlatEntry } from '../git-objects.js';
import { ApiError, iso, jsonObjectBody, notFound, notSupplied, type Reply } from '../http.js';
import { moveBranch } from '../pushes.js';
import { branchHead, filesAt, resolveCommitish, type RepoState } from '../state.js';
import { hiddenWorkflowWrite, refusedWorkflowPath } from '../workflow-scope.js';
import { readPerson } from './git-person.js';
import { REPO, p, type Route } from './route.js';

const DOCS = {
  get: 'https://docs.github.com/rest/repos/contents#get-repository-content',
  put: 'https://docs.github.com/rest/repos/contents#create-or-update-file-contents',
};

const cleanPath = (raw: string): string => raw.replace(/^\/+|\/+$/g, '');

/** The tree at `path` under a commit's root tree, or undefined. */
function subtree(repo: RepoState, commitSha: string, path: string): string | undefined {
  let sha = repo.git.commits.get(commitSha)?.tree;
  for (const part of path === '' ? [] : path.split('/')) {
    sha = repo.git.trees.get(sha ?? '')?.find((e) => e.name === part && e.type === 'tree')?.sha;
    if (!sha) return undefined;
  }
  return sha;
}

function getContents(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', DOCS.get);
  const ref = ctx.query.get('ref') || repo.defaultBranch;
  const commit = resolveCommitish(repo, ref);
  if (!commit) throw new ApiError(404, `No commit found for the ref ${ref}`, DOCS.get);
  const path = cleanPath(p(params, 2));
  const entry = filesAt(repo, commit).get(path);
  if (entry) {
    const bytes = repo.git.blobs.get(entry.sha) ?? Buffer.alloc(0);
    const accept = String(ctx.headers.accept ?? '');
    if (/application\/vnd\.github(\.v3)?\.raw/.test(accept)) {
      return { status: 200, text: bytes.toString('utf8'), contentType: 'text/plain; charset=utf-8' };
    }
    return { status: 200, json: { ...fileEntry(ctx, repo, path, entry, ref), content: wrapBase64(bytes), encoding: 'base64' } };
  }
  const tree = subtree(repo, commit, path);
  if (!tree) throw notFound(DOCS.get);
  const listing = (repo.git.trees.get(tree) ?? []).map((e) => {
    const full = path === '' ? e.name : `${path}/${e.name}`;
    return e.type === 'tree' ? dirEntry(ctx, repo, full, e.sha, ref) : fileEntry(ctx, repo, full, { mode: e.mode, sha: e.sha }, ref);
  });
  return { status: 200, json: listing };
}

/** GitHub checks the alphabet and the padded length only; whitespace anywhere is fine. */
function decodeBase64(content: string): Buffer {
  const compact = content.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) throw new ApiError(422, 'content is not valid Base64', DOCS.put);
  return Buffer.from(compact, 'base64');
}

function requireString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (v === undefined || v === null) throw notSupplied(field, DOCS.put);
  if (typeof v !== 'string') throw new ApiError(422, `Invalid request.\n\nFor 'properties/${field}', ${JSON.stringify(v)} is not a string.`, DOCS.put);
  return v;
}

/**
 * Measured behaviour (pome-sh/digital-twins FIDELITY.md, F-1491): the branch is checked first
 * (404 "Branch x not found"); an existing path needs `sha` (422 when missing, 409
 * "<path> does not match <sha>" when wrong); a new path ignores `sha`; 201 creates, 200 updates.
 */
function putContents(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'push', DOCS.put);
  const token = requireToken(ctx, DOCS.put);
  const path = cleanPath(p(params, 2));
  const body = jsonObjectBody(ctx.rawBody, DOCS.put);
  const message = requireString(body, 'message');
  const content = requireString(body, 'content');
  const branch = typeof body.branch === 'string' && body.branch !== '' ? body.branch.replace(/^refs\/heads\//, '') : repo.defaultBranch;
  const head = branchHead(repo, branch);
  if (!head) throw new ApiError(404, `Branch ${branch} not found`, DOCS.put);
  const bytes = decodeBase64(content);

  const before = filesAt(repo, head);
  const existing = before.get(path);
  if (existing) {
    if (body.sha === undefined || body.sha === null) throw notSupplied('sha', DOCS.put);
    if (body.sha !== existing.sha) throw new ApiError(409, `${path} does not match ${String(body.sha)}`, DOCS.put);
  }
  if (path === '' || [...before.keys()].some((f) => f.startsWith(`${path}/`) || path.startsWith(`${f}/`))) {
    throw new ApiError(422, `Invalid request.\n\n"path" ${path === '' ? 'is empty' : 'conflicts with a directory or file in the way'}.`, DOCS.put);
  }

  const entry: FlatEntry = { mode: existing?.mode ?? '100644', sha: repo.git.putBlob(bytes) };
  const after = new Map(before).set(path, entry);
  const refused = refusedWorkflowPath(repo, token, before, after);
  if (refused) throw hiddenWorkflowWrite(token, DOCS.put);

  const date = iso(ctx.at);
  const committer = readPerson(body.committer, 'committer', date, DOCS.put) ?? { ...tokenPerson(token), date };
  const author = readPerson(body.author, 'author', date, DOCS.put) ?? committer;
  const commit = repo.git.putCommit({ tree: repo.git.treeFromFlat(after), parents: [head], message, author, committer });
  moveBranch(ctx.env, repo, branch, commit.sha, { login: token.login, id: token.userId }, ctx.at);

  return {
    status: existing ? 200 : 201,
    json: { content: fileEntry(ctx, repo, path, entry, branch), commit: commitJson(ctx, repo, commit) },
  };
}

export const contentRoutes: Route[] = [
  {
    method: 'GET',
    // The file path keeps its slashes, so it is matched against the rest of the URL.
    pattern: new RegExp(`${REPO}/contents(?:/(.*))?$`),
    operation: 'GET /repos/{owner}/{repo}/contents/{path}',
    scopes: 'repo',
    docs: DOCS.get,
    handle: getContents,
  },
  {
    method: 'PUT',
    pattern: new RegExp(`${REPO}/contents/(.+)$`),
    operation: 'PUT /repos/{owner}/{repo}/contents/{path}',
    scopes: 'repo',
    docs: DOCS.put,
    handle: putContents,
  },
];
