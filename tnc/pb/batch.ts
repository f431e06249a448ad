/**
 * PB-TNC batch (RFC 5793 section 4.1) and message header (section 4.2).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Version    |D|     Reserved                        | B-Type|
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       Batch Length                            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   then zero or more messages:
 *
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Flags     |               PB-TNC Vendor ID                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       PB-TNC Message Type                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      PB-TNC Message Length                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               PB-TNC Message Value (Variable Length)          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * D = 1: sent by the Posture Broker Server. Flags: NOSKIP (0x80). Batch Length and Message Length
 * include their headers. Reserved bits and flags are written as 0 and ignored on receipt, so
 * encodeBatch(decodeBatch(x)) is x for every batch a conforming peer sends (the captures), and
 * decodeBatch is idempotent through encodeBatch for any input.
 *
 * Limits (limits.ts) are checked from the headers before anything is copied or parsed:
 * readBatchHeader() needs only the first 8 octets, so a transport can refuse an oversized batch
 * before buffering its fragments. Errors are PbTncErrors with batch offsets (errors.ts); the checks
 * and their order follow strongSwan's pb_tnc_batch.c.
 */
import { PbErrorCode, PbTncEncodeError, PbTncError, invalidParameter } from '../errors.js';
import { PB_TNC_VERSION, type PbBatchType, type PbTncRole, batchTypeName, isBatchType } from './batch-type.js';
import { DEFAULT_LIMITS, PB_BATCH_HEADER_SIZE, PB_MESSAGE_HEADER_SIZE, type PbTncLimits } from './limits.js';
import {
  encodeMessageValue,
  lookupMessageType,
  messageHeaderOf,
  messageName,
  type PbTncMessage,
} from './messages/registry.js';
import { MAX_UINT32, Pen, WireWriter, copyOf, view } from './wire.js';

export const BATCH_FLAG_DIRECTOR = 0x80;
export const MESSAGE_FLAG_NOSKIP = 0x80;
/** Message Type 0xffffffff is reserved in every vendor namespace. */
export const MESSAGE_TYPE_RESERVED = 0xffffffff;

export interface PbBatchHeader {
  readonly version: number;
  /** Who sent the batch: the D bit. */
  readonly director: PbTncRole;
  readonly batchType: PbBatchType;
  /** Batch Length, header included. */
  readonly length: number;
}

export interface PbTncBatchInit {
  /** Defaults to 2; only tests write anything else. */
  readonly version?: number;
  readonly director: PbTncRole;
  readonly batchType: PbBatchType;
  readonly messages: readonly PbTncMessage[];
}

export interface PbTncBatch extends PbTncBatchInit {
  readonly version: number;
}

/**
 * Reads and checks the 8-octet batch header: Version, B-Type and the Batch Length against
 * limits.maxBatchSize. Does not compare the length with the octets at hand (decodeBatch does), so
 * a transport can call it on the first fragment.
 */
export function readBatchHeader(bytes: Uint8Array, limits: PbTncLimits = DEFAULT_LIMITS): PbBatchHeader {
  // "Every PB-TNC batch MUST start with the following header." (RFC 5793 section 4.1)
  if (bytes.length < PB_BATCH_HEADER_SIZE) {
    throw invalidParameter('PB_BATCH_TRUNCATED', 0, `${bytes.length} octets, the batch header needs 8`);
  }
  const dv = view(bytes);
  const version = dv.getUint8(0);
  // "If a Posture Broker Client or Posture Broker Server receives a Version value that it does not
  // support, it MUST respond with a PB-TNC batch with batch type CLOSE that contains only a fatal
  // Version Not Supported error code" (RFC 5793 section 4.1)
  if (version !== PB_TNC_VERSION) {
    throw new PbTncError('PB_VERSION_UNSUPPORTED', PbErrorCode.VersionNotSupported, 0, `version ${version}`, {
      badVersion: version,
    });
  }
  const director: PbTncRole = (dv.getUint8(1) & BATCH_FLAG_DIRECTOR) !== 0 ? 'server' : 'client';
  const batchType = dv.getUint8(3) & 0x0f;
  if (!isBatchType(batchType)) {
    throw invalidParameter('PB_BATCH_TYPE_INVALID', 3, `unknown B-Type ${batchType}`);
  }
  const length = dv.getUint32(4);
  if (length > limits.maxBatchSize) {
    throw new PbTncError('PB_BATCH_TOO_LARGE', PbErrorCode.LocalError, 4, `Batch Length ${length} above the limit of ${limits.maxBatchSize}`);
  }
  if (length < PB_BATCH_HEADER_SIZE) {
    throw invalidParameter('PB_BATCH_LENGTH_MISMATCH', 4, `Batch Length ${length} is shorter than the header`);
  }
  return { version, director, batchType, length };
}

