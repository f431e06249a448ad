/**
 * Message-Authenticator, RFC 3579 section 3.2 (first defined in RFC 2869 section 5.14).
 *
 *    0                   1                   2
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Type (80)   |  Length (18)  |            String...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Message-Authenticator = HMAC-MD5 (Type, Identifier, Length, Request Authenticator, Attributes)
 *
 * "When the message integrity check is calculated the signature string should be considered to be
 * sixteen octets of zero." The key is the shared secret. The Authenticator field taken into the
 * HMAC is
 *  - for Access-Request and Status-Server: the packet's own (random) Request Authenticator;
 *  - for Access-Accept/-Reject/-Challenge and the other responses: "the Request Authenticator from
 *    the Access-Request this packet is in reply to" (RFC 3579 section 3.2);
 *  - for Accounting-Request, Disconnect-Request and CoA-Request: 16 zero octets, since the
 *    Message-Authenticator "is calculated and inserted in the packet before the Request
 *    Authenticator is calculated" (RFC 5176 section 3.4); FreeRADIUS does the same for accounting.
 *
 * The attribute table of RFC 3579 section 3.3 allows 0-1 Message-Authenticator per packet, and its
 * Length is 18 (a 16-octet String): a packet that breaks either gets 'invalid'.
 */
import { hasComputedRequestAuthenticator } from './codes.js';
import { constantTimeEqual, hmacMd5, type RadiusSecret } from './digest.js';
import { RadiusEncodeError } from './errors.js';
import { ATTRIBUTE_HEADER_LENGTH, AUTHENTICATOR_LENGTH, HEADER_LENGTH, packetBytes } from './packet.js';
import { AttributeType } from './attribute-types.js';

export const MESSAGE_AUTHENTICATOR_LENGTH = 16;
const ZERO16: Readonly<Uint8Array> = new Uint8Array(MESSAGE_AUTHENTICATOR_LENGTH);

interface Located {
  /** How many Message-Authenticator attributes the packet holds. */
  readonly count: number;
  /** Offset of the first one's value, and its length. */
  readonly valueOffset: number;
  readonly valueLength: number;
}

/** Walks the attributes without allocating them; undefined when the TLVs do not parse. */
function locate(packet: Buffer): Located | undefined {
  let count = 0;
  let valueOffset = -1;
  let valueLength = 0;
  let offset = HEADER_LENGTH;
  while (offset < packet.length) {
    if (offset + ATTRIBUTE_HEADER_LENGTH > packet.length) return undefined;
    const length = packet.readUInt8(offset + 1);
    if (length < ATTRIBUTE_HEADER_LENGTH || offset + length > packet.length) return undefined;
    if (packet.readUInt8(offset) === AttributeType.MessageAuthenticator) {
      if (count === 0) {
        valueOffset = offset + ATTRIBUTE_HEADER_LENGTH;
        valueLength = length - ATTRIBUTE_HEADER_LENGTH;
      }
      count += 1;
    }
    offset += length;
  }
  return { count, valueOffset, valueLength };
}

/** The Authenticator octets the HMAC covers for this packet (see the list above). */
function hmacAuthenticator(packet: Buffer, requestAuthenticator: Uint8Array | undefined): Uint8Array {
  if (requestAuthenticator) return requestAuthenticator;
  if (hasComputedRequestAuthenticator(packet.readUInt8(0))) return ZERO16;
  return packet.subarray(4, HEADER_LENGTH);
}

function hmac(packet: Buffer, valueOffset: number, authenticator: Uint8Array, secret: RadiusSecret): Buffer {
  return hmacMd5(
    secret,
    packet.subarray(0, 4),
    authenticator,
    packet.subarray(HEADER_LENGTH, valueOffset),
    ZERO16,
    packet.subarray(valueOffset + MESSAGE_AUTHENTICATOR_LENGTH),
  );
}

function checkRequestAuthenticator(a: Uint8Array | undefined): void {
  if (a && a.byteLength !== AUTHENTICATOR_LENGTH) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `request authenticator is ${a.byteLength} octets, not 16`);
  }
}

function computeAt(
  packet: Uint8Array,
  secret: RadiusSecret,
  requestAuthenticator: Uint8Array | undefined,
): { readonly value: Buffer; readonly valueOffset: number } {
  checkRequestAuthenticator(requestAuthenticator);
  const bytes = packetBytes(packet);
  const found = locate(bytes);
  if (!found || found.count !== 1 || found.valueLength !== MESSAGE_AUTHENTICATOR_LENGTH) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', 'packet must hold exactly one 16-octet Message-Authenticator');
  }
  const value = hmac(bytes, found.valueOffset, hmacAuthenticator(bytes, requestAuthenticator), secret);
  return { value, valueOffset: found.valueOffset };
}

/**
 * Computes the Message-Authenticator of `packet` (which must hold exactly one, 16 octets long;
 * its current value is ignored). Pass `requestAuthenticator` for a response.
 */
export function computeMessageAuthenticator(
  packet: Uint8Array,
  secret: RadiusSecret,
  requestAuthenticator?: Uint8Array,
): Buffer {
  return computeAt(packet, secret, requestAuthenticator).value;
}

/** Computes the Message-Authenticator and writes it into `packet` in place. */
export function signMessageAuthenticator(packet: Buffer, secret: RadiusSecret, requestAuthenticator?: Uint8Array): void {
  const { value, valueOffset } = computeAt(packet, secret, requestAuthenticator);
  packet.set(value, valueOffset);
}

export type MessageAuthenticatorCheck = 'absent' | 'valid' | 'invalid';

/**
 * Checks the Message-Authenticator of a received packet. `requestAuthenticator` is the Request
 * Authenticator of the request when `raw` is a response; leave it out for a request.
 * A packet that does not parse is 'invalid'. Never throws.
 */
export function verifyMessageAuthenticator(
  raw: Uint8Array,
  secret: RadiusSecret,
  requestAuthenticator?: Uint8Array,
): MessageAuthenticatorCheck {
  let bytes: Buffer;
  try {
    bytes = packetBytes(raw);
  } catch {
    return 'invalid';
  }
  const found = locate(bytes);
  if (!found) return 'invalid';
  if (found.count === 0) return 'absent';
  // At most one (RFC 3579 section 3.3 table: 0-1), 16 octets long.
  if (found.count > 1 || found.valueLength !== MESSAGE_AUTHENTICATOR_LENGTH) return 'invalid';
  if (requestAuthenticator && requestAuthenticator.byteLength !== AUTHENTICATOR_LENGTH) return 'invalid';
  const expected = hmac(bytes, found.valueOffset, hmacAuthenticator(bytes, requestAuthenticator), secret);
  const received = bytes.subarray(found.valueOffset, found.valueOffset + MESSAGE_AUTHENTICATOR_LENGTH);
  return constantTimeEqual(expected, received) ? 'valid' : 'invalid';
}
