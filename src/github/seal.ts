import sodium from 'libsodium-wrappers';
import type { Sensitive } from '../sensitive.js';

/**
 * Seals a value for GitHub Actions: crypto_box_seal with the repository's public key,
 * base64 in the ORIGINAL variant on both sides (libsodium's default is URL-safe, which
 * GitHub rejects).
 */
export async function sealSecret(value: Sensitive, repoPublicKeyB64: string): Promise<string> {
  await sodium.ready;
  const key = sodium.from_base64(repoPublicKeyB64, sodium.base64_variants.ORIGINAL);
  const sealed = sodium.crypto_box_seal(sodium.from_string(value.reveal()), key);
  return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL);
}
