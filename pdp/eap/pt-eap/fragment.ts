/**
 * Sending and receiving whole PB-TNC batches over PT-EAP / EAP-TNC.
 *
 * - PT-EAP (RFC 7171): no fragmentation. One message carries one batch; the batch must fit one EAP
 *   packet (PT_EAP_MAX_DATA), which PB-TNC's EAP limit (65522, tnc/pb/limits.ts) guarantees.
 * - EAP-TNC: the EAP-TLS scheme (RFC 5216 section 2.1.5) that EAP-TTLS uses too, so this reuses
 *   ../ttls/fragment.ts: a batch longer than `fragmentSize` goes out with L on the first fragment
 *   and M on all but the last, and each fragment is acknowledged by an empty message. A batch that
 *   fits goes out without L, as strongSwan sends it. Received fragments are reassembled up to a
 *   bounded Message Length before anything is allocated.
 */
import { EapDecodeError } from '../errors.js';
import { TtlsReassembler, TtlsSender } from '../ttls/fragment.js';
import { fromTtlsError } from './errors.js';
import { encodeTncFrame, type TncFrame } from './flags.js';
import { EAP_TNC_MAX_FRAGMENT, PT_EAP_MAX_DATA, type TncVariant } from './variant.js';

/** Outgoing side: the Type-Data of each message for one batch, one per acknowledgement. */
export class TncSender {
  readonly #frames: readonly Buffer[];
  #next = 0;

  constructor(variant: TncVariant, batch: Uint8Array, fragmentSize = EAP_TNC_MAX_FRAGMENT) {
    const data = Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength);
    if (!variant.fragmentFlags || data.length <= fragmentSize) {
      this.#frames = [encodeTncFrame(variant, { data })];
    } else {
      const sender = new TtlsSender(data, fragmentSize, variant.version);
      const frames: Buffer[] = [];
      while (sender.pending) frames.push(sender.next());
      this.#frames = frames;
    }
  }

  next(): Buffer {
    const frame = this.#frames[this.#next];
    if (!frame) throw new RangeError('no fragment left');
    this.#next++;
    return frame;
  }

  /** True while fragments remain, i.e. an acknowledgement is expected for the last one sent. */
  get pending(): boolean {
    return this.#next < this.#frames.length;
  }

  get count(): number {
    return this.#frames.length;
  }
}

/** Incoming side: frames in, whole batches out. */
export class TncReassembler {
  readonly #ttls: TtlsReassembler | undefined;

  /** `maxBatchSize` bounds an EAP-TNC Message Length (PT-EAP is bounded by the EAP Length). */
  constructor(variant: TncVariant, maxBatchSize = PT_EAP_MAX_DATA) {
    this.#ttls = variant.fragmentFlags ? new TtlsReassembler(maxBatchSize) : undefined;
  }

  get inProgress(): boolean {
    return this.#ttls?.inProgress ?? false;
  }

  /**
   * Returns the complete batch, or undefined when more fragments follow (the caller then sends an
   * empty acknowledgement). Throws PtEapDecodeError on a framing violation.
   */
  push(frame: TncFrame): Buffer | undefined {
    if (!this.#ttls) return frame.data;
    try {
      return this.#ttls.push(frame);
    } catch (e) {
      if (e instanceof EapDecodeError) throw fromTtlsError(e);
      throw e;
    }
  }
}
