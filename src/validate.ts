/**
 * Validators return a problem text (what is wrong and how to fix it) or undefined.
 * They are shared by the flag parser, the --yes checks and the wizard's live validation.
 */
export type Check = (value: string) => string | undefined;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export const isIPv4 = (v: string): boolean => IPV4.test(v);
export const isIPv6 = (v: string): boolean => /^\[?[0-9a-f:.]+\]?$/i.test(v) && v.includes(':') && v.replace(/[[\]]/g, '').split(':').length >= 3;

/** A public DNS name: the kind LetsEncrypt issues a certificate for. */
export const dnsName: Check = (raw) => {
  const v = raw.replace(/\.$/, '');
  if (!v) return 'is empty: give the public DNS name of the host, e.g. app.example.org';
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]*)/i.exec(v);
  if (url) return `"${v}" is a URL: give only the name${url[1] ? `, ${url[1]}` : ''} (drop ${v.slice(0, v.indexOf('//') + 2)}${/[/:?#]/.test(v.slice(url[0].length)) ? ' and what follows the name' : ''})`;
  if (isIPv4(v) || isIPv6(v))
    return `is an IP address (${v}); LetsEncrypt needs a DNS name: point an A record at the host and give its name here (use --ssh-host for the IP)`;
  if (v.length > 253) return 'is longer than 253 characters';
  const labels = v.split('.');
  if (labels.length < 2) return `"${v}" has no domain: give a full DNS name such as app.example.org`;
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined)
    return `"${v}" is not a DNS name: each dot-separated part is 1-63 letters, digits or hyphens, not starting or ending with a hyphen (bad part: "${bad}")`;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return `"${v}" ends in a number, so it is not a DNS name`;
  return undefined;
};

/** A host to reach: a DNS name, a single-label name, or an IP address. `where` names the user and port fields. */
export const hostAddress =
  (where: { user: string; port: string }): Check =>
  (v) => {
    if (!v) return 'is empty: give a host name or an IP address';
    if (isIPv4(v) || isIPv6(v)) return undefined;
    if (/[\s@/:]/.test(v)) return `"${v}" is not a host name or IP address (no user@, scheme or :port here; use ${where.user} and ${where.port})`;
    return v.split('.').every((l) => LABEL.test(l)) ? undefined : `"${v}" is not a valid host name`;
  };

/** Where SSH connects (--ssh-host). */
export const sshAddress: Check = hostAddress({ user: '--user', port: '--ssh-port' });

export const port: Check = (v) => {
  if (!/^\d+$/.test(v)) return `"${v}" is not a port number (1-65535)`;
  const n = Number(v);
  return n >= 1 && n <= 65535 ? undefined : `${n} is outside the port range 1-65535`;
};

/** Login names as useradd accepts them on Debian/Ubuntu (NAME_REGEX). */
export const unixUser: Check = (v) =>
  /^[a-z_][a-z0-9_-]{0,31}$/.test(v)
    ? undefined
    : `"${v}" is not a Linux user name (lowercase letters, digits, _ and -, starting with a letter or _, at most 32)`;

const RESERVED_EMAIL_DOMAINS = /(^|\.)(example\.(com|org|net)|localhost|invalid|test|local)$/i;

export const email: Check = (v) => {
  const m = /^([^@\s]+)@([^@\s]+)$/.exec(v);
  if (!m) return `"${v}" is not an email address`;
  // Goes into a compose file and a shell line: keep to the characters real addresses use.
  if (!/^[A-Za-z0-9._%+-]+$/.test(m[1]!)) return `"${v}" has characters before the @ that this tool does not pass on (use letters, digits and . _ % + -)`;
  const domain = m[2]!;
  if (RESERVED_EMAIL_DOMAINS.test(domain))
    return `${v} uses a reserved domain (${domain}); LetsEncrypt rejects it: give an address you read, it gets certificate expiry notices`;
  if (dnsName(domain)) return `"${v}" has no valid domain after the @`;
  return undefined;
};

/** owner/name as GitHub allows them. */
export const repo: Check = (v) => {
  const m = /^([^/]+)\/([^/]+)$/.exec(v);
  if (!m) return `"${v}" is not owner/name (e.g. acme/my-app)`;
  const [, owner, name] = m as unknown as [string, string, string];
  if (!/^(?!-)(?!.*--)[A-Za-z0-9-]{1,39}(?<!-)$/.test(owner))
    return `"${owner}" is not a GitHub owner name (letters, digits and single hyphens, at most 39)`;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name) || name === '.' || name === '..')
    return `"${name}" is not a GitHub repository name (letters, digits, ., _ and -)`;
  return undefined;
};

/** Parses owner/name out of every remote URL shape git prints for GitHub and GHES. */
export function repoFromRemote(url: string): string | undefined {
  const m =
    /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^/:]+(?::\d+)?[:/](?<owner>[^/]+)\/(?<name>[^/]+?)(?:\.git)?\/?$/i.exec(url.trim());
  const candidate = m?.groups ? `${m.groups.owner}/${m.groups.name}` : undefined;
  return candidate && !repo(candidate) ? candidate : undefined;
}

export const target: Check = (v) =>
  ['aws', 'azure', 'sftp'].includes(v) ? undefined : `"${v}" is not a storage target: use aws, azure or sftp`;

export const apiUrl: Check = (v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:' ? undefined : `"${v}" is not an http(s) URL`;
  } catch {
    return `"${v}" is not a URL (e.g. https://github.example.com/api/v3)`;
  }
};

/**
 * The mix workflows paste secrets into shell lines (`echo "X=${{ secrets.X }}" >> .env`)
 * and compose files, so these characters break a release even though GitHub accepts them.
 */
export const shellSafeSecret: Check = (v) => {
  if (!v) return 'is empty: give the value';
  if (/[\r\n]/.test(v)) return 'contains a line break';
  const bad = /["`$\\]/.exec(v);
  return bad
    ? `contains ${bad[0]}, which breaks the release workflow's shell line (echo "NAME=value" >> .env); use a value without " \` $ \\`
    : undefined;
};
