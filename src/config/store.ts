import { randomBytes, scrypt as scryptCb } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { readLocalText } from '../local-files.js';
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

/** Recorded when GitHub's time of our write could not be read: trusted by no later run. */
export const UNKNOWN_WRITE_TIME = 'unknown';

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

/** Where a damaged file is kept, named with the time, so nothing is silently lost. */
const asideName = (path: string, now: Date) => `${path}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;

export interface StoreOptions {
  /** Told when a damaged file was set aside (the run goes on as a first run would). */
  notice?: (message: string) => void;
  now?: () => Date;
}

export function fileStore(dir: string, opts: StoreOptions = {}): Store {
  const now = opts.now ?? (() => new Date());
  // Damaged files are set aside only when this run writes in their place: a dry run writes nothing.
  const damaged = new Map<string, string>();
  const setAside = (path: string, what: string): void => {
    if (damaged.has(path)) return;
    const aside = asideName(path, now());
    damaged.set(path, aside);
    opts.notice?.(`${what} (${path}) is damaged: ${what === 'the digest salt' ? 'every secret counts as changed once' : 'this run goes on as a first run would'}; the file is kept as ${aside} when this run saves`);
  };
  const replace = async (path: string, data: string) => {
    const aside = damaged.get(path);
    if (aside) {
      await rename(path, aside).catch(() => {});
      damaged.delete(path);
    }
    await writePrivateFile(path, data);
  };
  let key: Buffer | undefined;
  let keyIsNew = false;
  const ensureDir = async () => {
    await mkdir(join(dir, 'repos'), { recursive: true, mode: 0o700 });
  };
  let loading: Promise<Buffer> | undefined;
  // One read for all concurrent digests, so they share one salt.
  const salt = (): Promise<Buffer> =>
    (loading ??= (async () => {
      const path = join(dir, 'digest-salt');
      const text = await readLocalText(path, 'saved state');
      if (text !== undefined) {
        const k = Buffer.from(text.trim(), 'hex');
        if (k.length === 32 && /^[0-9a-f]{64}$/i.test(text.trim())) return (key = k);
        setAside(path, 'the digest salt');
      }
      // Made in memory; written with the first save (a dry run writes nothing).
      keyIsNew = true;
      return (key = randomBytes(32));
    })());
  return {
    async load(repo) {
      const path = join(dir, 'repos', fileName(repo));
      const text = await readLocalText(path, 'saved state');
      if (text === undefined) return emptyFile();
      const f = parseRepoFile(text);
      if (f) return f;
      setAside(path, `the saved state of ${repo}`);
      return emptyFile();
    },
    async save(repo, file) {
      await ensureDir();
      if (keyIsNew && key) {
        await replace(join(dir, 'digest-salt'), key.toString('hex') + '\n');
        keyIsNew = false;
      }
      await replace(join(dir, 'repos', fileName(repo)), JSON.stringify(file, null, 2) + '\n');
    },
    digest: async (name, value) => digestOf(await salt(), name, value),
  };
}

const emptyFile = (): RepoFile => ({ defaults: {}, record: { secrets: {} } });

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The file as this program writes it, or undefined for anything else (truncated, edited, another format). */
export function parseRepoFile(text: string): RepoFile | undefined {
  let f: unknown;
  try {
    f = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(f)) return undefined;
  const defaults = f.defaults ?? {};
  const record = f.record ?? {};
  if (!isObject(defaults) || !isObject(record)) return undefined;
  if (Object.values(defaults).some((v) => v !== undefined && typeof v !== 'string')) return undefined;
  const secrets = record.secrets ?? {};
  if (!isObject(secrets) || Object.values(secrets).some((w) => !isObject(w) || typeof w.hmac !== 'string')) return undefined;
  for (const k of ['deployKey', 'pendingKey'] as const) {
    const key = record[k];
    if (key !== undefined && (!isObject(key) || typeof key.publicKey !== 'string' || typeof key.fingerprint !== 'string')) return undefined;
  }
  return { defaults: defaults as RepoFile['defaults'], record: { ...(record as unknown as RepoRecord), secrets: secrets as RepoRecord['secrets'] } };
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
