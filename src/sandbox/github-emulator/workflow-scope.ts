/**
 * Writing under `.github/workflows/` needs more than write access: the `workflow` scope on a
 * classic token or OAuth token, "Workflows: write" on a fine-grained one. GitHub lets a
 * change through when the same file (path and content) is already on some branch. Each door
 * refuses in its own way:
 * - contents PUT and tree creation, classic token: 404 "Not Found" (octokit/rest.js#368,
 *   octokit.rb#1184, wadackel/files-sync-action#201);
 * - a ref update bringing such commits, classic token: 422 "refusing to allow a Personal
 *   Access Token (or an OAuth App) to create or update workflow `path` without `workflow`
 *   scope" (cli/cli#7612, refined-github#7641);
 * - a fine-grained token: 403 "Resource not accessible by personal access token".
 */
import type { TokenState, RepoState } from './state.js';
import { filesAt } from './state.js';
import { ApiError, notFound } from './http.js';
import type { FlatEntry } from './git-objects.js';

export const WORKFLOWS_DIR = /^\.github\/workflows\//;

export const mayWriteWorkflows = (token: TokenState): boolean => (token.scopes ? token.scopes.includes('workflow') : token.workflows);

/** The same path with the same content on some branch: GitHub's exception. */
function onSomeBranch(repo: RepoState, path: string, entry: FlatEntry | undefined): boolean {
  if (!entry) return false;
  for (const [name, sha] of repo.refs) {
    if (name.startsWith('refs/heads/') && filesAt(repo, sha).get(path)?.sha === entry.sha) return true;
  }
  return false;
}

/** The first workflow path that `after` changes relative to `before` and the token may not change. */
export function refusedWorkflowPath(repo: RepoState, token: TokenState, before: Map<string, FlatEntry>, after: Map<string, FlatEntry>): string | undefined {
  if (mayWriteWorkflows(token)) return undefined;
  const paths = new Set([...before.keys(), ...after.keys()].filter((p) => WORKFLOWS_DIR.test(p)));
  for (const path of [...paths].sort()) {
    const a = before.get(path);
    const b = after.get(path);
    if (a?.sha === b?.sha && a?.mode === b?.mode) continue;
    if (!onSomeBranch(repo, path, b)) return path;
  }
  return undefined;
}

const FINE_GRAINED = 'Resource not accessible by personal access token';

/** contents PUT and POST git/trees. */
export function hiddenWorkflowWrite(token: TokenState, docs: string): ApiError {
  return token.scopes ? notFound(docs) : new ApiError(403, FINE_GRAINED, docs);
}

/** PATCH and POST of refs. */
export function refusedWorkflowPush(token: TokenState, path: string, docs: string): ApiError {
  if (!token.scopes) return new ApiError(403, FINE_GRAINED, docs);
  const who = token.token.startsWith('gho_') ? 'an OAuth App' : 'a Personal Access Token';
  return new ApiError(422, `refusing to allow ${who} to create or update workflow \`${path}\` without \`workflow\` scope`, docs);
}
