/**
 * The registry of PT-TLS message value codecs keyed by (vendor, type), and the whole-message
 * encode/decode built on it (STYLE.md: registries, not switches). Experimental, vendor-specific
 * and unassigned types decode to an `unknown` value that keeps its bytes; the connection answers
 * them with the non-fatal Type Not Supported error (RFC 6876 section 3.9.1).
 */
import type { PtTlsValueCodec } from './codec.js';
import { PtTlsError, malformed } from './errors.js';
import { assessmentMessageCodec, type AssessmentMessage } from './assessment-message.js';
import { errorMessageCodec, type PtTlsErrorMessage } from './error-message.js';
import { encodeWithHeader, readHeader, type PtTlsHeader } from './message-header.js';
import { PT_TLS_HEADER_SIZE } from './message-type.js';
import { saslAuthenticationDataCodec, type SaslAuthenticationData } from './sasl-authentication-data.js';
import { saslMechanismSelectionCodec, type SaslMechanismSelection } from './sasl-mechanism-selection.js';
import { saslMechanismsCodec, type SaslMechanisms } from './sasl-mechanisms.js';
import { saslResultCodec, type SaslResult } from './sasl-result.js';
import { versionRequestCodec, type VersionRequest } from './version-request.js';
import { versionResponseCodec, type VersionResponse } from './version-response.js';
import { copyOf } from './wire.js';

/** A message type we do not implement (Experimental, another vendor's, unassigned). */
export interface UnknownPtTlsValue {
  readonly kind: 'unknown';
  readonly vendorId: number;
  readonly messageType: number;
  readonly value: Uint8Array;
}

export type PtTlsKnownValue =
  | VersionRequest
  | VersionResponse
  | SaslMechanisms
  | SaslMechanismSelection
  | SaslAuthenticationData
  | SaslResult
  | AssessmentMessage
  | PtTlsErrorMessage;
export type PtTlsValue = PtTlsKnownValue | UnknownPtTlsValue;

export interface PtTlsMessage {
  readonly identifier: number;
  readonly value: PtTlsValue;
}

type AnyCodec = PtTlsValueCodec<PtTlsKnownValue>;

export const CODECS: readonly AnyCodec[] = [
  versionRequestCodec,
  versionResponseCodec,
  saslMechanismsCodec,
  saslMechanismSelectionCodec,
  saslAuthenticationDataCodec,
  saslResultCodec,
  assessmentMessageCodec,
  errorMessageCodec,
] as readonly unknown[] as readonly AnyCodec[];

const byType = new Map<string, AnyCodec>(CODECS.map((c) => [`${c.vendorId}/${c.messageType}`, c]));
const byKind = new Map<string, AnyCodec>(CODECS.map((c) => [c.kind, c]));

export function codecFor(vendorId: number, messageType: number): AnyCodec | undefined {
  return byType.get(`${vendorId}/${messageType}`);
}

/** Largest value accepted for an unknown type: we only need its first octets for the Error copy. */
export const MAX_UNKNOWN_VALUE = 65_536;

/** The largest Message Value (header excluded) we buffer for this type. */
export function maxValueLength(vendorId: number, messageType: number): number {
  return codecFor(vendorId, messageType)?.maxValueLength ?? MAX_UNKNOWN_VALUE;
}

/** Decodes one whole PT-TLS message (header + value, exactly Message Length octets). */
export function decodeMessage(bytes: Uint8Array): PtTlsMessage {
  const header: PtTlsHeader = readHeader(bytes);
  if (header.length !== bytes.length) {
    throw malformed('PTTLS_LENGTH_INVALID', 8, `Message Length ${header.length} but ${bytes.length} octets`);
  }
  const valueBytes = bytes.subarray(PT_TLS_HEADER_SIZE);
  const codec = codecFor(header.vendorId, header.messageType);
  if (codec === undefined) {
    return { identifier: header.identifier, value: { kind: 'unknown', vendorId: header.vendorId, messageType: header.messageType, value: copyOf(valueBytes) } };
  }
  try {
    return { identifier: header.identifier, value: codec.decode(valueBytes) };
  } catch (e) {
    if (e instanceof PtTlsError) throw e.rebased(PT_TLS_HEADER_SIZE);
    throw e;
  }
}

/** Encodes one message with its header. */
export function encodeMessage(message: PtTlsMessage): Uint8Array {
  const v = message.value;
  if (v.kind === 'unknown') return encodeWithHeader(v.vendorId, v.messageType, message.identifier, v.value);
  const codec = byKind.get(v.kind) as AnyCodec;
  return encodeWithHeader(codec.vendorId, codec.messageType, message.identifier, codec.encode(v));
}
