/**
 * User-Password hiding, RFC 2865 section 5.2.
 *
 *    0                   1                   2
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Type      |    Length     |  String ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "The password is first padded at the end with nulls to a multiple of 16 octets." With S the
 * shared secret, RA the Request Authenticator and p1, p2 ... the 16-octet blocks:
 *
 *   b1 = MD5(S + RA)       c(1) = p1 xor b1
 *   b2 = MD5(S + c(1))     c(2) = p2 xor b2
 *          .                       .
 *   bi = MD5(S + c(i-1))   c(i) = pi xor bi
 *
 * "The String will contain c(1)+c(2)+...+c(i)". "The String field is between 16 and 128
 * octets long, inclusive." Revealing strips the trailing null padding.
 */
import { md5, type RadiusSecret } from './digest.js';
import { RadiusDecodeError, RadiusEncodeError } from './errors.js';

const BLOCK = 16;
export const MAX_USER_PASSWORD_LENGTH = 128;

function checkRequestAuthenticator(a: Uint8Array): void {
  if (a.byteLength !== 16) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `request authenticator is ${a.byteLength} octets, not 16`);
  }
}

/** The User-Password attribute value for `password` (octets, or a string taken as UTF-8). */
export function hideUserPassword(
  password: Uint8Array | string,
  secret: RadiusSecret,
  requestAuthenticator: Uint8Array,
): Buffer {
  checkRequestAuthenticator(requestAuthenticator);
  const plain = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  if (plain.byteLength > MAX_USER_PASSWORD_LENGTH) {
    throw new RadiusEncodeError('RADIUS_VALUE_TOO_LONG', `password is ${plain.byteLength} octets, max 128`);
  }
  const length = Math.max(BLOCK, Math.ceil(plain.byteLength / BLOCK) * BLOCK);
  const out = Buffer.alloc(length); // zero-filled: the null padding
  out.set(plain, 0);
  let chain: Uint8Array = requestAuthenticator;
  for (let i = 0; i < length; i += BLOCK) {
    const b = md5(secret, chain);
    for (let j = 0; j < BLOCK; j++) out[i + j] = (out[i + j] ?? 0) ^ (b[j] ?? 0);
    chain = out.subarray(i, i + BLOCK);
  }
  return out;
}

/** The password inside a User-Password value, without its null padding. */
export function revealUserPassword(
  hidden: Uint8Array,
  secret: RadiusSecret,
  requestAuthenticator: Uint8Array,
): Buffer {
  checkRequestAuthenticator(requestAuthenticator);
  const length = hidden.byteLength;
  if (length < BLOCK || length > MAX_USER_PASSWORD_LENGTH || length % BLOCK !== 0) {
    throw new RadiusDecodeError('RADIUS_PASSWORD_LENGTH', 0, `User-Password is ${length} octets, not 16..128 in steps of 16`);
  }
  const out = Buffer.allocUnsafe(length);
  let chain: Uint8Array = requestAuthenticator;
  for (let i = 0; i < length; i += BLOCK) {
    const b = md5(secret, chain);
    for (let j = 0; j < BLOCK; j++) out[i + j] = (hidden[i + j] ?? 0) ^ (b[j] ?? 0);
    chain = hidden.subarray(i, i + BLOCK);
  }
  let end = length;
  while (end > 0 && out[end - 1] === 0) end--;
  return out.subarray(0, end);
}
