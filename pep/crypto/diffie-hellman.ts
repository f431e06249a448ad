/**
 * Diffie-Hellman for the IKE Key Exchange payload (RFC 7296 3.4) — the groups this PEP offers:
 *
 * | group | name       | KE data (octets)                    | shared secret g^ir            |
 * |-------|------------|-------------------------------------|-------------------------------|
 * | 14    | modp2048   | y, left-padded to 256 (RFC 3526 3)  | g^ir, left-padded to 256      |
 * | 19    | ecp256     | x || y, 32 + 32, no 04 (RFC 5903 7) | x coordinate, 32 (RFC 5903 7) |
 * | 20    | ecp384     | x || y, 48 + 48                     | x coordinate, 48              |
 * | 31    | curve25519 | 32-octet u (RFC 8031 2)             | X25519 output, 32 (RFC 8031 2)|
 *
 * RFC 7296 3.4: "the length of the Diffie-Hellman public value for modular exponentiation groups
 * (MODP) groups MUST be equal to the length of the prime modulus over which the exponentiation
 * was performed, prepending zero bits to the value if necessary."
 * RFC 8031 2.3 / RFC 7748 6.1: a recipient "MUST check ... the all-zero value and abort if so".
 * Peer values are validated here (INVALID_KE): exact length; MODP 1 < y < p-1 (RFC 6989 2.1);
 * ECP point on the curve (OpenSSL's EC_POINT_oct2point check, RFC 6989 2.3).
 *
 * Pure functions; the worker pool (worker-pool.ts) runs them off the event loop. createDhSession
 * keeps the OpenSSL object of a fresh pair so the same thread computes g^ir without re-importing
 * the private value (an ECP re-import is one more scalar multiplication).
 *
 * X25519 keys are imported and exported as JWK (raw octets, RFC 8037), not PKCS#8/SPKI DER: under
 * OpenSSL 3 a DER import goes through the generic decoder and costs ~0.6 ms, a JWK one ~0.03 ms.
 */
import { createDiffieHellman, createECDH, createPrivateKey, createPublicKey, diffieHellman,
  generateKeyPairSync, getDiffieHellman, type DiffieHellman, type ECDH, type KeyObject } from 'node:crypto';
import { CryptoError } from './crypto-error.js';
import type { DhGroup } from './transform-ids.js';

/** RFC 3526 section 3, the 2048-bit MODP group: p = 2^2048 - 2^1984 - 1 + 2^64 * { [2^1918 pi] + 124476 }, g = 2. */
export const MODP2048_PRIME = Buffer.from(
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AACAA68FFFFFFFFFFFFFFFF', 'hex');
const MODP2048_ONE = Buffer.concat([Buffer.alloc(255), Buffer.of(1)]);
const MODP2048_P_MINUS_1 = (() => { const b = Buffer.from(MODP2048_PRIME); b[b.length - 1]! -= 1; return b; })();

const CURVES = { ecp256: { name: 'prime256v1', size: 32 }, ecp384: { name: 'secp384r1', size: 48 } } as const;

/** A local DH key pair. `privateKey` is secret: never log it; drop the pair once g^ir is known. */
export interface DhKeyPair {
  readonly group: DhGroup;
  /** The KE payload's Key Exchange Data, ready to send. */
  readonly publicValue: Buffer;
  /** Raw private value (MODP exponent / EC scalar / X25519 scalar), structured-clonable to workers. */
  readonly privateKey: Buffer;
}

/** The length of the Key Exchange Data (and of a peer value we accept) for a group. */
export function keLength(group: DhGroup): number {
  switch (group) {
    case 'modp2048': return MODP2048_PRIME.length;
    case 'ecp256': case 'ecp384': return CURVES[group].size * 2;
    case 'curve25519': return 32;
    default: throw new CryptoError('UNSUPPORTED', `unsupported DH group ${String(group)}`);
  }
}

function leftPad(b: Buffer, len: number): Buffer {
  if (b.length === len) return b;
  if (b.length > len) throw new CryptoError('BAD_KEY', 'DH value longer than the group size');
  return Buffer.concat([Buffer.alloc(len - b.length), b]);
}

function x25519PrivateKey(priv: Buffer): KeyObject {
  if (priv.length !== 32) throw new CryptoError('BAD_KEY', 'X25519 private key must be 32 octets');
  const d = priv.toString('base64url');
  // Node's JWK check wants an `x` string but imports a private OKP key from `d` alone (raw key;
  // OpenSSL derives the public value), so x is not trusted here.
  return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: d }, format: 'jwk' });
}

function x25519Public(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');
}

function x25519Secret(privateKey: KeyObject, peer: Buffer): Buffer {
  let secret: Buffer;
  try {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peer.toString('base64url') }, format: 'jwk' });
    secret = diffieHellman({ privateKey, publicKey });
  } catch {
    // OpenSSL refuses an all-zero X25519 result itself (RFC 7748 6.1).
    throw new CryptoError('INVALID_KE', 'X25519 computation failed (all-zero shared secret)');
  }
  if (secret.every((b) => b === 0)) throw new CryptoError('INVALID_KE', 'X25519 shared secret is all zero');
  return secret;
}

/**
 * A fresh key pair together with the thread-local OpenSSL state that computes g^ir from it. Not
 * structured-clonable: use it in the thread that made it (the pair itself may cross threads).
 */
