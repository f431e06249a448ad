/**
 * PT-EAP (RFC 7171) peer method around a given PB-TNC client session: the same exchange as
 * pdp/eap/peer/pt-eap-peer.ts (Start -> CDATA, SDATA -> CDATA, RESULT -> CLOSE), but the session
 * is injected, so the IMC manager's session (which keeps the RESULT's reason strings and
 * remediation) runs inside EAP-TTLS.
 */
import type { PbTncClientSession, PbTncSessionEvent, PbTncStep } from '../../tnc/index.js';
import type { EapPacket } from '../eap/packet.js';
import type { PeerKeys, PeerMethod, PeerMethodFactory, PeerMethodOutput } from '../eap/peer/peer-method.js';
import { PtEapDecodeError } from '../eap/pt-eap/errors.js';
import { decodeTncFrame, encodeTncFrame, isEmptyFrame } from '../eap/pt-eap/flags.js';
import { TncReassembler, TncSender } from '../eap/pt-eap/fragment.js';
import { EAP_TNC_MAX_FRAGMENT, PT_EAP } from '../eap/pt-eap/variant.js';

export interface PtEapClientOptions {
  readonly session: PbTncClientSession;
  /** PB-PA messages of the first CDATA. */
  readonly firstMessages: Parameters<PbTncClientSession['start']>[0];
  readonly maxBatchSize?: number;
  readonly onEvent?: (event: PbTncSessionEvent) => void;
}

export function ptEapClient(options: PtEapClientOptions): PeerMethodFactory {
  return { type: PT_EAP.type, name: PT_EAP.name, create: () => new PtEapClient(options) };
}

class PtEapClient implements PeerMethod {
  readonly type = PT_EAP.type;
  readonly #o: PtEapClientOptions;
  readonly #reassembler: TncReassembler;
  #state: 'start' | 'running' | 'closed' | 'failed' = 'start';
  #sender: TncSender | undefined;
  #result = false;

  constructor(options: PtEapClientOptions) {
    this.#o = options;
    this.#reassembler = new TncReassembler(PT_EAP, options.maxBatchSize);
  }

  get successAllowed(): boolean {
    return this.#state === 'closed' && this.#result;
  }

  get keys(): PeerKeys | undefined {
    return undefined;
  }

  async process(request: EapPacket): Promise<PeerMethodOutput> {
    if (this.#state === 'failed') return this.#fail('pt-eap-failed');
    let batch: Buffer | undefined;
    try {
      const frame = decodeTncFrame(PT_EAP, request.data, { maxMessageLength: this.#o.maxBatchSize });
      if (this.#state === 'start') {
        // RFC 7171 section 4.1: the server's first message has S set and carries no data.
        if (!frame.start || frame.data.length > 0) return this.#fail('pt-eap-expected-start');
        if (frame.version < PT_EAP.version) return this.#fail(`pt-eap-unsupported-version-${frame.version}`);
        this.#state = 'running';
        return this.#step(this.#o.session.start(this.#o.firstMessages));
      }
      if (frame.start) return this.#fail('pt-eap-unexpected-start');
      if (this.#sender?.pending) {
        if (!isEmptyFrame(frame)) return this.#fail('pt-eap-expected-ack');
        return this.#response(this.#sender.next());
      }
      this.#sender = undefined;
      if (isEmptyFrame(frame) && !this.#reassembler.inProgress) return this.#response(encodeTncFrame(PT_EAP));
      batch = this.#reassembler.push(frame);
    } catch (e) {
      if (e instanceof PtEapDecodeError) return this.#fail(e.code);
      throw e;
    }
    if (batch === undefined) return this.#response(encodeTncFrame(PT_EAP)); // ACK
    return this.#step(await this.#o.session.receive(batch));
  }

  #step(step: PbTncStep): PeerMethodOutput {
    for (const event of step.events) {
      this.#o.onEvent?.(event);
      if (event.type === 'result') this.#result = true;
    }
    if (step.done) this.#state = 'closed';
    if (!step.reply) return this.#response(encodeTncFrame(PT_EAP));
    this.#sender = new TncSender(PT_EAP, step.reply, EAP_TNC_MAX_FRAGMENT);
    return this.#response(this.#sender.next());
  }

  #response(data: Buffer): PeerMethodOutput {
    return { kind: 'response', type: this.type, data };
  }

  #fail(reason: string): PeerMethodOutput {
    this.#state = 'failed';
    return { kind: 'failure', reason };
  }
}
