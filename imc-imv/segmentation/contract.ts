/**
 * PA-TNC attribute segmentation under a contract, TCG IF-M Segmentation Specification Version
 * 1.0 Revision 5, as strongSwan does it (src/libimcv/seg/seg_contract.c, seg/seg_env.c).
 *
 *   IMV (issuer)                                    IMC (responder)
 *     Segmentation Contract Request (max msg, max seg) ->
 *                                                   <- Segmentation Contract Response
 *     Attribute Request (Installed Packages) ->
 *                              <- Segment Envelope S|M, id n  [attribute header | octets ...]
 *     Next Segment, id n ->
 *                                  <- Segment Envelope M, id n  [... octets ...]
 *     Next Segment, id n ->
 *                                     <- Segment Envelope, id n  [... last octets]
 *     (or Next Segment with C, id n: cancel)
 *
 * The encoded attribute (12-octet header whose Length is the whole attribute, then the value)
 * is cut into Segment Values of at most Max Segment Size octets: the first carries the header
 * and the first octets of the value. strongSwan 5.9.8 sends the first segment right away and
 * each further one only when asked with Next Segment.
 *
 * `SegmentSender` is the sending side, `Reassembler` the receiving side. The reassembler is
 * bounded: segments no larger than the contract it issued, an attribute no larger than its Max
 * Message Size nor `maxAttributeSize`, at most `maxPending` attributes in progress. Its errors
 * are PaTncError with offsets relative to the base attribute; `reassemblyErrorReply` builds the
 * PA-TNC Error attribute with 0xffffffff and the Base Message ID in place of the message header,
 * as strongSwan does.
 */
import { PaTncEncodeError, PaTncError } from '../errors.js';
import { paTncErrorFor, type PaTncErrorValue } from '../ietf/pa-tnc-error.js';
import { ATTRIBUTE_HEADER_LENGTH, ATTRIBUTE_LENGTH_FIELD_OFFSET, isNoskip, readAttributeHeader, type AttributeHeader } from '../pa-tnc/attribute-header.js';
import { makeAttribute, type PaTncAttribute } from '../pa-tnc/attribute.js';
import type { AttributeRegistry } from '../pa-tnc/registry.js';
import { hasMoreSegments, isFirstSegment, segmentEnvelope, SegmentFlag, type SegmentEnvelope } from '../tcg/segment-envelope.js';

/** Max Message Size value meaning "no limit". */
export const NO_MESSAGE_SIZE_LIMIT = 0xffffffff;
/** Max Segment Size value meaning "no segmentation". */
export const NO_SEGMENTATION = 0xffffffff;
const MAX_BASE_MESSAGE_ID = 0xffffff;

export interface SegmentationContract {
  readonly maxMessageSize: number;
  readonly maxSegmentSize: number;
}

export const NULL_CONTRACT: SegmentationContract = Object.freeze({ maxMessageSize: NO_MESSAGE_SIZE_LIMIT, maxSegmentSize: NO_SEGMENTATION });

export function isNullContract(c: SegmentationContract): boolean {
  return c.maxMessageSize === NO_MESSAGE_SIZE_LIMIT && c.maxSegmentSize === NO_SEGMENTATION;
}

/**
 * What the contract says about an attribute of `encodedLength` octets (header included):
 * send it whole, segment it, or it is larger than the peer accepts at all.
 */
export function checkAttributeSize(c: SegmentationContract, encodedLength: number): 'fits' | 'segment' | 'oversize' {
  if (isNullContract(c)) return 'fits';
  if (c.maxMessageSize !== NO_MESSAGE_SIZE_LIMIT && encodedLength > c.maxMessageSize) return 'oversize';
  if (c.maxSegmentSize === NO_SEGMENTATION) return 'fits';
  return encodedLength > c.maxSegmentSize ? 'segment' : 'fits';
}

/** Cuts an encoded attribute into Segment Envelopes of at most `maxSegmentSize` octets of segment. */
export function splitAttribute(encoded: Uint8Array, maxSegmentSize: number, baseMessageId: number): SegmentEnvelope[] {
  // "The PA-TNC attribute header must not be segmented and there must be at least a first
  // and one next segment" (strongSwan seg_env_create).
  if (!Number.isInteger(maxSegmentSize) || maxSegmentSize < ATTRIBUTE_HEADER_LENGTH || maxSegmentSize >= encoded.length) {
    throw new PaTncEncodeError('PA_TNC_SEGMENTATION', `cannot cut ${encoded.length} octets into segments of ${maxSegmentSize}`);
  }
  if (!Number.isInteger(baseMessageId) || baseMessageId < 0 || baseMessageId > MAX_BASE_MESSAGE_ID) {
    throw new PaTncEncodeError('PA_TNC_FIELD_RANGE', `Base Message ID ${baseMessageId} is not 24 bits`);
  }
  const envelopes: SegmentEnvelope[] = [];
  for (let at = 0; at < encoded.length; at += maxSegmentSize) {
    const end = Math.min(at + maxSegmentSize, encoded.length);
    const flags = (at === 0 ? SegmentFlag.START : 0) | (end < encoded.length ? SegmentFlag.MORE : 0);
    envelopes.push({ flags, baseMessageId, segment: encoded.subarray(at, end) });
  }
  return envelopes;
}

