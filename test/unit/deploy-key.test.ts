import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import ssh2 from 'ssh2';
import {
  assertDeployKeyWorks,
  encodeEd25519PrivateKey,
  fingerprintOfBlob,
  fingerprintOfPublicKey,
  generateDeployKey,
  publicKeyFromPrivate,
  type DeployKeyPair,
} from '../../src/host/deploy-key.js';

const BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const END = '-----END OPENSSH PRIVATE KEY-----';

/** Independent reader of the test's own: the 32-byte public key and seed inside a PEM. */
function rawParts(pem: string): { pub: Buffer; seed: Buffer; checkA: number; checkB: number; padding: Buffer } {
  const body = Buffer.from(pem.split('\n').slice(1, -2).join(''), 'base64');
  let p = 15; // "openssh-key-v1\0"
  const str = (buf: Buffer): Buffer => {
    const n = buf.readUInt32BE(p);
    const out = buf.subarray(p + 4, p + 4 + n);
    p += 4 + n;
    return out;
  };
  str(body); // cipher
  str(body); // kdf
  str(body); // kdf options
  p += 4; // nkeys
  str(body); // public blob
  const priv = str(body);
  assert.equal(p, body.length, 'nothing after the private section');
  p = 0;
  const checkA = priv.readUInt32BE(0);
  const checkB = priv.readUInt32BE(4);
  p = 8;
  str(priv); // type
  const pub = Buffer.from(str(priv));
  const both = str(priv);
  str(priv); // comment
  return { pub, seed: Buffer.from(both.subarray(0, 32)), checkA, checkB, padding: priv.subarray(p) };
}

const blobOf = (publicKey: string): Buffer => Buffer.from(publicKey.split(' ')[1]!, 'base64');

function checkKey(k: DeployKeyPair, comment: string): void {
  const pem = k.privateKey.reveal();
  // Text shape: LF only, final newline, 70-column wrapping.
  assert.ok(!pem.includes('\r'), 'no CR');
  assert.ok(pem.endsWith(`\n${END}\n`), 'ends with the END line and one newline');
  assert.ok(pem.startsWith(`${BEGIN}\n`));
  const lines = pem.split('\n');
  assert.equal(lines.pop(), '', 'final newline');
  const body = lines.slice(1, -1);
  for (const [i, l] of body.entries()) {
    if (i < body.length - 1) assert.equal(l.length, 70, `line ${i + 1} is 70 columns`);
    else assert.ok(l.length > 0 && l.length <= 70, 'last line 1..70 columns');
    assert.match(l, /^[A-Za-z0-9+/=]+$/);
  }
  // ssh2 parses it, to the same public key, and it signs and verifies.
  const parsed = ssh2.utils.parseKey(pem);
  assert.ok(!(parsed instanceof Error), `ssh2 parses: ${(parsed as Error).message}`);
  assert.equal(parsed.type, 'ssh-ed25519');
  assert.equal(parsed.comment, comment);
  assert.ok(parsed.isPrivateKey());
  const blob = blobOf(k.publicKey);
  assert.ok(parsed.getPublicSSH().equals(blob), 'ssh2 public blob equals ours');
  const msg = randomBytes(48);
  const sig: unknown = parsed.sign(msg);
  assert.ok(Buffer.isBuffer(sig) && sig.length === 64, 'ssh2 signs');
  assert.equal(parsed.verify(msg, sig), true);
  // Public line, fingerprint.
  assert.equal(k.publicKey, comment ? `ssh-ed25519 ${blob.toString('base64')} ${comment}` : `ssh-ed25519 ${blob.toString('base64')}`);
  assert.ok(!k.publicKey.includes('\n'));
  const expectedFp = 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
  assert.equal(k.fingerprint, expectedFp);
  assert.equal(fingerprintOfPublicKey(k.publicKey), expectedFp);
  assert.equal(k.comment, comment);
  // Our reader gives back the same public key.
  assert.equal(publicKeyFromPrivate(pem), `ssh-ed25519 ${blob.toString('base64')}`);
  assert.equal(parsed.verify(Buffer.from('other data'), sig), false);
  // Structure: equal check integers, padding 1,2,3... to a multiple of 8.
  const parts = rawParts(pem);
  assert.equal(parts.checkA, parts.checkB);
  assert.ok(parts.padding.length < 8);
  parts.padding.forEach((b, i) => assert.equal(b, i + 1));
}

