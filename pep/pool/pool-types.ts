/**
 * What every virtual IP pool offers the responder (RFC 7296 3.15.1 INTERNAL_IP4/6_ADDRESS) and
 * the operator (`tnc-pep pool --status`, `tnc-pep leases`), and the address arithmetic strongSwan's
 * mem_pool uses for a subnet: "if base is the network id we later skip the first address ...
 * skip the last address (broadcast) of the subnet" (only for pools of more than 2 addresses);
 * a base with host bits set (10.3.0.5/24) starts there. A from-to range serves every address.
 */
import { formatAddress, type AddressRange, type Family } from '../config/addresses.js';

export type LeaseStatus = 'online' | 'valid' | 'expired' | 'static';

export interface LeaseInfo {
  readonly pool: string;
  readonly address: string;
  readonly identity: string;
  readonly status: LeaseStatus;
  /** ms since the epoch. */
  readonly acquired: number;
  /** ms since the epoch; undefined while online. */
  readonly released?: number;
}

export interface PoolStatus {
  readonly name: string;
  readonly start: string;
  readonly end: string;
  /** Seconds; 0 = static (leases never expire). */
  readonly timeoutSeconds: number;
  readonly size: number;
  readonly online: number;
  /** Online or still valid (bound, not expired) leases. */
  readonly used: number;
}

export interface AddressPool {
  readonly name: string;
  readonly family: Family;
  /** Hands `identity` an address (its previous one when possible); throws PoolError POOL_EXHAUSTED. */
  acquire(identity: string, requested?: string): Promise<string>;
  /** The SA using `address` went away; false if it was not leased. */
  release(address: string): Promise<boolean>;
  status(): PoolStatus;
  leases(): readonly LeaseInfo[];
}

/** The assignable addresses of a pool: first..first+size-1. */
export interface PoolSpan {
  readonly family: Family;
  readonly first: bigint;
  readonly size: number;
}

/** strongSwan limits pools to 2^31 addresses (POOL_LIMIT); so do we. */
export const POOL_LIMIT = 2 ** 31 - 1;

export function poolSpan(range: AddressRange): PoolSpan {
  if (range.prefix === undefined) {
    const size = Number(range.last - range.first + 1n);
    return { family: range.family, first: range.first, size: Math.min(size, POOL_LIMIT) };
  }
  const base = range.base ?? range.first;
  let size = Number(range.last - range.first + 1n > BigInt(POOL_LIMIT) ? BigInt(POOL_LIMIT) + 1n : range.last - range.first + 1n);
  const diff = Number(base - range.first); // host part of the base address
  let first = base;
  if (size > 2) {
    if (diff === 0) {
      first = base + 1n; // the network id is not assigned
      size -= 1;
    } else {
      size -= diff;
    }
    size -= 1; // nor the broadcast address
  } else if (diff !== 0) {
    size -= 1; // only the second address of a /31
  }
  return { family: range.family, first, size: Math.max(0, size) };
}

export const spanAddress = (span: PoolSpan, offset: number): string => formatAddress({ family: span.family, value: span.first + BigInt(offset) });
