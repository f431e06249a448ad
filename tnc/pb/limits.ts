/**
 * Limits on what a peer may make us buffer and parse. Every length and count read from the wire
 * has an upper bound (CONVENTIONS.md); the decoders check these before they slice or copy.
 *
 * The defaults are chosen so that a long assessment works without tuning (the issue: "strongSwan's
 * users must raise max_message_count by hand; ours should not need to"):
 *
 * - maxBatchSize 65522 = 4 * 16384 - 14, strongSwan's default PB-TNC batch size over PT-EAP (the
 *   largest batch an EAP message can carry once, with its headers). strongSwan sends up to
 *   2097136 octets (128 * 16384 - 16) over PT-TLS; a PT-TLS transport passes PT_TLS_LIMITS.
 * - maxMessageSize 65490 = 65522 - 8 (batch header) - 12 (message header) - 12 (PB-PA header):
 *   strongSwan's max_message_size, i.e. the largest PA-TNC message (PB-PA Message Body). Other
 *   message types are bounded by the batch size alone.
 * - maxMessageCount 10000 messages in one batch: more than a 65522-octet batch can hold (at most
 *   5459 messages of 12 octets), so with the default batch size it never refuses a well-formed
 *   batch; it bounds the per-batch work when maxBatchSize is raised (PT_TLS_LIMITS).
 * - maxRoundTrips 1000 batches received in one session. strongSwan's eap-tnc/eap-ttls
 *   max_message_count (default 10 EAP round trips) is what its operators must set to 0 for
 *   posture exchanges; a real assessment (attribute requests, segmented package lists) takes a
 *   few dozen round trips, and 1000 still bounds a peer that never stops.
 */

export interface PbTncLimits {
  /** Largest batch accepted or built, header included. */
  readonly maxBatchSize: number;
  /** Largest PA-TNC message (PB-PA Message Body) accepted or built. */
  readonly maxMessageSize: number;
  /** Most messages accepted in one batch. */
  readonly maxMessageCount: number;
  /** Most batches a session receives before it gives up (session.ts). */
  readonly maxRoundTrips: number;
}

export const PB_BATCH_HEADER_SIZE = 8;
export const PB_MESSAGE_HEADER_SIZE = 12;
export const PB_PA_HEADER_SIZE = 12;

/** strongSwan's default over PT-EAP (EAP-TTLS / EAP-TNC). */
export const EAP_MAX_BATCH_SIZE = 4 * 16384 - 14;
/** strongSwan's default over PT-TLS (RFC 6876). */
export const PT_TLS_MAX_BATCH_SIZE = 128 * 16384 - 16;

export const DEFAULT_LIMITS: PbTncLimits = Object.freeze({
  maxBatchSize: EAP_MAX_BATCH_SIZE,
  maxMessageSize: EAP_MAX_BATCH_SIZE - PB_BATCH_HEADER_SIZE - PB_MESSAGE_HEADER_SIZE - PB_PA_HEADER_SIZE,
  maxMessageCount: 10_000,
  maxRoundTrips: 1_000,
});

/** Limits matching what strongSwan sends over PT-TLS (batches up to 2 MiB). */
export const PT_TLS_LIMITS: PbTncLimits = Object.freeze({
  maxBatchSize: PT_TLS_MAX_BATCH_SIZE,
  maxMessageSize: PT_TLS_MAX_BATCH_SIZE - PB_BATCH_HEADER_SIZE - PB_MESSAGE_HEADER_SIZE - PB_PA_HEADER_SIZE,
  maxMessageCount: 100_000,
  maxRoundTrips: 1_000,
});

/** DEFAULT_LIMITS with the given overrides. */
export function pbTncLimits(overrides: Partial<PbTncLimits> = {}): PbTncLimits {
  return Object.freeze({ ...DEFAULT_LIMITS, ...overrides });
}
