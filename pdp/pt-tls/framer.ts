/**
 * Splits the TLS byte stream into whole PT-TLS messages. It is fed chunks as they arrive and
 * returns the complete messages; the Message Length is bounded (per type, registry.ts, and by an
 * overall maximum) as soon as the 16-octet header is in, before any of the value is buffered
 * (undici's receiver does the same with maxPayloadSize). A length error throws a PtTlsError whose
 * `partial` is the header, for the Error message's copy; the stream cannot be resynchronised after
 * it, so the connection closes.
 */
import { PtTlsError, invalidParameter } from './errors.js';
import { readHeader, type PtTlsHeader } from './message-header.js';
import { PT_TLS_HEADER_SIZE } from './message-type.js';
import { maxValueLength } from './registry.js';

export interface PtTlsFrame {
  readonly header: PtTlsHeader;
  /** The whole message, header included. */
  readonly bytes: Uint8Array;
}

export class PtTlsFramerError extends Error {
  override readonly name = 'PtTlsFramerError';
  constructor(
    readonly error: PtTlsError,
    /** What we have of the offending message (its header). */
    readonly partial: Uint8Array,
  ) {
    super(error.message);
  }
}

export class PtTlsFramer {
  readonly #maxMessageSize: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #header: PtTlsHeader | undefined;

  /** `maxMessageSize`: the largest whole message (header included) accepted of any type. */
  constructor(maxMessageSize: number) {
    this.#maxMessageSize = maxMessageSize;
  }

  /** Octets received but not yet part of a returned message. */
  get buffered(): number {
    return this.#buffered;
  }

  push(chunk: Uint8Array): PtTlsFrame[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: PtTlsFrame[] = [];
    for (;;) {
      if (this.#header === undefined) {
        if (this.#buffered < PT_TLS_HEADER_SIZE) return frames;
        const head = this.#peek(PT_TLS_HEADER_SIZE);
        let header: PtTlsHeader;
        try {
          header = readHeader(head);
        } catch (e) {
          throw new PtTlsFramerError(e as PtTlsError, head);
        }
        const limit = Math.min(this.#maxMessageSize, PT_TLS_HEADER_SIZE + maxValueLength(header.vendorId, header.messageType));
        if (header.length > limit) {
          throw new PtTlsFramerError(invalidParameter('PTTLS_MESSAGE_TOO_LARGE', 8, `Message Length ${header.length} above the limit ${limit} for this type`), head);
        }
        this.#header = header;
      }
      const header = this.#header;
      if (this.#buffered < header.length) return frames;
      frames.push({ header, bytes: this.#take(header.length) });
      this.#header = undefined;
    }
  }

  #peek(n: number): Uint8Array {
    this.#merge();
    return (this.#chunks[0] as Uint8Array).subarray(0, n);
  }

  #take(n: number): Uint8Array {
    this.#merge();
    const all = this.#chunks[0] as Uint8Array;
    const out = all.slice(0, n);
    const rest = all.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered -= n;
    return out;
  }

  #merge(): void {
    if (this.#chunks.length <= 1) return;
    const all = new Uint8Array(this.#buffered);
    let at = 0;
    for (const c of this.#chunks) {
      all.set(c, at);
      at += c.length;
    }
    this.#chunks = [all];
  }
}
