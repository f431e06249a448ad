/**
 * CryptoService: the PEP's one entry point for IKE and ESP cryptography. Public-key work goes
 * through the worker pool (async); symmetric work (PRF, key derivation, ciphers) is synchronous
 * and in-thread, since it is cheap and AES-NI/SHA-NI backed. No global state: create one per
 * process (or per test) and close() it.
 *
 * Adaptive DH (inline-budget.ts, opt-in): the cheap groups given as `inlineGroups` (ECP-256, X25519:
 * ~0.15-0.3 ms per SA) run in the calling thread while in-thread crypto stays under its share of
 * the event loop, since a worker round trip costs the loop about as much as the DH itself; past
 * that share (a flood) they go to the workers like MODP-2048, ECP-384 and every signature, which
 * always do when there are workers. A pair made in-thread keeps its OpenSSL state (a WeakMap
 * entry), so g^ir needs no re-import of the private value.
 */
import { CryptoError } from './crypto-error.js';
import { dhAgree, type DhAgreement, type JobResults } from './crypto-jobs.js';
import { computeSharedSecret, createDhSession, type DhKeyPair, type DhSession } from './diffie-hellman.js';
import { InlineBudget, type InlineBudgetOptions } from './inline-budget.js';
import { createCipher, type CipherParams, type SealedCipher } from './cipher.js';
import { prf, prfPlus } from './prf.js';
import { toPrivateKey, toPublicKey, type SignParams, type VerifyParams } from './signature.js';
import type { DhGroup, PrfAlg } from './transform-ids.js';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';

export interface CryptoServiceOptions extends WorkerPoolOptions {
  /**
   * DH groups computed in-thread while the inline budget lasts (e.g. ADAPTIVE_INLINE_GROUPS);
   * default none: measured under the IKE bench on 2 busy cores, in-thread ECP-256 gave fewer
   * IKE_SAs/s than the workers (the event loop is the bottleneck, the workers add a core).
   */
  readonly inlineGroups?: readonly DhGroup[];
  /** The event-loop share in-thread DH may take (default 20 % of each 100 ms). */
  readonly inline?: InlineBudgetOptions;
  /** Clock in ms for the inline budget; default performance.now. */
  readonly now?: () => number;
}

/** The groups cheap enough for the adaptive in-thread policy. */
export const ADAPTIVE_INLINE_GROUPS: readonly DhGroup[] = ['ecp256', 'curve25519'];

const OFFLOAD = Symbol('offload');

/** A private copy: a pooled Buffer would drag its whole 8 KiB slab across postMessage. */
function own(u: Uint8Array): Uint8Array {
  return new Uint8Array(u);
}

export class CryptoService {
  readonly #pool: WorkerPool;
  readonly #inlineGroups: ReadonlySet<DhGroup>;
  readonly #budget: InlineBudget;
  /** OpenSSL state of pairs generated in this thread (garbage-collected with the pair). */
  readonly #sessions = new WeakMap<DhKeyPair, DhSession>();
  #closed = false;

  constructor(opts: CryptoServiceOptions = {}) {
    this.#pool = new WorkerPool(opts);
    this.#inlineGroups = new Set(opts.inlineGroups ?? []);
    const now = opts.now ?? (() => performance.now());
    this.#budget = new InlineBudget(now, opts.inline);
  }

  /** DH jobs run in-thread under the adaptive policy, and sent to the workers past its budget. */
  get inlineStats(): { readonly inline: number; readonly offloaded: number } {
    return { inline: this.#budget.inline, offloaded: this.#budget.offloaded };
  }

  /** Runs `f` in-thread when `group` is cheap and the budget allows; OFFLOAD otherwise. */
  #inline<T>(group: DhGroup, f: () => T): T | typeof OFFLOAD {
    // closed: the pool answers CLOSED
    if (this.#closed || this.#pool.size === 0 || !this.#inlineGroups.has(group)) return OFFLOAD;
    return this.#budget.run(f, OFFLOAD);
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
    const session = this.#inline(group, () => createDhSession(group));
    if (session !== OFFLOAD) {
      this.#sessions.set(session.pair, session);
      return session.pair;
    }
    return (await this.#pool.run({ kind: 'dh-generate', group })) as JobResults['dh-generate'];
  }

  /** g^ir; INVALID_KE for a bad peer value. */
  async dhComputeSharedSecret(pair: DhKeyPair, peerPublic: Uint8Array): Promise<Buffer> {
    const session = this.#sessions.get(pair);
    const inline = this.#inline(pair.group, () => session !== undefined ? session.computeSharedSecret(peerPublic) : computeSharedSecret(pair, peerPublic));
    if (inline !== OFFLOAD) return inline;
    const job = {
      kind: 'dh-compute' as const,
      // own(): a Buffer from the pool would drag its 8 KiB slab through the structured clone.
      pair: { group: pair.group, publicValue: own(pair.publicValue) as Buffer, privateKey: own(pair.privateKey) as Buffer },
      peer: own(peerPublic),
    };
    return (await this.#pool.run(job)) as JobResults['dh-compute'];
  }

  /**
   * A responder's DH in one step: a fresh pair for `group` and g^ir with the peer's KE data (one
   * worker round trip instead of two, and the private value never crosses threads).
   */
  async dhAgree(group: DhGroup, peerPublic: Uint8Array): Promise<DhAgreement> {
    const inline = this.#inline(group, () => dhAgree(group, peerPublic));
    if (inline !== OFFLOAD) return inline;
    return (await this.#pool.run({ kind: 'dh-agree', group, peer: own(peerPublic) })) as JobResults['dh-agree'];
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
    this.#closed = true;
    await this.#pool.close();
  }

  static isBusy(e: unknown): boolean {
    return e instanceof CryptoError && e.code === 'BUSY';
  }
}