/** Decodes a whole batch. Throws PbTncError (with a batch offset), never anything else. */
export function decodeBatch(bytes: Uint8Array, limits: PbTncLimits = DEFAULT_LIMITS): PbTncBatch {
  if (bytes.length > limits.maxBatchSize) {
    throw new PbTncError('PB_BATCH_TOO_LARGE', PbErrorCode.LocalError, 4, `${bytes.length} octets, above the limit of ${limits.maxBatchSize}`);
  }
  const header = readBatchHeader(bytes, limits);
  if (header.length !== bytes.length) {
    throw invalidParameter('PB_BATCH_LENGTH_MISMATCH', 4, `Batch Length ${header.length} but ${bytes.length} octets`);
  }
  const messages = decodeMessages(bytes, header.batchType, limits);
  return { version: header.version, director: header.director, batchType: header.batchType, messages };
}

/** Decodes the messages after the header of a batch whose length has been checked. */
export function decodeMessages(bytes: Uint8Array, batchType: PbBatchType, limits: PbTncLimits = DEFAULT_LIMITS): PbTncMessage[] {
  const dv = view(bytes);
  const messages: PbTncMessage[] = [];
  let offset = PB_BATCH_HEADER_SIZE;
  while (offset < bytes.length) {
    if (messages.length >= limits.maxMessageCount) {
      throw new PbTncError('PB_TOO_MANY_MESSAGES', PbErrorCode.LocalError, offset, `more than ${limits.maxMessageCount} messages`);
    }
    messages.push(decodeMessageAt(bytes, dv, offset, batchType, limits));
    offset += dv.getUint32(offset + 8); // decodeMessageAt checked 12 <= length <= remaining
  }
  return messages;
}

function decodeMessageAt(bytes: Uint8Array, dv: DataView, offset: number, batchType: PbBatchType, limits: PbTncLimits): PbTncMessage {
  const remaining = bytes.length - offset;
  if (remaining < PB_MESSAGE_HEADER_SIZE) {
    throw invalidParameter('PB_MESSAGE_TRUNCATED', offset, `${remaining} octets, a message header needs 12`);
  }
  const noskip = (dv.getUint8(offset) & MESSAGE_FLAG_NOSKIP) !== 0;
  const vendorId = dv.getUint32(offset) & 0xffffff;
  const type = dv.getUint32(offset + 4);
  const length = dv.getUint32(offset + 8);
  if (length > remaining) {
    throw invalidParameter('PB_MESSAGE_LENGTH_INVALID', offset + 8, `Message Length ${length}, ${remaining} octets left`);
  }
  if (vendorId === Pen.RESERVED) {
    throw invalidParameter('PB_VENDOR_ID_RESERVED', offset + 1, 'Vendor ID 0xffffff is reserved');
  }
  if (type === MESSAGE_TYPE_RESERVED) {
    throw invalidParameter('PB_MESSAGE_TYPE_RESERVED', offset + 4, 'Message Type 0xffffffff is reserved');
  }
  const entry = lookupMessageType(vendorId, type);
  // We implement no experiment: a PB-Experimental with NOSKIP is one we do not support.
  if (!entry || (entry.codec.kind === 'experimental' && noskip)) {
    if (length < PB_MESSAGE_HEADER_SIZE) {
      throw invalidParameter('PB_MESSAGE_LENGTH_INVALID', offset + 8, `Message Length ${length} is below 12`);
    }
    // RFC 5793 section 4.2, NOSKIP: a recipient that does not support a message type sent with
    // NOSKIP must not process the batch and answers with a fatal Unsupported Mandatory Message
    // error pointing at the message; a message without NOSKIP it does not support is skipped.
    if (noskip) {
      throw new PbTncError('PB_UNSUPPORTED_MANDATORY_MESSAGE', PbErrorCode.UnsupportedMandatoryMessage, offset,
        `unsupported message 0x${vendorId.toString(16).padStart(6, '0')}/${type} with NOSKIP`);
    }
    return { kind: 'unknown', vendorId, type, noskip, value: copyOf(bytes, offset + PB_MESSAGE_HEADER_SIZE, offset + length) };
  }
  const { codec, rule } = entry;
  if (rule.noskip !== 'either' && noskip !== (rule.noskip === 'set')) {
    throw invalidParameter('PB_NOSKIP_INVALID', offset, `${codec.name} must${rule.noskip === 'set' ? '' : ' not'} have NOSKIP set`);
  }
  if (length < rule.minLength || (rule.exactLength && length !== rule.minLength)) {
    throw invalidParameter('PB_MESSAGE_SIZE_INVALID', offset,
      `${codec.name} of ${length} octets, must be ${rule.exactLength ? 'exactly' : 'at least'} ${rule.minLength}`);
  }
  if (!rule.batchTypes.includes(batchType)) {
    throw invalidParameter('PB_MESSAGE_NOT_ALLOWED', offset, `${codec.name} in a ${batchTypeName(batchType)} batch`);
  }
  if (rule.limitedBodyAt !== undefined) {
    const body = length - PB_MESSAGE_HEADER_SIZE - rule.limitedBodyAt;
    if (body > limits.maxMessageSize) {
      throw new PbTncError('PB_MESSAGE_TOO_LARGE', PbErrorCode.LocalError, offset + 8,
        `${codec.name} body of ${body} octets above the limit of ${limits.maxMessageSize}`);
    }
  }
  const valueAt = offset + PB_MESSAGE_HEADER_SIZE;
  try {
    return codec.decode(bytes.subarray(valueAt, offset + length));
  } catch (e) {
    if (e instanceof PbTncError) throw e.rebased(valueAt);
    throw new PbTncError('PB_LOCAL_ERROR', PbErrorCode.LocalError, valueAt, `${codec.name} decoder failed`);
  }
}

