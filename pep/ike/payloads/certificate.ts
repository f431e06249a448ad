/**
 * Certificate Payload, RFC 7296 section 3.6.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Cert Encoding |                                               |
 *   +-+-+-+-+-+-+-+-+                                               |
 *   ~                       Certificate Data                        ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * With X509_SIGNATURE (4) the data is one DER certificate; the codec keeps it as bytes.
 */
import { PayloadType } from '../constants.js';
import { checkRange, concat, Reader } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

export interface CertificatePayload {
  readonly type: typeof PayloadType.CERT;
  readonly critical?: boolean;
  /** CertEncoding. */
  readonly encoding: number;
  readonly data: Uint8Array;
}

export function decodeCertificate(body: Uint8Array, offset: number): CertificatePayload {
  const r = new Reader(body, offset);
  const encoding = r.u8('Cert Encoding');
  return { type: PayloadType.CERT, encoding, data: r.rest() };
}

export function encodeCertificate(p: CertificatePayload): Uint8Array {
  checkRange(p.encoding, 8, 'Cert Encoding');
  return concat([Buffer.from([p.encoding]), p.data]);
}

export const certificateCodec: PayloadCodec<CertificatePayload> = {
  types: [PayloadType.CERT],
  decode: (body, offset) => decodeCertificate(body, offset),
  encode: encodeCertificate,
};
