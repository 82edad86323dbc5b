// An Azure Blob Storage emulator for Litestream tests: Azurite 3.35.0 (npm `azurite`, the blob
// service only, the last release that runs on Node 20) in its own process on
// 127.0.0.1:<kernel-chosen port>, data in a temp dir, one storage account with a key made up
// per start (AZURITE_ACCOUNTS), telemetry off.
//
// Litestream 0.3.13's abs replica takes `endpoint:` in litestream.yml (abs/replica_client.go:
// NewServiceURL(endpoint).NewContainerURL(bucket)), so for an emulator the endpoint is the
// path-style account URL http://127.0.0.1:PORT/ACCOUNT. The replica URL stays
// abs://ACCOUNT@CONTAINER/PATH as in the compose files, the key comes from
// LITESTREAM_AZURE_ACCOUNT_KEY.
//
//   const az = await startAzurite();                  // container 'litestream-test' exists
//   const t = az.target('MyApp.sqlite');              // { url: 'abs://ACCOUNT@litestream-test/MyApp.sqlite', config: { url, endpoint }, env }
//   az.target('MyApp.sqlite', { accountKey: wrongKey });
//   await az.list('MyApp.sqlite/');  await az.remove('MyApp.sqlite/');  await az.stop();

import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { requirementError, startDaemon, trackDir, untrackDir } from './proc.js';
import type { ReplicaTarget, StorageServer } from './storage.js';

const API_VERSION = '2021-08-06';

export interface AzureOverride {
  accountName?: string;
  accountKey?: string;
  container?: string;
  /** Endpoint port (e.g. a closed one). */
  port?: number;
  /** Endpoint URL as a whole; null leaves `endpoint:` out (Litestream then uses https://ACCOUNT.blob.core.windows.net). */
  endpoint?: string | null;
}

export interface AzureStorage extends StorageServer<AzureOverride> {
  kind: 'abs';
  accountName: string;
  /** Base64, like a real account key. */
  accountKey: string;
  /** Same as accountName / accountKey (the compose file's AZURE_STORAGEACCOUNT / AZURE_ACCOUNT_KEY). */
  credentials: { accountName: string; accountKey: string };
  container: string;
  /** Path-style account URL for litestream.yml `endpoint:`: http://127.0.0.1:PORT/ACCOUNT */
  endpoint: string;
  createContainer(name: string): Promise<void>;
  deleteContainer(name: string): Promise<void>;
  /** A signed request to the blob service (path relative to the account, e.g. '/container?restype=container'). */
  request(method: string, path: string, opts?: { headers?: Record<string, string>; body?: Buffer }): Promise<{ status: number; body: string }>;
}

function azuriteMain(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('azurite/package.json');
    return join(dirname(pkg), 'dist', 'src', 'blob', 'main.js');
  } catch {
    return null;
  }
}

export function azuriteAvailable(): boolean {
  return azuriteMain() !== null;
}

