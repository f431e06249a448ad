/** The contract between the IKE phase / the integration test and bench/ike/load-child.ts. */
import type { LatencySummary } from '../load/stats.js';

export const HELD_PREFIX = 'BENCH-IKE-HELD ';
export const DELETED_PREFIX = 'BENCH-IKE-DELETED ';

export interface IkeLoadJob {
  readonly mode: 'loop' | 'hold';
  readonly remote: { readonly address: string; readonly port: number };
  readonly natPort?: number;
  /** strongSwan-style names: `aes128-sha256-ecp256`, ESP `aes128gcm16`. */
  readonly ike: string;
  readonly esp: string;
  readonly responderId: string;
  /** PSK of the responder, or the PEM file of the CA its certificate must chain to. */
  readonly trust: { readonly kind: 'psk'; readonly secret: string } | { readonly kind: 'pubkey'; readonly caPath: string };
  readonly auth: 'psk' | 'eap-md5';
  /** PSK secret (auth 'psk') or every user's EAP-MD5 password (the bench users share one). */
  readonly secret: string;
  /** Identities `${user}@${domain}` and EAP identities `${user}`, users user0001..userN. */
  readonly users: readonly string[];
  /** Per-user EAP-MD5 passwords (index as users); `secret` when absent. */
  readonly passwords?: readonly string[];
  readonly domain: string;
  readonly virtualIp: boolean;
  readonly slots: number;
  readonly timeoutMs: number;
  readonly tries: number;
  readonly reuseDhKey: boolean;
  readonly hardLimitMs: number;
  // loop
  readonly warmupMs?: number;
  readonly durationMs?: number;
  readonly maxOps?: number;
  // hold
  readonly count?: number;
  /** Hold until this file exists, then delete the SAs and exit. */
  readonly releaseFile?: string;
}

export interface IkeLoadResult {
  readonly kind: 'ike';
  readonly ok: number;
  readonly failed: number;
  readonly timeouts: number;
  readonly reasons: Record<string, number>;
  readonly elapsedMs: number;
  readonly opsPerSec: number;
  readonly latency: LatencySummary;
  readonly roundTripsPerOp: number;
  readonly retransmissions: number;
  readonly clientCpuMs: number;
  readonly deleteFailures: number;
  readonly cookies: number;
  readonly invalidKe: number;
  readonly dropped: number;
}

export interface HeldResult {
  readonly ok: number;
  readonly failed: number;
  readonly reasons: Record<string, number>;
  readonly elapsedMs: number;
  readonly cookies: number;
  readonly invalidKe: number;
  readonly retransmissions: number;
  /** The first few SAs, for the integration test. */
  readonly sample: readonly { readonly identity: string; readonly virtualIp?: string; readonly spiI: string; readonly spiR: string; readonly natT: boolean; readonly roundTrips: number }[];
}

