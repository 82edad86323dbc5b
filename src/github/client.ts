import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import type { Sensitive } from '../sensitive.js';
import { GitHubTimeoutError } from './errors.js';

export { GitHubTimeoutError };

/**
 * Request policy, chosen on purpose (octokit's throttling plugin spaces writes a second
 * apart, so nine secrets would take nine seconds):
 * - at most MAX_CONCURRENT requests in flight (GitHub allows 100; 80 writes a minute);
 * - a 5xx or a network error is retried with growing pauses;
 * - a secondary rate limit (403/429 naming it, or any retry-after) waits as told, then
 *   retries; a primary limit with x-ratelimit-remaining 0 waits until its reset when soon;
 * - no answer within REQUEST_TIMEOUT_MS ends the call: without it fetch waits five minutes
 *   for headers and each retry waits again, twenty minutes for a GitHub that says nothing.
 *   A silent GitHub is not asked again (it would only double the wait), and a call with
 *   its retries, queue time included, ends within CALL_TIMEOUT_MS of waiting for answers.
 */
export const MAX_CONCURRENT = 6;
const MAX_ATTEMPTS = 4;
const MAX_WAIT_MS = 90_000;
export const REQUEST_TIMEOUT_MS = 30_000;
export const CALL_TIMEOUT_MS = 90_000;

export interface ClientOptions {
  token: Sensitive;
  baseUrl: string;
  userAgent?: string;
  sleep?: (ms: number) => Promise<void>;
  /** Pause before retry n (1-based) after a 5xx; tests shorten it. */
  backoffMs?: (attempt: number) => number;
  onRetry?: (info: { route: string; status: number | undefined; waitMs: number; attempt: number }) => void;
  /** How long one request may go unanswered (headers and body); tests shorten it. */
  requestTimeoutMs?: number;
  /** Bound on one call: its time queued, its attempts and the pauses between them (waits GitHub asks for excepted). */
  callTimeoutMs?: number;
}

export interface RequestStats {
  requests: number;
  retries: number;
  maxInFlight: number;
}

const PaginatingOctokit = Octokit.plugin(paginateRest);
export type GitHubClient = InstanceType<typeof PaginatingOctokit> & { stats: RequestStats };

class Gate {
  #active = 0;
  #queue: (() => void)[] = [];
  constructor(readonly limit: number) {}
  async run<T>(fn: () => Promise<T>, onStart: (active: number) => void): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((r) => this.#queue.push(r));
    this.#active++;
    onStart(this.#active);
    try {
      return await fn();
    } finally {
      this.#active--;
      this.#queue.shift()?.();
    }
  }
}

interface HttpishError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

/** Milliseconds to wait before a retry, or undefined when the error is final. */
export function retryDelay(err: HttpishError, attempt: number, backoff: (n: number) => number, now = Date.now()): number | undefined {
  const status = err.status;
  const headers = err.response?.headers ?? {};
  const message = `${err.message ?? ''} ${JSON.stringify(err.response?.data ?? '')}`;
  const retryAfter = Number(headers['retry-after']);
  if ((status === 403 || status === 429) && /secondary rate limit|abuse/i.test(message))
    return Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : 60_000;
  if ((status === 403 || status === 429) && headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(headers['x-ratelimit-reset']) * 1000;
    return Number.isFinite(reset) ? Math.max(0, reset - now) + 1000 : undefined;
  }
  if (status === 429 && Number.isFinite(retryAfter)) return retryAfter * 1000;
  if (status === undefined || status >= 500) return backoff(attempt);
  return undefined;
}

/** The path as sent, without the API's base path or the query: what a person can look up. */
function pathOf(url: string, basePath: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0] ?? url;
  }
  if (basePath && path.startsWith(basePath)) path = path.slice(basePath.length);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Runs fn with a signal aborted after ms. A timer that fired turns whatever fn ended with
 * into the timeout: octokit reads an aborted body as empty, which would pass for an answer.
 */
async function withTimeout<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>, timeoutError: () => Error): Promise<T> {
  const ctl = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    ctl.abort();
  }, ms);
  try {
    const v = await fn(ctl.signal);
    if (fired) throw timeoutError();
    return v;
  } catch (e) {
    if (fired) throw timeoutError();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

export function createGitHubClient(opts: ClientOptions): GitHubClient {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const backoff = opts.backoffMs ?? ((n: number) => 500 * 2 ** (n - 1));
  const octokit = new PaginatingOctokit({
    auth: opts.token.reveal(),
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    userAgent: opts.userAgent ?? 'create-litestream-host',
    // Silence octokit's console warnings (deprecations); errors reach the caller.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  }) as GitHubClient;
  const stats: RequestStats = { requests: 0, retries: 0, maxInFlight: 0 };
  octokit.stats = stats;
  const gate = new Gate(MAX_CONCURRENT);

  const requestTimeout = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const callTimeout = opts.callTimeoutMs ?? CALL_TIMEOUT_MS;
  const basePath = new URL(opts.baseUrl).pathname.replace(/\/+$/, '');

  octokit.hook.wrap('request', async (request, options) => {
    const route = `${options.method} ${options.url}`;
    const sent = `${options.method} ${pathOf(octokit.request.endpoint.parse(options as never).url, basePath)}`;
    let deadline = Date.now() + callTimeout;
    for (let attempt = 1; ; attempt++) {
      try {
        return await gate.run(
          async () => {
            // Measured once through the gate: time spent queued counts against the call.
            const ms = Math.min(requestTimeout, deadline - Date.now());
            if (ms <= 0) throw new GitHubTimeoutError(sent, callTimeout, attempt);
            return withTimeout(
              ms,
              async (signal) => {
                // The hooks inside this one were bound to this very object: a copy would be
                // ignored. Its `request` is shared with the client's defaults, so replace it.
                options.request = { ...options.request, signal };
                return request(options);
              },
              () => new GitHubTimeoutError(sent, ms, attempt),
            );
          },
          (active) => {
            stats.requests++;
            stats.maxInFlight = Math.max(stats.maxInFlight, active);
          },
        );
      } catch (e) {
        if (e instanceof GitHubTimeoutError) throw e;
        const err = e as HttpishError;
        // A POST that failed with a 5xx may still have happened (a dispatch would start a
        // second release): only a rate limit, which GitHub refused before acting, is retried.
        const unsafe = options.method === 'POST' && (err.status === undefined || err.status >= 500);
        const wait = attempt < MAX_ATTEMPTS && !unsafe ? retryDelay(err, attempt, backoff) : undefined;
        if (wait === undefined || wait > MAX_WAIT_MS) throw e;
        // GitHub asked for this pause: it does not count against the bound on silence.
        if (err.status === 403 || err.status === 429) deadline += wait;
        else if (Date.now() + wait >= deadline) throw e;
        stats.retries++;
        opts.onRetry?.({ route, status: err.status, waitMs: wait, attempt });
        await sleep(wait);
      }
    }
  });
  return octokit;
}