/** Shared Key signature (https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key), path-style emulator URL. */
function sign(accountName: string, accountKey: string, method: string, url: URL, headers: Record<string, string>): string {
  const h = (name: string) => {
    const v = headers[name] ?? headers[name.toLowerCase()] ?? '';
    return name.toLowerCase() === 'content-length' && v === '0' ? '' : v;
  };
  const msHeaders = Object.keys(headers)
    .filter((k) => k.toLowerCase().startsWith('x-ms-'))
    .map((k) => [k.toLowerCase(), headers[k]!.trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}:${v}\n`)
    .join('');
  const params = new Map<string, string[]>();
  for (const [k, v] of url.searchParams) params.set(k.toLowerCase(), [...(params.get(k.toLowerCase()) ?? []), v]);
  const query = [...params.keys()]
    .sort()
    .map((k) => `\n${k}:${params.get(k)!.sort().join(',')}`)
    .join('');
  const resource = `/${accountName}${url.pathname}${query}`;
  const toSign = [
    method.toUpperCase(),
    h('Content-Encoding'),
    h('Content-Language'),
    h('Content-Length'),
    h('Content-MD5'),
    h('Content-Type'),
    h('Date'),
    h('If-Modified-Since'),
    h('If-Match'),
    h('If-None-Match'),
    h('If-Unmodified-Since'),
    h('Range'),
  ].join('\n') + '\n' + msHeaders + resource;
  return createHmac('sha256', Buffer.from(accountKey, 'base64')).update(toSign, 'utf8').digest('base64');
}

export async function startAzurite(opts: { container?: string; containers?: string[]; startTimeoutMs?: number } = {}): Promise<AzureStorage> {
  const main = azuriteMain();
  if (!main) throw requirementError('Azure storage harness', ['azurite (npm ci)']);
  const container = opts.container ?? 'litestream-test';
  const accountName = `harness${randomBytes(4).toString('hex')}`;
  const accountKey = randomBytes(64).toString('base64');
  const dir = await mkdtemp(join(tmpdir(), 'harness-azurite-'));
  trackDir(dir);
  const d = startDaemon(
    [process.execPath, main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--location', dir, '--silent', '--loose', '--skipApiVersionCheck', '--disableTelemetry', '--disableProductStyleUrl'],
    { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, AZURITE_ACCOUNTS: `${accountName}:${accountKey}` } },
  );
  let port: number;
  try {
    port = Number((await d.waitFor(/successfully listens on http:\/\/127\.0\.0\.1:(\d+)/, opts.startTimeoutMs ?? 30_000))[1]);
  } catch (e) {
    await d.stop(500);
    await rm(dir, { recursive: true, force: true });
    untrackDir(dir);
    throw e;
  }
  const endpoint = `http://127.0.0.1:${port}/${accountName}`;

  const request: AzureStorage['request'] = async (method, path, o = {}) => {
    const url = new URL(endpoint + path);
    const body = o.body ?? Buffer.alloc(0);
    const headers: Record<string, string> = {
      'x-ms-date': new Date().toUTCString(),
      'x-ms-version': API_VERSION,
      ...(method === 'PUT' || method === 'POST' ? { 'Content-Length': String(body.length) } : {}),
      ...o.headers,
    };
    headers.Authorization = `SharedKey ${accountName}:${sign(accountName, accountKey, method, url, headers)}`;
    const res = await fetch(url, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(body) });
    return { status: res.status, body: await res.text() };
  };
  const must = async (what: string, p: Promise<{ status: number; body: string }>, ok: number[]) => {
    const r = await p;
    if (!ok.includes(r.status)) throw new Error(`azurite ${what}: HTTP ${r.status} ${r.body}`);
    return r;
  };

  const listBlobs = async (prefix: string): Promise<string[]> => {
    const names: string[] = [];
    let marker = '';
    do {
      const q = `restype=container&comp=list&prefix=${encodeURIComponent(prefix)}${marker ? `&marker=${encodeURIComponent(marker)}` : ''}`;
      const r = await must('list blobs', request('GET', `/${container}?${q}`), [200]);
      for (const m of r.body.matchAll(/<Blob>\s*<Name>([^<]*)<\/Name>/g)) names.push(decodeXml(m[1]!));
      marker = decodeXml(/<NextMarker>([^<]*)<\/NextMarker>/.exec(r.body)?.[1] ?? '');
    } while (marker);
    return names.sort();
  };

  let stopped = false;
  const az: AzureStorage = {
    kind: 'abs',
    host: '127.0.0.1',
    port,
    pid: d.pid,
    dir,
    accountName,
    accountKey,
    credentials: { accountName, accountKey },
    container,
    endpoint,
    request,
    target(path: string, o: AzureOverride = {}): ReplicaTarget {
      const account = o.accountName ?? accountName;
      const url = `abs://${account}@${o.container ?? container}/${path}`;
      const config: Record<string, unknown> = { url };
      const ep = o.endpoint === undefined ? (o.port ? `http://127.0.0.1:${o.port}/${account}` : `http://127.0.0.1:${port}/${account}`) : o.endpoint;
      if (ep !== null) config.endpoint = ep;
      return { url, config, env: { LITESTREAM_AZURE_ACCOUNT_KEY: o.accountKey ?? accountKey } };
    },
    list: (prefix = '') => listBlobs(prefix),
    async remove(prefix: string) {
      const names = await listBlobs(prefix);
      for (const n of names) await must(`delete ${n}`, request('DELETE', `/${container}/${n.split('/').map(encodeURIComponent).join('/')}`), [202, 404]);
      return names.length;
    },
    async createContainer(name: string) {
      await must(`create container ${name}`, request('PUT', `/${name}?restype=container`), [201, 409]);
    },
    async deleteContainer(name: string) {
      await must(`delete container ${name}`, request('DELETE', `/${name}?restype=container`), [202, 404]);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await d.stop();
      await rm(dir, { recursive: true, force: true });
      untrackDir(dir);
    },
  };
  try {
    for (const c of [container, ...(opts.containers ?? [])]) await az.createContainer(c);
  } catch (e) {
    await az.stop();
    throw e;
  }
  return az;
}

function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? '');
}
