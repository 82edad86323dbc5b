/**
 * A repository's object database: blobs, trees and commits stored and hashed the way git
 * does (same content, same sha), so shas the emulator hands out match what `git hash-object`
 * and `git mktree` would compute.
 */
import { createHash } from 'node:crypto';

export type EntryType = 'blob' | 'tree' | 'commit';

export interface TreeEntry {
  name: string;
  /** As the API shows it: '100644', '100755', '040000', '120000', '160000'. */
  mode: string;
  type: EntryType;
  sha: string;
}

/** A file in a flattened tree. */
export interface FlatEntry {
  mode: string;
  sha: string;
}

export interface Person {
  name: string;
  email: string;
  /** ISO 8601, whole seconds, UTC: '2026-01-02T03:04:05Z'. */
  date: string;
}

export interface CommitObject {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: Person;
  committer: Person;
}

export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

const hash = (kind: string, body: Buffer): string =>
  createHash('sha1').update(`${kind} ${body.length}\0`).update(body).digest('hex');

/** Git sorts tree entries by name, comparing a subtree as if its name ended in '/'. */
const sortKey = (e: TreeEntry): Buffer => Buffer.from(e.type === 'tree' ? `${e.name}/` : e.name, 'utf8');

const gitTime = (p: Person): string => `${Math.floor(Date.parse(p.date) / 1000)} +0000`;

export class GitObjects {
  readonly blobs = new Map<string, Buffer>();
  readonly trees = new Map<string, TreeEntry[]>();
  readonly commits = new Map<string, CommitObject>();
  private readonly flat = new Map<string, Map<string, FlatEntry>>();

  constructor() {
    this.trees.set(EMPTY_TREE, []);
  }

  kind(sha: string): EntryType | undefined {
    if (this.blobs.has(sha)) return 'blob';
    if (this.trees.has(sha)) return 'tree';
    if (this.commits.has(sha)) return 'commit';
    return undefined;
  }

  putBlob(bytes: Buffer): string {
    const sha = hash('blob', bytes);
    if (!this.blobs.has(sha)) this.blobs.set(sha, Buffer.from(bytes));
    return sha;
  }

  putTree(entries: TreeEntry[]): string {
    const sorted = [...entries].sort((a, b) => Buffer.compare(sortKey(a), sortKey(b)));
    const body = Buffer.concat(
      sorted.flatMap((e) => [Buffer.from(`${e.mode.replace(/^0+/, '')} ${e.name}\0`, 'utf8'), Buffer.from(e.sha, 'hex')]),
    );
    const sha = hash('tree', body);
    if (!this.trees.has(sha)) this.trees.set(sha, sorted);
    return sha;
  }

  putCommit(c: Omit<CommitObject, 'sha'>): CommitObject {
    const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
    lines.push(`author ${c.author.name} <${c.author.email}> ${gitTime(c.author)}`);
    lines.push(`committer ${c.committer.name} <${c.committer.email}> ${gitTime(c.committer)}`);
    const sha = hash('commit', Buffer.from(`${lines.join('\n')}\n\n${c.message}`, 'utf8'));
    const existing = this.commits.get(sha);
    if (existing) return existing;
    const commit: CommitObject = { sha, ...c, parents: [...c.parents] };
    this.commits.set(sha, commit);
    return commit;
  }

  /** Every file (and submodule) under a tree, by full path. Trees never change, so this is cached. */
  flatten(treeSha: string): Map<string, FlatEntry> {
    const cached = this.flat.get(treeSha);
    if (cached) return cached;
    const out = new Map<string, FlatEntry>();
    const walk = (sha: string, prefix: string): void => {
      for (const e of this.trees.get(sha) ?? []) {
        if (e.type === 'tree') walk(e.sha, `${prefix}${e.name}/`);
        else out.set(`${prefix}${e.name}`, { mode: e.mode, sha: e.sha });
      }
    };
    walk(treeSha, '');
    this.flat.set(treeSha, out);
    return out;
  }

  /** Writes the nested trees for a set of files and returns the root tree's sha. */
  treeFromFlat(files: Map<string, FlatEntry>): string {
    interface Dir {
      files: TreeEntry[];
      dirs: Map<string, Dir>;
    }
    const root: Dir = { files: [], dirs: new Map() };
    for (const [path, entry] of files) {
      const parts = path.split('/');
      const name = parts.pop() ?? path;
      let dir = root;
      for (const part of parts) {
        let next = dir.dirs.get(part);
        if (!next) {
          next = { files: [], dirs: new Map() };
          dir.dirs.set(part, next);
        }
        dir = next;
      }
      dir.files.push({ name, mode: entry.mode, type: entry.mode === '160000' ? 'commit' : 'blob', sha: entry.sha });
    }
    const write = (dir: Dir): string =>
      this.putTree([...dir.files, ...[...dir.dirs].map(([name, sub]): TreeEntry => ({ name, mode: '040000', type: 'tree', sha: write(sub) }))]);
    return write(root);
  }

  /** Files at a commit, or an empty map for an unknown sha. */
  filesAt(commitSha: string): Map<string, FlatEntry> {
    const c = this.commits.get(commitSha);
    return c ? this.flatten(c.tree) : new Map();
  }

  text(blobSha: string): string | undefined {
    return this.blobs.get(blobSha)?.toString('utf8');
  }

  /** True when `ancestor` is `descendant` or reachable from it through parents. */
  isAncestor(ancestor: string, descendant: string): boolean {
    const seen = new Set<string>();
    const queue = [descendant];
    while (queue.length) {
      const sha = queue.pop() as string;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return false;
  }

  /** Commits reachable from `tip` that none of `known` reaches: what a push would send. */
  newCommits(tip: string, known: string[]): CommitObject[] {
    const old = new Set<string>();
    const mark = (start: string): void => {
      const queue = [start];
      while (queue.length) {
        const sha = queue.pop() as string;
        if (old.has(sha) || !this.commits.has(sha)) continue;
        old.add(sha);
        queue.push(...(this.commits.get(sha)?.parents ?? []));
      }
    };
    known.forEach(mark);
    const out: CommitObject[] = [];
    const seen = new Set<string>();
    const queue = [tip];
    while (queue.length) {
      const sha = queue.pop() as string;
      if (seen.has(sha) || old.has(sha)) continue;
      seen.add(sha);
      const c = this.commits.get(sha);
      if (!c) continue;
      out.push(c);
      queue.push(...c.parents);
    }
    return out;
  }
}

/** Paths whose entry differs between two file sets (added, changed or removed). */
export function changedPaths(before: Map<string, FlatEntry>, after: Map<string, FlatEntry>): string[] {
  const out = new Set<string>();
  for (const [path, e] of after) if (before.get(path)?.sha !== e.sha || before.get(path)?.mode !== e.mode) out.add(path);
  for (const path of before.keys()) if (!after.has(path)) out.add(path);
  return [...out].sort();
}
