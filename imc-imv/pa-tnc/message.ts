/**
 * PA-TNC message, RFC 5792 section 4.1: a header followed by attributes (section 4.2).
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Version    |                    Reserved                   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       Message Identifier                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    PA-TNC Attributes ...                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Version is 1; Reserved is sent as 0 and ignored on receipt (kept here as received, so a
 * re-encoded message is byte for byte the one received); the Message Identifier is chosen by the
 * sender (strongSwan: a random nonce), so `encodeMessage` takes it from the caller.
 *
 * `decodeMessage` throws PaTncError for the first problem. The RFC then wants a PA-TNC Error
 * attribute back: `processMessage` builds it (pa-tnc-error.ts `paTncErrorFor`). An attribute
 * without codec is kept as 'unknown' unless it has the NOSKIP flag; then "Attribute Type Not
 * Supported" is the answer and nothing of the message is processed (RFC 5792 section 4.2).
 */
import { PaTncError } from '../errors.js';
import { paTncError, paTncErrorFor, type PaTncErrorValue } from '../ietf/pa-tnc-error.js';
import { ATTRIBUTE_HEADER_LENGTH, isNoskip, readAttributeHeader } from './attribute-header.js';
import type { PaTncAttribute } from './attribute.js';
import { FieldReader, FieldWriter } from './fields.js';
import type { AttributeRegistry } from './registry.js';

export const PA_TNC_VERSION = 1;
export const MESSAGE_HEADER_LENGTH = 8;

export interface PaTncMessageHeader {
  readonly version: number;
  /** The 24-bit Reserved field as received. */
  readonly reserved: number;
  readonly identifier: number;
}

export interface PaTncMessage extends PaTncMessageHeader {
  readonly attributes: readonly PaTncAttribute[];
}

export interface PaTncMessageInput {
  readonly identifier: number;
  /** Defaults to 0, as the RFC wants it sent. */
  readonly reserved?: number;
  readonly attributes: readonly PaTncAttribute[];
}

/** Reads and checks the 8-octet header. */
export function decodeMessageHeader(bytes: Uint8Array): PaTncMessageHeader {
  const r = new FieldReader(bytes);
  const version = r.u8('Version');
  const reserved = r.u24('Reserved');
  const identifier = r.u32('Message Identifier');
  // A recipient of an unsupported Version answers with Version Not Supported (RFC 5792 s4.1,
  // s4.2.8); strongSwan checks this before any attribute.
  if (version !== PA_TNC_VERSION) {
    throw new PaTncError('PA_TNC_VERSION_UNSUPPORTED', 0, `PA-TNC version ${version}, only 1 is supported`);
  }
  return { version, reserved, identifier };
}

/** Decodes a whole PA-TNC message. Throws PaTncError (offsets relative to the message), nothing else. */
export function decodeMessage(bytes: Uint8Array, registry: AttributeRegistry): PaTncMessage {
  const header = decodeMessageHeader(bytes);
  const attributes: PaTncAttribute[] = [];
  let offset = MESSAGE_HEADER_LENGTH;
  while (offset < bytes.length) {
    const h = readAttributeHeader(bytes, offset);
    const valueOffset = offset + ATTRIBUTE_HEADER_LENGTH;
    const value = bytes.subarray(valueOffset, offset + h.length);
    // NOSKIP (RFC 5792 s4.2, s4.2.8, paraphrased): a recipient that does not support the
    // attribute type MUST NOT process the message, and answers Attribute Type Not Supported
    // with the attribute's flags, vendor and type. Without NOSKIP the attribute is skipped:
    // kept here as 'unknown'.
    if (isNoskip(h.flags) && !registry.has(h.vendorId, h.type)) {
      throw new PaTncError('PA_TNC_ATTRIBUTE_TYPE_UNSUPPORTED', offset, `NOSKIP attribute ${h.vendorId}/${h.type} has no codec`, {
        unsupportedAttribute: { flags: h.flags, vendorId: h.vendorId, type: h.type },
        attribute: { vendorId: h.vendorId, type: h.type },
      });
    }
    attributes.push(registry.decodeValue(h, value, valueOffset));
    offset += h.length;
  }
  return { ...header, attributes };
}

/** Encodes a message; each attribute through its codec, 'unknown' ones as their octets. */
export function encodeMessage(message: PaTncMessageInput, registry: AttributeRegistry): Uint8Array {
  const parts = message.attributes.map((a) => registry.encodeAttribute(a));
  const w = new FieldWriter(parts.reduce((n, p) => n + p.length, MESSAGE_HEADER_LENGTH));
  w.u8(PA_TNC_VERSION, 'Version').u24(message.reserved ?? 0, 'Reserved').u32(message.identifier, 'Message Identifier');
  for (const p of parts) w.bytes(p);
  return w.finish();
}

export type ProcessResult =
  | { readonly ok: true; readonly message: PaTncMessage }
  | {
      readonly ok: false;
      readonly error: PaTncError;
      /**
       * The PA-TNC Error attribute to send back, or undefined when none may be sent: the message
       * is shorter than its header (nothing to quote), or the attribute in error is itself a
       * PA-TNC Error (strongSwan aborts silently there, so two peers never trade errors forever).
       */
      readonly reply: PaTncAttribute<'pa-tnc-error', PaTncErrorValue> | undefined;
    };

/** Decodes `bytes`; on failure returns the error and the PA-TNC Error attribute answering it. */
export function processMessage(bytes: Uint8Array, registry: AttributeRegistry): ProcessResult {
  try {
    return { ok: true, message: decodeMessage(bytes, registry) };
  } catch (e) {
    if (!(e instanceof PaTncError)) throw e;
    const aboutError = e.attribute?.vendorId === paTncError.vendorId && e.attribute.type === paTncError.type;
    const reply = bytes.length < MESSAGE_HEADER_LENGTH || aboutError ? undefined : paTncErrorFor(e, bytes.subarray(0, MESSAGE_HEADER_LENGTH));
    return { ok: false, error: e, reply };
  }
}