/** One message with its 12-octet header; no placement or limit checks (tests build bad batches with it). */
export function encodeMessage(message: PbTncMessage): Uint8Array {
  const { vendorId, type, noskip } = messageHeaderOf(message);
  const value = encodeMessageValue(message);
  const length = PB_MESSAGE_HEADER_SIZE + value.length;
  if (length > MAX_UINT32) throw new PbTncEncodeError('PB_TOO_LONG', `${messageName(message)} of ${length} octets`);
  return new WireWriter()
    .uint8(noskip ? MESSAGE_FLAG_NOSKIP : 0, 'Flags')
    .uint24(vendorId, 'PB-TNC Vendor ID')
    .uint32(type, 'PB-TNC Message Type')
    .uint32(length, 'PB-TNC Message Length')
    .bytes(value)
    .finish();
}

/** The 8-octet batch header. */
export function encodeBatchHeader(director: PbTncRole, batchType: number, length: number, version = PB_TNC_VERSION): Uint8Array {
  return new WireWriter()
    .uint8(version, 'Version')
    .uint8(director === 'server' ? BATCH_FLAG_DIRECTOR : 0, 'D')
    .uint16(batchType, 'B-Type')
    .uint32(length, 'Batch Length')
    .finish();
}

/**
 * Encodes a batch. Refuses (PbTncEncodeError) a message its batch type may not carry, a PA-TNC
 * message above limits.maxMessageSize and a batch above limits.maxBatchSize: we never send what we
 * would refuse ourselves.
 */
export function encodeBatch(batch: PbTncBatchInit, limits: PbTncLimits = DEFAULT_LIMITS): Uint8Array {
  const parts: Uint8Array[] = [];
  let length = PB_BATCH_HEADER_SIZE;
  for (const message of batch.messages) {
    const { vendorId, type } = messageHeaderOf(message);
    const rule = lookupMessageType(vendorId, type)?.rule;
    if (rule && message.kind !== 'unknown' && !rule.batchTypes.includes(batch.batchType)) {
      throw new PbTncEncodeError('PB_MESSAGE_UNSUPPORTED', `${messageName(message)} in a ${batchTypeName(batch.batchType)} batch`);
    }
    const encoded = encodeMessage(message);
    if (rule?.limitedBodyAt !== undefined) {
      const body = encoded.length - PB_MESSAGE_HEADER_SIZE - rule.limitedBodyAt;
      if (body > limits.maxMessageSize) {
        throw new PbTncEncodeError('PB_TOO_LONG', `${messageName(message)} body of ${body} octets above ${limits.maxMessageSize}`);
      }
    }
    parts.push(encoded);
    length += encoded.length;
    if (length > limits.maxBatchSize) {
      throw new PbTncEncodeError('PB_TOO_LONG', `batch of at least ${length} octets above the limit of ${limits.maxBatchSize}`);
    }
  }
  const w = new WireWriter().bytes(encodeBatchHeader(batch.director, batch.batchType, length, batch.version ?? PB_TNC_VERSION));
  for (const p of parts) w.bytes(p);
  return w.finish();
}

/** Octets a message takes in a batch (header included): lets a handler fill a batch up to its limit. */
export function encodedMessageSize(message: PbTncMessage): number {
  return PB_MESSAGE_HEADER_SIZE + encodeMessageValue(message).length;
}