export interface DhSession {
  readonly pair: DhKeyPair;
  /** g^ir; throws CryptoError 'INVALID_KE' on a bad peer value. */
  computeSharedSecret(peerPublic: Uint8Array): Buffer;
}

export function createDhSession(group: DhGroup): DhSession {
  switch (group) {
    case 'modp2048': {
      // OpenSSL's built-in RFC 3526 group (its exponent length follows NIST SP 800-56A for 112-bit strength).
      const dh = getDiffieHellman('modp14');
      dh.generateKeys();
      const pair = { group, publicValue: leftPad(dh.getPublicKey(), 256), privateKey: dh.getPrivateKey() };
      return { pair, computeSharedSecret: (peer) => modpSecret(dh, checkLength(group, peer)) };
    }
    case 'ecp256': case 'ecp384': {
      const ecdh = createECDH(CURVES[group].name);
      const pub = ecdh.generateKeys(); // 04 || x || y
      const pair = { group, publicValue: pub.subarray(1), privateKey: ecdh.getPrivateKey() };
      return { pair, computeSharedSecret: (peer) => ecpSecret(ecdh, group, checkLength(group, peer)) };
    }
    case 'curve25519': {
      const { privateKey } = generateKeyPairSync('x25519');
      const jwk = privateKey.export({ format: 'jwk' });
      const pair = { group, publicValue: Buffer.from(jwk.x!, 'base64url'), privateKey: Buffer.from(jwk.d!, 'base64url') };
      return { pair, computeSharedSecret: (peer) => x25519Secret(privateKey, checkLength(group, peer)) };
    }
    default: throw new CryptoError('UNSUPPORTED', `unsupported DH group ${String(group)}`);
  }
}

/** A fresh key pair for `group`. */
export function generateKeyPair(group: DhGroup): DhKeyPair {
  return createDhSession(group).pair;
}

/** Rebuilds a key pair from a known private value (test vectors, or a pair that crossed threads). */
export function keyPairFromPrivateKey(group: DhGroup, privateKey: Uint8Array): DhKeyPair {
  const priv = Buffer.from(privateKey);
  try {
    switch (group) {
      case 'modp2048': {
        const dh = createDiffieHellman(MODP2048_PRIME, Buffer.of(2));
        dh.setPrivateKey(priv);
        dh.generateKeys(); // with a private key set, this only computes g^x mod p
        return { group, publicValue: leftPad(dh.getPublicKey(), 256), privateKey: priv };
      }
      case 'ecp256': case 'ecp384': {
        const ecdh = createECDH(CURVES[group].name);
        ecdh.setPrivateKey(priv);
        return { group, publicValue: ecdh.getPublicKey().subarray(1), privateKey: priv };
      }
      case 'curve25519':
        return { group, publicValue: x25519Public(x25519PrivateKey(priv)), privateKey: priv };
      default: throw new CryptoError('UNSUPPORTED', `unsupported DH group ${String(group)}`);
    }
  } catch (e) {
    if (e instanceof CryptoError) throw e;
    throw new CryptoError('BAD_KEY', `invalid ${group} private key`);
  }
}

function checkLength(group: DhGroup, peerPublic: Uint8Array): Buffer {
  const peer = Buffer.from(peerPublic.buffer, peerPublic.byteOffset, peerPublic.byteLength);
  const want = keLength(group);
  if (peer.length !== want) {
    throw new CryptoError('INVALID_KE', `${group} KE data is ${peer.length} octets, expected ${want}`);
  }
  return peer;
}

function modpSecret(dh: Pick<DiffieHellman, 'computeSecret'>, peer: Buffer): Buffer {
  // RFC 6989 2.1: check 1 < y < p-1 (rejects 0, 1, p-1 and anything >= p).
  if (peer.compare(MODP2048_ONE) <= 0 || peer.compare(MODP2048_P_MINUS_1) >= 0) {
    throw new CryptoError('INVALID_KE', 'MODP public value out of range (1 < y < p-1)');
  }
  return leftPad(dh.computeSecret(peer), 256);
}

function ecpSecret(ecdh: ECDH, group: 'ecp256' | 'ecp384', peer: Buffer): Buffer {
  try {
    return leftPad(ecdh.computeSecret(Buffer.concat([Buffer.of(4), peer])), CURVES[group].size);
  } catch {
    throw new CryptoError('INVALID_KE', `${group} public value is not a point on the curve`);
  }
}

/** g^ir from our pair and the peer's KE data; throws CryptoError 'INVALID_KE' on a bad peer value. */
export function computeSharedSecret(pair: DhKeyPair, peerPublic: Uint8Array): Buffer {
  const { group } = pair;
  const peer = checkLength(group, peerPublic);
  switch (group) {
    case 'modp2048': {
      const dh = createDiffieHellman(MODP2048_PRIME, Buffer.of(2));
      dh.setPrivateKey(pair.privateKey);
      return modpSecret(dh, peer);
    }
    case 'ecp256': case 'ecp384': {
      const ecdh = createECDH(CURVES[group].name);
      ecdh.setPrivateKey(pair.privateKey);
      return ecpSecret(ecdh, group, peer);
    }
    case 'curve25519': {
      let key: KeyObject;
      try {
        key = x25519PrivateKey(pair.privateKey);
      } catch (e) {
        if (e instanceof CryptoError) throw e;
        throw new CryptoError('BAD_KEY', 'invalid curve25519 private key');
      }
      return x25519Secret(key, peer);
    }
    default: throw new CryptoError('UNSUPPORTED', `unsupported DH group ${String(group)}`);
  }
}
