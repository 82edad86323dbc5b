/** What a route handler sees, and GitHub's rules for who may see and change a repository. */
import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorEvent } from './types.js';
import type { EmulatorState, RepoState, TokenState } from './state.js';
import type { Faults } from './faults.js';
import type { Playbook } from './runs.js';
import { ApiError, REST_DOCS, notFound } from './http.js';

export interface Env {
  state: EmulatorState;
  faults: Faults;
  /** The playbook runs of this workflow file play. */
  playbook(workflowFile: string): Playbook;
  /** Runner labels no runner picks up (lower case). */
  retiredRunners: Set<string>;
  record(event: EmulatorEvent): void;
  /** http://127.0.0.1:PORT */
  apiUrl: string;
  /** Base of html_url links. */
  htmlUrl: string;
}

export interface Ctx {
  env: Env;
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  requestId: string;
  at: number;
  /** Set when the Authorization header names a known token. */
  token?: TokenState;
}

export type Need = 'pull' | 'push' | 'admin';

export function requireToken(ctx: Ctx, docs: string): TokenState {
  if (ctx.token) return ctx.token;
  // An unknown token was already answered with "Bad credentials" before routing.
  throw new ApiError(401, 'Requires authentication', docs);
}

/**
 * GitHub hides what a token may not read behind 404, and refuses writes it may read but not
 * change with 403, worded differently for fine-grained and classic tokens.
 */
export function openRepo(ctx: Ctx, owner: string, name: string, need: Need, docs: string): RepoState {
  const token = requireToken(ctx, docs);
  const repo = ctx.env.state.findRepo(owner, name);
  if (!repo) throw notFound(docs);
  if (token.canSee && !token.canSee.has(repo.fullName.toLowerCase())) throw notFound(docs);
  const classic = token.scopes !== undefined;
  const scopes = token.scopes ?? [];
  if (classic && repo.private && !scopes.includes('repo')) throw notFound(docs);
  if (!token.permissions.pull) throw notFound(docs);
  if (need === 'pull') return repo;

  if (classic && !(scopes.includes('repo') || (!repo.private && scopes.includes('public_repo')))) throw notFound(docs);
  const allowed = need === 'admin' ? token.permissions.admin : token.permissions.push || token.permissions.admin;
  if (!allowed) {
    throw new ApiError(403, classic ? 'Must have admin rights to Repository.' : 'Resource not accessible by personal access token', docs);
  }
  return repo;
}

/** Who a commit made through the API is by: the token's user, with GitHub's noreply address. */
export function tokenPerson(token: TokenState): { name: string; email: string } {
  return { name: token.login, email: `${token.userId}+${token.login}@users.noreply.github.com` };
}

export const badCredentials = (): ApiError => new ApiError(401, 'Bad credentials', REST_DOCS);

/** `Authorization: token X` or `Bearer X`; anything else counts as no credentials. */
export function tokenFromHeader(header: string | undefined): string | undefined {
  const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
