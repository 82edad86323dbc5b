import { badCredentials, openRepo, type Ctx } from '../context.js';
import { ApiError, errorReply, notFound, REST_DOCS, type Reply } from '../http.js';
import { actionRoutes } from './actions.js';
import { contentRoutes } from './contents.js';
import { gitObjectRoutes } from './git-objects.js';
import { gitRefRoutes } from './git-refs.js';
import { repoRoutes } from './repos.js';
import type { Route } from './route.js';
import { secretRoutes } from './secrets.js';

/** Every endpoint the emulator serves. */
export const ROUTES: readonly Route[] = [...repoRoutes, ...contentRoutes, ...gitObjectRoutes, ...gitRefRoutes, ...secretRoutes, ...actionRoutes];

/** The route that answers a request, if any (for tests that check answers against GitHub's description). */
export const matchRoute = (method: string, pathname: string): Route | undefined =>
  ROUTES.find((r) => r.method === method && r.pattern.test(pathname));

export interface Routed {
  reply: Reply;
  /** X-Accepted-OAuth-Scopes of the matched endpoint. */
  scopes?: string;
}

const decode = (s: string | undefined): string => {
  try {
    return decodeURIComponent(s ?? '');
  } catch {
    return s ?? '';
  }
};

const REDIRECT_DOCS = 'https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects';

/**
 * GitHub keeps a renamed repository's old name working through a 301 to /repositories/ID
 * (which then answers like the new name). Only a token that may see the repository learns
 * where it went; others get the usual 404.
 */
function redirectOrRewrite(ctx: Ctx): { reply: Reply } | { ctx: Ctx } {
  const byId = /^\/repositories\/(\d+)(\/.*)?$/.exec(ctx.pathname);
  if (byId) {
    const repo = ctx.env.state.repoById(Number(byId[1]));
    if (!repo) throw notFound(REST_DOCS);
    return { ctx: { ...ctx, pathname: `/repos/${repo.owner}/${repo.name}${byId[2] ?? ''}` } };
  }
  const old = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(ctx.pathname);
  const moved = old && ctx.env.state.movedRepo(decode(old[1]), decode(old[2]));
  if (!old || !moved) return { ctx };
  openRepo(ctx, moved.owner, moved.name, 'pull', REDIRECT_DOCS);
  const query = ctx.query.toString();
  const url = `${ctx.env.apiUrl}/repositories/${moved.id}${old[3] ?? ''}${query ? `?${query}` : ''}`;
  return { reply: { status: 301, json: { message: 'Moved Permanently', url, documentation_url: REDIRECT_DOCS }, headers: { location: url } } };
}

/**
 * A known-bad token is refused before routing (GitHub says "Bad credentials" even for paths
 * that do not exist); unknown paths and wrong methods are plain 404s, as on GitHub.
 */
export function route(ctx: Ctx, badToken: boolean): Routed {
  try {
    if (badToken) throw badCredentials();
    const where = redirectOrRewrite(ctx);
    if ('reply' in where) return where;
    ctx = where.ctx;
    for (const r of ROUTES) {
      if (r.method !== ctx.method) continue;
      const m = r.pattern.exec(ctx.pathname);
      if (!m) continue;
      try {
        return { reply: r.handle(ctx, m.slice(1).map(decode)), scopes: r.scopes };
      } catch (e) {
        if (e instanceof ApiError) return { reply: errorReply(e.status, e.message, e.docs, e.headers), scopes: r.scopes };
        throw e;
      }
    }
    throw notFound(REST_DOCS);
  } catch (e) {
    if (e instanceof ApiError) return { reply: errorReply(e.status, e.message, e.docs, e.headers) };
    throw e;
  }
}
