/**
 * Salt encryption: RFC 2548 section 2.4.2 (MS-MPPE-Send-Key, and 2.4.3 MS-MPPE-Recv-Key) and
 * RFC 2868 section 3.5 (Tunnel-Password), which use the same scheme.
 *
 *   MS-MPPE-Send-Key / -Recv-Key (inside a Vendor-Specific attribute, vendor 311):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Vendor-Type  | Vendor-Length |             Salt
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *                                String...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Tunnel-Password:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Type      |    Length     |     Tag       |   Salt
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *      Salt (cont)  |   String ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Before encryption the String P is a one-octet length sub-field (Key-Length in RFC 2548,
 * Data-Length in RFC 2868), the key or password, and zero padding that makes P a multiple of 16
 * octets, since P is broken into 16-octet chunks p(1) ... p(i). With S the shared secret, R the
 * Request Authenticator of the Access-Request and A the Salt:
 *
 *   b(1) = MD5(S + R + A)    c(1) = p(1) xor b(1)   C = c(1)
 *   b(2) = MD5(S + c(1))     c(2) = p(2) xor b(2)   C = C + c(2)
 *               .                      .
 *   b(i) = MD5(S + c(i-1))   c(i) = p(i) xor b(i)   C = C + c(i)
 *
 * "The most significant bit (leftmost) of the Salt field MUST be set (1). The contents of each
 * Salt field in a given Access-Accept packet MUST be unique."
 */
import { cryptoRandom, md5, type RadiusSecret, type RandomSource } from './digest.js';
import { RadiusDecodeError, RadiusEncodeError } from './errors.js';

const BLOCK = 16;
export const SALT_LENGTH = 2;
/** Longest key or password: 1 + 239 octets pad to 240, the most a 253-octet attribute can carry. */
export const MAX_SALTED_PLAINTEXT_LENGTH = 239;

/** Returns the next 2-octet salt; its high bit must be set. */
export type SaltGenerator = () => Uint8Array;

/**
 * Salts that stay unique for 32768 calls: a random start, then counting, high bit always set
 * (the way FreeRADIUS keeps the salts of one packet distinct).
 */
export function createSaltGenerator(random: RandomSource = cryptoRandom): SaltGenerator {
  let next = random(SALT_LENGTH).readUInt16BE(0);
  return () => {
    const salt = Buffer.allocUnsafe(SALT_LENGTH);
    salt.writeUInt16BE(0x8000 | (next & 0x7fff), 0);
    next = (next + 1) & 0x7fff;
    return salt;
  };
}

function checkRequestAuthenticator(a: Uint8Array): void {
  if (a.byteLength !== 16) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `request authenticator is ${a.byteLength} octets, not 16`);
  }
}

/** Salt followed by the encrypted String, for `plain` (the key or password). */
export function encryptSalted(
  plain: Uint8Array,
  secret: RadiusSecret,
  requestAuthenticator: Uint8Array,
  nextSalt: SaltGenerator = createSaltGenerator(),
): Buffer {
  checkRequestAuthenticator(requestAuthenticator);
  if (plain.byteLength > MAX_SALTED_PLAINTEXT_LENGTH) {
    throw new RadiusEncodeError('RADIUS_VALUE_TOO_LONG', `${plain.byteLength} octets, max ${MAX_SALTED_PLAINTEXT_LENGTH}`);
  }
  const salt = nextSalt();
  // "The most significant bit (leftmost) of the Salt field MUST be set (1)."
  if (salt.byteLength !== SALT_LENGTH || ((salt[0] ?? 0) & 0x80) === 0) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', 'salt must be 2 octets with the high bit set');
  }
  const stringLength = Math.ceil((1 + plain.byteLength) / BLOCK) * BLOCK;
  const out = Buffer.alloc(SALT_LENGTH + stringLength); // zero-filled: the padding
  out.set(salt, 0);
  out.writeUInt8(plain.byteLength, SALT_LENGTH);
  out.set(plain, SALT_LENGTH + 1);
  let b = md5(secret, requestAuthenticator, salt);
  for (let i = SALT_LENGTH; i < out.length; i += BLOCK) {
    for (let j = 0; j < BLOCK; j++) out[i + j] = (out[i + j] ?? 0) ^ (b[j] ?? 0);
    if (i + BLOCK < out.length) b = md5(secret, out.subarray(i, i + BLOCK));
  }
  return out;
}

/**
 * The key or password inside Salt + String. `offset` is where `value` starts in the buffer the
 * caller decodes, for error offsets.
 */
export function decryptSalted(
  value: Uint8Array,
  secret: RadiusSecret,
  requestAuthenticator: Uint8Array,
  offset = 0,
): Buffer {
  checkRequestAuthenticator(requestAuthenticator);
  const stringLength = value.byteLength - SALT_LENGTH;
  if (stringLength < BLOCK || stringLength % BLOCK !== 0) {
    throw new RadiusDecodeError('RADIUS_SALTED_LENGTH', offset, `${value.byteLength} octets is not salt + 16n`);
  }
  if (((value[0] ?? 0) & 0x80) === 0) {
    throw new RadiusDecodeError('RADIUS_SALT_INVALID', offset, 'salt high bit not set');
  }
  const plain = Buffer.allocUnsafe(stringLength);
  let b = md5(secret, requestAuthenticator, value.subarray(0, SALT_LENGTH));
  for (let i = 0; i < stringLength; i += BLOCK) {
    const c = value.subarray(SALT_LENGTH + i, SALT_LENGTH + i + BLOCK);
    for (let j = 0; j < BLOCK; j++) plain[i + j] = (c[j] ?? 0) ^ (b[j] ?? 0);
    if (i + BLOCK < stringLength) b = md5(secret, c);
  }
  const length = plain.readUInt8(0);
  if (length > stringLength - 1) {
    throw new RadiusDecodeError('RADIUS_SALTED_KEY_LENGTH', offset + SALT_LENGTH, `length sub-field ${length} exceeds the data`);
  }
  return plain.subarray(1, 1 + length);
}

/** RFC 2868 section 3.5: Tag (0 when unused), Salt, String. */
export function encodeTunnelPassword(
  tag: number,
  password: Uint8Array | string,
  secret: RadiusSecret,
  requestAuthenticator: Uint8Array,
  nextSalt: SaltGenerator = createSaltGenerator(),
): Buffer {
  // RFC 2868 section 3: a Tag of 0x01..0x1F names the tunnel; 0x00 when the tag is unused.
  if (!Number.isInteger(tag) || tag < 0 || tag > 0x1f) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `tag ${tag} is not 0x00..0x1F`);
  }
  const plain = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  const salted = encryptSalted(plain, secret, requestAuthenticator, nextSalt);
  const out = Buffer.allocUnsafe(1 + salted.length);
  out.writeUInt8(tag, 0);
  out.set(salted, 1);
  return out;
}

export interface TunnelPassword {
  readonly tag: number;
  readonly password: Buffer;
}

export function decodeTunnelPassword(
  value: Uint8Array,
  secret: RadiusSecret,
  requestAuthenticator: Uint8Array,
): TunnelPassword {
  const tag = value[0];
  if (tag === undefined || tag > 0x1f) {
    throw new RadiusDecodeError('RADIUS_TAGGED_MALFORMED', 0, 'Tunnel-Password without a tag of 0x00..0x1F');
  }
  return { tag, password: decryptSalted(value.subarray(1), secret, requestAuthenticator, 1) };
}