type EnvelopeAttribute = PaTncAttribute<'tcg-segment-envelope', SegmentEnvelope>;

export interface SegmentSenderOptions {
  /** The first Base Message ID to use (strongSwan starts at 1); then counts up, 24 bits. */
  readonly firstBaseMessageId?: number;
}

/** The sending side: holds the segments not yet asked for, per Base Message ID. */
export class SegmentSender {
  readonly #contract: SegmentationContract;
  readonly #pending = new Map<number, SegmentEnvelope[]>();
  #nextId: number;

  constructor(contract: SegmentationContract, options: SegmentSenderOptions = {}) {
    this.#contract = contract;
    this.#nextId = options.firstBaseMessageId ?? 1;
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Segments `encoded` (an attribute the contract says to segment) and returns the first envelope. */
  start(encoded: Uint8Array): EnvelopeAttribute {
    const verdict = checkAttributeSize(this.#contract, encoded.length);
    if (verdict !== 'segment') throw new PaTncEncodeError('PA_TNC_SEGMENTATION', `a ${encoded.length}-octet attribute is '${verdict}' under this contract`);
    const id = this.#allocateId();
    const [first, ...rest] = splitAttribute(encoded, this.#contract.maxSegmentSize, id);
    this.#pending.set(id, rest);
    return makeAttribute(segmentEnvelope, first as SegmentEnvelope);
  }

  /** Answers Next Segment for `baseMessageId`; undefined when nothing is pending for it. */
  next(baseMessageId: number): EnvelopeAttribute | undefined {
    const rest = this.#pending.get(baseMessageId);
    const env = rest?.shift();
    if (!rest || !env) return undefined;
    if (rest.length === 0) this.#pending.delete(baseMessageId);
    return makeAttribute(segmentEnvelope, env);
  }

  /** Next Segment with C: drops what is pending. */
  cancel(baseMessageId: number): boolean {
    return this.#pending.delete(baseMessageId);
  }

  #allocateId(): number {
    for (let tries = 0; tries <= MAX_BASE_MESSAGE_ID; tries++) {
      const id = this.#nextId;
      this.#nextId = id >= MAX_BASE_MESSAGE_ID ? 1 : id + 1;
      if (!this.#pending.has(id)) return id;
    }
    throw new PaTncEncodeError('PA_TNC_SEGMENTATION', 'every Base Message ID is in use');
  }
}

export interface ReassemblerOptions {
  /** Attributes reassembled at once (default 16). */
  readonly maxPending?: number;
  /** Largest attribute accepted, header included, whatever the contract (default 4 MiB). */
  readonly maxAttributeSize?: number;
}

export type ReassemblyResult =
  | { readonly status: 'more'; readonly baseMessageId: number }
  | { readonly status: 'complete'; readonly baseMessageId: number; readonly attribute: PaTncAttribute; readonly encoded: Uint8Array };

interface InProgress {
  readonly header: AttributeHeader;
  readonly chunks: Uint8Array[];
  received: number;
}

/** The receiving side of the contract this party issued. */
export class Reassembler {
  readonly #contract: SegmentationContract;
  readonly #registry: AttributeRegistry;
  readonly #maxPending: number;
  readonly #maxAttributeSize: number;
  readonly #inProgress = new Map<number, InProgress>();

  constructor(contract: SegmentationContract, registry: AttributeRegistry, options: ReassemblerOptions = {}) {
    this.#contract = contract;
    this.#registry = registry;
    this.#maxPending = options.maxPending ?? 16;
    this.#maxAttributeSize = options.maxAttributeSize ?? 4 * 1024 * 1024;
  }

  get pending(): number {
    return this.#inProgress.size;
  }

  cancel(baseMessageId: number): boolean {
    return this.#inProgress.delete(baseMessageId);
  }

  /**
   * Adds one Segment Envelope. 'more': ask for the next segment (Next Segment); 'complete': the
   * base attribute, decoded through the registry. Throws PaTncError (offsets relative to the
   * base attribute); the reassembly in error is dropped, except on a duplicate first segment.
   */
  add(env: SegmentEnvelope): ReassemblyResult {
    const id = env.baseMessageId;
    const { maxSegmentSize } = this.#contract;
    const current = this.#inProgress.get(id);
    if (isFirstSegment(env)) {
      if (current) throw new PaTncError('PA_TNC_SEGMENT_DUPLICATE', 0, `Base Message ID ${id} is already being reassembled`);
      if (maxSegmentSize !== NO_SEGMENTATION && env.segment.length > maxSegmentSize) {
        throw new PaTncError('PA_TNC_SEGMENT_TOO_LARGE', 0, `segment of ${env.segment.length} octets, contract max ${maxSegmentSize}`);
      }
      const entry = this.#begin(env);
      return this.#advance(id, entry, env);
    }
    if (!current) throw new PaTncError('PA_TNC_SEGMENT_UNEXPECTED', 0, `no first segment for Base Message ID ${id}`);
    if (maxSegmentSize !== NO_SEGMENTATION && env.segment.length > maxSegmentSize) {
      this.#inProgress.delete(id);
      throw new PaTncError('PA_TNC_SEGMENT_TOO_LARGE', current.received, `segment of ${env.segment.length} octets, contract max ${maxSegmentSize}`);
    }
    return this.#advance(id, current, env);
  }

  #begin(env: SegmentEnvelope): InProgress {
    // The first Segment Value opens with the base attribute's header; its Length announces the
    // whole attribute (strongSwan reads it with segmented = TRUE).
    const header = readAttributeHeader(env.segment, 0, { segmented: true });
    const limit = Math.min(this.#maxAttributeSize, this.#contract.maxMessageSize);
    if (header.length > limit) {
      throw new PaTncError('PA_TNC_LIMIT_EXCEEDED', ATTRIBUTE_LENGTH_FIELD_OFFSET, `segmented attribute of ${header.length} octets, limit ${limit}`);
    }
    if (isNoskip(header.flags) && !this.#registry.has(header.vendorId, header.type)) {
      throw new PaTncError('PA_TNC_ATTRIBUTE_TYPE_UNSUPPORTED', 0, `NOSKIP attribute ${header.vendorId}/${header.type} has no codec`, {
        unsupportedAttribute: { flags: header.flags, vendorId: header.vendorId, type: header.type },
      });
    }
    if (this.#inProgress.size >= this.#maxPending) {
      throw new PaTncError('PA_TNC_LIMIT_EXCEEDED', 0, `${this.#inProgress.size} segmented attributes already in progress`);
    }
    return { header, chunks: [], received: 0 };
  }

  #advance(id: number, entry: InProgress, env: SegmentEnvelope): ReassemblyResult {
    const received = entry.received + env.segment.length;
    if (received > entry.header.length) {
      this.#inProgress.delete(id);
      throw new PaTncError('PA_TNC_SEGMENT_OVERFLOW', entry.received, `segments carry ${received} octets, the attribute has ${entry.header.length}`);
    }
    entry.chunks.push(env.segment.slice());
    entry.received = received;
    if (hasMoreSegments(env)) {
      this.#inProgress.set(id, entry);
      return { status: 'more', baseMessageId: id };
    }
    this.#inProgress.delete(id);
    if (received < entry.header.length) {
      // strongSwan: "insufficient bytes for PA-TNC attribute value", Invalid Parameter at the
      // attribute's Length field.
      throw new PaTncError('PA_TNC_SEGMENT_INCOMPLETE', ATTRIBUTE_LENGTH_FIELD_OFFSET, `last segment after ${received} of ${entry.header.length} octets`);
    }
    const encoded = concat(entry.chunks, received);
    const value = encoded.subarray(ATTRIBUTE_HEADER_LENGTH);
    const attribute = this.#registry.decodeValue(entry.header, value, ATTRIBUTE_HEADER_LENGTH);
    return { status: 'complete', baseMessageId: id, attribute, encoded };
  }
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** 0xffffffff and the Base Message ID: strongSwan's stand-in for the message header. */
export function segmentedErrorHeader(baseMessageId: number): Uint8Array {
  const h = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
  h[4] = (baseMessageId >>> 24) & 0xff;
  h[5] = (baseMessageId >>> 16) & 0xff;
  h[6] = (baseMessageId >>> 8) & 0xff;
  h[7] = baseMessageId & 0xff;
  return h;
}

/** The PA-TNC Error attribute answering a reassembly error for `baseMessageId`. */
export function reassemblyErrorReply(err: PaTncError, baseMessageId: number): PaTncAttribute<'pa-tnc-error', PaTncErrorValue> {
  return paTncErrorFor(err, segmentedErrorHeader(baseMessageId));
}
