/**
 * Signature AUTH methods (RFC 7296 3.8, RFC 4754, RFC 7427). The signed data is the
 * InitiatorSignedOctets / ResponderSignedOctets of auth.ts.
 *
 * | method | name                 | AUTH data                                               |
 * |--------|----------------------|---------------------------------------------------------|
 * | 1      | RSA Digital Signature| RSASSA-PKCS1-v1_5 with SHA-1 (RFC 7296 3.8)             |
 * | 9      | ECDSA SHA-256 P-256  | r || s, 32 + 32 octets (RFC 4754 7)                     |
 * | 10     | ECDSA SHA-384 P-384  | r || s, 48 + 48                                         |
 * | 11     | ECDSA SHA-512 P-521  | r || s, 66 + 66                                         |
 * | 14     | Digital Signature    | len | AlgorithmIdentifier | signature (RFC 7427 3)      |
 *
 * RFC 4754 7: "The signature payload shall contain an encoding of the computed signature
 * consisting of the concatenation of a pair of integers r and s" (fixed-size, big-endian).
 * Keys are node KeyObjects, or PEM (key or certificate) which is parsed here.
 */
import { createPrivateKey, createPublicKey, sign, verify, constants, X509Certificate,
  type KeyObject } from 'node:crypto';
import { CryptoError } from './crypto-error.js';
import { algorithmIdentifier, lookupAlgorithmIdentifier, type SignatureAlgorithm,
  type SignatureHash } from './signature-algorithm.js';
import type { AuthMethod } from './transform-ids.js';

export type SignatureMethod = Exclude<AuthMethod, 'psk'>;
/** A key as the config loads it: a KeyObject, PEM text/bytes, or (public side) a certificate. */
export type KeyInput = KeyObject | string | Buffer | X509Certificate;

const ECDSA_METHODS = {
  'ecdsa-256': { curve: 'prime256v1', hash: 'sha256', size: 32 },
  'ecdsa-384': { curve: 'secp384r1', hash: 'sha384', size: 48 },
  'ecdsa-521': { curve: 'secp521r1', hash: 'sha512', size: 66 },
} as const;

export function toPrivateKey(k: KeyInput): KeyObject {
  if (k instanceof X509Certificate) throw new CryptoError('BAD_KEY', 'a certificate is not a private key');
  if (typeof k === 'string' || Buffer.isBuffer(k)) {
    try { return createPrivateKey(k); } catch { throw new CryptoError('BAD_KEY', 'unparsable private key'); }
  }
  if (k.type !== 'private') throw new CryptoError('BAD_KEY', 'signing needs a private key');
  return k;
}

export function toPublicKey(k: KeyInput): KeyObject {
  if (k instanceof X509Certificate) return k.publicKey;
  if (typeof k === 'string' || Buffer.isBuffer(k)) {
    try { return createPublicKey(k); } catch { throw new CryptoError('BAD_KEY', 'unparsable public key or certificate'); }
  }
  return k.type === 'private' ? createPublicKey(k) : k;
}

function isRsa(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss';
}

function checkEcdsaKey(method: keyof typeof ECDSA_METHODS, key: KeyObject): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== ECDSA_METHODS[method].curve) {
    throw new CryptoError('BAD_KEY', `${method} needs an EC key on ${ECDSA_METHODS[method].curve}`);
  }
}

function schemeOptions(a: SignatureAlgorithm, key: KeyObject) {
  if (a.kind === 'ecdsa') {
    if (key.asymmetricKeyType !== 'ec') throw new CryptoError('BAD_KEY', 'ECDSA needs an EC key');
    return { key, dsaEncoding: 'der' as const };
  }
  if (!isRsa(key)) throw new CryptoError('BAD_KEY', `${a.kind} needs an RSA key`);
  if (a.kind === 'rsa-pss') {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: { sha256: 32, sha384: 48, sha512: 64 }[a.hash] };
  }
  if (key.asymmetricKeyType === 'rsa-pss') throw new CryptoError('BAD_KEY', 'an RSASSA-PSS key cannot sign PKCS#1 v1.5');
  return { key, padding: constants.RSA_PKCS1_PADDING };
}

