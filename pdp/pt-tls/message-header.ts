/**
 * The PT-TLS message header (RFC 6876 section 3.5). Every PT-TLS message starts with it:
 *
 *                       1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    Reserved   |           Message Type Vendor ID              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Message Type                         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Message Length                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Message Identifier                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Message Value (e.g. PB-TNC Batch) . . .        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Reserved: "MUST be set to 0 on transmission and ignored on reception". Message Length counts the
 * whole message, header included, so it is at least 16. The Message Identifier is chosen by the
 * sender and increases per message; like strongSwan we do not check received identifiers (they
 * only correlate errors), and we number our own messages from 0.
 */
import { malformed } from './errors.js';
import { PT_TLS_HEADER_SIZE } from './message-type.js';
import { MAX_UINT24, MAX_UINT32, checkRange, readUint24, readUint32, view, writeUint24 } from './wire.js';

export interface PtTlsHeader {
  readonly vendorId: number;
  readonly messageType: number;
  /** Message Length: header + value octets. */
  readonly length: number;
  readonly identifier: number;
}

/** Reads the 16-octet header at the start of `bytes` (the value may or may not follow). */
export function readHeader(bytes: Uint8Array): PtTlsHeader {
  if (bytes.length < PT_TLS_HEADER_SIZE) {
    throw malformed('PTTLS_HEADER_TRUNCATED', bytes.length, `${bytes.length} octets, a PT-TLS header has ${PT_TLS_HEADER_SIZE}`);
  }
  const length = readUint32(bytes, 8, 'Message Length');
  if (length < PT_TLS_HEADER_SIZE) {
    throw malformed('PTTLS_LENGTH_INVALID', 8, `Message Length ${length} is shorter than the header`);
  }
  return {
    vendorId: readUint24(bytes, 1, 'Message Type Vendor ID'),
    messageType: readUint32(bytes, 4, 'Message Type'),
    length,
    identifier: readUint32(bytes, 12, 'Message Identifier'),
  };
}

/** Header + value as one buffer. */
export function encodeWithHeader(vendorId: number, messageType: number, identifier: number, value: Uint8Array): Uint8Array {
  checkRange(vendorId, MAX_UINT24, 'Message Type Vendor ID');
  checkRange(messageType, MAX_UINT32, 'Message Type');
  checkRange(identifier, MAX_UINT32, 'Message Identifier');
  checkRange(PT_TLS_HEADER_SIZE + value.length, MAX_UINT32, 'Message Length');
  const out = new Uint8Array(PT_TLS_HEADER_SIZE + value.length);
  const v = view(out);
  // Reserved octet 0 stays 0.
  writeUint24(v, 1, vendorId);
  v.setUint32(4, messageType);
  v.setUint32(8, out.length);
  v.setUint32(12, identifier);
  out.set(value, PT_TLS_HEADER_SIZE);
  return out;
}
