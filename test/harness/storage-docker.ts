// Points the fake docker of a test host (fake-docker.sh → fake-litestream-run.sh) at the real
// Litestream and a real storage server: `docker run … litestream/litestream:* …` then runs the
// v0.3.13 binary, with the server's endpoint added to its config (the program never sees it).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { litestream } from './litestream.js';
import type { TestHost } from './sshd.js';

export async function useRealLitestream(host: TestHost, storage: { endpoint?: string; region?: string } = {}): Promise<void> {
  const dir = host.dockerStateDir;
  await writeFile(join(dir, 'litestream-bin'), `${litestream()}\n`, { mode: 0o644 });
  const lines = [storage.endpoint && `endpoint ${storage.endpoint}`, storage.region && `region ${storage.region}`].filter(Boolean);
  if (lines.length) await writeFile(join(dir, 'storage'), `${lines.join('\n')}\n`, { mode: 0o644 });
}

/**
 * Fake Litestream versions for `docker run litestream/litestream[:TAG]` (fake-litestream-run.sh):
 * `{ latest: 'v0.5.2' }` makes the untagged image answer `litestream version` with v0.5.2 and
 * `litestream ltx …` with nothing, exit 0 (a 0.5 image that sees no LTX replica: it cannot read
 * 0.3 generations). Other tags keep running the real 0.3.13. Replaces any earlier setting;
 * `{}` removes them all. Compose sidecars always run the real 0.3.13.
 */
export async function setLitestreamImageVersions(host: TestHost, versions: Record<string, string>): Promise<void> {
  for (const [tag, v] of Object.entries(versions)) {
    if (!/^[\w.-]+$/.test(tag) || !/^[\w.+-]+$/.test(v)) throw new Error(`setLitestreamImageVersions: bad tag or version ${tag} ${v}`);
  }
  const lines = Object.entries(versions).map(([tag, v]) => `${tag} ${v}\n`).join('');
  await writeFile(join(host.dockerStateDir, 'image-versions'), lines, { mode: 0o644 });
}

/** The 0.5 image of the storage e2e: `litestream/litestream` and `:latest` say v0.5.2. */
export const useLitestream05Image = (host: TestHost, version = 'v0.5.2'): Promise<void> => setLitestreamImageVersions(host, { latest: version });

/** Where the docker stand-in keeps a running container's files, seen from outside (see fake-docker.sh). */
export const containerDir = (host: TestHost, name: string): string => join(host.dockerStateDir, 'ctr', name);

/** The host dir of a compose project's named volume, seen from outside. */
export const volumeDir = (host: TestHost, project: string, volume: string): string => join(host.dockerStateDir, 'volumes', `${project}_${volume}`, '_data');
