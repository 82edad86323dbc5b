// An S3-compatible server for Litestream tests: @20minutes/s3rver 4.0.4 (see s3rver-main.cjs
// for why this one and the listing fix) in its own node process on 127.0.0.1:<kernel-chosen
// port>, data in a temp dir, one access key pair made up per start.
//
//   const s3 = await startS3();                       // bucket 'litestream-test' exists
//   const t = s3.target('MyApp.sqlite');              // { url: 's3://litestream-test/MyApp.sqlite', config: { url, endpoint, region }, env }
//   s3.target('MyApp.sqlite', { secretAccessKey: 'wrong' });
//   await s3.list('MyApp.sqlite/');  await s3.remove('MyApp.sqlite/');  await s3.stop();

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirementError, startDaemon, trackDir, untrackDir } from './proc.js';
import type { ReplicaTarget, StorageServer } from './storage.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const MAIN = join(HERE, 's3rver-main.cjs');
const OBJECT_SUFFIX = '._S3rver_object';

export interface S3Override {
  bucket?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Endpoint port (e.g. a closed one). */
  port?: number;
  /** Endpoint URL as a whole. */
  endpoint?: string;
  /** Region in litestream.yml, default 'us-east-1'; null leaves it out. */
  region?: string | null;
}

export interface S3Storage extends StorageServer<S3Override> {
  kind: 's3';
  bucket: string;
  /** http://127.0.0.1:PORT */
  endpoint: string;
  region: string;
  /** The only key pair the server accepts (the compose file's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Creates another (empty) bucket. */
  createBucket(name: string): Promise<void>;
  /** Deletes a bucket and everything in it. */
  deleteBucket(name: string): Promise<void>;
}

export function s3Available(): boolean {
  return s3Missing().length === 0;
}

function s3Missing(): string[] {
  try {
    createRequire(import.meta.url).resolve('@20minutes/s3rver');
    return [];
  } catch {
    return ['@20minutes/s3rver (npm ci)'];
  }
}

export async function startS3(opts: { bucket?: string; buckets?: string[]; startTimeoutMs?: number } = {}): Promise<S3Storage> {
  const missing = s3Missing();
  if (missing.length) throw requirementError('S3 storage harness', missing);
  const bucket = opts.bucket ?? 'litestream-test';
  const credentials = {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
  const dir = await mkdtemp(join(tmpdir(), 'harness-s3-'));
  trackDir(dir);
  const data = join(dir, 'data');
  await mkdir(data);
  const d = startDaemon([process.execPath, MAIN], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      S3_DIR: data,
      S3_ACCESS_KEY_ID: credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      S3_BUCKETS: [bucket, ...(opts.buckets ?? [])].join(','),
      S3_LOG: process.env.HARNESS_S3_LOG === '1' ? '1' : '0',
    },
  });
  let port: number;
  try {
    port = Number((await d.waitFor(/S3RVER_LISTENING (\d+)/, opts.startTimeoutMs ?? 15_000))[1]);
  } catch (e) {
    await d.stop(500);
    await rm(dir, { recursive: true, force: true });
    untrackDir(dir);
    throw e;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const region = 'us-east-1';

  const objectFiles = async (root: string): Promise<string[]> => {
    const out: string[] = [];
    const walk = async (p: string) => {
      for (const e of await readdir(p, { withFileTypes: true }).catch(() => [])) {
        const full = join(p, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.name.endsWith(OBJECT_SUFFIX)) out.push(full);
      }
    };
    await walk(root);
    return out;
  };
  const keyOf = (file: string) => relative(join(data, bucket), file).split(sep).join('/').slice(0, -OBJECT_SUFFIX.length);

  let stopped = false;
  const s3: S3Storage = {
    kind: 's3',
    host: '127.0.0.1',
    port,
    pid: d.pid,
    dir,
    bucket,
    endpoint,
    region,
    credentials,
    target(path: string, o: S3Override = {}): ReplicaTarget {
      const b = o.bucket ?? bucket;
      const url = `s3://${b}/${path}`;
      const config: Record<string, unknown> = { url, endpoint: o.endpoint ?? (o.port ? `http://127.0.0.1:${o.port}` : endpoint) };
      const r = o.region === undefined ? region : o.region;
      if (r !== null) config.region = r;
      return {
        url,
        config,
        env: {
          LITESTREAM_ACCESS_KEY_ID: o.accessKeyId ?? credentials.accessKeyId,
          LITESTREAM_SECRET_ACCESS_KEY: o.secretAccessKey ?? credentials.secretAccessKey,
        },
      };
    },
    async list(prefix = '') {
      const files = await objectFiles(join(data, bucket));
      return files.map(keyOf).filter((k) => k.startsWith(prefix)).sort();
    },
    async remove(prefix: string) {
      const files = (await objectFiles(join(data, bucket))).filter((f) => keyOf(f).startsWith(prefix));
      for (const f of files) {
        const base = f.slice(0, -OBJECT_SUFFIX.length);
        await Promise.all([f, `${f}.md5`, `${base}._S3rver_metadata.json`].map((x) => rm(x, { force: true })));
      }
      return files.length;
    },
    async createBucket(name: string) {
      await mkdir(join(data, name), { recursive: true });
    },
    async deleteBucket(name: string) {
      await rm(join(data, name), { recursive: true, force: true });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await d.stop();
      await rm(dir, { recursive: true, force: true });
      untrackDir(dir);
    },
  };
  if (!existsSync(join(data, bucket)) || !(await stat(join(data, bucket))).isDirectory()) {
    await s3.stop();
    throw new Error(`s3rver did not create bucket ${bucket}`);
  }
  return s3;
}
