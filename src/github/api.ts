import type { GitHubClient } from './client.js';

/** The calls the program makes, each small and typed; errors come back as octokit's RequestError. */
export type RepoRef = { owner: string; repo: string };

export interface RepoInfo {
  fullName: string;
  defaultBranch: string;
  private: boolean;
  htmlUrl: string;
  admin: boolean | undefined;
  /** Classic tokens list their scopes; fine-grained tokens send no header (undefined). */
  tokenScopes: string[] | undefined;
}

export interface SecretMeta {
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface RunInfo {
  id: number;
  status: string;
  conclusion: string | null;
  htmlUrl: string;
  createdAt: string;
}

export interface JobInfo {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  steps: { name: string; number: number; status: string; conclusion: string | null }[];
}

export async function getRepo(gh: GitHubClient, r: RepoRef): Promise<RepoInfo> {
  const res = await gh.request('GET /repos/{owner}/{repo}', r);
  const scopes = res.headers['x-oauth-scopes'];
  return {
    fullName: res.data.full_name,
    defaultBranch: res.data.default_branch,
    private: res.data.private,
    htmlUrl: res.data.html_url,
    admin: res.data.permissions?.admin,
    tokenScopes: typeof scopes === 'string' ? scopes.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
  };
}

/** The file's text on a ref, or undefined when it does not exist. */
export async function getFileText(gh: GitHubClient, r: RepoRef, path: string, ref: string): Promise<string | undefined> {
  try {
    const res = await gh.request('GET /repos/{owner}/{repo}/contents/{path}', { ...r, path, ref });
    const data = res.data as { type?: string; content?: string; encoding?: string };
    if (data.type !== 'file' || typeof data.content !== 'string') return undefined;
    return Buffer.from(data.content, (data.encoding as BufferEncoding) ?? 'base64').toString('utf8');
  } catch (e) {
    if ((e as { status?: number }).status === 404) return undefined;
    throw e;
  }
}

export async function getPublicKey(gh: GitHubClient, r: RepoRef): Promise<{ keyId: string; key: string }> {
  const res = await gh.request('GET /repos/{owner}/{repo}/actions/secrets/public-key', r);
  return { keyId: res.data.key_id, key: res.data.key };
}

export async function listSecrets(gh: GitHubClient, r: RepoRef): Promise<SecretMeta[]> {
  const all = await gh.paginate('GET /repos/{owner}/{repo}/actions/secrets', { ...r, per_page: 100 });
  return all.map((s) => ({ name: s.name, createdAt: s.created_at, updatedAt: s.updated_at }));
}

export async function getSecretMeta(gh: GitHubClient, r: RepoRef, name: string): Promise<SecretMeta> {
  const res = await gh.request('GET /repos/{owner}/{repo}/actions/secrets/{secret_name}', { ...r, secret_name: name });
  return { name: res.data.name, createdAt: res.data.created_at, updatedAt: res.data.updated_at };
}

/** PUT answers 201 for a new secret and 204 for an update. */
export async function putSecret(
  gh: GitHubClient,
  r: RepoRef,
  name: string,
  encryptedValue: string,
  keyId: string,
): Promise<'created' | 'updated'> {
  const res = await gh.request('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
    ...r,
    secret_name: name,
    encrypted_value: encryptedValue,
    key_id: keyId,
  });
  return (res.status as number) === 201 ? 'created' : 'updated';
}

/**
 * Dispatches the workflow. GitHub (2026-02) returns the run's id when asked with
 * return_run_details; GitHub Enterprise may refuse the field (400/422): then dispatch
 * without it and let the caller find the run by listing.
 */
export async function dispatchWorkflow(
  gh: GitHubClient,
  r: RepoRef,
  workflow: string,
  ref: string,
  inputs: Record<string, string>,
): Promise<{ runId?: number; htmlUrl?: string }> {
  try {
    const res = await gh.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      ...r,
      workflow_id: workflow,
      ref,
      inputs,
      return_run_details: true,
    } as never);
    const data = (res.data ?? {}) as { workflow_run_id?: number; id?: number; html_url?: string };
    return { runId: data.workflow_run_id ?? data.id, htmlUrl: data.html_url };
  } catch (e) {
    const status = (e as { status?: number }).status;
    const message = String((e as Error).message);
    if ((status === 400 || status === 422) && /return_run_details|unexpected|not a permitted key|invalid request/i.test(message)) {
      await gh.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
        ...r,
        workflow_id: workflow,
        ref,
        inputs,
      });
      return {};
    }
    throw e;
  }
}

