/**
 * Host key checking against the text of an OpenSSH known_hosts file, following OpenSSH's
 * hostfile.c / match.c: the name looked up is `host` for port 22 and `[host]:port` otherwise
 * (never both), patterns are comma-separated with `*`, `?` and `!negation`, hashed entries
 * are `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, markers are `@revoked` and
 * `@cert-authority`, names compare case-insensitively, keys compare on the decoded blob.
 *
 * Pure functions: no file access. The caller reads the file and passes its text.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { fingerprintOfBlob } from './deploy-key.js';

/** Line numbers are 1-based lines of the known_hosts text. */
export type HostKeyVerdict =
  | { kind: 'known'; line: number }
  /** No entry for this host at all: trust on first use is the user's call. */
  | { kind: 'unknown' }
  /** An entry of the same key type holds another key (`expectedFingerprint` is its SHA256). */
  | { kind: 'changed'; line: number; expectedFingerprint: string }
  /** An `@revoked` entry for this host names exactly this key. */
  | { kind: 'revoked'; line: number }
  /** The host is known, but only with other key types: refuse like `changed` (see checkHostKey). */
  | { kind: 'other-type'; knownTypes: string[] };

const HASH_MAGIC = '|1|';
/** OpenSSH requires the salt of a hashed entry to be exactly one SHA-1 output long. */
const SALT_LEN = 20;

type Marker = 'none' | 'revoked' | 'cert-authority';

interface Entry {
  /** 1-based line number in the file. */
  line: number;
  marker: Marker;
  hosts: string;
  type: string;
  blob: Buffer;
}

// ---------------------------------------------------------------------------------------
// Names

/**
 * The name OpenSSH looks up (and writes) for a host: `host` on port 22, `[host]:port`
 * otherwise, lower-cased as ssh does. Refuses names that would break a known_hosts line.
 */
