/**
 * The deploy key: an Ed25519 pair whose private half becomes the `DEPLOY_KEY` Actions secret
 * and whose public half goes into the host's authorized_keys.
 *
 * ssh2's `utils.generateKeyPairSync('ed25519')` writes a broken private key about one time
 * in 200 (it strips leading zero bytes of the public key; mscdex/ssh2 #1390, #1513), so the
 * key comes from node:crypto (a random 32-byte seed, not `generateKeyPairSync`: see below)
 * and this module writes the OpenSSH private key format itself (PROTOCOL.key). Every
 * generated key is parsed back with ssh2 and used to sign and verify before it is returned.
 *
 * The private key only ever leaves this module wrapped in `Sensitive`.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import ssh2, { type ParsedKey } from 'ssh2';
import { Sensitive } from '../sensitive.js';

export interface DeployKeyPair {
  /** OpenSSH private key, unencrypted, LF line endings, base64 wrapped at 70 columns, final newline. */
  privateKey: Sensitive;
  /** `ssh-ed25519 AAAA... COMMENT` on one line, no newline (no trailing space when the comment is empty). */
  publicKey: string;
  /** `SHA256:...` exactly as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  comment: string;
}

const KEY_TYPE = 'ssh-ed25519';
const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const END = '-----END OPENSSH PRIVATE KEY-----';
/** OpenSSH wraps the base64 body of its private keys at 70 columns. */
const WRAP = 70;
/** Block size of the "none" cipher: the private section is padded to a multiple of it. */
const BLOCK = 8;
const MAX_ATTEMPTS = 5;
/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** SPKI DER prefix of an Ed25519 public key; the 32-byte key follows. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// ---------------------------------------------------------------------------------------
// SSH wire encoding (RFC 4251 §5)

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
};

const sshString = (data: Buffer | string): Buffer => {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([u32(bytes.length), bytes]);
};

