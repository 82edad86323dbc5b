/** Plain-fetch access to the GitHub emulator for its own tests (no octokit in between). */
import assert from 'node:assert/strict';
import type { GitHubEmulator } from '../../src/sandbox/github-emulator.js';

export interface Answer {
  method: string;
  path: string;
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface ApiOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A caller bound to one emulator and a default token; `onAnswer` sees every answer. */
export function apiFor(gh: () => GitHubEmulator, defaultToken: string, onAnswer?: (a: Answer) => void) {
  return async (method: string, path: string, opts: ApiOptions = {}): Promise<Answer> => {
    const token = opts.token === undefined ? defaultToken : opts.token;
    const headers: Record<string, string> = { accept: 'application/vnd.github+json', ...opts.headers };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(gh().url + path, {
      method,
      headers,
      ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const answer = { method, path, status: res.status, headers: res.headers, text, json };
    onAnswer?.(answer);
    return answer;
  };
}

/** GitHub's error body: message, documentation_url, and status as a string. */
export function ghError(r: Answer, status: number, message: string | RegExp): void {
  assert.equal(r.status, status, `${r.method} ${r.path}: ${r.text}`);
  if (typeof message === 'string') assert.equal(r.json.message, message);
  else assert.match(r.json.message, message);
  assert.equal(r.json.status, String(status));
  assert.match(r.json.documentation_url, /^https:\/\/docs\.github\.com\//);
}

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
