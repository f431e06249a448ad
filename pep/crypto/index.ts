/**
 * # pep/crypto — the PEP's one crypto service
 *
 * Every IKEv2 and ESP cryptographic operation goes through here, on node:crypto (OpenSSL:
 * AES-NI, SHA extensions). Nothing else in pep/ imports node:crypto for IKE/ESP work.
 * Algorithms are named by strings (`'modp2048'`, `'hmac-sha2-256'`, `'aes-gcm-16'`, ...);
 * transform-ids.ts is the only file that maps them to IANA numbers (DH_GROUPS, PRF_ALGS,
 * INTEG_ALGS, ENCR_ALGS, AUTH_METHODS, HASH_ALGS: `.name(id)` / `.id(name)`).
 *
 * ## CryptoService (crypto-service.ts)
 * ```ts
 * const crypto = new CryptoService({ size: 2, maxQueue: 256 }); // size 0 = in-thread, sync work
 * const pair = await crypto.dhGenerateKeyPair('ecp256');   // pair.publicValue -> KE payload
 * const gir  = await crypto.dhComputeSharedSecret(pair, peerKeData); // CryptoError 'INVALID_KE'
 * const auth = await crypto.signAuth({ method: 'digital-signature', privateKey, octets, hash: 'sha256' });
 * const ok   = await crypto.verifyAuth({ method: 'ecdsa-256', publicKey: certPem, octets, authData });
 * crypto.prf(alg, key, ...data); crypto.prfPlus(alg, key, seed, len); crypto.createCipher({...});
 * await crypto.close();
 * ```
 * Public-key jobs run in a worker_threads pool (worker-pool.ts); a full queue rejects with
 * CryptoError 'BUSY' so an IKE_SA_INIT flood is shed instead of queued forever. Opt-in
 * (`inlineGroups: ADAPTIVE_INLINE_GROUPS`): cheap DH groups (ECP-256, X25519) run in-thread while their share of the event loop stays under the budget of
 * inline-budget.ts (default 20 % per 100 ms), and go to the workers past it.
 * `await crypto.dhAgree(group, peerKe)` -> { publicValue, sharedSecret }: a responder's DH in one
 * job (one worker round trip, the private value stays in its thread).
 *
 * ## Pure functions (usable without the service)
 * - diffie-hellman.ts: generateKeyPair, keyPairFromPrivateKey, computeSharedSecret, keLength —
 *   groups 14/19/20/31 with the IKE KE encodings (MODP padded to 256, ECP x||y, X25519 u).
 * - prf.ts: prf, prfPlus (RFC 7296 2.13), prfLength, INTEG_PARAMS.
 * - key-derivation.ts: deriveIkeSaKeys (2.14), deriveRekeyedIkeSaKeys (2.18), deriveChildSaKeys
 *   (2.17), skeyseed, expandIkeSaKeys, encrKeyLength (GCM includes the 4-octet salt), integKeyLength.
 * - auth.ts: signedOctets (2.15), sharedKeyAuth / verifySharedKeyAuth (PSK and EAP MSK),
 *   eapAuthSecret (MSK, else SK_p).
 * - signature.ts: signAuth / verifyAuth for methods rsa(1), ecdsa-256/384/521 (9/10/11, r||s)
 *   and digital-signature (14, RFC 7427: RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA DER; sha256/384/512).
 * - cipher.ts: createCipher -> SealedCipher { ivLength, icvLength, blockSize, seal(aad, pt),
 *   open(aad, sealed) } for both IKE SK payloads and ESP; padIke / unpadIke.
 *   seal returns IV || ciphertext || ICV; CBC ICV = HMAC(aad || IV || ciphertext) truncated;
 *   GCM nonce = salt || IV, IV = per-cipher 64-bit counter (never repeats under one key).
 *
 * Errors: CryptoError with a stable `code` (crypto-error.ts). Keys and secrets are never logged
 * or put in error messages.
 */
export { CryptoError, type CryptoErrorCode } from './crypto-error.js';
export { ADAPTIVE_INLINE_GROUPS, CryptoService, type CryptoServiceOptions } from './crypto-service.js';
export { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
export { InlineBudget, type InlineBudgetOptions } from './inline-budget.js';
export type { DhAgreement } from './crypto-jobs.js';
export {
  DH_GROUPS, PRF_ALGS, INTEG_ALGS, ENCR_ALGS, AUTH_METHODS, HASH_ALGS,
  type DhGroup, type PrfAlg, type IntegAlg, type EncrAlg, type AuthMethod, type HashAlg,
} from './transform-ids.js';
export {
  MODP2048_PRIME, computeSharedSecret, createDhSession, generateKeyPair, keLength, keyPairFromPrivateKey,
  type DhKeyPair, type DhSession,
} from './diffie-hellman.js';
export { INTEG_PARAMS, integrityIcv, prf, prfLength, prfPlus } from './prf.js';
export {
  deriveChildSaKeys, deriveIkeSaKeys, deriveRekeyedIkeSaKeys, encrKeyLength, expandIkeSaKeys,
  integKeyLength, skeyseed,
  type ChildSaKeys, type ChildSaTransforms, type IkeSaKeyInput, type IkeSaKeys, type IkeSaTransforms,
} from './key-derivation.js';
export { eapAuthSecret, sharedKeyAuth, signedOctets, verifySharedKeyAuth } from './auth.js';
export {
  signAuth, toPrivateKey, toPublicKey, verifyAuth,
  type KeyInput, type SignParams, type SignatureMethod, type VerifyParams,
} from './signature.js';
export {
  SIGNATURE_HASHES, algorithmIdentifier, lookupAlgorithmIdentifier,
  type SignatureAlgorithm, type SignatureHash, type SignatureKind,
} from './signature-algorithm.js';
export { createCipher, padIke, unpadIke, type CipherParams, type SealedCipher } from './cipher.js';
