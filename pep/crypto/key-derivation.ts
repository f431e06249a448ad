/**
 * IKEv2 key derivation (RFC 7296 2.14, 2.17, 2.18).
 *
 *   SKEYSEED = prf(Ni | Nr, g^ir)                                                    (2.14)
 *   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *            = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr)
 *   rekeyed IKE SA: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)                 (2.18)
 *            with the old SA's PRF; the new keys then use the new PRF and new SPIs.
 *   KEYMAT   = prf+(SK_d, Ni | Nr)  or, with PFS,  prf+(SK_d, g^ir (new) | Ni | Nr)   (2.17)
 *
 * 2.17: "All keys for SAs carrying data from the initiator to the responder are taken before SAs
 * going from the responder to the initiator. ... encryption keys are taken before integrity keys."
 * RFC 5282 7.1 / RFC 4106 8.1: an AES-GCM key carries its 4-octet salt: key length = AES key + 4.
 * SK_d, SK_pi and SK_pr have the PRF's preferred key length (its output size for HMAC).
 */
import { CryptoError } from './crypto-error.js';
import { INTEG_PARAMS, prf, prfLength, prfPlus } from './prf.js';
import type { EncrAlg, IntegAlg, PrfAlg } from './transform-ids.js';

/** Key length in octets of an ENCR transform (AES key, plus the 4-octet salt for GCM). */
export function encrKeyLength(encr: EncrAlg, keyBits: number): number {
  if (keyBits !== 128 && keyBits !== 192 && keyBits !== 256) {
    throw new CryptoError('UNSUPPORTED', `AES key size ${keyBits} is not 128, 192 or 256`);
  }
  if (encr === 'aes-cbc') return keyBits / 8;
  if (encr === 'aes-gcm-16') return keyBits / 8 + 4;
  throw new CryptoError('UNSUPPORTED', `unsupported ENCR ${String(encr)}`);
}

/** Key length in octets of an INTEG transform; 0 when there is none (AEAD). */
export function integKeyLength(integ: IntegAlg | undefined): number {
  if (integ === undefined) return 0;
  const p = INTEG_PARAMS[integ];
  if (p === undefined) throw new CryptoError('UNSUPPORTED', `unsupported INTEG ${String(integ)}`);
  return p.keyLength;
}

/** The negotiated transforms of an IKE SA. `integ` is absent with an AEAD (GCM). */
export interface IkeSaTransforms {
  readonly prf: PrfAlg;
  readonly encr: EncrAlg;
  readonly encrKeyBits: number;
  readonly integ?: IntegAlg;
}

/** The seven IKE SA keys. Secret: never log. SK_ai/SK_ar are empty with an AEAD. */
export interface IkeSaKeys {
  readonly skD: Buffer;
  readonly skAi: Buffer;
  readonly skAr: Buffer;
  readonly skEi: Buffer;
  readonly skEr: Buffer;
  readonly skPi: Buffer;
  readonly skPr: Buffer;
}

export interface IkeSaKeyInput {
  readonly transforms: IkeSaTransforms;
  /** g^ir as computeSharedSecret returns it. */
  readonly sharedSecret: Uint8Array;
  readonly nonceI: Uint8Array;
  readonly nonceR: Uint8Array;
  /** 8-octet IKE SPIs. */
  readonly spiI: Uint8Array;
  readonly spiR: Uint8Array;
}

function checkAead(t: IkeSaTransforms): void {
  // RFC 5282 8: with a combined-mode cipher the SA has no separate integrity transform.
  if (t.encr === 'aes-gcm-16' && t.integ !== undefined) {
    throw new CryptoError('UNSUPPORTED', 'AES-GCM must not be combined with an INTEG transform');
  }
  if (t.encr === 'aes-cbc' && t.integ === undefined) {
    throw new CryptoError('UNSUPPORTED', 'AES-CBC needs an INTEG transform');
  }
}