const toRun = (d: { id: number | bigint; status: string | null; conclusion: string | null; html_url: string; created_at: string }): RunInfo => ({
  id: Number(d.id),
  status: d.status ?? 'queued',
  conclusion: d.conclusion,
  htmlUrl: d.html_url,
  createdAt: d.created_at,
});

/** The id of the workflow's newest run (0 if none): runs dispatched later have larger ids. */
export async function newestRunId(gh: GitHubClient, r: RepoRef, workflow: string): Promise<number> {
  const res = await gh.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', { ...r, workflow_id: workflow, per_page: 1 });
  return Number(res.data.workflow_runs[0]?.id ?? 0);
}

/** The newest workflow_dispatch run of the workflow newer than `afterId`, created around or after `since`. */
export async function findDispatchedRun(gh: GitHubClient, r: RepoRef, workflow: string, branch: string, since: Date, afterId = 0): Promise<RunInfo | undefined> {
  const res = await gh.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
    ...r,
    workflow_id: workflow,
    event: 'workflow_dispatch',
    branch,
    // GitHub's clock and ours may differ by a few seconds.
    created: `>=${new Date(since.getTime() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z')}`,
    per_page: 10,
  });
  const runs = res.data.workflow_runs
    .filter((w) => Number(w.id) > afterId && Date.parse(w.created_at) >= since.getTime() - 60_000)
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  return runs[0] ? toRun(runs[0]) : undefined;
}

export async function getRun(gh: GitHubClient, r: RepoRef, runId: number): Promise<RunInfo> {
  const res = await gh.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { ...r, run_id: runId });
  return toRun(res.data);
}

export async function listJobs(gh: GitHubClient, r: RepoRef, runId: number): Promise<JobInfo[]> {
  const res = await gh.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs', { ...r, run_id: runId, per_page: 100 });
  return res.data.jobs.map((j) => ({
    id: Number(j.id),
    name: j.name,
    status: j.status,
    conclusion: j.conclusion,
    steps: (j.steps ?? []).map((s) => ({ name: s.name, number: s.number, status: s.status, conclusion: s.conclusion })),
  }));
}

/** The file names in a folder on a ref (none when it does not exist). */
export async function listDir(gh: GitHubClient, r: RepoRef, path: string, ref: string): Promise<string[]> {
  try {
    const res = await gh.request('GET /repos/{owner}/{repo}/contents/{path}', { ...r, path, ref });
    return Array.isArray(res.data) ? res.data.filter((e) => e.type === 'file').map((e) => e.name) : [];
  } catch (e) {
    if ((e as { status?: number }).status === 404) return [];
    throw e;
  }
}

/** The commit a branch points at, and that commit's tree. */
export async function branchHead(gh: GitHubClient, r: RepoRef, branch: string): Promise<{ commit: string; tree: string }> {
  const ref = await gh.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { ...r, ref: `heads/${branch}` });
  const commit = await gh.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', { ...r, commit_sha: ref.data.object.sha });
  return { commit: commit.data.sha, tree: commit.data.tree.sha };
}

/** A tree that is `baseTree` with these files replaced (blobs first: their text is sent once, as UTF-8). */
export async function createTreeWith(gh: GitHubClient, r: RepoRef, baseTree: string, files: { path: string; text: string }[]): Promise<string> {
  const blobs = await Promise.all(
    files.map((f) => gh.request('POST /repos/{owner}/{repo}/git/blobs', { ...r, content: Buffer.from(f.text, 'utf8').toString('base64'), encoding: 'base64' })),
  );
  const tree = await gh.request('POST /repos/{owner}/{repo}/git/trees', {
    ...r,
    base_tree: baseTree,
    tree: files.map((f, i) => ({ path: f.path, mode: '100644' as const, type: 'blob' as const, sha: blobs[i]!.data.sha })),
  });
  return tree.data.sha;
}

/** A commit on `parent`, then the branch moved to it; never forced, so a concurrent push makes GitHub refuse (422). */
export async function commitToBranch(gh: GitHubClient, r: RepoRef, branch: string, parent: string, tree: string, message: string): Promise<string> {
  const c = await gh.request('POST /repos/{owner}/{repo}/git/commits', { ...r, message, tree, parents: [parent] });
  await gh.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { ...r, ref: `heads/${branch}`, sha: c.data.sha, force: false });
  return c.data.sha;
}
