import { badCredentials, type Ctx } from '../context.js';
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

/**
 * A known-bad token is refused before routing (GitHub says "Bad credentials" even for paths
 * that do not exist); unknown paths and wrong methods are plain 404s, as on GitHub.
 */
export function route(ctx: Ctx, badToken: boolean): Routed {
  try {
    if (badToken) throw badCredentials();
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