export function hostPatternName(host: string, port: number): string {
  if (typeof host !== 'string' || host === '') throw new Error('host name is empty');
  // Whitespace or a comma would split the pattern field; wildcards/negation/'|'/'@'/'#' would
  // turn a literal name into a pattern, a hash, a marker or a comment; brackets belong to the
  // port form only (pass an IPv6 address bare: "::1").
  // eslint-disable-next-line no-control-regex
  if (/[\s,*?!|#[\]\u0000-\u001f\u007f]/.test(host) || host.startsWith('@')) {
    throw new Error(`host name ${JSON.stringify(host)} cannot appear in known_hosts`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid SSH port ${port}`);
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

// ---------------------------------------------------------------------------------------
// Key blobs

/** The key type named by a public key blob: its first SSH string (e.g. 'ssh-ed25519'). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (!Buffer.isBuffer(blob) || blob.length < 4) throw new Error('malformed public key blob');
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || len > blob.length - 4) throw new Error('malformed public key blob');
  const type = blob.subarray(4, 4 + len).toString('latin1');
  if (!/^[\x21-\x7e]+$/.test(type)) throw new Error('malformed public key blob');
  return type;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const buf = Buffer.from(text, 'base64');
  if (buf.toString('base64').replace(/=+$/, '') !== text.replace(/=+$/, '')) return undefined;
  return buf;
}

// ---------------------------------------------------------------------------------------
// Parsing

/** Parses the entry lines, skipping comments, blank lines and lines ssh would reject. */
function parseEntries(text: string): Entry[] {
  const entries: Entry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').replace(/\r$/, '');
    const trimmed = raw.replace(/^[ \t]+/, '');
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/[ \t]+/).filter((f) => f !== '');
    let marker: Marker = 'none';
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue; // unknown marker: OpenSSH ignores the line
    }
    const [hosts, type, data] = fields;
    if (hosts === undefined || type === undefined || data === undefined) continue;
    const blob = decodeBase64(data);
    if (blob === undefined) continue;
    let blobType: string;
    try {
      blobType = keyTypeOfBlob(blob);
    } catch {
      continue;
    }
    // OpenSSH refuses a line whose type field disagrees with the key it carries.
    if (blobType !== type) continue;
    entries.push({ line: i + 1, marker, hosts, type, blob });
  }
  return entries;
}

// ---------------------------------------------------------------------------------------
// Matching

/** OpenSSH's match_pattern: `*` any run (also empty), `?` exactly one character, all else literal. */
function matchPattern(s: string, p: string): boolean {
  // Iterative wildcard match with single-star backtracking: linear-ish, no regex, no ReDoS.
  let si = 0;
  let pi = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === s[si])) {
      si++;
      pi++;
    } else if (pi < p.length && p[pi] === '*') {
      starP = pi++;
      starS = si;
    } else if (starP !== -1) {
      pi = starP + 1;
      si = ++starS;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** OpenSSH's match_hostname: 1 when a positive pattern matches, -1 when a negated one does, else 0. */
function matchHostList(name: string, list: string): 1 | 0 | -1 {
  let positive = false;
  for (let sub of list.toLowerCase().split(',')) {
    let negated = false;
    if (sub.startsWith('!')) {
      negated = true;
      sub = sub.slice(1);
    }
    if (matchPattern(name, sub)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

/** `|1|salt|hash` matched against a name: recompute HMAC-SHA1(salt, name). */
function matchHashed(name: string, field: string): boolean {
  const parts = field.split('|');
  if (parts.length !== 4 || parts[0] !== '' || parts[1] !== '1') return false;
  const salt = decodeBase64(parts[2] ?? '');
  const hash = decodeBase64(parts[3] ?? '');
  if (salt === undefined || hash === undefined || salt.length !== SALT_LEN || hash.length !== 20) return false;
  const mine = createHmac('sha1', salt).update(name).digest();
  return timingSafeEqual(mine, hash);
}

function hostMatches(entry: Entry, name: string): boolean {
  if (entry.hosts.startsWith('|')) return matchHashed(name, entry.hosts);
  return matchHostList(name, entry.hosts) === 1;
}

const entriesFor = (text: string, host: string, port: number): Entry[] => {
  const name = hostPatternName(host, port);
  return parseEntries(text).filter((e) => hostMatches(e, name));
};

// ---------------------------------------------------------------------------------------
// Public API

/**
 * The verdict on a host key presented by `host:port`, in OpenSSH's order:
 * a matching `@revoked` entry refuses the key; else any plain entry with the same key is
 * `known`; else a plain entry of the same type with another key means `changed`; else the
 * host known only with other key types is `other-type`; else `unknown`.
 * `@cert-authority` lines take no part in plain key matching.
 *
 * `other-type` is NOT a new host: OpenSSH 9.2 refuses it as "REMOTE HOST IDENTIFICATION HAS
 * CHANGED" (measured: host known as RSA or ECDSA, server made to present Ed25519). Never
 * accept it on first use. Offer ssh2 only the `knownKeyTypes` of a known host so an honest
 * server presents one of them and this verdict cannot arise.
 */
export function checkHostKey(knownHostsText: string, host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const type = keyTypeOfBlob(keyBlob);
  const entries = entriesFor(knownHostsText, host, port);

  const revoked = entries.find((e) => e.marker === 'revoked' && e.blob.equals(keyBlob));
  if (revoked) return { kind: 'revoked', line: revoked.line };

  const plain = entries.filter((e) => e.marker === 'none');
  const same = plain.find((e) => e.blob.equals(keyBlob));
  if (same) return { kind: 'known', line: same.line };

  const changed = plain.find((e) => e.type === type);
  if (changed) return { kind: 'changed', line: changed.line, expectedFingerprint: fingerprintOfBlob(changed.blob) };

  if (plain.length > 0) return { kind: 'other-type', knownTypes: uniqueTypes(plain) };
  return { kind: 'unknown' };
}

const uniqueTypes = (entries: Entry[]): string[] => [...new Set(entries.map((e) => e.type))];

/**
 * Key types recorded for the host (plain entries only, file order, no duplicates), e.g.
 * ['ssh-ed25519', 'ssh-rsa']. These are key types, not ssh2 algorithm names: an 'ssh-rsa'
 * key is negotiated as 'rsa-sha2-512' / 'rsa-sha2-256' (or legacy 'ssh-rsa').
 */
export function knownKeyTypes(knownHostsText: string, host: string, port: number): string[] {
  return uniqueTypes(entriesFor(knownHostsText, host, port).filter((e) => e.marker === 'none'));
}

/**
 * One known_hosts line (no newline): `host ssh-ed25519 AAAA...`, or hashed
 * `|1|salt|hash ssh-ed25519 AAAA...`. A hashed line uses a random 20-byte salt unless one is given.
 */
export function formatKnownHostsLine(
  host: string,
  port: number,
  keyBlob: Buffer,
  opts?: { hashed?: boolean; salt?: Buffer },
): string {
  const name = hostPatternName(host, port);
  const type = keyTypeOfBlob(keyBlob);
  const key = `${type} ${keyBlob.toString('base64')}`;
  if (!opts?.hashed) {
    if (opts?.salt !== undefined) throw new Error('a salt is only used for hashed known_hosts entries');
    return `${name} ${key}`;
  }
  const salt = opts.salt ?? randomBytes(SALT_LEN);
  if (salt.length !== SALT_LEN) throw new Error(`a known_hosts salt must be ${SALT_LEN} bytes`);
  const hash = createHmac('sha1', salt).update(name).digest('base64');
  return `${HASH_MAGIC}${salt.toString('base64')}|${hash} ${key}`;
}

/**
 * True when the file already holds hashed entries (ssh's HashKnownHosts is on, or was), so a
 * new entry should be hashed too rather than reveal the host name beside them.
 */
export function prefersHashed(knownHostsText: string): boolean {
  return parseEntries(knownHostsText).some((e) => e.hosts.startsWith(HASH_MAGIC));
}

/** Double-quotes a word for POSIX sh (and PowerShell, for plain paths): escapes \ " $ `. */
const dquote = (s: string): string => `"${s.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;

/**
 * The command that removes the host's entries, as OpenSSH suggests it:
 * `ssh-keygen -f "/home/u/.ssh/known_hosts" -R "[1.2.3.4]:2222"`. A leading `~/` becomes
 * `$HOME/` because a quoted `~` is not expanded by the shell.
 */
export function removeHostCommand(host: string, port: number, file: string): string {
  const name = hostPatternName(host, port);
  let path: string;
  if (file === '~') path = '"$HOME"';
  else if (file.startsWith('~/')) path = `"$HOME/${dquote(file.slice(2)).slice(1)}`;
  else path = dquote(file);
  return `ssh-keygen -f ${path} -R ${dquote(name)}`;
}