export interface SignParams {
  readonly method: SignatureMethod;
  readonly privateKey: KeyInput;
  /** The *SignedOctets (auth.ts signedOctets). */
  readonly octets: Uint8Array;
  /** Method 14 only: the hash (default sha256) and, for RSA keys, 'pss' instead of PKCS#1 v1.5. */
  readonly hash?: SignatureHash;
  readonly rsaPadding?: 'pkcs1' | 'pss';
}

/** The AUTH payload's Authentication Data for a signature method. */
export function signAuth(p: SignParams): Buffer {
  const key = toPrivateKey(p.privateKey);
  switch (p.method) {
    case 'rsa':
      if (key.asymmetricKeyType !== 'rsa') throw new CryptoError('BAD_KEY', 'method 1 needs an RSA key');
      return sign('sha1', p.octets, { key, padding: constants.RSA_PKCS1_PADDING });
    case 'ecdsa-256': case 'ecdsa-384': case 'ecdsa-521': {
      checkEcdsaKey(p.method, key);
      return sign(ECDSA_METHODS[p.method].hash, p.octets, { key, dsaEncoding: 'ieee-p1363' });
    }
    case 'digital-signature': {
      const hash = p.hash ?? 'sha256';
      const kind = key.asymmetricKeyType === 'ec' ? 'ecdsa'
        : key.asymmetricKeyType === 'rsa-pss' || p.rsaPadding === 'pss' ? 'rsa-pss' : 'rsa-pkcs1';
      const a: SignatureAlgorithm = { kind, hash };
      const sig = sign(hash, p.octets, schemeOptions(a, key));
      const id = algorithmIdentifier(a);
      return Buffer.concat([Buffer.of(id.length), id, sig]);
    }
    default: throw new CryptoError('UNSUPPORTED', `unsupported signature method ${String(p.method)}`);
  }
}

export interface VerifyParams {
  readonly method: SignatureMethod;
  /** The peer's public key or certificate. */
  readonly publicKey: KeyInput;
  readonly octets: Uint8Array;
  /** The received Authentication Data. */
  readonly authData: Uint8Array;
}

/**
 * True when the AUTH data is a valid signature of `octets`. A wrong signature is `false`; a key
 * that cannot serve the method is BAD_KEY; an RFC 7427 prefix that is malformed is
 * BAD_SIGNATURE_FORMAT and one naming an algorithm we do not implement is UNSUPPORTED.
 */
export function verifyAuth(p: VerifyParams): boolean {
  const key = toPublicKey(p.publicKey);
  const data = Buffer.from(p.authData);
  switch (p.method) {
    case 'rsa':
      if (key.asymmetricKeyType !== 'rsa') throw new CryptoError('BAD_KEY', 'method 1 needs an RSA key');
      return verify('sha1', p.octets, { key, padding: constants.RSA_PKCS1_PADDING }, data);
    case 'ecdsa-256': case 'ecdsa-384': case 'ecdsa-521': {
      checkEcdsaKey(p.method, key);
      const m = ECDSA_METHODS[p.method];
      if (data.length !== 2 * m.size) return false;
      return verify(m.hash, p.octets, { key, dsaEncoding: 'ieee-p1363' }, data);
    }
    case 'digital-signature': {
      const idLen = data[0];
      // RFC 7427 3: "ASN.1 Length (1 octet): The length of the ASN.1 encoded AlgorithmIdentifier object."
      if (idLen === undefined || idLen === 0 || 1 + idLen >= data.length) {
        throw new CryptoError('BAD_SIGNATURE_FORMAT', 'RFC 7427 AlgorithmIdentifier length exceeds the AUTH data');
      }
      const a = lookupAlgorithmIdentifier(data.subarray(1, 1 + idLen));
      if (a === undefined) throw new CryptoError('UNSUPPORTED', 'RFC 7427 AlgorithmIdentifier not supported');
      try {
        return verify(a.hash, p.octets, schemeOptions(a, key), data.subarray(1 + idLen));
      } catch (e) {
        if (e instanceof CryptoError) throw e;
        return false; // e.g. a DER ECDSA-Sig-Value that does not parse
      }
    }
    default: throw new CryptoError('UNSUPPORTED', `unsupported signature method ${String(p.method)}`);
  }
}
