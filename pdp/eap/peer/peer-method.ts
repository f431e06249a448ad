/**
 * The EAP peer (supplicant) method interface, after RFC 4137 section 4 (peer side): a method turns a
 * Request of its Type into a Response and keeps the "decision" that tells whether an EAP-Success
 * may be accepted now (methodState/decision of RFC 4137 section 4.1.2, reduced to one flag).
 */
import type { EapPacket } from '../packet.js';

export type PeerMethodOutput =
  | { readonly kind: 'response'; readonly type: number; readonly data: Buffer }
  | { readonly kind: 'failure'; readonly reason: string };

export interface PeerKeys {
  readonly msk: Buffer;
  readonly emsk: Buffer;
}

export interface PeerMethod {
  readonly type: number;
  process(request: EapPacket): Promise<PeerMethodOutput>;
  /** True once the method allows an EAP-Success (COND_SUCC or UNCOND_SUCC). */
  readonly successAllowed: boolean;
  /** Keying material for key-deriving methods, once available. */
  readonly keys?: PeerKeys | undefined;
  close?(): void;
}

export interface PeerContext {
  /** The identity the peer announced. */
  readonly identity: string;
}

export interface PeerMethodFactory {
  readonly type: number;
  readonly name: string;
  create(context: PeerContext): PeerMethod;
}
