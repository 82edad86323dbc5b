import { StepError } from '../errors.js';

/** The page that creates a classic token with the scopes this program needs. */
export function tokenPageUrl(apiUrl: string): string {
  const u = new URL(apiUrl);
  const web = u.hostname === 'api.github.com' ? 'https://github.com' : `${u.protocol}//${u.host}`;
  return `${web}/settings/tokens/new?scopes=repo,workflow&description=create-litestream-host`;
}

const secondsText = (ms: number): string => `${ms >= 10_000 ? Math.round(ms / 1000) : Math.round(ms / 100) / 10} s`;

/** No answer in time. `route` is the method and path as sent ("PUT /repos/acme/app/actions/secrets/X"). */
export class GitHubTimeoutError extends Error {
  readonly status = undefined;
  constructor(
    readonly route: string,
    readonly waitedMs: number,
    readonly attempts: number,
  ) {
    super(`GitHub did not answer ${route} within ${secondsText(waitedMs)}${attempts > 1 ? ` (attempt ${attempts})` : ''}`);
    this.name = 'GitHubTimeoutError';
  }
}

export type GitHubOperation = 'repo' | 'contents' | 'secrets' | 'dispatch' | 'runs';

const FINE_GRAINED: Record<GitHubOperation, string> = {
  repo: 'Metadata: Read',
  contents: 'Contents: Read',
  secrets: 'Secrets: Read and write',
  dispatch: 'Actions: Read and write',
  runs: 'Actions: Read',
};

/** One message per status, naming the permission or scope that is missing. */
export function githubFailure(e: unknown, op: GitHubOperation, repo: string, apiUrl: string): StepError {
  const err = e as { status?: number; message?: string; code?: string; cause?: { code?: string } };
  const msg = String(err.message ?? e).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
  const step = op === 'dispatch' || op === 'runs' ? 'release' : op === 'secrets' ? 'secrets' : 'github';
  if (e instanceof GitHubTimeoutError)
    return new StepError(
      step,
      e.message,
      `${new URL(apiUrl).hostname === 'api.github.com' ? 'GitHub may be having an outage (https://www.githubstatus.com)' : `Check that ${apiUrl} is up`}, or a proxy or firewall holds the connection; re-run when it answers: work done so far is kept`,
    );
  // Octokit reports a network failure as a 500 whose message is fetch's.
  if (/fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|getaddrinfo|socket hang up/i.test(`${msg} ${err.cause?.code ?? ''}`))
    return new StepError(step, `cannot reach ${apiUrl} (${err.cause?.code ?? msg})`, 'Check the network, or --github-api-url for GitHub Enterprise; then re-run');
  const newToken = `Create a token at ${tokenPageUrl(apiUrl)} (classic: scopes repo and workflow; fine-grained: access to ${repo} with Secrets and Actions read/write, Contents read) and set GH_TOKEN`;
  switch (err.status) {
    case 401:
      return new StepError(step, 'GitHub rejected the token (401 Bad credentials): it is wrong, expired or revoked', newToken);
    case 403:
      if (/rate limit/i.test(msg)) return new StepError(step, `GitHub's rate limit stopped the requests (${msg})`, 'Wait a few minutes and re-run; what was written is kept');
      if (/admin rights/i.test(msg))
        return new StepError(step, `the token's user is not an admin of ${repo}; Actions secrets need admin rights`, 'Ask an owner of the repository for the admin role, or for them to run this');
      return new StepError(step, `the token may not do this on ${repo} (403: ${msg})`, `A fine-grained token needs "${FINE_GRAINED[op]}" for ${repo}; a classic token needs the repo scope. ${newToken}`);
    case 404:
      return op === 'repo'
        ? new StepError(step, `${repo} was not found with this token: the name is wrong, or the token cannot see it`, `Check --repo. For a private repository a classic token needs the repo scope; a fine-grained token must list ${repo}. ${newToken}`)
        : new StepError(step, `GitHub answered 404 for ${op} on ${repo}: the token cannot see it`, `A fine-grained token needs "${FINE_GRAINED[op]}"; a classic token needs the repo scope. ${newToken}`);
    case 422:
      return new StepError(step, `GitHub refused the request (422: ${msg})`, 'Check the message above; then re-run');
    default:
      if (err.status && err.status >= 500) return new StepError(step, `GitHub had an error after retries (${err.status})`, 'Re-run in a few minutes: work done so far is kept');
      if (!err.status)
        return new StepError(step, `cannot reach ${apiUrl} (${err.cause?.code ?? err.code ?? msg})`, 'Check the network, or --github-api-url for GitHub Enterprise');
      return new StepError(step, `GitHub answered ${err.status}: ${msg}`, 'Re-run; if it persists, check the token and repository');
  }
}
