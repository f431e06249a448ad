/**
 * The boundary between RADIUS and EAP: one call per Access-Request that carries EAP-Message.
 * Implementations keep the conversations (in this thread, or sharded over worker threads by the
 * first octet of the State value); the RADIUS side never sees TLS or method state.
 */
import type { PostureDecision } from '../posture/posture-service.js';

export interface EapRequestContext {
  /** The RADIUS State attribute of the request, absent on the first packet of a conversation. */
  readonly state?: Buffer;
  /** EAP-Message attributes joined (RFC 3579 section 3.1). */
  readonly eap: Buffer;
  /** Name of the RADIUS client (NAS) the request came from. */
  readonly client: string;
  /** RADIUS User-Name, if any (informational: EAP identity comes from EAP). */
  readonly userName?: string;
}

interface Finished {
  /** Outer EAP identity. */
  readonly identity: string;
  /** The identity that authenticated (TTLS inner identity), else the outer identity. */
  readonly authenticatedAs: string;
  readonly method: string;
  readonly startedAt: number;
}

export type EapOutcome =
  | { readonly kind: 'challenge'; readonly eap: Buffer; readonly state: Buffer }
  | ({
      readonly kind: 'accept';
      readonly eap: Buffer;
      /** Absent only for the outer PT-EAP / EAP-TNC methods, which derive no keys. */
      readonly msk?: Buffer;
      readonly emsk?: Buffer;
      /** Present when posture ran (eap.tnc): the RADIUS side maps it to Filter-Id or Access-Reject. */
      readonly posture?: PostureDecision;
    } & Finished)
  | ({ readonly kind: 'reject'; readonly eap: Buffer; readonly reason: string } & Partial<Finished>)
  | { readonly kind: 'discard'; readonly reason: string };

export interface EapService {
  process(request: EapRequestContext): Promise<EapOutcome>;
  /** Conversations in progress. */
  readonly size: number;
  close(): Promise<void>;
}
