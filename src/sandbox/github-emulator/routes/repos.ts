/** The authenticated user and repositories. */
import { requireToken, openRepo } from '../context.js';
import { authenticatedUserJson, fullRepoJson } from '../github-shapes.js';
import { REPO, p, type Route } from './route.js';

const USER_DOCS = 'https://docs.github.com/rest/users/users#get-the-authenticated-user';
const REPO_DOCS = 'https://docs.github.com/rest/repos/repos#get-a-repository';

export const repoRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/user$/,
    operation: 'GET /user',
    scopes: '',
    docs: USER_DOCS,
    handle: (ctx) => {
      const token = requireToken(ctx, USER_DOCS);
      return { status: 200, json: authenticatedUserJson(ctx, token) };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`${REPO}$`),
    operation: 'GET /repos/{owner}/{repo}',
    scopes: 'repo',
    docs: REPO_DOCS,
    handle: (ctx, params) => ({ status: 200, json: fullRepoJson(ctx, openRepo(ctx, p(params, 0), p(params, 1), 'pull', REPO_DOCS)) }),
  },
];
