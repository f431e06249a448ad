/**
 * Packs what the IMVs want sent into PB-PA messages (RFC 5793 section 4.5), each carrying one
 * PA-TNC message (RFC 5792 section 4.1) with a fresh random Message Identifier (strongSwan uses
 * a random nonce too), within the PB-TNC limits:
 *
 *   - a PA-TNC message never exceeds limits.maxMessageSize: an IMV's attributes are spread over
 *     as many messages as needed; one attribute larger than that alone cannot be sent (an IMV
 *     must segment it) and is dropped, reported, as is one its codec cannot encode;
 *   - the batch never exceeds limits.maxBatchSize minus `reserve` (room for the RESULT
 *     messages): what does not fit is deferred, in order, to the next batch.
 *
 *   PB-TNC message header (12) | PB-PA header (12) | PA-TNC header (8) | attributes ...
 */
import { encodeMessage as encodePaTncMessage, IMC_ID_ANY, PaTncEncodeError, MESSAGE_HEADER_LENGTH, type AttributeRegistry, type ImvOutgoing, type PaTncAttribute } from '../../imc-imv/index.js';
import { PB_BATCH_HEADER_SIZE, PB_MESSAGE_HEADER_SIZE, type PbPaMessage, type PbTncLimits } from '../../tnc/index.js';

const PB_PA_HEADER_SIZE = 12;

/** An IMV's outgoing PA-TNC message, with the sending IMV's id (PB-PA Posture Validator Identifier). */
export interface QueuedPaMessage extends ImvOutgoing {
  readonly imvId: number;
  readonly imvName: string;
}

export interface PackOptions {
  readonly registry: AttributeRegistry;
  readonly limits: PbTncLimits;
  /** Octets to keep free in the batch. */
  readonly reserve: number;
  readonly randomId: () => number;
}

export interface PackResult {
  readonly messages: readonly PbPaMessage[];
  /** Did not fit this batch; send next time. */
  readonly deferred: readonly QueuedPaMessage[];
  /** Attributes that can never be sent (larger than a PA-TNC message may be, or not encodable: size -1). */
  readonly dropped: readonly { readonly imvName: string; readonly attribute: string; readonly size: number }[];
}

/** Groups `attributes` (with their encoded sizes) into runs that fit one PA-TNC message each. */
function chunk(sizes: readonly number[], maxBody: number): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  let used = 0;
  sizes.forEach((size, i) => {
    if (run.length > 0 && used + size > maxBody) {
      runs.push(run);
      run = [];
      used = 0;
    }
    run.push(i);
    used += size;
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

/** The attribute's encoded length, or undefined when it cannot be encoded (an IMV's bad value). */
function encodedSize(registry: AttributeRegistry, a: PaTncAttribute): number | undefined {
  try {
    return registry.encodeAttribute(a).length;
  } catch (e) {
    if (e instanceof PaTncEncodeError) return undefined;
    throw e;
  }
}

export function packPaMessages(queue: readonly QueuedPaMessage[], o: PackOptions): PackResult {
  const messages: PbPaMessage[] = [];
  const deferred: QueuedPaMessage[] = [];
  const dropped: { imvName: string; attribute: string; size: number }[] = [];
  const maxBody = o.limits.maxMessageSize - MESSAGE_HEADER_LENGTH;
  let budget = o.limits.maxBatchSize - PB_BATCH_HEADER_SIZE - o.reserve;
  for (const q of queue) {
    if (deferred.length > 0) {
      deferred.push(q);
      continue;
    }
    const sendable: PaTncAttribute[] = [];
    const sizes: number[] = [];
    for (const a of q.attributes) {
      const size = encodedSize(o.registry, a);
      if (size === undefined || size > maxBody) dropped.push({ imvName: q.imvName, attribute: a.name, size: size ?? -1 });
      else {
        sendable.push(a);
        sizes.push(size);
      }
    }
    const runs = chunk(sizes, maxBody);
    for (const [k, run] of runs.entries()) {
      const body = run.reduce((n, i) => n + (sizes[i] ?? 0), MESSAGE_HEADER_LENGTH);
      const cost = PB_MESSAGE_HEADER_SIZE + PB_PA_HEADER_SIZE + body;
      if (cost > budget) {
        // The rest of this IMV message, and everything after it, goes in the next batch.
        const rest = runs.slice(k).flatMap((r) => r.map((i) => sendable[i] as PaTncAttribute));
        deferred.push({ ...q, attributes: rest });
        break;
      }
      budget -= cost;
      const attributes = run.map((i) => sendable[i] as PaTncAttribute);
      const imcId = q.imcId ?? IMC_ID_ANY;
      messages.push({
        kind: 'pa',
        exclusive: (q.exclusive ?? false) && imcId !== IMC_ID_ANY,
        paVendorId: q.vendorId,
        paSubtype: q.subtype,
        collectorId: imcId,
        validatorId: q.imvId,
        body: encodePaTncMessage({ identifier: o.randomId() >>> 0, attributes }, o.registry),
      });
    }
  }
  return { messages, deferred, dropped };
}
