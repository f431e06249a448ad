/**
 * The generic payload header and the payload chain, RFC 7296 section 3.2.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "Critical (1 bit) - MUST be set to zero if the sender wants the recipient to skip this payload
 * if it does not understand the payload type code in the Next Payload field of the previous
 * payload. MUST be set to one if the sender wants the recipient to reject this entire message if
 * it does not understand the payload type. MUST be ignored by the recipient if the recipient
 * understands the payload type code." "RESERVED (7 bits) - MUST be sent as zero; MUST be ignored
 * on receipt." "Payload Length (2 octets, unsigned integer) - Length in octets of the current
 * payload, including the generic payload header."
 *
 * The same chain format is used for the message (after the IKE header) and for the plaintext of
 * an SK payload, so the responder decodes a decrypted SK body with `decodePayloadChain`.
 */
import { PayloadType } from './constants.js';
import { IkeDecodeError, IkeEncodeError } from './errors.js';
import { IKE_LIMITS } from './limits.js';
import { isEncryptedType, PAYLOAD_CODECS, payloadTypeOf, type IkePayload } from './payload.js';
import { checkRange, concat, copyBytes, u16 } from './wire.js';

export const GENERIC_PAYLOAD_HEADER_LENGTH = 4;
const CRITICAL = 0x80;

/**
 * Decodes a chain of payloads whose first payload has type `firstType` (the IKE header's Next
 * Payload, or the SK payload's `firstPayload`). `baseOffset` is where `bytes` starts in the
 * buffer the caller reports offsets against (28 for a message body). The chain must end exactly
 * at the end of `bytes`; an SK or SKF payload ends the chain and must be last.
 */
export function decodePayloadChain(firstType: number, bytes: Uint8Array, baseOffset = 0): IkePayload[] {
  const payloads: IkePayload[] = [];
  let next = firstType;
  let pos = 0;
  while (next !== PayloadType.NONE) {
    const at = baseOffset + pos;
    if (payloads.length >= IKE_LIMITS.maxPayloads) {
      throw new IkeDecodeError('TOO_MANY_PAYLOADS', at, `more than ${IKE_LIMITS.maxPayloads} payloads`);
    }
    if (bytes.length - pos < GENERIC_PAYLOAD_HEADER_LENGTH) {
      throw new IkeDecodeError('TRUNCATED', at, `payload ${next} needs a 4-octet header, ${bytes.length - pos} octets left`);
    }
    const nextField = bytes[pos]!;
    const critical = (bytes[pos + 1]! & CRITICAL) !== 0;
    const length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    if (length < GENERIC_PAYLOAD_HEADER_LENGTH || pos + length > bytes.length) {
      throw new IkeDecodeError('BAD_LENGTH', at + 2, `Payload Length ${length} outside 4..${bytes.length - pos} for payload ${next}`);
    }
    const body = bytes.subarray(pos + GENERIC_PAYLOAD_HEADER_LENGTH, pos + length);
    const bodyAt = at + GENERIC_PAYLOAD_HEADER_LENGTH;
    const codec = PAYLOAD_CODECS.get(next);
    if (codec === undefined) {
      // "MUST be set to one if the sender wants the recipient to reject this entire message if it
      // does not understand the payload type."
      if (critical) {
        throw new IkeDecodeError('UNSUPPORTED_CRITICAL_PAYLOAD', at, `unknown critical payload type ${next}`, { payloadType: next });
      }
      payloads.push({ type: 'unknown', payloadType: next, data: copyBytes(body) });
    } else if (isEncryptedType(next)) {
      const p = codec.decode(body, bodyAt, nextField);
      payloads.push(critical ? { ...p, critical } : p);
      // "the Encrypted payload, if present in a message, MUST be the last payload in the message" (s3.14)
      if (pos + length !== bytes.length) {
        throw new IkeDecodeError('ENCRYPTED_NOT_LAST', at, `${bytes.length - pos - length} octets after the ${next === PayloadType.SK ? 'SK' : 'SKF'} payload`);
      }
      return payloads;
    } else {
      const p = codec.decode(body, bodyAt, next);
      payloads.push(critical ? { ...p, critical } : p);
    }
    pos += length;
    next = nextField;
  }
  if (pos !== bytes.length) {
    throw new IkeDecodeError('BAD_LENGTH', baseOffset + pos, `${bytes.length - pos} octets after the last payload`);
  }
  return payloads;
}

/** The Payload Type number to put in the preceding Next Payload field (0 for an empty chain). */
export function firstPayloadType(payloads: readonly IkePayload[]): number {
  return payloads.length === 0 ? PayloadType.NONE : payloadTypeOf(payloads[0]!);
}

function encodeBody(p: IkePayload): Uint8Array {
  if (p.type === 'unknown') return p.data;
  const codec = PAYLOAD_CODECS.get(p.type);
  if (codec === undefined) throw new IkeEncodeError('FIELD_RANGE', `no codec for payload type ${p.type}`);
  return codec.encode(p);
}

/** Encodes payloads with their generic headers, chaining the Next Payload fields. */
export function encodePayloadChain(payloads: readonly IkePayload[]): Buffer {
  const parts: Uint8Array[] = [];
  payloads.forEach((p, i) => {
    const type = payloadTypeOf(p);
    checkRange(type, 8, 'Payload Type');
    let nextField: number;
    if (p.type === PayloadType.SK || p.type === PayloadType.SKF) {
      if (i !== payloads.length - 1) throw new IkeEncodeError('FIELD_RANGE', 'the SK/SKF payload must be the last payload');
      checkRange(p.firstPayload, 8, 'first inner payload type');
      nextField = p.firstPayload;
    } else {
      nextField = i + 1 < payloads.length ? payloadTypeOf(payloads[i + 1]!) : PayloadType.NONE;
    }
    const body = encodeBody(p);
    const length = GENERIC_PAYLOAD_HEADER_LENGTH + body.length;
    if (length > 0xffff) throw new IkeEncodeError('FIELD_RANGE', `payload ${type} of ${length} octets exceeds 65535`);
    parts.push(Buffer.from([nextField, p.critical === true ? CRITICAL : 0]), u16(length), body);
  });
  return concat(parts);
}