test('2,500 generated keys all parse with ssh2, sign/verify, and have the right shape', (t) => {
  const started = Date.now();
  let leadingZeroPub = 0;
  let leadingZeroSeed = 0;
  const seen = new Set<string>();
  for (let i = 0; i < 2500; i++) {
    const comment = i % 3 === 0 ? '' : `deploy-${i}@litestream host`;
    const k = generateDeployKey(comment);
    checkKey(k, comment);
    const { pub, seed } = rawParts(k.privateKey.reveal());
    if (pub[0] === 0) leadingZeroPub++;
    if (seed[0] === 0) leadingZeroSeed++;
    seen.add(k.publicKey.split(' ')[1]!);
  }
  assert.equal(seen.size, 2500, 'all keys distinct');
  // ~9.8 expected each; P(0) is about e^-9.8 (the forced cases below cover them always).
  assert.ok(leadingZeroPub > 0, 'some keys had a public key starting with 0x00');
  assert.ok(leadingZeroSeed > 0, 'some keys had a seed starting with 0x00');
  t.diagnostic(
    `2500 keys in ${Date.now() - started} ms; ${leadingZeroPub} with a leading zero public byte, ${leadingZeroSeed} with a leading zero seed byte`,
  );
});

test('a public key starting with 0x00 (the ssh2 keygen bug) is written correctly', () => {
  let found: DeployKeyPair | undefined;
  for (let i = 0; i < 20000 && !found; i++) {
    const k = generateDeployKey('zero');
    if (rawParts(k.privateKey.reveal()).pub[0] === 0) found = k;
  }
  assert.ok(found, 'found a key whose public key starts with 0x00');
  checkKey(found, 'zero');
  const blob = blobOf(found.publicKey);
  assert.equal(blob.readUInt32BE(15), 32, 'the public key is stored as a full 32-byte string');
  assert.equal(blob[19], 0);
});

test('forced leading zero bytes in seed and public key survive encoding', () => {
  const pkcs8 = (seed: Buffer) =>
    createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  // Seed with two leading zero bytes.
  const seed = randomBytes(32);
  seed[0] = 0;
  seed[1] = 0;
  // Search a seed whose public key begins 0x00 (expected ~256 tries).
  let zeroPubSeed: Buffer | undefined;
  for (let i = 0; i < 20000 && !zeroPubSeed; i++) {
    const s = randomBytes(32);
    const x = Buffer.from(createPublicKey(pkcs8(s)).export({ format: 'jwk' }).x!, 'base64url');
    if (x[0] === 0) zeroPubSeed = s;
  }
  assert.ok(zeroPubSeed);
  for (const s of [seed, zeroPubSeed, Buffer.alloc(32)]) {
    const pub = Buffer.from(createPublicKey(pkcs8(s)).export({ format: 'jwk' }).x!, 'base64url');
    assert.equal(pub.length, 32);
    const pem = encodeEd25519PrivateKey(s, pub, 'forced');
    const parsed = ssh2.utils.parseKey(pem);
    assert.ok(!(parsed instanceof Error));
    const msg = Buffer.from('hello');
    assert.equal(parsed.verify(msg, parsed.sign(msg)), true);
    assert.deepEqual(rawParts(pem).seed, s);
    assert.deepEqual(rawParts(pem).pub, pub);
    const line = publicKeyFromPrivate(pem);
    assert.ok(parsed.getPublicSSH().equals(blobOf(line)));
  }
});

