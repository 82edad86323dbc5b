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
