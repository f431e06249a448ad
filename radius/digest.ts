/**
 * The one place the RADIUS layer touches `node:crypto`: MD5 (RFC 1321) as RADIUS uses it for the
 * authenticators (RFC 2865 section 3) and the hiding schemes (RFC 2865 s5.2, RFC 2548 s2.4.2,
 * RFC 2868 s3.5), HMAC-MD5 (RFC 2104) for Message-Authenticator (RFC 3579 section 3.2), and a
 * constant-time comparison for everything received.
 *
 * Hashes are fed in parts so that callers never concatenate a packet just to hash it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A RADIUS shared secret: octets, or a string taken as UTF-8. Never logged. */
export type RadiusSecret = string | Uint8Array;

export function md5(...parts: readonly (Uint8Array | string)[]): Buffer {
  const h = createHash('md5');
  for (const part of parts) h.update(part);
  return h.digest();
}

export function hmacMd5(key: RadiusSecret, ...parts: readonly Uint8Array[]): Buffer {
  const h = createHmac('md5', key);
  for (const part of parts) h.update(part);
  return h.digest();
}

/** Equal length and equal octets, in time that does not depend on where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/** Source of random octets; injectable so tests can fix authenticators and salts. */
export type RandomSource = (size: number) => Buffer;

export const cryptoRandom: RandomSource = (size) => randomBytes(size);
