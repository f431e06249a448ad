/**
 * The 16-octet Authenticator field: RFC 2865 section 3, RFC 2866 section 3, RFC 5176 section 2.3.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Code      |  Identifier   |            Length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                Authenticator (octets 4 to 19)                 |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Attributes ...
 *
 * Request Authenticator of Access-Request and Status-Server: 16 random octets; "the Request
 * Authenticator value SHOULD exhibit global and temporal uniqueness" (RFC 2865 section 3).
 *
 * Response Authenticator (RFC 2865 section 3):
 *   ResponseAuth = MD5(Code+ID+Length+RequestAuth+Attributes+Secret)
 *
 * Accounting-Request (RFC 2866 section 3), and Disconnect-Request / CoA-Request, which RFC 5176
 * section 2.3 defines the same way:
 *   RequestAuth = MD5(Code+ID+Length+16 zero octets+Attributes+Secret)
 *
 * Compute functions hash the octets up to the packet's Length field and throw RadiusDecodeError
 * on a bad header; verify functions answer false instead, and compare in constant time.
 */
import { constantTimeEqual, cryptoRandom, md5, type RadiusSecret, type RandomSource } from './digest.js';
import { RadiusEncodeError } from './errors.js';
import { AUTHENTICATOR_LENGTH, HEADER_LENGTH, packetBytes } from './packet.js';

const ZERO_AUTHENTICATOR: Readonly<Uint8Array> = new Uint8Array(AUTHENTICATOR_LENGTH);

function checkAuthenticator(a: Uint8Array): void {
  if (a.byteLength !== AUTHENTICATOR_LENGTH) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `authenticator is ${a.byteLength} octets, not 16`);
  }
}

/** 16 random octets for an Access-Request or Status-Server (RFC 2865 section 3, RFC 5997). */
export function randomAuthenticator(random: RandomSource = cryptoRandom): Buffer {
  return random(AUTHENTICATOR_LENGTH);
}

/** MD5 over the packet with `authenticator` standing in for its Authenticator field, then the secret. */
function authenticatorHash(packet: Buffer, authenticator: Uint8Array, secret: RadiusSecret): Buffer {
  return md5(packet.subarray(0, 4), authenticator, packet.subarray(HEADER_LENGTH), secret);
}

function safePacketBytes(raw: Uint8Array): Buffer | undefined {
  try {
    return packetBytes(raw);
  } catch {
    return undefined;
  }
}

/** RFC 2865 section 3: the Response Authenticator for `response` answering `requestAuthenticator`. */
export function computeResponseAuthenticator(
  response: Uint8Array,
  requestAuthenticator: Uint8Array,
  secret: RadiusSecret,
): Buffer {
  checkAuthenticator(requestAuthenticator);
  return authenticatorHash(packetBytes(response), requestAuthenticator, secret);
}

export function verifyResponseAuthenticator(
  response: Uint8Array,
  requestAuthenticator: Uint8Array,
  secret: RadiusSecret,
): boolean {
  const packet = safePacketBytes(response);
  if (!packet || requestAuthenticator.byteLength !== AUTHENTICATOR_LENGTH) return false;
  const expected = authenticatorHash(packet, requestAuthenticator, secret);
  return constantTimeEqual(expected, packet.subarray(4, HEADER_LENGTH));
}

/**
 * RFC 2866 section 3 / RFC 5176 section 2.3: the Request Authenticator of an Accounting-Request,
 * Disconnect-Request or CoA-Request, whatever its Authenticator field holds now.
 */
export function computeRequestAuthenticator(request: Uint8Array, secret: RadiusSecret): Buffer {
  return authenticatorHash(packetBytes(request), ZERO_AUTHENTICATOR, secret);
}

export function verifyRequestAuthenticator(request: Uint8Array, secret: RadiusSecret): boolean {
  const packet = safePacketBytes(request);
  if (!packet) return false;
  const expected = authenticatorHash(packet, ZERO_AUTHENTICATOR, secret);
  return constantTimeEqual(expected, packet.subarray(4, HEADER_LENGTH));
}
