/**
 * Field reader and writer shared by every PA-TNC codec: big-endian integers of 1, 2, 3 and 4
 * octets (network order, RFC 5792 section 4), length-prefixed UTF-8 strings and octet strings.
 *
 * The reader never reads past the octets it was given: each read checks the remaining length
 * first and throws `PaTncError` (PA_TNC_TRUNCATED) with the offset of the field, relative to
 * the start of the octets handed to the reader. Strings are decoded strictly (invalid UTF-8 is
 * an error, never replaced), so decode(encode(x)) and encode(decode(x)) are both exact.
 * Views are not copied: octet strings returned are subarrays of the input.
 */
import { PaTncEncodeError, PaTncError } from '../errors.js';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

export interface StringOptions {
  /** Reject a NUL anywhere in the string (RFC 5792 forbids NUL-terminated strings; strongSwan rejects any NUL). */
  readonly noNul?: boolean;
}

export class FieldReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #need(n: number, what: string): number {
    const at = this.#offset;
    if (n > this.#bytes.length - at) {
      throw new PaTncError('PA_TNC_TRUNCATED', at, `${what} needs ${n} octets, ${this.#bytes.length - at} left`);
    }
    this.#offset = at + n;
    return at;
  }

  u8(what: string): number {
    const at = this.#need(1, what);
    return this.#bytes[at] as number;
  }

  u16(what: string): number {
    const at = this.#need(2, what);
    const b = this.#bytes;
    return ((b[at] as number) << 8) | (b[at + 1] as number);
  }

  u24(what: string): number {
    const at = this.#need(3, what);
    const b = this.#bytes;
    return ((b[at] as number) << 16) | ((b[at + 1] as number) << 8) | (b[at + 2] as number);
  }

  u32(what: string): number {
    const at = this.#need(4, what);
    const b = this.#bytes;
    return (b[at] as number) * 0x1000000 + (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number));
  }

  bytes(n: number, what: string): Uint8Array {
    const at = this.#need(n, what);
    return this.#bytes.subarray(at, at + n);
  }

  /** Every octet left. */
  rest(): Uint8Array {
    const at = this.#offset;
    this.#offset = this.#bytes.length;
    return this.#bytes.subarray(at);
  }

  /** `n` octets as a UTF-8 string. */
  utf8(n: number, what: string, options: StringOptions = {}): string {
    const at = this.#offset;
    return decodeUtf8(this.bytes(n, what), at, what, options);
  }

  /** The rest of the octets as a UTF-8 string. */
  utf8Rest(what: string, options: StringOptions = {}): string {
    return this.utf8(this.remaining, what, options);
  }

  /** A string preceded by a one-octet length. */
  string8(what: string, options: StringOptions = {}): string {
    return this.utf8(this.u8(`${what} length`), what, options);
  }

  /** A string preceded by a two-octet length. */
  string16(what: string, options: StringOptions = {}): string {
    return this.utf8(this.u16(`${what} length`), what, options);
  }

  /** A string preceded by a four-octet length (bounded by the octets left). */
  string32(what: string, options: StringOptions = {}): string {
    return this.utf8(this.u32(`${what} length`), what, options);
  }

  /** Fails unless every octet was read (formats that define every octet of the value). */
  end(what: string): void {
    if (this.remaining !== 0) {
      throw new PaTncError('PA_TNC_TRAILING_DATA', this.#offset, `${this.remaining} octets after the ${what}`);
    }
  }
}

/** Strict UTF-8 decoding; `base` is the offset of `bytes` for the error. */
export function decodeUtf8(bytes: Uint8Array, base: number, what: string, options: StringOptions = {}): string {
  if (options.noNul) {
    const nul = bytes.indexOf(0);
    if (nul >= 0) throw new PaTncError('PA_TNC_STRING_INVALID', base + nul, `NUL in ${what}`);
  }
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new PaTncError('PA_TNC_STRING_INVALID', base, `${what} is not UTF-8`);
  }
}

export function encodeUtf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

