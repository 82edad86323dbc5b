import type { Settings } from './config/settings.js';
import type { Store } from './config/store.js';
import type { Deps } from './steps/types.js';
import { writePrivateFile } from './private-file.js';

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
    ...(Number(env.CLH_SSH_KEEPALIVE_MS) ? { sshTiming: { keepaliveIntervalMs: Number(env.CLH_SSH_KEEPALIVE_MS) } } : {}),
    ...extra,
  };
}
