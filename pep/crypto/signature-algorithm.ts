/**
 * RFC 7427 (Signature Authentication in IKEv2) section 3: the AUTH data of method 14 is
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | ASN.1 Length  | AlgorithmIdentifier ASN.1 object              |
 * +-+-+-+-+-+-+-+-+                                               |
 * ~        AlgorithmIdentifier ASN.1 object continuing            ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Signature Value                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The AlgorithmIdentifier DER objects are those of RFC 7427 Appendix A (A.1 sha*WithRSAEncryption,
 * A.3 ecdsa-with-sha*, A.4.3 RSASSA-PSS with the hash, MGF1 with the same hash, salt = hash
 * length, trailerField 1 written out as the RFC's example does). ECDSA signature values are the
 * DER ECDSA-Sig-Value (RFC 7427 3, RFC 3279); RSA values the raw modulus-size octet string.
 * A table, not an ASN.1 parser: the prefix received is compared against the known encodings.
 */
import type { HashAlg } from './transform-ids.js';

export type SignatureKind = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa';
export type SignatureHash = Exclude<HashAlg, 'sha1'>;

export interface SignatureAlgorithm {
  readonly kind: SignatureKind;
  readonly hash: SignatureHash;
}

const HASH_OID_TAIL: Readonly<Record<SignatureHash, string>> = { sha256: '01', sha384: '02', sha512: '03' };
const HASH_LEN: Readonly<Record<SignatureHash, number>> = { sha256: 32, sha384: 48, sha512: 64 };

function hashAlgId(h: SignatureHash): string {
  return `300d06096086480165030402${HASH_OID_TAIL[h]}0500`; // id-sha*, NULL parameters
}

function pss(h: SignatureHash, withTrailer: boolean): string {
  const mgf1 = `301a06092a864886f70d010108${hashAlgId(h)}`;
  const inner = `a00f${hashAlgId(h)}a11c${mgf1}a2030201${HASH_LEN[h].toString(16)}${withTrailer ? 'a303020101' : ''}`;
  const params = `30${(inner.length / 2).toString(16)}${inner}`;
  const body = `06092a864886f70d01010a${params}`;
  return `30${(body.length / 2).toString(16)}${body}`;
}

const RSA_TAIL: Readonly<Record<SignatureHash, string>> = { sha256: '0b', sha384: '0c', sha512: '0d' };
const ECDSA_TAIL: Readonly<Record<SignatureHash, string>> = { sha256: '02', sha384: '03', sha512: '04' };

/** The AlgorithmIdentifier we send for a scheme. */
export function algorithmIdentifier(a: SignatureAlgorithm): Buffer {
  switch (a.kind) {
    case 'rsa-pkcs1': return Buffer.from(`300d06092a864886f70d0101${RSA_TAIL[a.hash]}0500`, 'hex');
    case 'ecdsa': return Buffer.from(`300a06082a8648ce3d0403${ECDSA_TAIL[a.hash]}`, 'hex');
    case 'rsa-pss': return Buffer.from(pss(a.hash, true), 'hex');
  }
}

/** Every encoding we accept from a peer, keyed by hex. PSS also without the default trailerField. */
const KNOWN: ReadonlyMap<string, SignatureAlgorithm> = (() => {
  const m = new Map<string, SignatureAlgorithm>();
  for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
    for (const kind of ['rsa-pkcs1', 'ecdsa', 'rsa-pss'] as const) {
      m.set(algorithmIdentifier({ kind, hash }).toString('hex'), { kind, hash });
    }
    m.set(pss(hash, false), { kind: 'rsa-pss', hash });
    // RFC 5758 3.2 / RFC 7427 A.1: sha*WithRSAEncryption may also come without the NULL parameters.
    m.set(`300b06092a864886f70d0101${RSA_TAIL[hash]}`, { kind: 'rsa-pkcs1', hash });
  }
  return m;
})();

/** The scheme of a received AlgorithmIdentifier, or undefined when it is not one we implement. */
export function lookupAlgorithmIdentifier(der: Uint8Array): SignatureAlgorithm | undefined {
  return KNOWN.get(Buffer.from(der).toString('hex'));
}

/** Hash algorithms to announce in SIGNATURE_HASH_ALGORITHMS (RFC 7427 4). */
export const SIGNATURE_HASHES: readonly SignatureHash[] = ['sha256', 'sha384', 'sha512'];
