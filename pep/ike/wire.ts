/**
 * Bounds-checked big-endian reads and writes shared by the IKEv2 payload codecs. Every read checks
 * the remaining length first and throws `IkeDecodeError('TRUNCATED')` with the absolute offset, so a
 * payload decoder never indexes past its body.
 */
import { IkeDecodeError, IkeEncodeError } from './errors.js';

/** A read cursor over one payload body; `base` is the body's offset in the decoded buffer. */
export class Reader {
  private pos = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly base: number,
  ) {}

  /** Absolute offset (in the buffer handed to the top-level decoder) of the next octet. */
  get offset(): number {
    return this.base + this.pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  need(n: number, what: string): void {
    if (this.remaining < n) {
      throw new IkeDecodeError('TRUNCATED', this.offset, `${what}: need ${n} octets, ${this.remaining} left`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = (this.bytes[this.pos]! << 8) | this.bytes[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** A copy of the next `n` octets (decoded values never alias the caller's buffer). */
  bytesOf(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = copyBytes(this.bytes, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A copy of everything left. */
  rest(): Uint8Array {
    return this.bytesOf(this.remaining, 'rest');
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }
}

/** Checks that `value` fits an unsigned field of `bits` bits (encoders). */
export function checkRange(value: number, bits: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new IkeEncodeError('FIELD_RANGE', `${what} ${value} does not fit ${bits} bits`);
  }
}

export function checkLength(bytes: Uint8Array, min: number, max: number, what: string): void {
  if (bytes.length < min || bytes.length > max) {
    throw new IkeEncodeError('FIELD_RANGE', `${what} is ${bytes.length} octets, expected ${min}..${max}`);
  }
}

/** A plain Uint8Array copy of `bytes[start, end)`: decoded values never alias the caller's buffer. */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(bytes.subarray(start, end));
  return out;
}

/** Concatenates byte strings into a new Buffer. */
export function concat(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts as Uint8Array[]);
}

export function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

export function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}
