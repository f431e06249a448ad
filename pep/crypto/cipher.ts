/**
 * The one cipher API for IKE's Encrypted payload (RFC 7296 3.14, RFC 5282) and ESP (RFC 4303,
 * RFC 3602, RFC 4106). Callers build the AAD and pad the plaintext; this file only seals/opens.
 *
 * AES-CBC + HMAC (RFC 7296 3.14 / RFC 4303 3.3.2, "encrypt then MAC"):
 *   sealed = IV (16) || AES-CBC(key, IV, plaintext) || ICV
 *   ICV    = truncate(HMAC(integKey, aad || IV || ciphertext))
 *   IKE: aad = IKE header .. SK generic payload header — RFC 7296 3.14: "The Integrity Checksum
 *   Data is the cryptographic checksum of the entire message starting with the Fixed IKE header
 *   through the Pad Length."  ESP: aad = SPI || Sequence Number (RFC 4303 3.3.2).
 * AES-GCM with a 16-octet ICV (RFC 4106, RFC 5282):
 *   nonce  = salt (4, the last 4 octets of the key material) || IV (8)
 *   sealed = IV (8) || AES-GCM(key, nonce, aad, plaintext) || tag (16)
 *
 * IV generation: CBC uses a fresh random IV per seal (RFC 3602 2.4: "The IV MUST be chosen at
 * random"). GCM uses a per-cipher 64-bit counter, starting at 0 and incremented per seal, so an IV
 * never repeats under one key (RFC 4106 3.1: "The IV MUST NOT be reused for the same key"); when it
 * would wrap, seal throws IV_EXHAUSTED and the SA must have been rekeyed long before. Each direction
 * of an SA has its own key, hence its own cipher object and counter. `iv` overrides both (tests).
 *
 * open() checks the ICV in constant time (timingSafeEqual / GCM's own tag check) before returning
 * any plaintext; errors: BAD_LENGTH (short or misaligned input), INTEGRITY (bad ICV/tag).
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, timingSafeEqual,
  type CipherGCMTypes, type KeyObject } from 'node:crypto';
import { CryptoError } from './crypto-error.js';
import { encrKeyLength } from './key-derivation.js';
import { INTEG_PARAMS, integrityIcv } from './prf.js';
import type { EncrAlg, IntegAlg } from './transform-ids.js';

export interface SealedCipher {
  /** 16 for AES-CBC, 8 for AES-GCM. */
  readonly ivLength: number;
  /** Truncated HMAC length, or 16 for GCM-16. */
  readonly icvLength: number;
  /** Padding alignment the caller must respect (16 CBC, 4 GCM). */
  readonly blockSize: number;
  /** plaintext must already be padded by the caller. Returns iv || ciphertext || icv. */
  seal(aad: Uint8Array, plaintext: Uint8Array): Buffer;
  /** Inverse of seal: the padded plaintext. Throws CryptoError 'INTEGRITY' / 'BAD_LENGTH'. */
  open(aad: Uint8Array, sealed: Uint8Array): Buffer;
}

export interface CipherParams {
  readonly encr: EncrAlg;
  /** 128, 192 or 256. */
  readonly keyBits: number;
  /** AES key; for GCM the AES key followed by the 4-octet salt. */
  readonly key: Uint8Array;
  /** Required with AES-CBC, forbidden with AES-GCM. */
  readonly integ?: IntegAlg;
  readonly integKey?: Uint8Array;
  /** IV source override (tests, known-answer vectors); must return ivLength octets. */
  readonly iv?: () => Uint8Array;
}

const GCM_ICV = 16;
const MAX_GCM_COUNTER = 0xffffffffffffffffn;

export function createCipher(p: CipherParams): SealedCipher {
  const keyLen = encrKeyLength(p.encr, p.keyBits);
  if (p.key.length !== keyLen) {
    throw new CryptoError('BAD_KEY', `${p.encr}-${p.keyBits} needs a ${keyLen}-octet key, got ${p.key.length}`);
  }
  if (p.encr === 'aes-cbc') return cbc(p);
  if (p.integ !== undefined) throw new CryptoError('UNSUPPORTED', 'AES-GCM takes no INTEG transform');
  return gcm(p);
}

function ivFrom(p: CipherParams, len: number): (() => Buffer) | undefined {
  const src = p.iv;
  if (src === undefined) return undefined;
  return () => {
    const iv = src();
    if (iv.length !== len) throw new CryptoError('BAD_LENGTH', `IV source returned ${iv.length} octets, not ${len}`);
    return Buffer.from(iv);
  };
}