class Reader {
  #pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly what: string,
  ) {}
  get remaining(): number {
    return this.buf.length - this.#pos;
  }
  uint32(): number {
    if (this.remaining < 4) throw new Error(`${this.what}: truncated`);
    const n = this.buf.readUInt32BE(this.#pos);
    this.#pos += 4;
    return n;
  }
  bytes(): Buffer {
    const len = this.uint32();
    if (len > this.remaining) throw new Error(`${this.what}: truncated`);
    const out = this.buf.subarray(this.#pos, this.#pos + len);
    this.#pos += len;
    return out;
  }
  text(): string {
    return this.bytes().toString('utf8');
  }
  rest(): Buffer {
    const out = this.buf.subarray(this.#pos);
    this.#pos = this.buf.length;
    return out;
  }
}

/** The SSH public key blob of an Ed25519 key: string "ssh-ed25519", string pub32. */
const ed25519Blob = (pub: Buffer): Buffer => Buffer.concat([sshString(KEY_TYPE), sshString(pub)]);

// ---------------------------------------------------------------------------------------
// Fingerprints

/** `SHA256:` + unpadded base64 of the SHA-256 of a public key blob, as `ssh-keygen -l` prints. */
export function fingerprintOfBlob(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes strict base64 (the alphabet, optional padding, no junk); throws otherwise. */
function decodeBase64Strict(text: string, what: string): Buffer {
  if (!BASE64.test(text)) throw new Error(`${what}: not base64`);
  const buf = Buffer.from(text, 'base64');
  if (buf.toString('base64').replace(/=+$/, '') !== text.replace(/=+$/, '')) {
    throw new Error(`${what}: not canonical base64`);
  }
  return buf;
}

/**
 * Fingerprint of an authorized_keys / known_hosts style public key line: `type base64 [comment]`.
 * The type field must agree with the type named inside the blob.
 */
export function fingerprintOfPublicKey(line: string): string {
  const fields = line.trim().split(/[ \t]+/);
  const [type, data] = fields;
  if (type === undefined || data === undefined || type === '') {
    throw new Error('public key line: expected "type base64 [comment]"');
  }
  const blob = decodeBase64Strict(data, 'public key line');
  let inner: string;
  try {
    inner = new Reader(blob, 'public key blob').text();
  } catch {
    throw new Error('public key line: malformed key blob');
  }
  if (inner !== type) throw new Error(`public key line: type "${type}" does not match the key blob ("${inner}")`);
  return fingerprintOfBlob(blob);
}

// ---------------------------------------------------------------------------------------
// Writing the OpenSSH private key format

/** Refuses comments that would break the one-line public key or the authorized_keys entry. */
function checkComment(comment: string): void {
  if (typeof comment !== 'string') throw new TypeError('deploy key comment must be a string');
  // CR/LF would split the public key line; NUL and other controls have no business there.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/.test(comment)) {
    throw new Error('deploy key comment must not contain newlines or control characters');
  }
  if (comment !== comment.trim()) throw new Error('deploy key comment must not start or end with whitespace');
  if (Buffer.byteLength(comment, 'utf8') > 1024) throw new Error('deploy key comment is too long (1024 bytes at most)');
}

const wrap = (text: string, width: number): string[] => {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines;
};

/**
 * Encodes an Ed25519 key in the OpenSSH private key format (PROTOCOL.key), unencrypted.
 * Exported for tests (byte-for-byte comparison with ssh-keygen's output); callers use
 * `generateDeployKey`. `checkint` defaults to a random value, as ssh-keygen does.
 */
export function encodeEd25519PrivateKey(seed: Buffer, pub: Buffer, comment: string, checkint?: number): string {
  if (seed.length !== 32 || pub.length !== 32) throw new Error('Ed25519 seed and public key must be 32 bytes each');
  checkComment(comment);
  const check = checkint ?? randomBytes(4).readUInt32BE(0);
  const pubBlob = ed25519Blob(pub);
  const unpadded = Buffer.concat([
    u32(check),
    u32(check),
    sshString(KEY_TYPE),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  const padLen = (BLOCK - (unpadded.length % BLOCK)) % BLOCK;
  const padding = Buffer.alloc(padLen);
  for (let i = 0; i < padLen; i++) padding[i] = i + 1;
  const privSection = Buffer.concat([unpadded, padding]);
  const body = Buffer.concat([
    MAGIC,
    sshString('none'), // ciphername
    sshString('none'), // kdfname
    sshString(Buffer.alloc(0)), // kdfoptions
    u32(1), // number of keys
    sshString(pubBlob),
    sshString(privSection),
  ]);
  return [BEGIN, ...wrap(body.toString('base64'), WRAP), END].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------
// Reading it back

interface DecodedKey {
  seed: Buffer;
  pub: Buffer;
  comment: string;
}

/** Parses an unencrypted OpenSSH Ed25519 private key strictly. Error messages never quote key material. */
function decodeEd25519PrivateKey(pem: string): DecodedKey {
  const text = pem.replace(/\r\n/g, '\n').trim();
  const lines = text.split('\n');
  if (lines[0] !== BEGIN || lines[lines.length - 1] !== END || lines.length < 3) {
    throw new Error('private key: not an OpenSSH private key (BEGIN/END OPENSSH PRIVATE KEY lines missing)');
  }
  const b64 = lines.slice(1, -1).map((l) => l.trim()).join('');
  const data = decodeBase64Strict(b64, 'private key');
  try {
    return decodeBody(data);
  } finally {
    data.fill(0); // the seed is in there
  }
}

function decodeBody(data: Buffer): DecodedKey {
  if (data.length < MAGIC.length || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error('private key: bad magic (not openssh-key-v1)');
  }
  const r = new Reader(data.subarray(MAGIC.length), 'private key');
  const cipher = r.text();
  const kdf = r.text();
  const kdfOptions = r.bytes();
  if (cipher !== 'none' || kdf !== 'none' || kdfOptions.length !== 0) {
    throw new Error('private key: encrypted keys are not supported (expected cipher "none")');
  }
  if (r.uint32() !== 1) throw new Error('private key: expected exactly one key');
  const pubBlob = r.bytes();
  const priv = r.bytes();
  if (r.remaining !== 0) throw new Error('private key: trailing data after the private section');

  const pb = new Reader(pubBlob, 'private key: public blob');
  if (pb.text() !== KEY_TYPE) throw new Error(`private key: not an ${KEY_TYPE} key`);
  const pub = pb.bytes();
  if (pub.length !== 32 || pb.remaining !== 0) throw new Error('private key: malformed public blob');

  if (priv.length % BLOCK !== 0) throw new Error('private key: private section is not padded to the block size');
  const pr = new Reader(priv, 'private key: private section');
  if (pr.uint32() !== pr.uint32()) throw new Error('private key: check integers differ');
  if (pr.text() !== KEY_TYPE) throw new Error(`private key: private section is not an ${KEY_TYPE} key`);
  const pub2 = pr.bytes();
  const both = pr.bytes();
  const comment = pr.text();
  const padding = pr.rest();
  if (pub2.length !== 32 || !pub2.equals(pub)) throw new Error('private key: public keys in the two sections differ');
  if (both.length !== 64 || !both.subarray(32).equals(pub)) throw new Error('private key: malformed private key field');
  if (padding.length >= BLOCK || padding.some((b, i) => b !== i + 1)) throw new Error('private key: bad padding');
  return { seed: Buffer.from(both.subarray(0, 32)), pub: Buffer.from(pub), comment };
}

function privateKeyFromSeed(seed: Buffer): KeyObject {
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/** The raw 32-byte Ed25519 public key, from the fixed-layout SPKI DER encoding. */
function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  if (der.length !== SPKI_ED25519_PREFIX.length + 32 || !der.subarray(0, SPKI_ED25519_PREFIX.length).equals(SPKI_ED25519_PREFIX)) {
    throw new Error('unexpected Ed25519 public key encoding');
  }
  return Buffer.from(der.subarray(SPKI_ED25519_PREFIX.length));
}

/**
 * `ssh-ed25519 AAAA...` (no comment) for a private key in our format. The public key is
 * derived from the private seed and must equal the one stored in the file, so a match proves
 * the private key belongs to that public key.
 */
export function publicKeyFromPrivate(pem: string | Sensitive): string {
  const { seed, pub } = decodeEd25519PrivateKey(pem instanceof Sensitive ? pem.reveal() : pem);
  let derived: Buffer;
  try {
    derived = rawPublicKey(createPublicKey(privateKeyFromSeed(seed)));
  } finally {
    seed.fill(0);
  }
  if (!derived.equals(pub)) throw new Error('private key: the stored public key does not belong to the private key');
  return `${KEY_TYPE} ${ed25519Blob(pub).toString('base64')}`;
}

// ---------------------------------------------------------------------------------------
// Generating

/** Why ssh2 cannot use this key as the owner of `pubBlob`, or undefined when it can. */
function problemWith(pem: string, pubBlob: Buffer, publicKey: KeyObject): string | undefined {
  const parsed = ssh2.utils.parseKey(pem);
  if (parsed instanceof Error) return `ssh2 cannot parse it: ${parsed.message}`;
  const key = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
  if (!key || key instanceof Error || typeof key !== 'object') return 'ssh2 returned no key';
  const k = key as ParsedKey;
  if (k.type !== KEY_TYPE) return `ssh2 sees type ${k.type}`;
  if (!k.isPrivateKey()) return 'ssh2 does not see a private key';
  if (!k.getPublicSSH().equals(pubBlob)) return 'ssh2 sees a different public key';
  const data = randomBytes(32);
  // ssh2 returns (not throws) an Error from sign/verify, and an Error is truthy: compare exactly.
  const sig: unknown = k.sign(data);
  if (!Buffer.isBuffer(sig) || sig.length !== 64) return 'ssh2 could not sign with it';
  if (k.verify(data, sig) !== true) return 'ssh2 could not verify its own signature';
  // Independently of ssh2: the signature verifies with node:crypto under the public key.
  if (!cryptoVerify(null, data, publicKey, sig)) return 'its signature does not verify under the public key';
  return undefined;
}

/**
 * Throws unless ssh2 parses `privateKey` as the Ed25519 key of `publicKey` ("ssh-ed25519 AAAA..."
 * with or without comment) and it signs data that verifies under that public key. This is
 * the check every generated key passes; use it on a key read back from storage too.
 */
export function assertDeployKeyWorks(privateKey: string | Sensitive, publicKey: string): void {
  const [type, data] = publicKey.trim().split(/[ \t]+/);
  if (type !== KEY_TYPE || data === undefined) throw new Error(`deploy key check: expected an ${KEY_TYPE} public key`);
  const blob = decodeBase64Strict(data, 'deploy key check: public key');
  const r = new Reader(blob, 'deploy key check: public key');
  if (r.text() !== KEY_TYPE) throw new Error('deploy key check: public key blob is not ssh-ed25519');
  const pub = r.bytes();
  if (pub.length !== 32 || r.remaining !== 0) throw new Error('deploy key check: malformed public key blob');
  const nodeKey = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, pub]), format: 'der', type: 'spki' });
  const problem = problemWith(privateKey instanceof Sensitive ? privateKey.reveal() : privateKey, blob, nodeKey);
  if (problem !== undefined) throw new Error(`deploy key check: ${problem}`);
}

/** Generates a validated Ed25519 deploy key pair. Throws if `comment` contains a newline or control character. */
export function generateDeployKey(comment: string): DeployKeyPair {
  checkComment(comment);
  let lastProblem = '';
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // An Ed25519 private key is 32 random bytes (RFC 8032 §5.1.5), exactly what
    // generateKeyPairSync does inside OpenSSL. It is not used here: on Node 20 a GC during a
    // later export of its key can run the keygen job's destructor, which takes the key's
    // mutex the export already holds, and the process hangs forever (seen here).
    const seed = randomBytes(32);
    const privateKey = privateKeyFromSeed(seed);
    const publicKey = createPublicKey(privateKey);
    const pub = rawPublicKey(publicKey);
    const pem = encodeEd25519PrivateKey(seed, pub, comment);
    seed.fill(0);
    const blob = ed25519Blob(pub);
    const problem = problemWith(pem, blob, publicKey);
    if (problem !== undefined) {
      lastProblem = problem;
      continue;
    }
    const b64 = blob.toString('base64');
    return {
      privateKey: new Sensitive(pem),
      publicKey: comment === '' ? `${KEY_TYPE} ${b64}` : `${KEY_TYPE} ${b64} ${comment}`,
      fingerprint: fingerprintOfBlob(blob),
      comment,
    };
  }
  throw new Error(`could not generate a valid deploy key in ${MAX_ATTEMPTS} attempts: ${lastProblem}`);
}
