/**
 * CryptoService: the PEP's one entry point for IKE and ESP cryptography. Public-key work goes
 * through the worker pool (async); symmetric work (PRF, key derivation, ciphers) is synchronous
 * and in-thread, since it is cheap and AES-NI/SHA-NI backed. No global state: create one per
 * process (or per test) and close() it.
 */
import { CryptoError } from './crypto-error.js';
import type { JobResults } from './crypto-jobs.js';
import type { DhKeyPair } from './diffie-hellman.js';
import { createCipher, type CipherParams, type SealedCipher } from './cipher.js';
import { prf, prfPlus } from './prf.js';
import { toPrivateKey, toPublicKey, type SignParams, type VerifyParams } from './signature.js';
import type { DhGroup, PrfAlg } from './transform-ids.js';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';

export type CryptoServiceOptions = WorkerPoolOptions;

/** A private copy: a pooled Buffer would drag its whole 8 KiB slab across postMessage. */
function own(u: Uint8Array): Uint8Array {
  return new Uint8Array(u);
}

export class CryptoService {
  readonly #pool: WorkerPool;

  constructor(opts: CryptoServiceOptions = {}) {
    this.#pool = new WorkerPool(opts);
  }

  /** Worker threads in use (0 = synchronous fallback). */
  get workers(): number {
    return this.#pool.size;
  }

  /** Jobs running or queued right now. */
  get pending(): number {
    return this.#pool.pending;
  }

  /** A fresh DH key pair; `publicValue` is the KE payload data. BUSY when the queue is full. */
  async dhGenerateKeyPair(group: DhGroup): Promise<DhKeyPair> {
    return (await this.#pool.run({ kind: 'dh-generate', group })) as JobResults['dh-generate'];
  }

  /** g^ir; INVALID_KE for a bad peer value. */
  async dhComputeSharedSecret(pair: DhKeyPair, peerPublic: Uint8Array): Promise<Buffer> {
    const job = {
      kind: 'dh-compute' as const,
      pair: { group: pair.group, publicValue: pair.publicValue, privateKey: Buffer.from(own(pair.privateKey)) },
      peer: own(peerPublic),
    };
    return (await this.#pool.run(job)) as JobResults['dh-compute'];
  }

  /** AUTH data for a signature method (signature.ts signAuth). */
  async signAuth(p: SignParams): Promise<Buffer> {
    const privateKey = toPrivateKey(p.privateKey);
    return (await this.#pool.run({
      kind: 'sign', method: p.method, privateKey, octets: own(p.octets),
      ...(p.hash !== undefined ? { hash: p.hash } : {}),
      ...(p.rsaPadding !== undefined ? { rsaPadding: p.rsaPadding } : {}),
    })) as JobResults['sign'];
  }

  /** Verifies a peer's signature AUTH data (signature.ts verifyAuth). */
  async verifyAuth(p: VerifyParams): Promise<boolean> {
    const publicKey = toPublicKey(p.publicKey);
    return (await this.#pool.run({
      kind: 'verify', method: p.method, publicKey, octets: own(p.octets), authData: own(p.authData),
    })) as JobResults['verify'];
  }

  prf(alg: PrfAlg, key: Uint8Array, ...data: readonly Uint8Array[]): Buffer {
    return prf(alg, key, ...data);
  }

  prfPlus(alg: PrfAlg, key: Uint8Array, seed: Uint8Array, length: number): Buffer {
    return prfPlus(alg, key, seed, length);
  }

  createCipher(p: CipherParams): SealedCipher {
    return createCipher(p);
  }

  /** Terminates the workers; queued and running jobs fail with CLOSED. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  static isBusy(e: unknown): boolean {
    return e instanceof CryptoError && e.code === 'BUSY';
  }
}
