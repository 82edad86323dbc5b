import type { TargetId } from './index.js';
import { isV03, parseVersion, PINNED_V03, restoresV03, type LitestreamVersion } from './replica.js';

/** What one image's read-only listing printed (see host/litestream.ts for the markers). */
export interface Listing {
  image: string;
  version: LitestreamVersion | undefined;
  versionText: string;
  /** Litestream's `error="…"` texts, unescaped. */
  errors: string[];
  /** Rows below the table header. */
  rows: string[][];
  /** Litestream's exit status (124: the deadline passed); undefined when it never ran. */
  status: number | undefined;
  dockerExit: number | undefined;
  /** What else was printed (docker's own errors). */
  other: string[];
}

export function parseListings(stdout: string): Listing[] {
  const out: Listing[] = [];
  let cur: Listing | undefined;
  for (const line of stdout.split('\n')) {
    const m = /^@@(\w+) ?(.*)$/.exec(line);
    if (m) {
      const [, key, val = ''] = m;
      if (key === 'image') out.push((cur = { image: val, version: undefined, versionText: '', errors: [], rows: [], status: undefined, dockerExit: undefined, other: [] }));
      else if (cur && key === 'version') [cur.versionText, cur.version] = [val, parseVersion(val)];
      else if (cur && key === 'status') cur.status = Number(val);
      else if (cur && key === 'exit') cur.dockerExit = Number(val);
      continue;
    }
    if (!cur || !line.trim()) continue;
    const err = /level=ERROR .*?error="((?:[^"\\]|\\.)*)"/.exec(line) ?? /\bERROR\b.*?error="((?:[^"\\]|\\.)*)"/.exec(line);
    if (err) cur.errors.push(err[1]!.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\(.)/g, '$1'));
    else if (/^(name|replica)\s+generation\b/.test(line) || /^time=|^\d{4}\/\d\d\/\d\d /.test(line)) continue;
    else if (cur.status === undefined && cur.version) cur.rows.push(line.trim().split(/\s+/));
    else cur.other.push(line.trim());
  }
  return out;
}

export type Finding =
  | { kind: 'empty'; version: string; image: string }
  | { kind: 'replica'; version: string; image: string; format: '0.3' | '0.5'; generation?: string; latest?: string }
  | { kind: 'blocked'; reason: string; fix: string; version?: string; image: string; pin?: string };