/** SK_* = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) split in RFC order. */
export function expandIkeSaKeys(p: Omit<IkeSaKeyInput, 'sharedSecret'> & { readonly skeyseed: Uint8Array }): IkeSaKeys {
  const t = p.transforms;
  checkAead(t);
  const lp = prfLength(t.prf);
  const li = integKeyLength(t.integ);
  const le = encrKeyLength(t.encr, t.encrKeyBits);
  const seed = Buffer.concat([p.nonceI, p.nonceR, p.spiI, p.spiR]);
  const km = prfPlus(t.prf, p.skeyseed, seed, 3 * lp + 2 * li + 2 * le);
  let off = 0;
  const take = (n: number): Buffer => Buffer.from(km.subarray(off, (off += n)));
  return { skD: take(lp), skAi: take(li), skAr: take(li), skEi: take(le), skEr: take(le), skPi: take(lp), skPr: take(lp) };
}

/** SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 2.14). */
export function skeyseed(alg: PrfAlg, nonceI: Uint8Array, nonceR: Uint8Array, sharedSecret: Uint8Array): Buffer {
  return prf(alg, Buffer.concat([nonceI, nonceR]), sharedSecret);
}

/** The keys of a new IKE SA from IKE_SA_INIT. */
export function deriveIkeSaKeys(p: IkeSaKeyInput): IkeSaKeys {
  return expandIkeSaKeys({ ...p, skeyseed: skeyseed(p.transforms.prf, p.nonceI, p.nonceR, p.sharedSecret) });
}

/**
 * The keys of an IKE SA that rekeys another (CREATE_CHILD_SA, RFC 7296 2.18):
 * SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the OLD SA's PRF; the nonces and SPIs are
 * those of the rekeying exchange / the new SA.
 */
export function deriveRekeyedIkeSaKeys(p: IkeSaKeyInput & { readonly oldPrf: PrfAlg; readonly oldSkD: Uint8Array }): IkeSaKeys {
  const seed = prf(p.oldPrf, p.oldSkD, p.sharedSecret, p.nonceI, p.nonceR);
  return expandIkeSaKeys({ ...p, skeyseed: seed });
}

/** Child SA transforms: ESP's ENCR (+ INTEG unless GCM). */
export interface ChildSaTransforms {
  readonly encr: EncrAlg;
  readonly encrKeyBits: number;
  readonly integ?: IntegAlg;
}

/** KEYMAT split for one Child SA: i->r keys first, encryption before integrity. Secret. */
export interface ChildSaKeys {
  /** Initiator -> responder (the responder's inbound SA). GCM: AES key || 4-octet salt. */
  readonly encrI: Buffer;
  readonly integI: Buffer;
  /** Responder -> initiator. */
  readonly encrR: Buffer;
  readonly integR: Buffer;
}

/** KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) (RFC 7296 2.17). */
export function deriveChildSaKeys(p: {
  readonly prf: PrfAlg;
  readonly skD: Uint8Array;
  readonly transforms: ChildSaTransforms;
  readonly nonceI: Uint8Array;
  readonly nonceR: Uint8Array;
  /** g^ir of a CREATE_CHILD_SA with a KE payload (PFS); absent for IKE_AUTH's first Child SA. */
  readonly sharedSecret?: Uint8Array;
}): ChildSaKeys {
  const t = p.transforms;
  checkAead({ prf: p.prf, ...t });
  const le = encrKeyLength(t.encr, t.encrKeyBits);
  const li = integKeyLength(t.integ);
  const seed = Buffer.concat(p.sharedSecret ? [p.sharedSecret, p.nonceI, p.nonceR] : [p.nonceI, p.nonceR]);
  const km = prfPlus(p.prf, p.skD, seed, 2 * (le + li));
  let off = 0;
  const take = (n: number): Buffer => Buffer.from(km.subarray(off, (off += n)));
  return { encrI: take(le), integI: take(li), encrR: take(le), integR: take(li) };
}
