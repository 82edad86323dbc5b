/**
 * The virtual host the commands act on: its state plus the file-system rules they share
 * (who may read, write and create what), and how a command talks (Io) and fails (ExecError).
 */
import { createHash } from 'node:crypto';
import type { DropletState, VDir, VFile, VUser } from './state.js';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const parentOf = (p: string) => (p.lastIndexOf('/') <= 0 ? '/' : p.slice(0, p.lastIndexOf('/')));
export const lines = (s: string) => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

/** A command's failure: its message goes to stderr, its code is the exit status. */
export class ExecError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** One exec request's streams, as a command sees them. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Everything the client sent on stdin, once it closed it. */
  stdin(): Promise<string>;
  sleep(ms: number): Promise<void>;
}

export class Host {
  constructor(
    readonly state: DropletState,
    readonly composeDelayMs: number,
  ) {}

  user(name: string): VUser | undefined {
    return this.state.users.get(name);
  }

  private inside(path: string, dir: string): boolean {
    return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
  }

  /** The nearest existing folder at or above `path`. */
  private existingDir(path: string): { path: string; dir: VDir } {
    let p = path;
    for (;;) {
      const d = this.state.dirs.get(p);
      if (d) return { path: p, dir: d };
      p = parentOf(p);
    }
  }

  canWriteDir(u: VUser, dir: string): boolean {
    if (u.uid === 0) return true;
    const { dir: d } = this.existingDir(dir);
    return d.owner === u.name && this.inside(dir, u.home);
  }

  canRead(u: VUser, f: VFile): boolean {
    return u.uid === 0 || f.owner === u.name || (f.mode & 0o004) !== 0;
  }

  mkdirP(u: VUser, dir: string, mode = 0o700): void {
    if (this.state.files.has(dir)) throw new ExecError(`mkdir: cannot create directory '${dir}': File exists`, 1);
    if (this.state.dirs.has(dir)) return;
    this.mkdirP(u, parentOf(dir), mode);
    if (!this.canWriteDir(u, parentOf(dir))) throw new ExecError(`mkdir: cannot create directory '${dir}': Permission denied`, 1);
    this.state.dirs.set(dir, { mode, owner: u.name });
  }

  /** Writes through a temp file and a rename in the same folder, as the scripts do. */
  writeFile(u: VUser, path: string, content: string, mode: number): void {
    const dir = parentOf(path);
    if (!this.state.dirs.has(dir)) throw new ExecError(`mktemp: failed to create file via template '${dir}/.clh.XXXXXX': No such file or directory`, 1);
    if (!this.canWriteDir(u, dir)) throw new ExecError(`mktemp: failed to create file via template '${dir}/.clh.XXXXXX': Permission denied`, 1);
    this.state.files.set(path, { content, mode, owner: u.name });
  }
}
