import type { Settings } from './config/settings.js';
import type { Store } from './config/store.js';
import type { Deps } from './steps/types.js';
import { Resolver } from 'node:dns/promises';
import { fetchCert } from './host/https.js';
import { writePrivateFile } from './private-file.js';

const EMPTY = new Set(['ENODATA', 'ENOTFOUND', 'NOTFOUND', 'NODATA']);

/** One try, two seconds: the check must not hold up the inspection it runs beside. */
export async function resolveDns(host: string): Promise<{ a: string[]; aaaa: string[] }> {
  const r = new Resolver({ timeout: 2000, tries: 1 });
  const none = (e: NodeJS.ErrnoException): string[] => {
    if (e.code && EMPTY.has(e.code)) return [];
    throw e;
  };
  const [a, aaaa] = await Promise.all([r.resolve4(host).catch(none), r.resolve6(host).catch(none)]);
  return { a, aaaa };
}

/** CLH_DNS: the end-to-end tests' records, as JSON `{ name: { a: [], aaaa: [] } }`. */
const fixedDns = (json: string) => {
  const table = JSON.parse(json) as Record<string, { a?: string[]; aaaa?: string[] }>;
  return async (host: string) => ({ a: table[host]?.a ?? [], aaaa: table[host]?.aaaa ?? [] });
};

/**
 * The real side effects, built once per run (the demo and tests override some). Heavy
 * modules (octokit, the key generator) load here, after the first output.
 */
export async function realDeps(settings: Settings, env: Record<string, string | undefined>, store: Store, extra: Partial<Deps> = {}): Promise<Deps> {
  const [{ createGitHubClient }, { generateDeployKey }] = await Promise.all([import('./github/client.js'), import('./host/deploy-key.js')]);
  return {
    store,
    // CLH_*_MS: shorter waits for the end-to-end tests, as with CLH_POLL_MS.
    github: (s) => createGitHubClient({ token: s.token, baseUrl: s.apiUrl, requestTimeoutMs: Number(env.CLH_GITHUB_TIMEOUT_MS) || undefined }),
    confirmNewHostKey: async () => settings.acceptNewHostKey,
    generateKey: generateDeployKey,
    now: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    pollMs: Number(env.CLH_POLL_MS) || 3000,
    queuedTimeoutMs: Number(env.CLH_QUEUED_TIMEOUT_MS) || 15 * 60_000,
    writePrivateFile,
    resolve: env.CLH_DNS ? fixedDns(env.CLH_DNS) : resolveDns,
    ...(Number(env.CLH_APT_LOCK_WAIT_S) ? { aptLock: { waitS: Number(env.CLH_APT_LOCK_WAIT_S), pollS: Number(env.CLH_APT_LOCK_POLL_S) || 1 } } : {}),
    ...(Number(env.CLH_SSH_KEEPALIVE_MS) ? { sshTiming: { keepaliveIntervalMs: Number(env.CLH_SSH_KEEPALIVE_MS) } } : {}),
    certificate: fetchCert,
    // CLH_HTTPS_PORT: the end-to-end tests' site, on a loopback port (CLH_DNS names the address).
    https: { port: Number(env.CLH_HTTPS_PORT) || 443, waitMs: Number(env.CLH_HTTPS_WAIT_MS) || 180_000, pollMs: Number(env.CLH_HTTPS_POLL_MS) || 5000 },
    outcomeWaitMs: Number(env.CLH_OUTCOME_WAIT_MS) || 60_000,
    ...extra,
  };
}
