/** The authenticated user and repositories. */
import { requireToken, openRepo, type Ctx } from '../context.js';
import { iso } from '../http.js';
import type { RepoState } from '../state.js';
import { REPO, p, type Route } from './route.js';

const USER_DOCS = 'https://docs.github.com/rest/users/users#get-the-authenticated-user';
const REPO_DOCS = 'https://docs.github.com/rest/repos/repos#get-a-repository';

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
    pushed_at: iso(repo.pushedAt),
    ...(perms ? { permissions: { admin: perms.admin, maintain: perms.admin, push: perms.push, triage: perms.push, pull: perms.pull } } : {}),
  };
}

export const repoRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/user$/,
    operation: 'GET /user',
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
    operation: 'GET /repos/{owner}/{repo}',
    scopes: 'repo',
    docs: REPO_DOCS,
    handle: (ctx, params) => ({ status: 200, json: repoJson(ctx, openRepo(ctx, p(params, 0), p(params, 1), 'pull', REPO_DOCS)) }),
  },
];
