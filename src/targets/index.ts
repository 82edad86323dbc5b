import * as v from '../validate.js';

export type TargetId = 'aws' | 'azure' | 'sftp';
export const TARGET_IDS: readonly TargetId[] = ['aws', 'azure', 'sftp'];

export interface StorageField {
  /** The environment variable and the GitHub secret share this name. */
  name: string;
  label: string;
  hint: string;
  example: string;
  /** Masked in prompts; never saved as a default. */
  secret: boolean;
  validate: v.Check;
  /** Looks unusual but may be right (S3-compatible stores): say so, do not block. */
  warn?: (value: string) => string | undefined;
  /** The value as stored in the secret (sftp credentials go inside a URL). */
  encode?: (value: string) => string;
}

export interface Target {
  id: TargetId;
  title: string;
  blurb: string;
  fields: StorageField[];
}

const all = (...checks: v.Check[]): v.Check => (value) => {
  for (const c of checks) {
    const p = c(value);
    if (p) return p;
  }
  return undefined;
};

const s3Bucket: v.Check = (b) => {
  if (b.length < 3 || b.length > 63) return `"${b}" must be 3-63 characters long`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(b))
    return `"${b}" may hold only lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit`;
  if (b.includes('..')) return `"${b}" has two dots in a row`;
  if (v.isIPv4(b)) return `"${b}" is shaped like an IP address, which S3 forbids`;
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(b) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(b))
    return `"${b}" uses a prefix or suffix that S3 reserves`;
  return undefined;
};

const noSpace: v.Check = (x) => (/\s/.test(x) ? 'contains whitespace' : undefined);

const azureAccount: v.Check = (a) =>
  /^[a-z0-9]{3,24}$/.test(a) ? undefined : `"${a}" must be 3-24 lowercase letters and digits (the storage account name, not its URL)`;

const azureContainer: v.Check = (c) => {
  if (c.length < 3 || c.length > 63) return `"${c}" must be 3-63 characters long`;
  if (!/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/.test(c))
    return `"${c}" may hold only lowercase letters, digits and single hyphens, starting and ending with a letter or digit`;
  return undefined;
};

/** RFC 3986 userinfo: everything outside the unreserved set is percent-encoded. */
export const encodeUserinfo = (s: string): string =>
  Array.from(new TextEncoder().encode(s), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');

export const TARGETS: Record<TargetId, Target> = {
  aws: {
    id: 'aws',
    title: 'AWS S3',
    blurb: 'an S3 bucket (or an S3-compatible store) and an IAM access key with read/write to it',
    fields: [
      { name: 'AWS_S3_BUCKET', label: 'S3 bucket', hint: 'Name of the S3 bucket for Litestream to target', example: 'my-bucket-name', secret: false, validate: s3Bucket },
      {
        name: 'AWS_ACCESS_KEY_ID', label: 'Access key id', hint: 'AWS IAM user Access Key for programmatic access', example: 'AKIAIOSFODNN7EXAMPLE', secret: false,
        validate: all(v.shellSafeSecret, noSpace),
        warn: (k) => (/^(AKIA|ASIA)[A-Z0-9]{16}$/.test(k) ? undefined : 'is not shaped like an AWS access key id (AKIA + 16); fine for an S3-compatible store'),
      },
      {
        name: 'AWS_SECRET_ACCESS_KEY', label: 'Secret access key', hint: 'AWS IAM user access secret for programmatic access', example: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', secret: true,
        validate: all(v.shellSafeSecret, noSpace),
        warn: (k) => (k.length === 40 ? undefined : `is ${k.length} characters; AWS secret keys are 40 (fine for an S3-compatible store)`),
      },
    ],
  },
  azure: {
    id: 'azure',
    title: 'Azure Blob Storage',
    blurb: 'a storage account, a blob container in it and one of the account\'s access keys',
    fields: [
      {
        name: 'AZURE_ACCOUNT_KEY', label: 'Account key', hint: 'Azure account key, accessible under Storage Accounts, Access Keys', example: 'tEst123/tEst123/tEst123/tEst123==', secret: true,
        validate: all(v.shellSafeSecret, noSpace, (k) => (/^[A-Za-z0-9+/]+={0,2}$/.test(k) ? undefined : 'is not base64 (copy key1 or key2 from Access keys)')),
        warn: (k) => (k.length === 88 ? undefined : `is ${k.length} characters; Azure account keys are usually 88`),
      },
      { name: 'AZURE_STORAGEACCOUNT', label: 'Storage account', hint: 'Azure Storage Account name', example: 'mystorageaccountname', secret: false, validate: azureAccount },
      { name: 'AZURE_CONTAINER', label: 'Container', hint: 'Azure Storage Container name', example: 'my-storage-container', secret: false, validate: azureContainer },
    ],
  },
  sftp: {
    id: 'sftp',
    title: 'SFTP',
    blurb: 'any SSH server with SFTP: a user name, its password, the host and port',
    fields: [
      {
        name: 'SFTP_USERNAME', label: 'SFTP user', hint: 'SFTP Username for authentication', example: 'username', secret: false,
        validate: (u) => (u ? (/[\r\n]/.test(u) ? 'contains a line break' : undefined) : 'is empty: give the SFTP user name'),
        encode: encodeUserinfo,
      },
      {
        name: 'SFTP_PASSWORD', label: 'SFTP password', hint: 'SFTP Password for authentication', example: 'password', secret: true,
        validate: (p) => (p ? (/[\r\n]/.test(p) ? 'contains a line break' : undefined) : 'is empty: give the SFTP password'),
        // The compose files put it in sftp://user:pass@host:port/...; encoded, any character is safe there and in the workflow's shell lines.
        encode: encodeUserinfo,
      },
      { name: 'SFTP_HOST', label: 'SFTP host', hint: 'SFTP domain name or IP address', example: 'backup.example.org', secret: false, validate: v.hostAddress({ user: 'SFTP_USERNAME', port: 'SFTP_PORT' }) },
      { name: 'SFTP_PORT', label: 'SFTP port', hint: 'SFTP port used to access', example: '22', secret: false, validate: v.port },
    ],
  },
};

export const storageSecretNames = (t: TargetId): string[] => TARGETS[t].fields.map((f) => f.name);

/** Which target a workflow's secret names point at, if exactly one. */
export function targetOfSecrets(names: Iterable<string>): TargetId | undefined {
  const set = new Set(names);
  const hits = TARGET_IDS.filter((t) => storageSecretNames(t).some((n) => set.has(n)));
  return hits.length === 1 ? hits[0] : undefined;
}