test('padding covers every length 0..7', () => {
  const pub = Buffer.alloc(32, 1);
  const seed = Buffer.alloc(32, 2);
  const lengths = new Set<number>();
  for (let n = 0; n < 16; n++) {
    const pem = encodeEd25519PrivateKey(seed, pub, 'c'.repeat(n), 0x01020304);
    const { padding, checkA, checkB } = rawParts(pem);
    assert.equal(checkA, 0x01020304);
    assert.equal(checkB, 0x01020304);
    lengths.add(padding.length);
  }
  assert.deepEqual([...lengths].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
});

test('comments with newlines or control characters are refused', () => {
  for (const bad of ['a\nb', 'a\r\nb', 'a\rb', 'trailing\n', 'nul\0', 'esc\x1b[31m', 'ls\u2028', ' lead', 'trail ']) {
    assert.throws(() => generateDeployKey(bad), /comment/, JSON.stringify(bad));
    assert.throws(() => encodeEd25519PrivateKey(Buffer.alloc(32), Buffer.alloc(32), bad), /comment/);
  }
  assert.doesNotThrow(() => generateDeployKey('github-actions deploy key for owner/repo (2026-01-01)'));
  assert.doesNotThrow(() => generateDeployKey('ünïcødé'));
});

test('the private key never prints', () => {
  const k = generateDeployKey('redact-me');
  const pem = k.privateKey.reveal();
  const body = pem.split('\n')[2]!;
  assert.equal(`${k.privateKey}`, '[REDACTED]');
  assert.equal(String(k.privateKey), '[REDACTED]');
  assert.equal(JSON.stringify(k.privateKey), '"[REDACTED]"');
  const json = JSON.stringify(k);
  assert.ok(json.includes('"privateKey":"[REDACTED]"'));
  assert.ok(!json.includes(body) && !json.includes('OPENSSH PRIVATE KEY'));
  const shown = inspect(k, { depth: 5 });
  assert.ok(shown.includes('[REDACTED]') && !shown.includes(body));
  assert.ok(!`${k.privateKey}`.includes('BEGIN'));
});

test('publicKeyFromPrivate accepts CRLF and Sensitive, refuses tampered keys without quoting them', () => {
  const k = generateDeployKey('x');
  const pem = k.privateKey.reveal();
  const expected = k.publicKey.split(' ').slice(0, 2).join(' ');
  assert.equal(publicKeyFromPrivate(pem.replace(/\n/g, '\r\n')), expected);
  assert.equal(publicKeyFromPrivate(k.privateKey), expected);

  const other = generateDeployKey('x');
  const a = rawParts(pem);
  const b = rawParts(other.privateKey.reveal());
  // Seed of one key with the public key of another: must be refused.
  const franken = encodeEd25519PrivateKey(a.seed, b.pub, 'x');
  assert.throws(() => publicKeyFromPrivate(franken), /does not belong/);

  const bodyLine = pem.split('\n')[3]!;
  const bad = [
    '',
    'not a key',
    pem.replace('OPENSSH PRIVATE KEY', 'PRIVATE KEY'),
    pem.split('\n').slice(0, 3).join('\n') + `\n${END}\n`, // truncated
    pem.replace(bodyLine, bodyLine.slice(0, -4) + '!!!!'),
  ];
  for (const t of bad) {
    assert.throws(
      () => publicKeyFromPrivate(t),
      (e: Error) => !e.message.includes(bodyLine) && !e.message.includes(a.seed.toString('base64')),
    );
  }
});

test('fingerprints', () => {
  const k = generateDeployKey('fp');
  const blob = blobOf(k.publicKey);
  assert.equal(fingerprintOfBlob(blob), k.fingerprint);
  assert.ok(!k.fingerprint.includes('='));
  assert.equal(k.fingerprint.length, 'SHA256:'.length + 43);
  assert.equal(fingerprintOfPublicKey(`  ${k.publicKey.replace(' ', '\t')}  `), k.fingerprint);
  assert.equal(fingerprintOfPublicKey(k.publicKey.split(' ').slice(0, 2).join(' ')), k.fingerprint);
  assert.throws(() => fingerprintOfPublicKey(`ssh-rsa ${blob.toString('base64')}`), /does not match/);
  assert.throws(() => fingerprintOfPublicKey('ssh-ed25519'), /expected/);
  assert.throws(() => fingerprintOfPublicKey('ssh-ed25519 not*base64'), /base64/);
});

test('assertDeployKeyWorks accepts good keys and refuses broken or mismatched ones', () => {
  const k = generateDeployKey('check');
  assertDeployKeyWorks(k.privateKey, k.publicKey);
  assertDeployKeyWorks(k.privateKey.reveal(), k.publicKey.split(' ').slice(0, 2).join(' '));
  const other = generateDeployKey('other');
  assert.throws(() => assertDeployKeyWorks(k.privateKey, other.publicKey), /different public key/);

  // What ssh2's own keygen writes for a public key with a leading zero byte: a 31-byte key.
  const { seed, pub } = rawParts(k.privateKey.reveal());
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const str = (b: Buffer | string) => Buffer.concat([u32(Buffer.byteLength(b)), Buffer.from(b)]);
  const short = pub.subarray(1);
  const priv = Buffer.concat([u32(7), u32(7), str('ssh-ed25519'), str(short), str(Buffer.concat([seed, short])), str('')]);
  const padded = Buffer.concat([priv, Buffer.from([1, 2, 3, 4, 5, 6, 7].slice(0, (8 - (priv.length % 8)) % 8))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    str('none'),
    str('none'),
    str(''),
    u32(1),
    str(Buffer.concat([str('ssh-ed25519'), str(short)])),
    str(padded),
  ]).toString('base64');
  const broken = `${BEGIN}\n${body.match(/.{1,70}/g)!.join('\n')}\n${END}\n`;
  assert.throws(() => assertDeployKeyWorks(broken, k.publicKey), /deploy key check: ssh2/);
  assert.throws(() => publicKeyFromPrivate(broken), /private key/);
  assert.throws(() => assertDeployKeyWorks('garbage', k.publicKey), /deploy key check/);
  assert.throws(() => assertDeployKeyWorks(k.privateKey, 'ssh-rsa AAAA'), /expected an ssh-ed25519/);
});