function checkRange(what: string, n: number, max: number): void {
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new PaTncEncodeError('PA_TNC_FIELD_RANGE', `${what} ${n} is not in 0..${max}`);
  }
}

/** Collects fields and returns them as one Uint8Array. */
export class FieldWriter {
  #buf: Uint8Array;
  #length = 0;

  constructor(sizeHint = 64) {
    this.#buf = new Uint8Array(Math.max(16, sizeHint));
  }

  #room(n: number): number {
    const at = this.#length;
    if (at + n > this.#buf.length) {
      const grown = new Uint8Array(Math.max(this.#buf.length * 2, at + n));
      grown.set(this.#buf.subarray(0, at));
      this.#buf = grown;
    }
    this.#length = at + n;
    return at;
  }

  u8(n: number, what: string): this {
    checkRange(what, n, 0xff);
    const at = this.#room(1);
    this.#buf[at] = n;
    return this;
  }

  u16(n: number, what: string): this {
    checkRange(what, n, 0xffff);
    const at = this.#room(2);
    this.#buf[at] = n >>> 8;
    this.#buf[at + 1] = n & 0xff;
    return this;
  }

  u24(n: number, what: string): this {
    checkRange(what, n, 0xffffff);
    const at = this.#room(3);
    this.#buf[at] = n >>> 16;
    this.#buf[at + 1] = (n >>> 8) & 0xff;
    this.#buf[at + 2] = n & 0xff;
    return this;
  }

  u32(n: number, what: string): this {
    checkRange(what, n, 0xffffffff);
    const at = this.#room(4);
    this.#buf[at] = n >>> 24;
    this.#buf[at + 1] = (n >>> 16) & 0xff;
    this.#buf[at + 2] = (n >>> 8) & 0xff;
    this.#buf[at + 3] = n & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    const at = this.#room(b.length); // may replace #buf: take the offset first
    this.#buf.set(b, at);
    return this;
  }

  /** A UTF-8 string without a length prefix. */
  utf8(s: string, what: string, options: StringOptions = {}): this {
    return this.bytes(stringBytes(s, what, options));
  }

  string8(s: string, what: string, options: StringOptions = {}): this {
    return this.#prefixed(stringBytes(s, what, options), 0xff, what, (n) => this.u8(n, `${what} length`));
  }

  string16(s: string, what: string, options: StringOptions = {}): this {
    return this.#prefixed(stringBytes(s, what, options), 0xffff, what, (n) => this.u16(n, `${what} length`));
  }

  string32(s: string, what: string, options: StringOptions = {}): this {
    return this.#prefixed(stringBytes(s, what, options), 0xffffffff, what, (n) => this.u32(n, `${what} length`));
  }

  #prefixed(b: Uint8Array, max: number, what: string, writeLength: (n: number) => void): this {
    if (b.length > max) {
      throw new PaTncEncodeError('PA_TNC_VALUE_TOO_LONG', `${what} is ${b.length} octets, max ${max}`);
    }
    writeLength(b.length);
    return this.bytes(b);
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#length);
  }
}

/** A lone UTF-16 surrogate has no UTF-8 form; TextEncoder would silently replace it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function stringBytes(s: string, what: string, options: StringOptions): Uint8Array {
  if (options.noNul && s.includes('\0')) {
    throw new PaTncEncodeError('PA_TNC_STRING_INVALID', `NUL in ${what}`);
  }
  if (LONE_SURROGATE.test(s)) {
    throw new PaTncEncodeError('PA_TNC_STRING_INVALID', `${what} holds a lone surrogate, which UTF-8 cannot carry`);
  }
  return encodeUtf8(s);
}

/** A value that is exactly one 32-bit integer (Assessment Result, Forwarding Enabled ...). */
export function decodeUint32Value(value: Uint8Array, what: string): number {
  if (value.length !== 4) {
    throw new PaTncError('PA_TNC_VALUE_LENGTH', 0, `${what} is ${value.length} octets, not 4`);
  }
  return new FieldReader(value).u32(what);
}

export function encodeUint32Value(n: number, what: string): Uint8Array {
  return new FieldWriter(4).u32(n, what).finish();
}
