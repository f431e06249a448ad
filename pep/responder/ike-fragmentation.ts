/**
 * IKE message fragmentation, RFC 7383: reassembling the peer's Encrypted Fragment payloads (SKF)
 * and splitting our own large messages into them.
 *
 *   one fragment = IKE header | SKF header (Next, C, Length, Fragment Number, Total Fragments)
 *                  | IV | encrypted (chunk of the inner payload chain | Padding | Pad Length) | ICV
 *
 * RFC 7383 2.5: the integrity of every fragment is protected on its own; the ICV (or GCM's
 * associated data) covers the IKE header and the SKF header including Fragment Number and Total
 * Fragments, so the AAD is the message up to the end of those two fields. "In the very first
 * fragment (with Fragment Number equal to 1), this field [Next Payload] MUST be set to the payload
 * type of the first inner payload ... In the other fragments, this field MUST be set to zero."
 *
 * RFC 7383 2.6 (reassembly): fragments are only looked at after their ICV verified (an attacker
 * cannot disturb reassembly with forged fragments); "If the receiver finds a fragment whose
 * Total Fragments value is bigger than in previously received fragments, it MUST discard all
 * received fragments and start the reassembly process with just received fragment. If the Total
 * Fragments value is lower ..., the fragment MUST be discarded" (2.6.1, the sender lowered its
 * fragment size after a PMTU problem). Duplicates are ignored. Bounds: fragment count, total
 * plaintext size and an injected-clock timeout, so a peer cannot make us buffer without limit.
 */
import { PayloadType } from '../ike/constants.js';
import { encodeIkeHeader, IKE_HEADER_LENGTH, type IkeHeaderInit } from '../ike/header.js';
import type { SealedCipher } from '../crypto/cipher.js';
import { decodeChain, encodeChain, firstPayloadType, type IkePayload } from './payload-types.js';

const GENERIC_HEADER = 4;
/** Generic payload header + Fragment Number + Total Fragments. */
export const SKF_HEADER = 8;

export interface FragmentLimits {
  /** Highest Total Fragments accepted (default 32). */
  readonly maxFragments: number;
  /** Largest reassembled plaintext (default 64 KiB, an IKE message). */
  readonly maxSize: number;
  /** A reassembly not complete after this is dropped (default 30 s). */
  readonly timeoutMs: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = { maxFragments: 32, maxSize: 65535, timeoutMs: 30_000 };

export type FragmentVerdict =
  | { readonly kind: 'incomplete'; readonly received: number; readonly total: number }
  | { readonly kind: 'complete'; readonly payloads: IkePayload[]; readonly total: number; readonly size: number }
  | { readonly kind: 'dropped'; readonly reason: string; readonly integrity?: boolean };

/** Walks the generic payload headers to the first payload of `type`; its offset, or undefined. */
export function findPayloadOffset(raw: Uint8Array, firstPayload: number, type: number): number | undefined {
  let next = firstPayload;
  let off = IKE_HEADER_LENGTH;
  for (let i = 0; i < 64 && next !== 0; i++) {
    if (off + GENERIC_HEADER > raw.length) return undefined;
    const len = (raw[off + 2]! << 8) | raw[off + 3]!;
    if (len < GENERIC_HEADER || off + len > raw.length) return undefined;
    if (next === type) return off;
    next = raw[off]!;
    off += len;
  }
  return undefined;
}

/** One SKF fragment as read from a datagram (before its ICV is checked). */
export interface ReceivedFragment {
  readonly messageId: number;
  readonly fragmentNumber: number;
  readonly totalFragments: number;
  readonly firstPayload: number;
  /** The whole datagram (IKE header .. ICV). */
  readonly raw: Uint8Array;
  /** Offset of the SKF payload in `raw`. */
  readonly offset: number;
}

/** Reads the SKF header of a datagram whose chain holds an SKF payload; undefined when malformed. */
export function readFragment(raw: Uint8Array, firstPayload: number, messageId: number): ReceivedFragment | undefined {
  const offset = findPayloadOffset(raw, firstPayload, PayloadType.SKF);
  if (offset === undefined || offset + SKF_HEADER > raw.length) return undefined;
  const len = (raw[offset + 2]! << 8) | raw[offset + 3]!;
  // "the Encrypted Fragment payload ... MUST be the last payload in the message" (as SK, RFC 7296 3.14)
  if (offset + len !== raw.length) return undefined;
  const fragmentNumber = (raw[offset + 4]! << 8) | raw[offset + 5]!;
  const totalFragments = (raw[offset + 6]! << 8) | raw[offset + 7]!;
  // "starting from 1. This field MUST be less than or equal to the next field (Total Fragments)"
  if (fragmentNumber === 0 || fragmentNumber > totalFragments) return undefined;
  return { messageId, fragmentNumber, totalFragments, firstPayload: raw[offset]!, raw, offset };
}

/** Checks a fragment's ICV and returns its plaintext chunk (padding removed); undefined when it does not verify. */
export function openFragment(f: ReceivedFragment, cipher: SealedCipher): Buffer | undefined {
  const aad = f.raw.subarray(0, f.offset + SKF_HEADER);
  let plain: Buffer;
  try {
    plain = cipher.open(aad, f.raw.subarray(f.offset + SKF_HEADER));
  } catch {
    return undefined;
  }
  const pad = plain[plain.length - 1];
  if (pad === undefined || pad + 1 > plain.length) return undefined;
  return plain.subarray(0, plain.length - pad - 1);
}

/** The reassembly of one request (one Message ID) from its verified fragments. */
export class FragmentReassembly {
  readonly messageId: number;
  readonly startedAt: number;
  #total = 0;
  #first = 0;
  #size = 0;
  readonly #parts = new Map<number, Buffer>();

