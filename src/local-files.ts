import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

/**
 * The one rule for every local file the program reads (known_hosts, keys, env file, saved
 * state): only a missing file means "nothing there". Any other failure (no permission, a
 * folder, an I/O error) stops the run before anything is trusted or changed: reading an
 * unreadable known_hosts as empty would trust a changed host key.
 */
export function unreadable(path: string, what: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  const fix =
    code === 'EACCES' || code === 'EPERM'
      ? `Make it readable by this user (check \`ls -l ${path}\`; a file made by \`sudo\` may need \`sudo chown "$USER" ${path}\`)`
      : code === 'EISDIR'
        ? 'It is a folder: give the path of a file'
        : `Check the file (${code ?? 'error'}), then re-run`;
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : (e as Error).message;
  return new UsageError(`${what} ${path} cannot be read: ${why}`, fix);
}

export async function readLocal(path: string, what: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(path, what, e);
  }
}

export async function readLocalText(path: string, what: string): Promise<string | undefined> {
  return (await readLocal(path, what))?.toString('utf8');
}

