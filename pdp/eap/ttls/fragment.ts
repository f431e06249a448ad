/**
 * EAP-TTLS fragmentation and reassembly, RFC 5281 section 9.2.2 (the EAP-TLS scheme of RFC 5216
 * section 2.1.5).
 *
 * Sending: a TLS message longer than `fragmentSize` goes out in fragments; the first carries L and
 * the total Message Length, every fragment but the last carries M. The receiver answers each
 * fragment with an ACK (an empty TTLS packet) and the sender then sends the next one.
 *
 * Receiving: the first fragment of a fragmented message carries L and the total length (RFC 5216
 * section 2.1.5); later fragments may repeat it, and then it must repeat the same total. The assembled data may not exceed the Message
 * Length, which is itself bounded (default 64 KiB) before anything is allocated.
 *
 * `fragmentSize` counts TLS data octets per packet, without the EAP header, Flags octet and Message
 * Length. (FreeRADIUS's `fragment_size` and wpa_supplicant's count the whole EAP packet; the PDP's
 * configuration uses their meaning and subtracts the 10 header octets before it gets here.)
 */
import { EapDecodeError } from '../errors.js';
import { DEFAULT_MAX_MESSAGE_LENGTH, TTLS_VERSION, encodeTtlsFrame, type TtlsFrame } from './flags.js';

export const DEFAULT_FRAGMENT_SIZE = 1024;
export const MIN_FRAGMENT_SIZE = 32;
export const MAX_FRAGMENT_SIZE = 65535;

export function checkFragmentSize(size: number): number {
  if (!Number.isInteger(size) || size < MIN_FRAGMENT_SIZE || size > MAX_FRAGMENT_SIZE) {
    throw new RangeError(`fragmentSize must be an integer in ${MIN_FRAGMENT_SIZE}..${MAX_FRAGMENT_SIZE}`);
  }
  return size;
}

/** Splits one TLS message into encoded TTLS bodies (Type-Data); an empty message gives one empty body. */
export function fragmentMessage(message: Buffer, fragmentSize: number, version = TTLS_VERSION): Buffer[] {
  checkFragmentSize(fragmentSize);
  if (message.length <= fragmentSize) {
    return [encodeTtlsFrame({ moreFragments: false, start: false, version, data: message })];
  }
  const out: Buffer[] = [];
  for (let offset = 0; offset < message.length; offset += fragmentSize) {
    const end = Math.min(offset + fragmentSize, message.length);
    out.push(
      encodeTtlsFrame({
        moreFragments: end < message.length,
        start: false,
        version,
        ...(offset === 0 ? { messageLength: message.length } : {}),
        data: message.subarray(offset, end),
      }),
    );
  }
  return out;
}

/** Outgoing side: hands out the fragments of one message, one per ACK. */
export class TtlsSender {
  readonly #frames: Buffer[];
  #next = 0;

  constructor(message: Buffer, fragmentSize: number, version = TTLS_VERSION) {
    this.#frames = fragmentMessage(message, fragmentSize, version);
  }

  /** The next body to send. */
  next(): Buffer {
    const frame = this.#frames[this.#next];
    if (!frame) throw new RangeError('no fragment left');
    this.#next++;
    return frame;
  }

  /** True while fragments remain, i.e. an ACK is expected for the last one sent. */
  get pending(): boolean {
    return this.#next < this.#frames.length;
  }

  get count(): number {
    return this.#frames.length;
  }
}

/** Incoming side. */
export class TtlsReassembler {
  readonly #max: number;
  #buffer: Buffer | undefined;
  #received = 0;

  constructor(maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH) {
    this.#max = maxMessageLength;
  }

  get inProgress(): boolean {
    return this.#buffer !== undefined;
  }

  reset(): void {
    this.#buffer = undefined;
    this.#received = 0;
  }

  /**
   * Adds one received frame. Returns the complete message, or `undefined` when more fragments follow
   * (the caller then sends an ACK). Throws EapDecodeError on a framing violation.
   */
  push(frame: TtlsFrame): Buffer | undefined {
    if (frame.start) throw new EapDecodeError('ttls-unexpected-start', 0, 'S flag inside a conversation');
    if (frame.messageLength !== undefined && frame.messageLength > this.#max) {
      throw new EapDecodeError('ttls-message-too-long', 1, `Message Length ${frame.messageLength} exceeds ${this.#max}`);
    }
    const buffer = this.#buffer;
    if (!buffer) {
      if (!frame.moreFragments) {
        if (frame.messageLength !== undefined && frame.messageLength !== frame.data.length) {
          throw new EapDecodeError('ttls-length-mismatch', 1, `Message Length ${frame.messageLength}, data ${frame.data.length}`);
        }
        return frame.data;
      }
      // L is required on the first fragment of a fragmented message (hostapd drops it otherwise).
      if (frame.messageLength === undefined) {
        throw new EapDecodeError('ttls-missing-length', 0, 'first fragment without Message Length');
      }
      if (frame.data.length === 0) throw new EapDecodeError('ttls-empty-fragment', 5, 'fragment without data');
      if (frame.data.length >= frame.messageLength) {
        throw new EapDecodeError('ttls-fragment-overflow', 5, 'first fragment already holds the whole message');
      }
      this.#buffer = Buffer.alloc(frame.messageLength);
      frame.data.copy(this.#buffer, 0);
      this.#received = frame.data.length;
      return undefined;
    }
    if (frame.messageLength !== undefined && frame.messageLength !== buffer.length) {
      this.reset();
      throw new EapDecodeError('ttls-length-mismatch', 1, 'Message Length changed between fragments');
    }
    const dataOffset = frame.messageLength !== undefined ? 5 : 1;
    if (this.#received + frame.data.length > buffer.length) {
      this.reset();
      throw new EapDecodeError('ttls-fragment-overflow', dataOffset, 'fragments exceed the Message Length');
    }
    if (frame.moreFragments && frame.data.length === 0) {
      this.reset();
      throw new EapDecodeError('ttls-empty-fragment', dataOffset, 'fragment without data');
    }
    frame.data.copy(buffer, this.#received);
    this.#received += frame.data.length;
    if (frame.moreFragments) return undefined;
    const complete = this.#received === buffer.length;
    const received = this.#received;
    this.reset();
    if (!complete) {
      throw new EapDecodeError('ttls-length-mismatch', dataOffset, `received ${received} of ${buffer.length} octets`);
    }
    return buffer;
  }
}
