/**
 * The Encrypted payload (SK) of the bench initiator, RFC 7296 section 3.14 (RFC 5282 for AES-GCM).
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     Initialization Vector                     |
 *   ~                    Encrypted IKE Payloads                     ~
 *   +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               |             Padding (0-255 octets)            |
 *   +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 *   |                                               |  Pad Length   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                    Integrity Checksum Data                    ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The associated data (GCM) / the MACed prefix (CBC+HMAC) is the message from the IKE header to
 * the end of the SK generic header; pep/crypto's SealedCipher seals and opens the rest. The
 * codec (pep/ike) keeps the SK body opaque; decodeIkeMessage puts the SK payload last, so its
 * generic header starts `4 + body.length` octets before the end of `raw`.
 * "If the SK payload fails the integrity check, the message MUST be dropped" (s2.21.2): open()
 * throws and the initiator drops the datagram (and counts it).
 */
import { decodePayloadChain, encodeIkeHeader, encodePayloadChain, firstPayloadType, IKE_HEADER_LENGTH, PayloadType,
  type IkeHeaderInit, type IkeMessage, type IkePayload } from '../../pep/ike/index.js';
import { padIke, unpadIke, type SealedCipher } from '../../pep/crypto/index.js';

const GENERIC = 4;

/** header | SK { payloads } sealed with `cipher`. */
export function protect(header: IkeHeaderInit, payloads: readonly IkePayload[], cipher: SealedCipher): Buffer {
  const plain = padIke(encodePayloadChain(payloads), cipher.blockSize);
  const skLength = GENERIC + cipher.ivLength + plain.length + cipher.icvLength;
  const head = encodeIkeHeader(header, PayloadType.SK, IKE_HEADER_LENGTH + skLength);
  const sk = Buffer.from([firstPayloadType(payloads), 0, skLength >> 8, skLength & 0xff]);
  const aad = Buffer.concat([head, sk]);
  return Buffer.concat([aad, cipher.seal(aad, plain)]);
}

/** The inner payloads of a decoded message's SK payload; throws when absent or not authentic. */
export function unprotect(msg: IkeMessage, cipher: SealedCipher): IkePayload[] {
  const sk = msg.payloads[msg.payloads.length - 1];
  if (!sk || sk.type !== PayloadType.SK) throw new Error('no Encrypted payload');
  const skStart = msg.raw.length - sk.body.length - GENERIC;
  const aad = msg.raw.subarray(0, skStart + GENERIC);
  const inner = unpadIke(cipher.open(aad, sk.body));
  return decodePayloadChain(sk.firstPayload, inner, skStart + GENERIC + cipher.ivLength);
}
