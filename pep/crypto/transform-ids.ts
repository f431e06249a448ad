/**
 * The only place in pep/crypto that maps IANA numbers (from pep/ike/constants.ts, the one table of
 * them in pep/) to the string names the crypto service speaks ("Internet Key Exchange Version 2 (IKEv2)
 * Parameters" registry). Everything else speaks the string names below; the IKE codec maps its
 * Transform IDs / Auth Method / Hash Algorithm numbers through these tables.
 *
 *   Transform Type 1 (ENCR)   12 ENCR_AES_CBC (RFC 3602), 20 ENCR_AES_GCM_16 (RFC 4106 / RFC 5282)
 *   Transform Type 2 (PRF)     2 PRF_HMAC_SHA1, 5/6/7 PRF_HMAC_SHA2_256/384/512 (RFC 4868)
 *   Transform Type 3 (INTEG)   2 AUTH_HMAC_SHA1_96, 12/13/14 AUTH_HMAC_SHA2_256_128/384_192/512_256
 *   Transform Type 4 (DH)     14 MODP 2048 (RFC 3526), 19/20 ECP 256/384 (RFC 5903),
 *                             31 Curve25519 (RFC 8031)
 *   Auth Method                1 RSA Digital Signature, 2 Shared Key MIC, 9/10/11 ECDSA
 *                             SHA-256/P-256, SHA-384/P-384, SHA-512/P-521 (RFC 4754),
 *                             14 Digital Signature (RFC 7427)
 *   Hash Algorithm (RFC 7427)  1 SHA1, 2 SHA2-256, 3 SHA2-384, 4 SHA2-512
 */
import { AuthMethod as Am, DhGroup as Dh, EncrId, HashAlgorithm as Ha, IntegId, PrfId } from '../ike/constants.js';

export type DhGroup = 'modp2048' | 'ecp256' | 'ecp384' | 'curve25519';
export type PrfAlg = 'hmac-sha1' | 'hmac-sha2-256' | 'hmac-sha2-384' | 'hmac-sha2-512';
export type IntegAlg = 'hmac-sha1-96' | 'hmac-sha2-256-128' | 'hmac-sha2-384-192' | 'hmac-sha2-512-256';
export type EncrAlg = 'aes-cbc' | 'aes-gcm-16';
export type AuthMethod = 'rsa' | 'psk' | 'ecdsa-256' | 'ecdsa-384' | 'ecdsa-521' | 'digital-signature';
export type HashAlg = 'sha1' | 'sha256' | 'sha384' | 'sha512';

function table<N extends string>(rows: readonly (readonly [number, N])[]) {
  const byId = new Map<number, N>(rows);
  const byName = new Map<N, number>(rows.map(([id, n]) => [n, id] as const));
  return {
    /** The name of an IANA number, or undefined when this service does not implement it. */
    name: (id: number): N | undefined => byId.get(id),
    /** The IANA number of a name. */
    id: (name: N): number => byName.get(name) as number,
    names: (): readonly N[] => rows.map(([, n]) => n),
  };
}

export const DH_GROUPS = table<DhGroup>([[Dh.MODP_2048, 'modp2048'], [Dh.ECP_256, 'ecp256'], [Dh.ECP_384, 'ecp384'], [Dh.CURVE25519, 'curve25519']]);
export const PRF_ALGS = table<PrfAlg>([
  [PrfId.HMAC_SHA1, 'hmac-sha1'], [PrfId.HMAC_SHA2_256, 'hmac-sha2-256'], [PrfId.HMAC_SHA2_384, 'hmac-sha2-384'], [PrfId.HMAC_SHA2_512, 'hmac-sha2-512'],
]);
export const INTEG_ALGS = table<IntegAlg>([
  [IntegId.HMAC_SHA1_96, 'hmac-sha1-96'], [IntegId.HMAC_SHA2_256_128, 'hmac-sha2-256-128'], [IntegId.HMAC_SHA2_384_192, 'hmac-sha2-384-192'], [IntegId.HMAC_SHA2_512_256, 'hmac-sha2-512-256'],
]);
export const ENCR_ALGS = table<EncrAlg>([[EncrId.AES_CBC, 'aes-cbc'], [EncrId.AES_GCM_16, 'aes-gcm-16']]);
export const AUTH_METHODS = table<AuthMethod>([
  [Am.RSA_DIGITAL_SIGNATURE, 'rsa'], [Am.SHARED_KEY_MESSAGE_INTEGRITY_CODE, 'psk'], [Am.ECDSA_SHA256_P256, 'ecdsa-256'],
  [Am.ECDSA_SHA384_P384, 'ecdsa-384'], [Am.ECDSA_SHA512_P521, 'ecdsa-521'], [Am.DIGITAL_SIGNATURE, 'digital-signature'],
]);
export const HASH_ALGS = table<HashAlg>([[Ha.SHA1, 'sha1'], [Ha.SHA2_256, 'sha256'], [Ha.SHA2_384, 'sha384'], [Ha.SHA2_512, 'sha512']]);
