/**
 * Injected failures. They act at the edge, before authentication and routing, the way GitHub's
 * front ends fail: a 502 or a secondary rate limit does not care whether the request was valid.
 */
import type { FaultPlan } from './types.js';
import type { Reply } from './http.js';

export const SECONDARY_RATE_LIMIT_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';

const SECRET_PUT = /^PUT \/repos\/[^/]+\/[^/]+\/actions\/secrets\/[^/?]+(\?|$)/;

/** GitHub's 502/503 pages are HTML from the load balancer, not JSON. */
const GATEWAY_PAGE = (status: number): string =>
  `<!DOCTYPE html>\n<html>\n  <head><meta charset="utf-8"><title>${status === 503 ? 'Unicorn!' : 'Server Error'} &middot; GitHub</title></head>\n` +
  `  <body><p>We're having a really bad day.</p><p>The Unicorns have taken over. We're doing our best to get them under control.</p></body>\n</html>\n`;

export function serverErrorReply(status: 500 | 502 | 503): Reply {
  if (status === 500) return { status, json: { message: 'Server Error' } };
  return { status, text: GATEWAY_PAGE(status), contentType: 'text/html; charset=utf-8' };
}

interface Counted {
  left: number;
  match?: RegExp;
}

export class Faults {
  private plan: FaultPlan = {};
  private fail5xx: Counted = { left: 0 };
  private secondary: Counted = { left: 0 };
  private hanging: Counted = { left: 0 };

  set(plan: FaultPlan): void {
    this.plan = { ...plan };
    this.fail5xx = { left: plan.fail5xx?.count ?? 0, ...(plan.fail5xx?.match ? { match: plan.fail5xx.match } : {}) };
    this.secondary = {
      left: plan.secondaryRateLimit?.count ?? 0,
      ...(plan.secondaryRateLimit?.match ? { match: plan.secondaryRateLimit.match } : {}),
    };
    this.hanging = { left: plan.hang ? (plan.hang.count ?? Infinity) : 0, ...(plan.hang?.match ? { match: plan.hang.match } : {}) };
  }

  /** Whether this request is left unanswered: 'silent' (nothing sent) or 'midway' (headers and part of the body). */
  hang(target: string): 'silent' | 'midway' | undefined {
    if (!take(this.hanging, target)) return undefined;
    return this.plan.hang?.midway ? 'midway' : 'silent';
  }

  get latencyMs(): number {
    return Math.max(0, this.plan.latencyMs ?? 0);
  }

  get rejectReturnRunDetails(): boolean {
    return this.plan.rejectReturnRunDetails === true;
  }

  /**
   * A reply that replaces the real one, or undefined. `target` is "METHOD /path?query", so a
   * `match` can select by method, path or both.
   */
  intercept(target: string, requestId: string): Reply | undefined {
    if (take(this.secondary, target)) {
      return {
        status: 403,
        json: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
            `If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
          documentation_url: SECONDARY_RATE_LIMIT_DOCS,
          status: '403',
        },
        headers: { 'retry-after': String(this.plan.secondaryRateLimit?.retryAfterSec ?? 60) },
      };
    }
    if (take(this.fail5xx, target)) return serverErrorReply(this.plan.fail5xx?.status ?? 502);
    if (this.plan.failSecretPutsAlways && SECRET_PUT.test(target)) return serverErrorReply(502);
    return undefined;
  }
}

function take(counter: Counted, target: string): boolean {
  if (counter.left <= 0) return false;
  if (counter.match) {
    counter.match.lastIndex = 0; // a /g regex is stateful across test() calls
    if (!counter.match.test(target)) return false;
  }
  counter.left -= 1;
  return true;
}
