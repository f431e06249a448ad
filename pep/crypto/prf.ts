/**
 * IKEv2 pseudorandom functions and prf+ (RFC 7296 section 2.13; HMAC-SHA2 per RFC 4868).
 *
 *   prf+ (K,S) = T1 | T2 | T3 | T4 | ...
 *   where:
 *   T1 = prf (K, S | 0x01)
 *   T2 = prf (K, T1 | S | 0x02)
 *   T3 = prf (K, T2 | S | 0x03)
 *   ...
 *
 * RFC 7296 2.13: "The prf+ function is not defined beyond 255 times the size of the prf function
 * output." — prfPlus refuses longer requests (BAD_LENGTH).
 */
import { createHmac, type KeyObject } from 'node:crypto';
import { CryptoError } from './crypto-error.js';
import type { IntegAlg, PrfAlg } from './transform-ids.js';

const PRF_HASH: Readonly<Record<PrfAlg, { hash: string; size: number }>> = {
  'hmac-sha1': { hash: 'sha1', size: 20 },
  'hmac-sha2-256': { hash: 'sha256', size: 32 },
  'hmac-sha2-384': { hash: 'sha384', size: 48 },
  'hmac-sha2-512': { hash: 'sha512', size: 64 },
};

/** INTEG transforms: HMAC hash, key length (RFC 4868 2.1.1: key = full hash output), ICV length. */
export const INTEG_PARAMS: Readonly<Record<IntegAlg, { hash: string; keyLength: number; icvLength: number }>> = {
  'hmac-sha1-96': { hash: 'sha1', keyLength: 20, icvLength: 12 },
  'hmac-sha2-256-128': { hash: 'sha256', keyLength: 32, icvLength: 16 },
  'hmac-sha2-384-192': { hash: 'sha384', keyLength: 48, icvLength: 24 },
  'hmac-sha2-512-256': { hash: 'sha512', keyLength: 64, icvLength: 32 },
};

/** The ICV of an INTEG transform: HMAC(key, data...) truncated (RFC 4868 2.3, RFC 2404). */
export function integrityIcv(alg: IntegAlg, key: Uint8Array | KeyObject, ...data: readonly Uint8Array[]): Buffer {
  const p = INTEG_PARAMS[alg];
  if (p === undefined) throw new CryptoError('UNSUPPORTED', `unsupported INTEG ${String(alg)}`);
  const h = createHmac(p.hash, key);
  for (const d of data) h.update(d);
  return h.digest().subarray(0, p.icvLength);
}

function params(alg: PrfAlg): { hash: string; size: number } {
  const p = PRF_HASH[alg];
  if (p === undefined) throw new CryptoError('UNSUPPORTED', `unsupported PRF ${String(alg)}`);
  return p;
}

/**
 * Output length of the PRF, which is also its preferred key length: RFC 4868 2.1.2 (HMAC-SHA2 PRF
 * keys are the hash size) and RFC 7296 2.14 (SK_d, SK_pi, SK_pr have the PRF's preferred key length).
 */
export function prfLength(alg: PrfAlg): number {
  return params(alg).size;
}

/** prf(key, data...) — the data parts are concatenated. */
export function prf(alg: PrfAlg, key: Uint8Array, ...data: readonly Uint8Array[]): Buffer {
  const h = createHmac(params(alg).hash, key);
  for (const d of data) h.update(d);
  return h.digest();
}

/** prf+(key, seed) truncated to `length` octets (RFC 7296 2.13). */
export function prfPlus(alg: PrfAlg, key: Uint8Array, seed: Uint8Array, length: number): Buffer {
  const { hash, size } = params(alg);
  if (!Number.isInteger(length) || length < 0 || length > 255 * size) {
    throw new CryptoError('BAD_LENGTH', `prf+ output of ${length} octets is beyond 255 * ${size}`);
  }
  const out = Buffer.alloc(Math.ceil(length / size) * size);
  let prev: Buffer = Buffer.alloc(0);
  for (let n = 1, off = 0; off < length; n++, off += size) {
    prev = createHmac(hash, key).update(prev).update(seed).update(Uint8Array.of(n)).digest();
    prev.copy(out, off);
  }
  return out.subarray(0, length);
}