  constructor(
    messageId: number,
    readonly limits: FragmentLimits,
    now: number,
  ) {
    this.messageId = messageId;
    this.startedAt = now;
  }

  get received(): number {
    return this.#parts.size;
  }

  expired(now: number): boolean {
    return now - this.startedAt > this.limits.timeoutMs;
  }

  /** Adds one fragment; the ICV is checked before anything else of it is used. */
  add(f: ReceivedFragment, cipher: SealedCipher, now: number): FragmentVerdict {
    if (f.messageId !== this.messageId) return { kind: 'dropped', reason: `fragment of message ${f.messageId} while reassembling ${this.messageId}` };
    if (this.expired(now)) return { kind: 'dropped', reason: `reassembly of message ${this.messageId} timed out` };
    // Bounded before any decryption work.
    if (f.totalFragments > this.limits.maxFragments) {
      return { kind: 'dropped', reason: `Total Fragments ${f.totalFragments} above the limit of ${this.limits.maxFragments}` };
    }
    if (this.#parts.has(f.fragmentNumber) && f.totalFragments === this.#total) {
      return { kind: 'dropped', reason: `duplicate fragment #${f.fragmentNumber} of message ${f.messageId}` };
    }
    const chunk = openFragment(f, cipher);
    if (!chunk) return { kind: 'dropped', reason: `fragment #${f.fragmentNumber} of message ${f.messageId} failed the integrity check`, integrity: true };
    if (this.#total !== 0 && f.totalFragments < this.#total) {
      return { kind: 'dropped', reason: `fragment #${f.fragmentNumber} announces ${f.totalFragments} fragments, fewer than the ${this.#total} being reassembled` };
    }
    if (f.totalFragments > this.#total) {
      this.#parts.clear();
      this.#size = 0;
      this.#first = 0;
      this.#total = f.totalFragments;
    }
    if (f.fragmentNumber === 1) this.#first = f.firstPayload;
    else if (f.firstPayload !== 0) return { kind: 'dropped', reason: `fragment #${f.fragmentNumber} has Next Payload ${f.firstPayload}, not zero` };
    if (this.#size + chunk.length > this.limits.maxSize) {
      return { kind: 'dropped', reason: `reassembled message would exceed ${this.limits.maxSize} octets` };
    }
    this.#parts.set(f.fragmentNumber, Buffer.from(chunk));
    this.#size += chunk.length;
    if (this.#parts.size < this.#total) return { kind: 'incomplete', received: this.#parts.size, total: this.#total };
    const joined = Buffer.concat([...Array(this.#total).keys()].map((i) => this.#parts.get(i + 1)!));
    // The inner chain is decoded as one (IkeDecodeError from here is the caller's INVALID_SYNTAX).
    const payloads = decodeChain(joined, this.#first, 0);
    return { kind: 'complete', payloads, total: this.#total, size: joined.length };
  }
}

/**
 * strongSwan's fragment_size (default 1280): the largest IP datagram; the IKE message may use what
 * is left after the IP header (20 IPv4, 40 IPv6), UDP (8) and the non-ESP marker of port 4500 (4).
 */
export function maxMessageLength(fragmentSize: number, ipv6: boolean, natt: boolean): number {
  return fragmentSize - (ipv6 ? 40 : 20) - 8 - (natt ? 4 : 0);
}

/**
 * Splits `payloads` into protected SKF messages of at most `maxLength` octets each (RFC 7383 2.5).
 * Returns one message per fragment, in order; the caller sends them all (and caches them all for
 * retransmissions, RFC 7383 2.6.1 "retransmit all fragments").
 */
export function fragmentMessage(header: IkeHeaderInit, payloads: readonly IkePayload[], cipher: SealedCipher, maxLength: number): Buffer[] {
  const inner = encodeChain(payloads);
  const block = cipher.blockSize;
  const room = maxLength - IKE_HEADER_LENGTH - SKF_HEADER - cipher.ivLength - cipher.icvLength;
  // Chunk + Pad Length, rounded down to the block size.
  const chunkSize = Math.floor(room / block) * block - 1;
  if (chunkSize < 1) throw new RangeError(`fragment size ${maxLength} leaves no room for data`);
  const total = Math.max(1, Math.ceil(inner.length / chunkSize));
  if (total > 0xffff) throw new RangeError(`${total} fragments`);
  const out: Buffer[] = [];
  for (let n = 1; n <= total; n++) {
    const chunk = inner.subarray((n - 1) * chunkSize, n * chunkSize);
    const padLength = (block - ((chunk.length + 1) % block)) % block;
    const plain = Buffer.concat([chunk, Buffer.alloc(padLength), Buffer.from([padLength])]);
    const skfLength = SKF_HEADER + cipher.ivLength + plain.length + cipher.icvLength;
    const head = encodeIkeHeader(header, PayloadType.SKF, IKE_HEADER_LENGTH + skfLength);
    const skf = Buffer.alloc(SKF_HEADER);
    skf[0] = n === 1 ? firstPayloadType(payloads) : 0;
    skf.writeUInt16BE(skfLength, 2);
    skf.writeUInt16BE(n, 4);
    skf.writeUInt16BE(total, 6);
    const aad = Buffer.concat([head, skf]);
    out.push(Buffer.concat([aad, cipher.seal(aad, plain)]));
  }
  return out;
}
