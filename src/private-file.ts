import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The one way the program writes a file of its own on this machine (saved settings, the
 * digest salt, a deploy key the user keeps): 0600, written whole to a new temp file beside
 * the target ('wx': never through an existing file or symlink), then renamed into place.
 * A failed write removes its temp file.
 */
const inFlight = new Set<Promise<void>>();
let exiting = false;

export function writePrivateFile(path: string, data: string | Buffer): Promise<void> {
  // Once Ctrl-C waits for the writes in flight, a new one would be cut by the exit: it never starts.
  if (exiting) return new Promise<void>(() => {});
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const p = (async () => {
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(tmp, data, { mode: 0o600, flag: 'wx' });
      // The mode given to open() is cut by the umask; 0600 is meant exactly.
      await chmod(tmp, 0o600);
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
  })();
  inFlight.add(p);
  const forget = () => void inFlight.delete(p);
  p.then(forget, forget);
  return p;
}

/**
 * For Ctrl-C: exiting in the middle of a write would leave its temp file (a deploy key,
 * maybe half of one). The writes take milliseconds, so the exit waits for them to finish
 * (whole files, renamed into place), but never longer than `maxMs`.
 */
export function settlePrivateWrites(maxMs: number): Promise<void> {
  exiting = true;
  if (!inFlight.size) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.allSettled([...inFlight]).then(() => {}),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs).unref())),
  ]).finally(() => clearTimeout(timer));
}
