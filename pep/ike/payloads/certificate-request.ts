/**
 * Certificate Request Payload, RFC 7296 section 3.7.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Cert Encoding |                                               |
 *   +-+-+-+-+-+-+-+-+                                               |
 *   ~                    Certification Authority                    ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * For X509_SIGNATURE the Certification Authority field is "a concatenated list of SHA-1 hashes of
 * the public keys of trusted Certification Authorities (CAs)"; `certificateRequestAuthorities`
 * splits it into the 20-octet hashes.
 */
import { CertEncoding, PayloadType } from '../constants.js';
import { checkRange, concat, copyBytes, Reader } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

const SHA1_LENGTH = 20;

export interface CertificateRequestPayload {
  readonly type: typeof PayloadType.CERTREQ;
  readonly critical?: boolean;
  /** CertEncoding. */
  readonly encoding: number;
  /** The Certification Authority field as received. */
  readonly data: Uint8Array;
}

export function decodeCertificateRequest(body: Uint8Array, offset: number): CertificateRequestPayload {
  const r = new Reader(body, offset);
  const encoding = r.u8('Cert Encoding');
  return { type: PayloadType.CERTREQ, encoding, data: r.rest() };
}

export function encodeCertificateRequest(p: CertificateRequestPayload): Uint8Array {
  checkRange(p.encoding, 8, 'Cert Encoding');
  return concat([Buffer.from([p.encoding]), p.data]);
}

/**
 * The 20-octet SHA-1 key hashes of an X509_SIGNATURE request (a trailing partial hash is dropped);
 * empty for other encodings.
 */
export function certificateRequestAuthorities(p: CertificateRequestPayload): readonly Uint8Array[] {
  if (p.encoding !== CertEncoding.X509_SIGNATURE) return [];
  const out: Uint8Array[] = [];
  for (let i = 0; i + SHA1_LENGTH <= p.data.length; i += SHA1_LENGTH) out.push(copyBytes(p.data, i, i + SHA1_LENGTH));
  return out;
}

export const certificateRequestCodec: PayloadCodec<CertificateRequestPayload> = {
  types: [PayloadType.CERTREQ],
  decode: (body, offset) => decodeCertificateRequest(body, offset),
  encode: encodeCertificateRequest,
};
