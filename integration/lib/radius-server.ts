/**
 * What a test needs from the RADIUS/EAP-TTLS server under test (alice, REFERENCE-SCENARIO steps
 * 2, 3 and 6), whether that is our PDP or the FreeRADIUS comparison peer.
 */
import type { Endpoint, PdpConfig } from './pdp-config.js';
import type { Json, Proc } from './proc.js';

export type ServerKind = 'ours' | 'freeradius';

/** The `conversation.finished` event of our PDP. */
export interface ConversationFinished {
  readonly user: string;
  readonly client: string;
  readonly method: string;
  readonly outcome: 'accept' | 'reject';
  readonly group?: string;
  /** The merged posture recommendation (allow, isolate, no-access, ...), when posture ran. */
  readonly posture?: string;
  readonly reason?: string;
  readonly durationMs: number;
}

export interface RadiusServer {
  readonly kind: ServerKind;
  readonly config: PdpConfig;
  readonly proc: Proc;
  /** The PEM CA certificate that signed the TLS server certificate (for eapol_test / strongSwan). */
  readonly caCertPath: string;
  readonly auth: Endpoint;
  readonly accounting: Endpoint;
  /** Position in the server's output; pass to the wait functions to look only at later lines. */
  mark(): number;
  /**
   * Waits for the server's evidence that it silently dropped a packet (wrong shared secret, missing
   * Message-Authenticator): ours logs `"event":"radius.dropped"`, FreeRADIUS "Dropping packet
   * without response because of error: ...".
   * Returns the log line.
   */
  waitForDropped(since: number, timeoutMs: number): Promise<string>;
  /** Finished conversations (ours only: typed events; undefined for FreeRADIUS). */
  conversations(since?: number): ConversationFinished[] | undefined;
  /** Waits for a conversation.finished event (ours) — resolves undefined at once for FreeRADIUS. */
  waitForConversation(pred: (c: ConversationFinished) => boolean, since: number, timeoutMs: number): Promise<ConversationFinished | undefined>;
  stop(): Promise<void>;
}

export function asConversation(obj: Json): ConversationFinished | undefined {
  if (obj['event'] !== 'conversation.finished') return undefined;
  return obj as unknown as ConversationFinished;
}

/** `PDP_UNDER_TEST=ours|freeradius`, default ours. */
export function serverKindFromEnv(): ServerKind {
  const v = process.env['PDP_UNDER_TEST'] ?? 'ours';
  if (v !== 'ours' && v !== 'freeradius') throw new Error(`PDP_UNDER_TEST must be ours or freeradius, not ${v}`);
  return v;
}
