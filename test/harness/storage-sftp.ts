// An SFTP server for Litestream tests: the real OpenSSH sshd of sshd.ts, started with its
// `sftpStorage` option: one SFTP-only account ('storage') that logs in with a password
// (`Match User` block; every other user stays pubkey-only), chrooted to its root, which is
// DIR/sftp outside. The root is root-owned (ChrootDirectory requires it), so the account can
// write only in the directories created for it (default ['MyApp.sqlite']): the compose files'
// URL sftp://USER:PASS@HOST:PORT/MyApp.sqlite names the absolute path /MyApp.sqlite, which
// Litestream 0.3.13 uses as is (no home-relative path).
//
//   const sftp = await startSftp();                   // needs root, like sshd.ts
//   const t = sftp.target('MyApp.sqlite');            // { url: 'sftp://storage:<percent-encoded>@127.0.0.1:PORT/MyApp.sqlite', config: { url }, env: {} }
//   sftp.target('MyApp.sqlite', { password: 'wrong' });  sftp.target('x', { raw: true }) // password not encoded
//   await sftp.list('MyApp.sqlite/');  await sftp.remove('MyApp.sqlite/');  await sftp.stop();

import { chown, mkdir, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { sshdAvailable, startSshd, type TestHost } from './sshd.js';
import type { ReplicaTarget, StorageServer } from './storage.js';

/** Has every character the traps list for URLs (@ : / # ? %), a space, a `$` and a `+`; "%41" must stay literal. */
export const DEFAULT_SFTP_PASSWORD = 'Pa$$ w@rd:/#?%41+!x';

export interface SftpOverride {
  user?: string;
  password?: string;
  /** Port in the URL (e.g. a closed one). */
  port?: number;
  host?: string;
  /** Put user and password into the URL as they are (what the compose file does with SFTP_PASSWORD), not percent-encoded. */
  raw?: boolean;
}

export interface SftpStorage extends StorageServer<SftpOverride> {
  kind: 'sftp';
  user: string;
  password: string;
  /** Same as user / password (the compose file's SFTP_USERNAME / SFTP_PASSWORD). */
  credentials: { user: string; password: string };
  /** The account's root (its `/`) as seen from here. */
  root: string;
  /** The sshd test host behind it (log: sshd.readLog()). */
  sshd: TestHost;
  /** Creates a directory (path relative to the account's root) owned by the account. */
  mkdir(path: string): Promise<void>;
}

export const sftpAvailable = sshdAvailable;

export async function startSftp(opts: { user?: string; password?: string; dirs?: string[] } = {}): Promise<SftpStorage> {
  const password = opts.password ?? DEFAULT_SFTP_PASSWORD;
  const dirs = opts.dirs ?? ['MyApp.sqlite'];
  const h = await startSshd({ sftpStorage: { user: opts.user ?? 'storage', password, dirs } });
  const acct = h.sftp!;
  const root = acct.root;
  const protectedDirs = new Set(dirs.map((d) => d.replace(/\/+$/, '')));

  const walk = async (): Promise<{ files: string[]; dirs: string[] }> => {
    const files: string[] = [];
    const ds: string[] = [];
    const go = async (p: string) => {
      for (const e of await readdir(p, { withFileTypes: true }).catch(() => [])) {
        const full = join(p, e.name);
        const rel = relative(root, full).split(sep).join('/');
        if (e.isDirectory()) {
          ds.push(rel);
          await go(full);
        } else files.push(rel);
      }
    };
    await go(root);
    return { files: files.sort(), dirs: ds };
  };

  const s: SftpStorage = {
    kind: 'sftp',
    host: '127.0.0.1',
    port: h.port,
    pid: h.sshdPid,
    dir: h.dir,
    user: acct.user,
    password,
    credentials: { user: acct.user, password },
    root,
    sshd: h,
    target(path: string, o: SftpOverride = {}): ReplicaTarget {
      const u = o.user ?? acct.user;
      const p = o.password ?? password;
      const enc = o.raw ? (x: string) => x : encodeURIComponent;
      const url = `sftp://${enc(u)}:${enc(p)}@${o.host ?? '127.0.0.1'}:${o.port ?? h.port}/${path}`;
      return { url, config: { url }, env: {} };
    },
    async list(prefix = '') {
      return (await walk()).files.filter((f) => f.startsWith(prefix));
    },
    async remove(prefix: string) {
      const { files, dirs: ds } = await walk();
      const gone = files.filter((f) => f.startsWith(prefix));
      for (const f of gone) await unlink(join(root, f));
      // Directories too (Litestream lists generations as directories), deepest first; the
      // account's writable dirs stay.
      for (const d of ds.filter((x) => `${x}/`.startsWith(prefix) || x.startsWith(prefix)).sort((a, b) => b.length - a.length)) {
        if (!protectedDirs.has(d)) await rmdir(join(root, d)).catch(() => rm(join(root, d), { recursive: true, force: true }));
      }
      return gone.length;
    },
    async mkdir(path: string) {
      let cur = root;
      for (const part of path.split('/').filter(Boolean)) {
        cur = join(cur, part);
        await mkdir(cur, { recursive: true });
        await chown(cur, acct.uid, acct.gid);
      }
      protectedDirs.add(path.replace(/\/+$/, ''));
    },
    stop: () => h.stop(),
  };
  return s;
}
