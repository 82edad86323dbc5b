import type { Ctx } from '../context.js';
import type { Reply } from '../http.js';

export interface Route {
  method: string;
  /** Matched against the raw pathname; the captures, percent-decoded, become params. */
  pattern: RegExp;
  /**
   * The operation in GitHub's OpenAPI description, 'GET /repos/{owner}/{repo}'; undefined for
   * endpoints GitHub serves but no longer documents.
   */
  operation: string | undefined;
  /** Sent as X-Accepted-OAuth-Scopes, so a client can explain a missing scope. */
  scopes: string;
  docs: string;
  handle(ctx: Ctx, params: string[]): Reply;
}

/** One path segment: owner, repo, secret name, workflow id... */
export const SEG = '([^/]+)';
export const REPO = `^/repos/${SEG}/${SEG}`;

export const p = (params: string[], i: number): string => params[i] ?? '';
