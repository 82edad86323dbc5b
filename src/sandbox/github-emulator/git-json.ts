/** How the Git Data and contents endpoints show commits, refs, trees and files. */
import type { Ctx } from './context.js';
import type { CommitObject, FlatEntry, TreeEntry } from './git-objects.js';
import type { RepoState } from './state.js';

const api = (ctx: Ctx, repo: RepoState): string => `${ctx.env.apiUrl}/repos/${repo.fullName}`;
const nodeId = (prefix: string, sha: string): string => `${prefix}_${Buffer.from(sha.slice(0, 20)).toString('base64url')}`;

export function commitJson(ctx: Ctx, repo: RepoState, c: CommitObject): Record<string, unknown> {
  return {
    sha: c.sha,
    node_id: nodeId('C', c.sha),
    url: `${api(ctx, repo)}/git/commits/${c.sha}`,
    html_url: `${ctx.env.htmlUrl}/${repo.fullName}/commit/${c.sha}`,
    author: { ...c.author },
    committer: { ...c.committer },
    tree: { sha: c.tree, url: `${api(ctx, repo)}/git/trees/${c.tree}` },
    message: c.message,
    parents: c.parents.map((sha) => ({ sha, url: `${api(ctx, repo)}/git/commits/${sha}`, html_url: `${ctx.env.htmlUrl}/${repo.fullName}/commit/${sha}` })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

export function refJson(ctx: Ctx, repo: RepoState, ref: string, sha: string): Record<string, unknown> {
  return {
    ref,
    node_id: `REF_${Buffer.from(`${repo.id}:${ref}`).toString('base64url')}`,
    url: `${api(ctx, repo)}/git/${ref}`,
    object: { sha, type: 'commit', url: `${api(ctx, repo)}/git/commits/${sha}` },
  };
}

function entryJson(ctx: Ctx, repo: RepoState, path: string, e: { mode: string; type: string; sha: string }): Record<string, unknown> {
  const base = { path, mode: e.mode, type: e.type, sha: e.sha };
  if (e.type === 'blob') return { ...base, size: repo.git.blobs.get(e.sha)?.length ?? 0, url: `${api(ctx, repo)}/git/blobs/${e.sha}` };
  if (e.type === 'tree') return { ...base, url: `${api(ctx, repo)}/git/trees/${e.sha}` };
  return base;
}

/** A tree's entries; recursive lists subtrees and everything under them with full paths. */
export function treeJson(ctx: Ctx, repo: RepoState, sha: string, recursive: boolean): Record<string, unknown> {
  const out: Record<string, unknown>[] = [];
  const walk = (treeSha: string, prefix: string): void => {
    for (const e of repo.git.trees.get(treeSha) ?? ([] as TreeEntry[])) {
      out.push(entryJson(ctx, repo, `${prefix}${e.name}`, e));
      if (recursive && e.type === 'tree') walk(e.sha, `${prefix}${e.name}/`);
    }
  };
  walk(sha, '');
  return { sha, url: `${api(ctx, repo)}/git/trees/${sha}`, tree: out, truncated: false };
}

/** GitHub wraps base64 content at 60 characters, each line ending in \n. */
export const wrapBase64 = (bytes: Buffer): string => (bytes.toString('base64').match(/.{1,60}/g) ?? []).map((l) => `${l}\n`).join('');

/** A file as the contents API shows it, without its content. */
export function fileEntry(ctx: Ctx, repo: RepoState, path: string, entry: FlatEntry, ref: string): Record<string, unknown> {
  const self = `${api(ctx, repo)}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const git = `${api(ctx, repo)}/git/blobs/${entry.sha}`;
  const html = `${ctx.env.htmlUrl}/${repo.fullName}/blob/${ref}/${path}`;
  return {
    type: 'file',
    name: path.split('/').at(-1),
    path,
    sha: entry.sha,
    size: repo.git.blobs.get(entry.sha)?.length ?? 0,
    url: self,
    html_url: html,
    git_url: git,
    download_url: `${ctx.env.htmlUrl.replace('://github.com', '://raw.githubusercontent.com')}/${repo.fullName}/${ref}/${path}`,
    _links: { self, git, html },
  };
}

export function dirEntry(ctx: Ctx, repo: RepoState, path: string, sha: string, ref: string): Record<string, unknown> {
  const self = `${api(ctx, repo)}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const git = `${api(ctx, repo)}/git/trees/${sha}`;
  const html = `${ctx.env.htmlUrl}/${repo.fullName}/tree/${ref}/${path}`;
  return { type: 'dir', name: path.split('/').at(-1), path, sha, size: 0, url: self, html_url: html, git_url: git, download_url: null, _links: { self, git, html } };
}
