/** The authenticated user, repositories and file contents. */
import { requireToken, openRepo, type Ctx } from '../context.js';
import { ApiError, iso, notFound, type Reply } from '../http.js';
import { blobSha, fakeSha, type RepoState } from '../state.js';
import { REPO, p, type Route } from './route.js';

const USER_DOCS = 'https://docs.github.com/rest/users/users#get-the-authenticated-user';
const REPO_DOCS = 'https://docs.github.com/rest/repos/repos#get-a-repository';
const CONTENTS_DOCS = 'https://docs.github.com/rest/repos/contents#get-repository-content';

export function repoJson(ctx: Ctx, repo: RepoState): Record<string, unknown> {
  const api = `${ctx.env.apiUrl}/repos/${repo.fullName}`;
  const perms = ctx.token?.permissions;
  return {
    id: repo.id,
    node_id: `R_${Buffer.from(String(repo.id)).toString('base64url')}`,
    name: repo.name,
    full_name: repo.fullName,
    private: repo.private,
    visibility: repo.private ? 'private' : 'public',
    owner: { login: repo.owner, type: 'User', url: `${ctx.env.apiUrl}/users/${repo.owner}` },
    html_url: `${ctx.env.htmlUrl}/${repo.fullName}`,
    url: api,
    fork: false,
    archived: false,
    disabled: false,
    default_branch: repo.defaultBranch,
    created_at: iso(repo.createdAt),
    updated_at: iso(repo.createdAt),
    pushed_at: iso(repo.createdAt),
    ...(perms ? { permissions: { admin: perms.admin, maintain: perms.admin, push: perms.push, triage: perms.push, pull: perms.pull } } : {}),
  };
}

function fileEntry(ctx: Ctx, repo: RepoState, path: string, content: string, ref: string): Record<string, unknown> {
  const api = `${ctx.env.apiUrl}/repos/${repo.fullName}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const sha = blobSha(content);
  return {
    type: 'file',
    name: path.split('/').at(-1),
    path,
    sha,
    size: Buffer.byteLength(content, 'utf8'),
    url: api,
    html_url: `${ctx.env.htmlUrl}/${repo.fullName}/blob/${ref}/${path}`,
    git_url: `${ctx.env.apiUrl}/repos/${repo.fullName}/git/blobs/${sha}`,
    download_url: `${ctx.env.htmlUrl.replace('://github.com', '://raw.githubusercontent.com')}/${repo.fullName}/${ref}/${path}`,
  };
}

/** GitHub wraps base64 content at 60 characters, each line ending in \n. */
const wrapBase64 = (content: string): string =>
  (Buffer.from(content, 'utf8').toString('base64').match(/.{1,60}/g) ?? []).map((l) => `${l}\n`).join('');

function listDirectory(ctx: Ctx, repo: RepoState, dir: string, ref: string): Record<string, unknown>[] | undefined {
  const prefix = dir === '' ? '' : `${dir}/`;
  const files: Record<string, unknown>[] = [];
  const dirs = new Map<string, string[]>();
  for (const [path, content] of repo.files) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash === -1) files.push(fileEntry(ctx, repo, path, content, ref));
    else {
      const sub = rest.slice(0, slash);
      dirs.set(sub, [...(dirs.get(sub) ?? []), blobSha(content)]);
    }
  }
  if (files.length === 0 && dirs.size === 0) return undefined;
  const dirEntries = [...dirs].map(([sub, shas]) => {
    const path = `${prefix}${sub}`;
    const sha = fakeSha('tree', path, ...shas.sort());
    return {
      type: 'dir',
      name: sub,
      path,
      sha,
      size: 0,
      url: `${ctx.env.apiUrl}/repos/${repo.fullName}/contents/${path}?ref=${encodeURIComponent(ref)}`,
      html_url: `${ctx.env.htmlUrl}/${repo.fullName}/tree/${ref}/${path}`,
      git_url: `${ctx.env.apiUrl}/repos/${repo.fullName}/git/trees/${sha}`,
      download_url: null,
    };
  });
  return [...dirEntries, ...files].sort((a, b) => String(a.name).localeCompare(String(b.name)));
}

function getContents(ctx: Ctx, params: string[]): Reply {
  const repo = openRepo(ctx, p(params, 0), p(params, 1), 'pull', CONTENTS_DOCS);
  const ref = ctx.query.get('ref') || repo.defaultBranch;
  // Only the default branch exists; also accept its full ref name.
  if (ref !== repo.defaultBranch && ref !== `refs/heads/${repo.defaultBranch}`) {
    throw new ApiError(404, `No commit found for the ref ${ref}`, CONTENTS_DOCS);
  }
  const path = p(params, 2).replace(/^\/+|\/+$/g, '');
  const content = repo.files.get(path);
  if (content !== undefined) {
    const accept = String(ctx.headers.accept ?? '');
    if (/application\/vnd\.github(\.v3)?\.raw/.test(accept)) {
      return { status: 200, text: content, contentType: 'text/plain; charset=utf-8' };
    }
    return {
      status: 200,
      json: { ...fileEntry(ctx, repo, path, content, ref), content: wrapBase64(content), encoding: 'base64', _links: {} },
    };
  }
  const listing = listDirectory(ctx, repo, path, ref);
  if (!listing) throw notFound(CONTENTS_DOCS);
  return { status: 200, json: listing };
}

export const repoRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/user$/,
    scopes: '',
    docs: USER_DOCS,
    handle: (ctx) => {
      const token = requireToken(ctx, USER_DOCS);
      return {
        status: 200,
        json: { login: token.login, id: token.userId, type: 'User', site_admin: false, html_url: `${ctx.env.htmlUrl}/${token.login}` },
      };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}$`),
    scopes: 'repo',
    docs: REPO_DOCS,
    handle: (ctx, params) => ({ status: 200, json: repoJson(ctx, openRepo(ctx, p(params, 0), p(params, 1), 'pull', REPO_DOCS)) }),
  },
  {
    method: 'GET',
    // The file path keeps its slashes, so it is matched against the rest of the URL.
    pattern: new RegExp(`${REPO}/contents(?:/(.*))?$`),
    scopes: 'repo',
    docs: CONTENTS_DOCS,
    handle: getContents,
  },
];
