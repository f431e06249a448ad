/**
 * The cipher ESP uses is pep/crypto's (`createCipher` in ../crypto/cipher.ts): ESP never calls
 * node:crypto itself. seal(aad, paddedPlaintext) returns IV || ciphertext || ICV; open(aad, sealed)
 * returns the padded plaintext or throws CryptoError 'INTEGRITY'. For ESP the AAD is SPI || Sequence
 * Number (RFC 4303 2, RFC 4106 5): with AES-CBC + HMAC the ICV covers AAD || IV || ciphertext
 * (RFC 4303 3.3.2); with AES-GCM the nonce is salt || IV and `key` carries the 4-octet salt after the
 * AES key (RFC 4106 8.1). The data path takes the factory as a dependency (tests may pass another).
 */
import type { CipherParams, SealedCipher } from '../crypto/cipher.js';

export type { EncrAlg as EspEncrAlg, IntegAlg as EspIntegAlg } from '../crypto/transform-ids.js';
export type EspCipher = SealedCipher;
export type EspCipherParams = CipherParams;
export type CreateEspCipher = (params: EspCipherParams) => EspCipher;
