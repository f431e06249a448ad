/**
 * PT-TLS SASL Authentication Data (RFC 6876 section 3.8.3): one opaque SASL challenge (server) or
 * response (client) of the selected mechanism.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |             Authentication Data (Variable Length)             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import type { PtTlsValueCodec } from './codec.js';
import { PtTlsMessageType } from './message-type.js';
import { MAX_SASL_DATA } from './sasl-mechanism-selection.js';
import { copyOf } from './wire.js';

export interface SaslAuthenticationData {
  readonly kind: 'sasl-authentication-data';
  readonly data: Uint8Array;
}

export const saslAuthenticationDataCodec: PtTlsValueCodec<SaslAuthenticationData> = {
  kind: 'sasl-authentication-data',
  vendorId: 0,
  messageType: PtTlsMessageType.SaslAuthenticationData,
  maxValueLength: MAX_SASL_DATA,
  encode: (value) => copyOf(value.data),
  decode: (bytes) => ({ kind: 'sasl-authentication-data', data: copyOf(bytes) }),
};
