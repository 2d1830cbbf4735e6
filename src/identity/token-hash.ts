/**
 * Hashing and comparing secrets. Tokens are only ever kept as sha256 digests
 * (cache keys, static-token lookups), and compared in constant time so that a
 * caller cannot learn a secret byte by byte from response times.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Constant-time equality of two strings of any length: both are hashed first,
 * so neither their content nor their length shows in the timing.
 */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/**
 * A cache key over several credential parts. Each part is length-prefixed, so
 * that ("ab", "c") and ("a", "bc") never collide.
 */
export function credentialKey(parts: readonly (string | undefined)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    if (part === undefined) hash.update('-;');
    else hash.update(`${Buffer.byteLength(part, 'utf8')}:`).update(part, 'utf8').update(';');
  }
  return hash.digest('hex');
}

/**
 * What audit records carry instead of a token: the first 16 hex digits of its
 * sha256, enough to tell attempts apart and to match a token one holds
 * (`printf %s "$TOKEN" | sha256sum | cut -c1-16`), too little to look it up.
 */
export function tokenFingerprint(token: string): string {
  return sha256(token).toString('hex').slice(0, 16);
}
