/**
 * Protecting and unprotecting IKE messages with the Encrypted payload (SK), RFC 7296 section
 * 3.14, and RFC 5282 for AES-GCM.
 *
 *   message = IKE header | (unencrypted payloads) | SK generic header | IV | ciphertext | ICV
 *   AAD     = the octets from the IKE header up to the end of the SK generic header; the ICV
 *             covers AAD | IV | ciphertext (CBC+HMAC), or AAD is GCM's associated data.
 *   plaintext = inner payloads | Padding | Pad Length
 *
 * "The sender SHOULD set the Pad Length to the minimum value that makes the combination of the
 * payloads, the Padding, and the Pad Length a multiple of the block size, but the recipient MUST
 * accept any length that results in proper alignment." The ICV is checked before anything in the
 * plaintext is read (pep/crypto cipher.open); a message that fails it is dropped silently
 * (RFC 7296 2.21.2 "If the SK payload fails the integrity check, the message MUST be dropped").
 */
import { PayloadType } from '../ike/constants.js';
import { encodeIkeHeader, IKE_HEADER_LENGTH, type IkeHeaderInit } from '../ike/header.js';
import type { SealedCipher } from '../crypto/cipher.js';
import { decodeChain, encodeChain, firstPayloadType, type IkePayload } from './payload-types.js';

const GENERIC_HEADER = 4;

export class SkError extends Error {
  constructor(
    readonly code: 'NO_SK' | 'NOT_LAST' | 'INTEGRITY' | 'PADDING' | 'MALFORMED',
    message: string,
  ) {
    super(message);
  }
}

/** Walks the generic payload headers to the SK payload; returns its offset, or undefined. */
export function findSk(raw: Buffer, firstPayload: number): { offset: number; firstInner: number } | undefined {
  let next = firstPayload;
  let off = IKE_HEADER_LENGTH;
  for (let i = 0; i < 64 && next !== 0; i++) {
    if (off + GENERIC_HEADER > raw.length) return undefined;
    const len = raw.readUInt16BE(off + 2);
    if (len < GENERIC_HEADER || off + len > raw.length) return undefined;
    if (next === PayloadType.SK) return { offset: off, firstInner: raw[off]! };
    next = raw[off]!;
    off += len;
  }
  return undefined;
}

/** Decrypts and decodes the SK payload of `raw` (a whole IKE message). */
export function unprotect(raw: Buffer, firstPayload: number, cipher: SealedCipher): IkePayload[] {
  const sk = findSk(raw, firstPayload);
  if (!sk) throw new SkError('NO_SK', 'no Encrypted payload');
  const len = raw.readUInt16BE(sk.offset + 2);
  // "the Encrypted payload, if present in a message, MUST be the last payload in the message"
  if (sk.offset + len !== raw.length) throw new SkError('NOT_LAST', 'Encrypted payload is not the last payload');
  const aad = raw.subarray(0, sk.offset + GENERIC_HEADER);
  const sealed = raw.subarray(sk.offset + GENERIC_HEADER);
  let plain: Buffer;
  try {
    plain = cipher.open(aad, sealed);
  } catch (e) {
    throw new SkError('INTEGRITY', `Encrypted payload does not verify: ${(e as Error).message}`);
  }
  if (plain.length < 1) throw new SkError('PADDING', 'empty plaintext');
  const padLength = plain[plain.length - 1]!;
  if (padLength + 1 > plain.length) throw new SkError('PADDING', `Pad Length ${padLength} exceeds the plaintext`);
  const inner = plain.subarray(0, plain.length - padLength - 1);
  return decodeChain(inner, sk.firstInner, sk.offset + GENERIC_HEADER + cipher.ivLength);
}

/** Builds the whole protected message: header, SK payload with `payloads` inside. */
export function protect(header: IkeHeaderInit, payloads: readonly IkePayload[], cipher: SealedCipher): Buffer {
  const inner = encodeChain(payloads);
  const block = cipher.blockSize;
  const padLength = (block - ((inner.length + 1) % block)) % block;
  const plain = Buffer.concat([inner, Buffer.alloc(padLength), Buffer.from([padLength])]);
  const skLength = GENERIC_HEADER + cipher.ivLength + plain.length + cipher.icvLength;
  const total = IKE_HEADER_LENGTH + skLength;
  const head = encodeIkeHeader(header, PayloadType.SK, total);
  const skHeader = Buffer.alloc(GENERIC_HEADER);
  skHeader[0] = firstPayloadType(payloads);
  skHeader.writeUInt16BE(skLength, 2);
  const aad = Buffer.concat([head, skHeader]);
  return Buffer.concat([aad, cipher.seal(aad, plain)]);
}
