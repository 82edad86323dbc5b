import { randomBytes, scrypt as scryptCb } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../private-file.js';
import type { Sensitive } from '../sensitive.js';
import type { SavedDefaults } from './settings.js';

/**
 * What the program remembers per repository, in the user's config folder (0700/0600):
 * non-secret answers, and a record of what it wrote. GitHub never shows a secret's value,
 * so to know whether a re-run would change one, the record keeps a digest of each value:
 * scrypt, salted with 32 random bytes kept beside it and the secret's name, so even a
 * human-chosen SFTP password is slow to guess from the file. Never the value itself.
 */
export interface WrittenSecret {
  hmac: string;
  at: string;
}

export interface DeployKeyRecord {
  fingerprint: string;
  publicKey: string;
  at: string;
  /**
   * DEPLOY_KEY's updated_at on GitHub right after our write. If GitHub later shows another
   * time, someone else (another machine, a person) wrote the secret: the record is then not
   * trusted to say which host key is current, and no key is removed on its word.
   */
  secretUpdatedAt?: string;
}

export interface RepoRecord {
  host?: string;
  /** The last release this program triggered: a re-run with nothing to change does not release again. */
  lastRelease?: { runId: number; url: string; conclusion: string | null; at: string };
  deployUser?: string;
  secrets: Record<string, WrittenSecret>;
  deployKey?: DeployKeyRecord;
  /**
   * A new key, saved before it is authorized on the host. If a run stops after writing it
   * to DEPLOY_KEY, the next run sees DEPLOY_KEY's updated_at moved from
   * `secretUpdatedAtBefore` and knows the secret holds this key (no clocks compared); if it
   * stopped before, the rotation is still open and the next run finishes it.
   */
  pendingKey?: DeployKeyRecord & { secretUpdatedAtBefore: string | null };
}

export interface RepoFile {
  defaults: SavedDefaults;
  record: RepoRecord;
}

export interface Store {
  load(repo: string): Promise<RepoFile>;
  save(repo: string, file: RepoFile): Promise<void>;
  digest(name: string, value: Sensitive): Promise<string>;
}

export function configDir(env: Record<string, string | undefined>, home: string): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'create-litestream-host');
}

const fileName = (repo: string) => `${repo.toLowerCase().replace('/', '__')}.json`;

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, o: { N: number }) => Promise<Buffer>;
/** ~20 ms and 16 MiB per value: nothing for a run, a lot for a guesser. */
const digestOf = async (key: Buffer, name: string, value: Sensitive) =>
  (await scrypt(value.reveal(), Buffer.concat([key, Buffer.from(`\0${name}`)]), 32, { N: 2 ** 14 })).toString('base64');

export function fileStore(dir: string): Store {
  let key: Buffer | undefined;
  let keyIsNew = false;
  const ensureDir = async () => {
    await mkdir(join(dir, 'repos'), { recursive: true, mode: 0o700 });
  };
  let loading: Promise<Buffer> | undefined;
  // One read for all concurrent digests, so they share one salt.
  const salt = (): Promise<Buffer> =>
    (loading ??= (async () => {
      try {
        const k = Buffer.from((await readFile(join(dir, 'digest-salt'), 'utf8')).trim(), 'hex');
        if (k.length === 32) return (key = k);
      } catch {
        /* first run */
      }
      // Made in memory; written with the first save (a dry run writes nothing).
      keyIsNew = true;
      return (key = randomBytes(32));
    })());
  return {
    async load(repo) {
      try {
        const f = JSON.parse(await readFile(join(dir, 'repos', fileName(repo)), 'utf8')) as Partial<RepoFile>;
        return { defaults: f.defaults ?? {}, record: { secrets: {}, ...(f.record ?? {}) } };
      } catch {
        return { defaults: {}, record: { secrets: {} } };
      }
    },
    async save(repo, file) {
      await ensureDir();
      if (keyIsNew && key) {
        await writePrivateFile(join(dir, 'digest-salt'), key.toString('hex') + '\n');
        keyIsNew = false;
      }
      await writePrivateFile(join(dir, 'repos', fileName(repo)), JSON.stringify(file, null, 2) + '\n');
    },
    digest: async (name, value) => digestOf(await salt(), name, value),
  };
}

/** For --demo and tests: the same contract, nothing on disk. */
export function memoryStore(): Store {
  const files = new Map<string, string>();
  const key = randomBytes(32);
  return {
    async load(repo) {
      const f = files.get(repo.toLowerCase());
      return f ? (JSON.parse(f) as RepoFile) : { defaults: {}, record: { secrets: {} } };
    },
    async save(repo, file) {
      files.set(repo.toLowerCase(), JSON.stringify(file));
    },
    digest: (name, value) => digestOf(key, name, value),
  };
}