/** The value a user fixes for each failure class, per target. */
const VALUES: Record<TargetId, { key: string; place: string; network: string }> = {
  aws: { key: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', place: 'AWS_S3_BUCKET', network: 'the S3 endpoint' },
  azure: { key: 'AZURE_ACCOUNT_KEY', place: 'AZURE_CONTAINER (and AZURE_STORAGEACCOUNT)', network: 'AZURE_STORAGEACCOUNT (ACCOUNT.blob.core.windows.net)' },
  sftp: { key: 'SFTP_USERNAME and SFTP_PASSWORD', place: 'SFTP_HOST', network: 'SFTP_HOST and SFTP_PORT' },
};

const firstLine = (e: string): string => {
  const status = /RESPONSE Status: ([^\n]+)/.exec(e);
  return (status ? `${/ServiceCode=(\w+)/.exec(e)?.[1] ?? 'error'}: ${status[1]}` : e.split('\n')[0]!).trim().slice(0, 240);
};

function classifyError(e: string, target: TargetId): { reason: string; fix: string } {
  const v = VALUES[target];
  const quoted = `Litestream said: ${firstLine(e)}`;
  if (/InvalidAccessKeyId/.test(e)) return { reason: `the storage refused the access key id (${quoted})`, fix: 'Check AWS_ACCESS_KEY_ID: copy it again from the IAM user\'s access keys' };
  if (/SignatureDoesNotMatch/.test(e)) return { reason: `the storage refused the secret key (${quoted})`, fix: 'Check AWS_SECRET_ACCESS_KEY: it does not belong to AWS_ACCESS_KEY_ID' };
  if (/NoCredentialProviders|AccessDenied|Server failed to authenticate|AuthenticationFailed|AuthorizationFailure|illegal base64|unable to authenticate/.test(e))
    return { reason: `the storage refused the credentials (${quoted})`, fix: `Check ${v.key}${target === 'aws' ? ' (the IAM user needs s3:ListBucket, GetBucketLocation, GetObject, PutObject, DeleteObject)' : ''}` };
  if (/NoSuchBucket/.test(e)) return { reason: `the bucket does not exist (${quoted})`, fix: 'Check AWS_S3_BUCKET, or create the bucket' };
  if (/ContainerNotFound/.test(e)) return { reason: `the container does not exist (${quoted})`, fix: 'Check AZURE_CONTAINER, or create the container in the storage account' };
  if (/ResourceNotFound|AccountNotFound/.test(e)) return { reason: `the storage account does not exist (${quoted})`, fix: 'Check AZURE_STORAGEACCOUNT (the account name, not its URL)' };
  if (/no such host|connection refused|i\/o timeout|network is unreachable|no route to host|HTTP request failed|send request failed/.test(e))
    return { reason: `no network path from the host to the storage (${quoted})`, fix: `Check ${v.network}, and that the host may connect out to it` };
  if (/invalid userinfo|invalid port|invalid URL escape/.test(e)) return { reason: `the replica URL does not parse (${quoted})`, fix: `Check ${v.key}: the compose file puts them inside the URL` };
  return { reason: `Litestream could not list the replica (${quoted})`, fix: `Check ${v.key} and ${v.place}` };
}

const latestOf = (rows: string[][]): { generation?: string; latest?: string } => {
  // 0.3's table: name generation lag start end; the latest end wins.
  const best = [...rows].filter((r) => r.length >= 5).sort((a, b) => (a[4]! < b[4]! ? 1 : -1))[0];
  return best ? { generation: best[1], latest: best[4] } : {};
};

/** The outcome of the check: blocked (with the value to fix), no replica yet, or a replica that image can restore. */
export function classify(listings: Listing[], target: TargetId): Finding {
  const main = listings[0];
  if (!main) return { kind: 'blocked', image: '?', reason: 'the check printed nothing', fix: 'Run `docker run --rm litestream/litestream version` on the host and fix what it reports' };
  if (!main.version)
    return { kind: 'blocked', image: main.image, reason: `could not run ${main.image}${main.other[0] ? `: ${main.other[0].slice(0, 200)}` : ''}`, fix: `Run \`docker pull ${main.image}\` on the host and fix what it reports` };
  const version = main.version.text;
  if (main.status === 124)
    return { kind: 'blocked', image: main.image, version, reason: 'the storage did not answer in time (no network path?)', fix: `Check ${VALUES[target].network}, and that the host may connect out to it` };
  if (main.errors[0]) return { kind: 'blocked', image: main.image, version, ...classifyError(main.errors[0], target) };
  if (main.rows.length) {
    const format = isV03(main.version) ? '0.3' : '0.5';
    return { kind: 'replica', image: main.image, version, format, ...(format === '0.3' ? latestOf(main.rows) : {}) };
  }
  const old = listings[1];
  if (old?.rows.length && !restoresV03(main.version, target)) {
    const { generation, latest } = latestOf(old.rows);
    return {
      kind: 'blocked',
      image: main.image,
      version,
      reason: `the replica was written by Litestream 0.3 (generation ${generation ?? '?'}, latest ${latest ?? '?'}), and ${main.image} (${version}) cannot restore it: a new host would start with an empty database`,
      fix: `Pin the image in the compose file: image: ${PINNED_V03}`,
      pin: PINNED_V03,
    };
  }
  if (old?.rows.length) return { kind: 'replica', image: main.image, version, format: '0.3', ...latestOf(old.rows) };
  return { kind: 'empty', image: main.image, version };
}
