/**
 * EAP peer state machine for one conversation, after RFC 4137 section 4 (peer side), transport-free:
 * feed it the EAP packets the authenticator sent, send back what it returns.
 *
 * - Identity and Notification Requests are answered at any time (RFC 3748 sections 5.1, 5.2).
 * - The first Request of a supported Type selects the method; a Request of an unsupported Type is
 *   answered with a Nak listing the supported Types (an Expanded Nak when the Request was expanded,
 *   RFC 3748 section 5.3.2). Once a method runs, Requests of other Types are discarded.
 * - A retransmitted Request (same Identifier and bytes) gets the previous Response again
 *   (RFC 3748 section 4.1, retransmissions keep their Identifier).
 * - EAP-Success is accepted only when the method allows it (RFC 4137 "decision"); a premature
 *   Success is a failure, protecting against a rogue authenticator that skips authentication.
 */
import { EapDecodeError } from '../errors.js';
import { encodeIdentity } from '../identity.js';
import { encodeExpandedNak, encodeNak } from '../nak.js';
import { EapCode, EapType, decodeEapPacket, eapResponse, encodeEapPacket, type EapPacket } from '../packet.js';
import type { PeerKeys, PeerMethod, PeerMethodFactory } from './peer-method.js';

export type PeerStep =
  | { readonly kind: 'response'; readonly eap: Buffer }
  | { readonly kind: 'success'; readonly method?: string; readonly keys?: PeerKeys }
  | { readonly kind: 'failure'; readonly reason: string }
  | { readonly kind: 'discard'; readonly reason: string };

export interface EapPeerOptions {
  readonly identity: string;
  /** Supported methods, in preference order (the order of the Nak list). */
  readonly methods: readonly PeerMethodFactory[];
  /** Upper bound on Requests processed (default 100). */
  readonly maxRounds?: number;
}

export class EapPeer {
  readonly #identity: string;
  readonly #factories: readonly PeerMethodFactory[];
  readonly #maxRounds: number;
  #rounds = 0;
  #done = false;
  #method: PeerMethod | undefined;
  #methodName = '';
  #lastRequest: Buffer | undefined;
  #lastResponse: Buffer | undefined;

  constructor(options: EapPeerOptions) {
    this.#identity = options.identity;
    this.#factories = options.methods;
    this.#maxRounds = options.maxRounds ?? 100;
  }

  get successAllowed(): boolean {
    return this.#method?.successAllowed ?? false;
  }

  get keys(): PeerKeys | undefined {
    return this.#method?.keys;
  }

  get finished(): boolean {
    return this.#done;
  }

  /** An unsolicited EAP-Response/Identity (what the NAS forwards, or the TTLS phase-2 opener). */
  identityResponse(identifier = 0): Buffer {
    return eapResponse(identifier, EapType.Identity, encodeIdentity(this.#identity));
  }

  async receive(bytes: Buffer): Promise<PeerStep> {
    if (this.#done) return { kind: 'discard', reason: 'finished' };
    let packet: EapPacket;
    try {
      packet = decodeEapPacket(bytes);
    } catch (e) {
      if (e instanceof EapDecodeError) return { kind: 'discard', reason: e.code };
      throw e;
    }
    switch (packet.code) {
      case EapCode.Success:
        if (this.successAllowed) {
          const keys = this.#method?.keys;
          this.#finish();
          return { kind: 'success', method: this.#methodName, ...(keys ? { keys } : {}) };
        }
        return this.#failure('premature-success');
      case EapCode.Failure:
        return this.#failure('eap-failure');
      case EapCode.Request:
        return this.#request(packet, bytes);
      default:
        return { kind: 'discard', reason: 'not-a-request' };
    }
  }

  close(): void {
    this.#finish();
  }

  async #request(packet: EapPacket, bytes: Buffer): Promise<PeerStep> {
    if (this.#lastRequest && this.#lastResponse && bytes.equals(this.#lastRequest)) {
      return { kind: 'response', eap: this.#lastResponse };
    }
    if (++this.#rounds > this.#maxRounds) return this.#failure('max-rounds');
    const id = packet.identifier;
    let response: Buffer;
    if (packet.type === EapType.Identity) {
      response = this.identityResponse(id);
    } else if (packet.type === EapType.Notification) {
      response = eapResponse(id, EapType.Notification, Buffer.alloc(0));
    } else if (this.#method) {
      if (packet.type !== this.#method.type) return { kind: 'discard', reason: 'unexpected-type' };
      const out = await this.#method.process(packet);
      if (out.kind === 'failure') return this.#failure(out.reason);
      response = eapResponse(id, out.type, out.data);
    } else {
      const factory = this.#factories.find((f) => f.type === packet.type);
      if (!factory) {
        response = this.#nak(packet);
      } else {
        this.#method = factory.create({ identity: this.#identity });
        this.#methodName = factory.name;
        const out = await this.#method.process(packet);
        if (out.kind === 'failure') return this.#failure(out.reason);
        response = eapResponse(id, out.type, out.data);
      }
    }
    this.#lastRequest = bytes;
    this.#lastResponse = response;
    return { kind: 'response', eap: response };
  }

  #nak(packet: EapPacket): Buffer {
    const types = this.#factories.map((f) => f.type).filter((t) => t !== EapType.Identity);
    if (packet.type === EapType.Expanded) {
      const desired = types.length > 0 ? types.map((type) => ({ type })) : [{ type: 0 }];
      const { expanded, data } = encodeExpandedNak(desired);
      return encodeEapPacket({ code: EapCode.Response, identifier: packet.identifier, type: EapType.Expanded, expanded, data });
    }
    return eapResponse(packet.identifier, EapType.Nak, encodeNak(types.length > 0 ? types : [0]));
  }

  #failure(reason: string): PeerStep {
    this.#finish();
    return { kind: 'failure', reason };
  }

  #finish(): void {
    this.#done = true;
    try {
      this.#method?.close?.();
    } catch {
      // best effort
    }
  }
}
