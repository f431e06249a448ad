/**
 * PT-TLS SASL Mechanisms (RFC 6876 section 3.8.1), sent by the NEA Server only: the mechanisms it
 * offers, each as a 5-bit length and the name. An empty list ends the authentication phase ("no
 * (more) client authentication is required"); strongSwan's server always sends one, even when it
 * authenticates nobody, and its client waits for it.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Rsvd | Mech Len|   Mechanism Name (Variable Length) . . .      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                            . . .                              |
 *
 * RFC 4422 section 3.1: a mechanism name is 1 to 20 characters from [A-Z0-9-_].
 */
import type { PtTlsValueCodec } from './codec.js';
import { PtTlsEncodeError, invalidParameter } from './errors.js';
import { PtTlsMessageType } from './message-type.js';
import { need, readUint8 } from './wire.js';

export interface SaslMechanisms {
  readonly kind: 'sasl-mechanisms';
  readonly mechanisms: readonly string[];
}

const NAME = /^[A-Z0-9_-]{1,20}$/;
/** At most this many mechanisms in one list (far above any real server's offer). */
export const MAX_MECHANISMS = 32;

/** Writes `len | name` (the 3 reserved bits 0) for one mechanism name. */
export function encodeMechanismName(name: string): Uint8Array {
  if (!NAME.test(name)) throw new PtTlsEncodeError('PTTLS_FIELD_RANGE', `SASL mechanism name '${name}' is not 1-20 of [A-Z0-9-_]`);
  const out = new Uint8Array(1 + name.length);
  out[0] = name.length;
  for (let i = 0; i < name.length; i++) out[1 + i] = name.charCodeAt(i);
  return out;
}

/** Reads one `len | name` at `offset`; returns the name and the offset after it. */
export function readMechanismName(bytes: Uint8Array, offset: number): { name: string; next: number } {
  // "Rsvd: MUST be set to 0 on transmission and ignored on reception" (the 3 high bits).
  const len = readUint8(bytes, offset, 'Mech Len') & 0x1f;
  if (len === 0) throw invalidParameter('PTTLS_VALUE_INVALID', offset, 'empty SASL mechanism name');
  need(bytes, offset + 1, len, 'Mechanism Name');
  const name = String.fromCharCode(...bytes.subarray(offset + 1, offset + 1 + len));
  if (!NAME.test(name)) throw invalidParameter('PTTLS_VALUE_INVALID', offset + 1, 'SASL mechanism name is not 1-20 of [A-Z0-9-_]');
  return { name, next: offset + 1 + len };
}

export const saslMechanismsCodec: PtTlsValueCodec<SaslMechanisms> = {
  kind: 'sasl-mechanisms',
  vendorId: 0,
  messageType: PtTlsMessageType.SaslMechanisms,
  maxValueLength: MAX_MECHANISMS * 21,
  encode(value) {
    if (value.mechanisms.length > MAX_MECHANISMS) throw new PtTlsEncodeError('PTTLS_TOO_LONG', `${value.mechanisms.length} mechanisms`);
    const parts = value.mechanisms.map(encodeMechanismName);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  },
  decode(bytes) {
    const mechanisms: string[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      if (mechanisms.length >= MAX_MECHANISMS) throw invalidParameter('PTTLS_LIMIT_EXCEEDED', offset, `more than ${MAX_MECHANISMS} mechanisms`);
      const { name, next } = readMechanismName(bytes, offset);
      mechanisms.push(name);
      offset = next;
    }
    return { kind: 'sasl-mechanisms', mechanisms };
  },
};
