/**
 * PT-TLS SASL Mechanism Selection (RFC 6876 section 3.8.2), sent by the NEA Client only: the
 * mechanism it picked from the server's list and, optionally, the mechanism's initial response
 * (strongSwan's client puts the whole SASL PLAIN message here).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Rsvd | Mech Len|   Mechanism Name (Variable Length) . . .      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Optional Initial Mechanism Data (Variable Length)     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import type { PtTlsValueCodec } from './codec.js';
import { PtTlsMessageType } from './message-type.js';
import { encodeMechanismName, readMechanismName } from './sasl-mechanisms.js';
import { copyOf } from './wire.js';

export interface SaslMechanismSelection {
  readonly kind: 'sasl-mechanism-selection';
  readonly mechanism: string;
  /** Initial Mechanism Data; undefined when the message ends after the name. */
  readonly initialData: Uint8Array | undefined;
}

/** SASL exchanges are small; this bounds what a client can make us buffer before authentication. */
export const MAX_SASL_DATA = 4096;

export const saslMechanismSelectionCodec: PtTlsValueCodec<SaslMechanismSelection> = {
  kind: 'sasl-mechanism-selection',
  vendorId: 0,
  messageType: PtTlsMessageType.SaslMechanismSelection,
  maxValueLength: 21 + MAX_SASL_DATA,
  encode(value) {
    const name = encodeMechanismName(value.mechanism);
    const data = value.initialData ?? new Uint8Array(0);
    const out = new Uint8Array(name.length + data.length);
    out.set(name);
    out.set(data, name.length);
    return out;
  },
  decode(bytes) {
    const { name, next } = readMechanismName(bytes, 0);
    return { kind: 'sasl-mechanism-selection', mechanism: name, initialData: next < bytes.length ? copyOf(bytes, next) : undefined };
  },
};
