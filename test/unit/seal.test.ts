/**
 * sealSecret against libsodium directly: a generated keypair, crypto_box_seal_open, and the
 * ORIGINAL base64 alphabet on both sides (GitHub's public key comes in it and GitHub only
 * accepts it back; libsodium's own default is URL-safe).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import sodium from 'libsodium-wrappers';
import { sealSecret } from '../../src/github/seal.js';
import { Sensitive } from '../../src/sensitive.js';

const ORIGINAL_B64 = /^[A-Za-z0-9+/]+={0,2}$/;

before(async () => {
  await sodium.ready;
});

function keypair(): { publicB64: string; publicKey: Uint8Array; privateKey: Uint8Array } {
  const kp = sodium.crypto_box_keypair();
  return { publicB64: sodium.to_base64(kp.publicKey, sodium.base64_variants.ORIGINAL), publicKey: kp.publicKey, privateKey: kp.privateKey };
}

function open(sealedB64: string, kp: { publicKey: Uint8Array; privateKey: Uint8Array }): string {
  const sealed = sodium.from_base64(sealedB64, sodium.base64_variants.ORIGINAL);
  return sodium.to_string(sodium.crypto_box_seal_open(sealed, kp.publicKey, kp.privateKey));
}

test('a sealed value opens with the keypair to the same value', async () => {
  const kp = keypair();
  const sealed = await sealSecret(new Sensitive('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'), kp.publicB64);
  assert.equal(open(sealed, kp), 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
});

test('the output is ORIGINAL base64 (only A-Z a-z 0-9 + / =, padded), never URL-safe', async () => {
  const kp = keypair();
  // 64 seals of varying length: every padding case and, with near certainty, both '+' and '/'.
  let sawPlusOrSlash = false;
  for (let i = 0; i < 64; i++) {
    const sealed = await sealSecret(new Sensitive('x'.repeat(i)), kp.publicB64);
    assert.match(sealed, ORIGINAL_B64);
    assert.equal(sealed.length % 4, 0, 'padded to a multiple of 4');
    if (/[+/]/.test(sealed)) sawPlusOrSlash = true;
    assert.equal(open(sealed, kp), 'x'.repeat(i));
  }
  assert.ok(sawPlusOrSlash, 'the standard alphabet was used (no "-" or "_" in its place)');
});

test('a URL-safe public key (with "-" or "_") is rejected rather than misread', async () => {
  // Find a key whose URL-safe spelling differs from the original one.
  let urlSafe = '';
  for (let i = 0; i < 200 && !/[-_]/.test(urlSafe); i++) {
    urlSafe = sodium.to_base64(sodium.crypto_box_keypair().publicKey, sodium.base64_variants.URLSAFE);
  }
  assert.match(urlSafe, /[-_]/);
  await assert.rejects(sealSecret(new Sensitive('v'), urlSafe));
  await assert.rejects(sealSecret(new Sensitive('v'), urlSafe.replace(/=+$/, '')), 'URL-safe without padding is rejected too');
});

test('a key in the original alphabet but without padding: rejected, or sealed to the same key', async () => {
  const kp = keypair();
  const unpadded = kp.publicB64.replace(/=+$/, '');
  assert.notEqual(unpadded, kp.publicB64, 'a 32-byte key always has padding to drop');
  // Only sealSecret's own outcome is caught; the checks on a sealed value stay outside, so
  // a value sealed to the wrong key fails the test instead of counting as "rejected".
  const outcome = await sealSecret(new Sensitive('v'), unpadded).then(
    (sealed) => ({ sealed }),
    (error: unknown) => ({ error }),
  );
  if ('error' in outcome) {
    assert.ok(outcome.error instanceof Error && !(outcome.error instanceof assert.AssertionError), String(outcome.error));
    return;
  }
  assert.match(outcome.sealed, ORIGINAL_B64);
  assert.equal(open(outcome.sealed, kp), 'v');
});

test('unicode, newlines, CRLF, NUL and an empty value round-trip byte for byte', async () => {
  const kp = keypair();
  const values = [
    'pässwörd-Ωμέγα-日本語-🔑',
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
    'line1\r\nline2\r\n',
    'a\u0000b',
    '',
    `p@ss:w/o#rd?%"'$(id)\`x\``,
    'é'.repeat(10_000),
  ];
  for (const v of values) {
    const sealed = await sealSecret(new Sensitive(v), kp.publicB64);
    assert.match(sealed, ORIGINAL_B64);
    assert.equal(open(sealed, kp), v);
    // A sealed box is the value plus 48 bytes (ephemeral public key + MAC), counted in UTF-8 bytes.
    assert.equal(sodium.from_base64(sealed, sodium.base64_variants.ORIGINAL).length, Buffer.byteLength(v, 'utf8') + sodium.crypto_box_SEALBYTES);
  }
});

test('sealing twice gives different ciphertexts (fresh ephemeral key each time)', async () => {
  const kp = keypair();
  const a = await sealSecret(new Sensitive('same'), kp.publicB64);
  const b = await sealSecret(new Sensitive('same'), kp.publicB64);
  assert.notEqual(a, b);
  assert.equal(open(a, kp), 'same');
  assert.equal(open(b, kp), 'same');
});

test('a value sealed to one key does not open with another', async () => {
  const kp = keypair();
  const other = keypair();
  const sealed = await sealSecret(new Sensitive('v'), kp.publicB64);
  assert.throws(() => open(sealed, other));
});
