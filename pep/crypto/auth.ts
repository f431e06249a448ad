/**
 * AUTH payload octets and shared-key MICs (RFC 7296 2.15, 2.16; RFC 5998).
 *
 *   InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI
 *   MACedIDForI           = prf(SK_pi, RestOfInitIDPayload)
 *   ResponderSignedOctets = RealMessage2 | NonceIData | MACedIDForR
 *   MACedIDForR           = prf(SK_pr, RestOfRespIDPayload)
 *   RestOf...IDPayload    = ID Type (1) | RESERVED (3) | Identification Data  (the ID payload body
 *                           after its generic payload header)
 *
 *   Shared key:  AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <*SignedOctets>)
 *   EAP (2.16):  the same with the MSK as the shared secret; when the EAP method generates no
 *                shared key, SK_pi / SK_pr take its place (RFC 7296 2.16, RFC 5998).
 */
import { timingSafeEqual } from 'node:crypto';
import { prf } from './prf.js';
import type { PrfAlg } from './transform-ids.js';

const KEY_PAD = Buffer.from('Key Pad for IKEv2', 'ascii');

/** The octets an AUTH payload signs or MACs (RFC 7296 2.15). */
export function signedOctets(p: {
  readonly prf: PrfAlg;
  /** SK_pi when computing/verifying the initiator's AUTH, SK_pr for the responder's. */
  readonly skP: Uint8Array;
  /** The first message the signer sent (IKE_SA_INIT request or response), header included. */
  readonly realMessage: Uint8Array;
  /** The other side's Ni/Nr nonce data (payload body only). */
  readonly peerNonce: Uint8Array;
  /** The signer's ID payload body (ID Type, 3 reserved octets, Identification Data). */
  readonly idPayloadBody: Uint8Array;
}): Buffer {
  return Buffer.concat([p.realMessage, p.peerNonce, prf(p.prf, p.skP, p.idPayloadBody)]);
}

/** AUTH data of Shared Key Message Integrity Code (method 2) or of an EAP exchange (2.16). */
export function sharedKeyAuth(alg: PrfAlg, secret: Uint8Array, octets: Uint8Array): Buffer {
  return prf(alg, prf(alg, secret, KEY_PAD), octets);
}

/** Constant-time check of a peer's shared-key AUTH data. */
export function verifySharedKeyAuth(alg: PrfAlg, secret: Uint8Array, octets: Uint8Array, authData: Uint8Array): boolean {
  const want = sharedKeyAuth(alg, secret, octets);
  return authData.length === want.length && timingSafeEqual(want, authData);
}

/**
 * The shared secret of an EAP AUTH payload: the MSK when the method produced one (RFC 7296 2.16),
 * else SK_pi/SK_pr (RFC 7296 2.16; RFC 5998 for EAP-only).
 */
export function eapAuthSecret(msk: Uint8Array | undefined, skP: Uint8Array): Uint8Array {
  return msk !== undefined && msk.length > 0 ? msk : skP;
}