function cbc(p: CipherParams): SealedCipher {
  if (p.integ === undefined || p.integKey === undefined) {
    throw new CryptoError('UNSUPPORTED', 'AES-CBC needs an INTEG transform and key');
  }
  const integ = INTEG_PARAMS[p.integ];
  if (integ === undefined) throw new CryptoError('UNSUPPORTED', `unsupported INTEG ${String(p.integ)}`);
  // RFC 4868 2.1.1: "the key length ... MUST be" the hash output size (SHA-1: RFC 2404, 160 bits).
  if (p.integKey.length !== integ.keyLength) {
    throw new CryptoError('BAD_KEY', `${p.integ} needs a ${integ.keyLength}-octet key, got ${p.integKey.length}`);
  }
  const alg = `aes-${p.keyBits}-cbc`;
  const key: KeyObject = createSecretKey(Buffer.from(p.key));
  const macKey: KeyObject = createSecretKey(Buffer.from(p.integKey));
  const nextIv = ivFrom(p, 16) ?? (() => randomBytes(16));
  const icvLength = integ.icvLength;
  const integAlg = p.integ;
  const mac = (aad: Uint8Array, ivAndCt: Uint8Array): Buffer => integrityIcv(integAlg, macKey, aad, ivAndCt);

  return {
    ivLength: 16,
    icvLength,
    blockSize: 16,
    seal(aad, plaintext) {
      if (plaintext.length % 16 !== 0) {
        throw new CryptoError('BAD_LENGTH', `AES-CBC plaintext of ${plaintext.length} octets is not padded to 16`);
      }
      const iv = nextIv();
      const c = createCipheriv(alg, key, iv).setAutoPadding(false);
      const body = Buffer.concat([iv, c.update(plaintext), c.final()]);
      return Buffer.concat([body, mac(aad, body)]);
    },
    open(aad, sealed) {
      const ctLen = sealed.length - 16 - icvLength;
      if (ctLen < 0 || ctLen % 16 !== 0) {
        throw new CryptoError('BAD_LENGTH', `sealed AES-CBC input of ${sealed.length} octets is short or misaligned`);
      }
      const body = sealed.subarray(0, sealed.length - icvLength);
      const icv = sealed.subarray(sealed.length - icvLength);
      if (!timingSafeEqual(mac(aad, body), icv)) throw new CryptoError('INTEGRITY', 'ICV mismatch');
      const d = createDecipheriv(alg, key, body.subarray(0, 16)).setAutoPadding(false);
      return Buffer.concat([d.update(body.subarray(16)), d.final()]);
    },
  };
}

function gcm(p: CipherParams): SealedCipher {
  const aesLen = p.keyBits / 8;
  const alg = `aes-${p.keyBits}-gcm` as CipherGCMTypes; // keyBits checked by encrKeyLength
  const key: KeyObject = createSecretKey(Buffer.from(p.key.subarray(0, aesLen)));
  const salt = Buffer.from(p.key.subarray(aesLen));
  let counter = 0n;
  const nextIv = ivFrom(p, 8) ?? (() => {
    if (counter > MAX_GCM_COUNTER) throw new CryptoError('IV_EXHAUSTED', 'AES-GCM IV counter exhausted; rekey');
    const iv = Buffer.alloc(8);
    iv.writeBigUInt64BE(counter);
    counter += 1n;
    return iv;
  });

  return {
    ivLength: 8,
    icvLength: GCM_ICV,
    blockSize: 4,
    seal(aad, plaintext) {
      const iv = nextIv();
      const c = createCipheriv(alg, key, Buffer.concat([salt, iv]), { authTagLength: GCM_ICV });
      c.setAAD(aad);
      const ct = Buffer.concat([c.update(plaintext), c.final()]);
      return Buffer.concat([iv, ct, c.getAuthTag()]);
    },
    open(aad, sealed) {
      if (sealed.length < 8 + GCM_ICV) {
        throw new CryptoError('BAD_LENGTH', `sealed AES-GCM input of ${sealed.length} octets is too short`);
      }
      const iv = sealed.subarray(0, 8);
      const tag = sealed.subarray(sealed.length - GCM_ICV);
      const d = createDecipheriv(alg, key, Buffer.concat([salt, iv]), { authTagLength: GCM_ICV });
      d.setAAD(aad);
      d.setAuthTag(tag);
      const pt = d.update(sealed.subarray(8, sealed.length - GCM_ICV));
      try {
        return Buffer.concat([pt, d.final()]);
      } catch {
        throw new CryptoError('INTEGRITY', 'AES-GCM tag mismatch');
      }
    },
  };
}

/**
 * IKE Encrypted payload padding (RFC 7296 3.14): plaintext || Padding || Pad Length (1 octet),
 * total a multiple of blockSize. "The Pad Length is the length of the Padding field. The sender
 * SHOULD set the Pad Length to the minimum value that makes the combination of the payloads, the
 * Padding, and the Pad Length a multiple of the block size". Padding octets are zero.
 */
export function padIke(plaintext: Uint8Array, blockSize: number): Buffer {
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > 256) {
    throw new CryptoError('BAD_LENGTH', `block size ${blockSize} out of range`);
  }
  const padLen = (blockSize - ((plaintext.length + 1) % blockSize)) % blockSize;
  const out = Buffer.alloc(plaintext.length + padLen + 1);
  out.set(plaintext, 0);
  out[out.length - 1] = padLen;
  return out;
}

/** Strips Padding and Pad Length; BAD_PADDING when the Pad Length points before the start. */
export function unpadIke(padded: Uint8Array): Buffer {
  if (padded.length === 0) throw new CryptoError('BAD_PADDING', 'empty IKE plaintext has no Pad Length');
  const padLen = padded[padded.length - 1]!;
  if (padLen + 1 > padded.length) {
    throw new CryptoError('BAD_PADDING', `Pad Length ${padLen} exceeds the ${padded.length}-octet plaintext`);
  }
  return Buffer.from(padded.subarray(0, padded.length - 1 - padLen));
}
