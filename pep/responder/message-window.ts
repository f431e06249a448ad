/**
 * The responder's message-ID window, RFC 7296 sections 2.1-2.3, window size 1 (the default
 * every implementation supports; SET_WINDOW_SIZE is not sent).
 *
 * RFC 7296 2.2: "The responder ... MUST remember the response to each request it has sent
 * until it receives the next request" ... 2.1: "If a responder receives a retransmitted request
 * ... it MUST retransmit its last response" ... "a node MUST NOT ... respond to ... a request
 * ... outside the window"; so, for an incoming request with Message ID m:
 *
 *      m == expected       -> process it (new request)
 *      m == expected - 1   -> duplicate: resend the cached response packets byte for byte
 *      anything else       -> silently drop (log)
 *
 * While a request is being processed (e.g. waiting for RADIUS) its retransmissions are dropped:
 * the response is not there yet.
 */
export type WindowVerdict =
  | { readonly kind: 'new' }
  | { readonly kind: 'retransmit'; readonly packets: readonly Buffer[] }
  | { readonly kind: 'in-progress' }
  | { readonly kind: 'drop'; readonly reason: string };

export class ResponderWindow {
  #expected = 0;
  #last: readonly Buffer[] | undefined;
  #lastRequestHash: string | undefined;
  #busy = false;

  get expected(): number {
    return this.#expected;
  }

  /** Classifies a request; `fingerprint` (e.g. a hash of the datagram) tells a retransmission from a new one. */
  check(messageId: number, fingerprint?: string): WindowVerdict {
    if (messageId === this.#expected) {
      if (this.#busy) return { kind: 'in-progress' };
      return { kind: 'new' };
    }
    if (messageId === this.#expected - 1 && this.#last) {
      if (fingerprint !== undefined && this.#lastRequestHash !== undefined && fingerprint !== this.#lastRequestHash) {
        // Same Message ID, different content: RFC 7296 2.1 only resends for a retransmission.
        return { kind: 'drop', reason: `request ${messageId} differs from the one answered` };
      }
      return { kind: 'retransmit', packets: this.#last };
    }
    if (messageId === this.#expected - 1) return { kind: 'in-progress' };
    return { kind: 'drop', reason: `message ID ${messageId} outside the window (expected ${this.#expected})` };
  }

  /** A new request is being processed (responses to its retransmissions wait). */
  begin(fingerprint?: string): void {
    this.#busy = true;
    this.#lastRequestHash = fingerprint;
  }

  /** The response to the request being processed: cached, and the window moves on. */
  complete(packets: readonly Buffer[]): void {
    this.#busy = false;
    this.#last = packets;
    this.#expected++;
  }

  /** Processing ended without a response (request ignored): the same ID stays expected. */
  abort(): void {
    this.#busy = false;
  }
}
