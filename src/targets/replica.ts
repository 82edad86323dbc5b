import { parse } from 'yaml';
import type { TargetId } from './index.js';

/**
 * The Litestream sidecar as the repository's compose file declares it: the image the host
 * will pull and the replica URL and environment with `${VAR}` still in them. The check runs
 * exactly these, with the values the user gave, so it tries what the sidecar will try.
 */
export interface Sidecar {
  service: string;
  image: string;
  /** undefined: unpinned (docker pulls `latest`). */
  tag: string | undefined;
  url: string;
  env: Record<string, string>;
  /** The app's service: the one that waits for the sidecar (depends_on), else one sharing its volume. */
  app?: string;
  /**
   * A service run on its own before the app (a compose profile, e.g. the templates'
   * `--AppTasks=migrate`) that writes the sidecar's volume without waiting for it: on a host
   * without a database it makes a new one before Litestream's restore could run.
   */
  migration?: string;
}

const IMAGE = /^(?:docker\.io\/)?litestream\/litestream(?::([\w][\w.-]*))?$/;

const words = (c: unknown): string[] =>
  (Array.isArray(c) ? c.map(String) : typeof c === 'string' ? [c] : []).flatMap((s) => s.trim().split(/\s+/));

const volumesOf = (s: Record<string, unknown> | undefined): string[] =>
  (Array.isArray(s?.volumes) ? s.volumes : []).map((v) => String(typeof v === 'object' && v ? (v as { source?: unknown }).source : v).split(':')[0]!);

function appOf(services: Record<string, Record<string, unknown>>, sidecar: string): { app?: string } {
  const others = Object.entries(services).filter(([n, s]) => n !== sidecar && !s?.profiles);
  const waits = others.find(([, s]) => dependsOn(s, sidecar));
  const mine = volumesOf(services[sidecar]);
  const shares = others.find(([, s]) => volumesOf(s).some((v) => mine.includes(v)));
  const app = (waits ?? shares)?.[0];
  const migration = Object.entries(services).find(([n, s]) => n !== sidecar && s?.profiles && !dependsOn(s, sidecar) && volumesOf(s).some((v) => mine.includes(v)))?.[0];
  return { ...(app ? { app } : {}), ...(migration ? { migration } : {}) };
}

function dependsOn(s: Record<string, unknown>, other: string): boolean {
  const d = s.depends_on;
  return Array.isArray(d) ? d.map(String).includes(other) : !!d && typeof d === 'object' && other in d;
}

/** The sidecar of a compose file; undefined when it has none (or is not YAML). */
export function findSidecar(compose: string | undefined): Sidecar | undefined {
  if (!compose) return undefined;
  let doc: unknown;
  try {
    doc = parse(compose);
  } catch {
    return undefined;
  }
  const services = (doc as { services?: Record<string, Record<string, unknown>> } | null)?.services;
  if (!services || typeof services !== 'object') return undefined;
  for (const [service, s] of Object.entries(services)) {
    const m = IMAGE.exec(String(s?.image ?? ''));
    if (!m) continue;
    const cmd = [...words(s.command), ...words((s.healthcheck as { test?: unknown } | undefined)?.test)];
    const url = cmd.find((w) => /^(s3|abs|sftp|gcs|file|webdav):\/\//.test(w));
    if (!url) continue;
    const env: Record<string, string> = {};
    const e = s.environment;
    if (Array.isArray(e)) for (const kv of e.map(String)) { const i = kv.indexOf('='); if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1); }
    else if (e && typeof e === 'object') for (const [k, v] of Object.entries(e)) env[k] = v === null ? '' : String(v);
    return { service, image: String(s.image), tag: m[1], url, env, ...appOf(services, service) };
  }
  return undefined;
}

/** Compose's interpolation for what the templates use: `${VAR}`, `${VAR:-default}`, `$VAR`, `$$`. */
export function interpolate(text: string, values: (name: string) => string | undefined): { text: string; missing: string[] } {
  const missing: string[] = [];
  const out = text.replace(/\$\$|\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (all, braced: string | undefined, dflt: string | undefined, bare: string | undefined) => {
    if (all === '$$') return '$';
    const name = (braced ?? bare)!;
    const v = values(name);
    if (v === undefined || v === '') {
      if (dflt !== undefined) return dflt;
      missing.push(name);
      return '';
    }
    return v;
  });
  return { text: out, missing };
}

/** Litestream's releases, as far as restoring goes. */
export interface LitestreamVersion {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

export function parseVersion(text: string): LitestreamVersion | undefined {
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? { major: +m[1]!, minor: +m[2]!, patch: +m[3]!, text: `v${m[1]}.${m[2]}.${m[3]}` } : undefined;
}

export const isV03 = (v: LitestreamVersion): boolean => v.major === 0 && v.minor <= 3;

/**
 * Whether an image restores a replica written by 0.3 (generations/): 0.3 does; 0.5.7+ does
 * for S3 only; for Azure Blob and SFTP no 0.5 release does (Litestream #933, PRs #1074/#1075).
 */
export function restoresV03(v: LitestreamVersion, target: TargetId): boolean {
  if (isV03(v)) return true;
  if (target !== 'aws') return false;
  return v.major > 0 || v.minor > 5 || (v.minor === 5 && v.patch >= 7);
}

export const PINNED_V03 = 'litestream/litestream:0.3.13';
