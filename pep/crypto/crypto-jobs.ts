/**
 * The jobs the worker pool runs: the expensive public-key operations (DH generation and
 * computation, signing, verifying). One pure function, `runJob`, used both inside the worker
 * threads (crypto-worker.ts) and in-thread when the pool has size 0.
 *
 * Everything in a job and its result is structured-clonable: Buffers arrive as Uint8Array on the
 * other side (`reviveResult` turns them back), KeyObjects are cloned by Node.
 */
import type { KeyObject } from 'node:crypto';
import { computeSharedSecret, createDhSession, generateKeyPair, type DhKeyPair } from './diffie-hellman.js';
import type { SignatureHash } from './signature-algorithm.js';
import { signAuth, verifyAuth, type SignatureMethod } from './signature.js';
import type { DhGroup } from './transform-ids.js';

export type CryptoJob =
  | { readonly kind: 'dh-generate'; readonly group: DhGroup }
  | { readonly kind: 'dh-compute'; readonly pair: DhKeyPair; readonly peer: Uint8Array }
  /** A responder's whole DH: a fresh pair and g^ir in one job; the private value never leaves the thread. */
  | { readonly kind: 'dh-agree'; readonly group: DhGroup; readonly peer: Uint8Array }
  | {
    readonly kind: 'sign'; readonly method: SignatureMethod; readonly privateKey: KeyObject;
    readonly octets: Uint8Array; readonly hash?: SignatureHash; readonly rsaPadding?: 'pkcs1' | 'pss';
  }
  | {
    readonly kind: 'verify'; readonly method: SignatureMethod; readonly publicKey: KeyObject;
    readonly octets: Uint8Array; readonly authData: Uint8Array;
  };

export interface JobResults {
  'dh-generate': DhKeyPair;
  'dh-compute': Buffer;
  'dh-agree': DhAgreement;
  sign: Buffer;
  verify: boolean;
}

/** Our KE data and g^ir (dh-agree). */
export interface DhAgreement {
  readonly publicValue: Buffer;
  readonly sharedSecret: Buffer;
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** A DhKeyPair whose Buffers crossed a thread boundary (and came back as Uint8Array). */
export function revivePair(pair: DhKeyPair): DhKeyPair {
  return { group: pair.group, publicValue: asBuffer(pair.publicValue), privateKey: asBuffer(pair.privateKey) };
}

export function reviveResult(kind: CryptoJob['kind'], r: unknown): unknown {
  switch (kind) {
    case 'dh-generate': return revivePair(r as DhKeyPair);
    case 'dh-compute': case 'sign': return asBuffer(r as Uint8Array);
    case 'dh-agree': {
      const a = r as DhAgreement;
      return { publicValue: asBuffer(a.publicValue), sharedSecret: asBuffer(a.sharedSecret) };
    }
    case 'verify': return r;
  }
}

export function runJob(job: CryptoJob): unknown {
  switch (job.kind) {
    case 'dh-generate': return generateKeyPair(job.group);
    case 'dh-compute': return computeSharedSecret(revivePair(job.pair), job.peer);
    case 'dh-agree': return dhAgree(job.group, job.peer);
    case 'sign': return signAuth({
      method: job.method, privateKey: job.privateKey, octets: job.octets,
      ...(job.hash !== undefined ? { hash: job.hash } : {}),
      ...(job.rsaPadding !== undefined ? { rsaPadding: job.rsaPadding } : {}),
    });
    case 'verify': return verifyAuth(job);
  }
}

export function dhAgree(group: DhGroup, peer: Uint8Array): DhAgreement {
  const session = createDhSession(group);
  return { publicValue: session.pair.publicValue, sharedSecret: session.computeSharedSecret(peer) };
}
