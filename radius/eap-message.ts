/**
 * EAP-Message, RFC 3579 section 3.1: an EAP packet (RFC 3748 section 4) carried in one or more
 * attributes of at most 253 octets each.
 *
 *    0                   1                   2
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Type (79)   |    Length     |     String...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The joined Strings form one EAP packet, whose own header gives its length:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Code      |  Identifier   |            Length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Data ...
 *   +-+-+-+-+-
 *
 * "If multiple EAP-Message attributes are contained within an Access-Request or Access-Challenge
 * packet, they MUST be in order and they MUST be consecutive attributes in the packet."
 * The codec checks framing only; what the EAP packet says is the EAP layer's business.
 */
import { AttributeType } from './attribute-types.js';
import { RadiusDecodeError, RadiusEncodeError } from './errors.js';
import { asBuffer, MAX_ATTRIBUTE_VALUE_LENGTH, type RadiusAttribute } from './packet.js';

const EAP_HEADER_LENGTH = 4;

/** EAP-Message attributes carrying `eap`, each a view into it (no copies). */
export function splitEapMessage(eap: Uint8Array): RadiusAttribute[] {
  const buf = asBuffer(eap);
  if (buf.length < EAP_HEADER_LENGTH) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `EAP packet of ${buf.length} octets is shorter than its header`);
  }
  const attributes: RadiusAttribute[] = [];
  for (let at = 0; at < buf.length; at += MAX_ATTRIBUTE_VALUE_LENGTH) {
    attributes.push({ type: AttributeType.EAPMessage, value: buf.subarray(at, at + MAX_ATTRIBUTE_VALUE_LENGTH) });
  }
  return attributes;
}

/**
 * The EAP packet carried by the EAP-Message attributes, or undefined when there are none.
 * Error offsets count octets into the joined EAP packet. A single attribute is returned as is.
 */
export function joinEapMessage(attributes: readonly RadiusAttribute[]): Buffer | undefined {
  const first = attributes.findIndex((a) => a.type === AttributeType.EAPMessage);
  if (first < 0) return undefined;
  let end = first;
  while (end < attributes.length && attributes[end]?.type === AttributeType.EAPMessage) end++;
  for (let i = end; i < attributes.length; i++) {
    if (attributes[i]?.type === AttributeType.EAPMessage) {
      throw new RadiusDecodeError('RADIUS_EAP_NOT_CONSECUTIVE', 0, 'EAP-Message attributes are not consecutive');
    }
  }
  const parts = attributes.slice(first, end).map((a) => a.value);
  const eap = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  if (eap.length < EAP_HEADER_LENGTH) {
    throw new RadiusDecodeError('RADIUS_EAP_TRUNCATED', eap.length, `EAP packet of ${eap.length} octets`);
  }
  const length = eap.readUInt16BE(2);
  if (length !== eap.length) {
    throw new RadiusDecodeError('RADIUS_EAP_LENGTH_MISMATCH', 2, `EAP Length ${length} but ${eap.length} octets carried`);
  }
  return eap;
}
