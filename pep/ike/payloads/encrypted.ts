/**
 * Encrypted and Authenticated Payload (SK), RFC 7296 section 3.14.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     Initialization Vector                     |
 *   |         (length is block size for encryption algorithm)       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                    Encrypted IKE Payloads                     ~
 *   +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               |             Padding (0-255 octets)            |
 *   +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 *   |                                               |  Pad Length   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                    Integrity Checksum Data                    ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "The Next Payload field is set to the payload type of the first contained payload" (s3.14),
 * kept as `firstPayload`. The body (IV, ciphertext, padding, ICV) stays opaque here: the
 * responder decrypts it with pep/crypto and decodes the plaintext with
 * `decodePayloadChain(firstPayload, plaintext, ...)`. "the Encrypted payload, if present in a
 * message, MUST be the last payload in the message" (s3.14), so the body ends where the message
 * ends and the ICV is its last octets; payload-chain.ts enforces that.
 */
import { PayloadType } from '../constants.js';
import { copyBytes } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

export interface EncryptedPayload {
  readonly type: typeof PayloadType.SK;
  readonly critical?: boolean;
  /** Type of the first payload inside (the SK header's Next Payload field). */
  readonly firstPayload: number;
  /** IV || encrypted payloads || padding || pad length || ICV, as on the wire. */
  readonly body: Uint8Array;
}

export function decodeEncrypted(body: Uint8Array, _offset: number, firstPayload: number): EncryptedPayload {
  return { type: PayloadType.SK, firstPayload, body: copyBytes(body) };
}

export function encodeEncrypted(p: EncryptedPayload): Uint8Array {
  return p.body;
}

/**
 * The SK codec: payload-chain.ts passes the header's Next Payload as `type` (and writes
 * `firstPayload` back there), since for SK that field names the inner payload.
 */
export const encryptedCodec: PayloadCodec<EncryptedPayload> = {
  types: [PayloadType.SK],
  decode: decodeEncrypted,
  encode: encodeEncrypted,
};
