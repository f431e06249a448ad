/**
 * Shared wire helpers of the PB-TNC codecs: big-endian reads with bounds checks, a writer that
 * range-checks what it writes, and strict UTF-8. Every read names the offset of the field it
 * reads so a failure becomes a PbTncError pointing at that field. DataViews always pass
 * byteOffset and byteLength (CONVENTIONS.md).
 */
import { PbTncEncodeError, invalidParameter } from '../errors.js';

/** IANA Private Enterprise Numbers used by PB-TNC (24-bit Vendor ID fields). */
export const Pen = {
  IETF: 0x000000,
  TCG: 0x005597,
  /** ITA (strongSwan, HSR): used by strongSwan's own message types. */
  ITA: 0x00902a,
  /** "0xffffff" is reserved in every PB-TNC Vendor ID field. */
  RESERVED: 0xffffff,
} as const;

export const MAX_UINT24 = 0xffffff;
export const MAX_UINT32 = 0xffffffff;

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A copy of `bytes[start, end)` as a plain Uint8Array (decoded values never alias the input). */
export function copyOf(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const out = new Uint8Array(Math.max(0, Math.min(end, bytes.length) - start));
  out.set(bytes.subarray(start, start + out.length));
  return out;
}

/** Throws PB_VALUE_TRUNCATED (Invalid Parameter) unless `need` octets are available at `offset`. */
export function need(bytes: Uint8Array, offset: number, count: number, what: string): void {
  if (offset + count > bytes.length) {
    throw invalidParameter('PB_VALUE_TRUNCATED', offset, `${what}: ${count} octets needed, ${bytes.length - offset} left`);
  }
}

export function readUint8(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 1, what);
  return bytes[offset] ?? 0;
}

export function readUint16(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 2, what);
  return view(bytes).getUint16(offset);
}

export function readUint24(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 3, what);
  return ((bytes[offset] ?? 0) << 16) | ((bytes[offset + 1] ?? 0) << 8) | (bytes[offset + 2] ?? 0);
}

export function readUint32(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 4, what);
  return view(bytes).getUint32(offset);
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * Strict UTF-8 decode of `bytes[start, end)`; invalid UTF-8 is PB_STRING_INVALID at `start`.
 * `noNul`: 'none' rejects any NUL, 'trailing' only a final NUL (strongSwan's checks).
 */
export function readUtf8(
  bytes: Uint8Array,
  start: number,
  end: number,
  what: string,
  noNul: 'none' | 'trailing' | 'allowed' = 'none',
): string {
  const part = bytes.subarray(start, end);
  if (noNul === 'none') {
    const nul = part.indexOf(0);
    if (nul >= 0) throw invalidParameter('PB_STRING_INVALID', start + nul, `${what} contains a NUL octet`);
  } else if (noNul === 'trailing' && part.length > 0 && part[part.length - 1] === 0) {
    throw invalidParameter('PB_STRING_INVALID', end - 1, `${what} is NUL terminated`);
  }
  try {
    return utf8Decoder.decode(part);
  } catch {
    throw invalidParameter('PB_STRING_INVALID', start, `${what} is not valid UTF-8`);
  }
}

export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Rejects encoder input with a NUL where the RFC forbids it. */
export function assertNoNul(text: string, what: string, trailingOnly = false): void {
  const bad = trailingOnly ? text.endsWith('\0') : text.includes('\0');
  if (bad) throw new PbTncEncodeError('PB_STRING_INVALID', `${what} must not contain NUL`);
}

function assertRange(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new PbTncEncodeError('PB_FIELD_RANGE', `${what} ${value} is outside 0..${max}`);
  }
}

/** Append-only big-endian writer; every write checks its range. */
export class WireWriter {
  #chunks: Uint8Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  #push(chunk: Uint8Array): this {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    return this;
  }

  uint8(value: number, what: string): this {
    assertRange(value, 0xff, what);
    return this.#push(Uint8Array.of(value));
  }

  uint16(value: number, what: string): this {
    assertRange(value, 0xffff, what);
    return this.#push(Uint8Array.of(value >>> 8, value & 0xff));
  }

  uint24(value: number, what: string): this {
    assertRange(value, MAX_UINT24, what);
    return this.#push(Uint8Array.of(value >>> 16, (value >>> 8) & 0xff, value & 0xff));
  }

  uint32(value: number, what: string): this {
    assertRange(value, MAX_UINT32, what);
    const b = new Uint8Array(4);
    view(b).setUint32(0, value);
    return this.#push(b);
  }

  bytes(value: Uint8Array): this {
    return this.#push(value);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
