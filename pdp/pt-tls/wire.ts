/**
 * Wire helpers shared by the PT-TLS codecs: bounds-checked big-endian reads that name the field's
 * offset, and range-checked writes. DataViews always pass byteOffset and byteLength.
 */
import { PtTlsEncodeError, malformed } from './errors.js';

export const MAX_UINT24 = 0xffffff;
export const MAX_UINT32 = 0xffffffff;

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A copy of `bytes[start, end)`: decoded values never alias the input. */
export function copyOf(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, start, end);
}

/** Throws PTTLS_VALUE_LENGTH_INVALID (at the end of the data) unless `count` octets are available at `offset`. */
export function need(bytes: Uint8Array, offset: number, count: number, what: string): void {
  if (offset + count > bytes.length) {
    throw malformed('PTTLS_VALUE_LENGTH_INVALID', Math.min(offset, bytes.length), `${what}: ${count} octets needed, ${Math.max(0, bytes.length - offset)} left`);
  }
}

export function readUint8(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 1, what);
  return view(bytes).getUint8(offset);
}

export function readUint16(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 2, what);
  return view(bytes).getUint16(offset);
}

export function readUint24(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 3, what);
  const v = view(bytes);
  return (v.getUint8(offset) << 16) | v.getUint16(offset + 1);
}

export function readUint32(bytes: Uint8Array, offset: number, what: string): number {
  need(bytes, offset, 4, what);
  return view(bytes).getUint32(offset);
}

export function checkRange(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new PtTlsEncodeError('PTTLS_FIELD_RANGE', `${what} ${value} outside 0..${max}`);
  }
}

export function writeUint24(v: DataView, offset: number, value: number): void {
  v.setUint8(offset, value >>> 16);
  v.setUint16(offset + 1, value & 0xffff);
}
