/**
 * The PDP's own events as admin API subscription events: authentications finished (Access-Accept
 * / Access-Reject) and accounting Start / Interim-Update / Stop become `sessionEvents`; posture
 * decisions (`posture.decision` from the IMV sessions) become `recommendations`.
 */
import type { EventEmitter } from 'node:events';
import type { ConversationFinished } from '../access-handler.js';
import type { AccountingRecord } from '../accounting.js';
import type { PostureDecision } from '../posture/posture-service.js';
import type { AdminEvents } from './events.js';

interface PdpEventSource {
  on(event: 'finished', l: (e: ConversationFinished) => void): unknown;
  on(event: 'accounting', l: (r: AccountingRecord) => void): unknown;
}

export function wireAdminEvents(pdp: PdpEventSource | EventEmitter, events: AdminEvents, now: () => number): void {
  const src = pdp as PdpEventSource;
  src.on('finished', (e) =>
    events.publish('session', {
      kind: e.outcome === 'accept' ? 'access-accept' : 'access-reject',
      user: e.user,
      nas: e.client,
      outcome: e.outcome,
      ...(e.group ? { filterGroup: e.group } : {}),
      ...(e.posture ? { recommendation: e.posture } : {}),
      at: now(),
    }),
  );
  src.on('accounting', (r) =>
    events.publish('session', {
      kind: `accounting-${r.status}`,
      user: r.userName ?? '',
      nas: r.client,
      ...(r.framedIp ? { framedIp: r.framedIp } : {}),
      ...(r.sessionId ? { acctSessionId: r.sessionId } : {}),
      at: r.receivedAt,
    }),
  );
}

/** A `posture.decision` event as a recommendation event; other posture events give undefined. */
export function recommendationEvent(e: { type?: string }, at: number) {
  if (e.type !== 'posture.decision') return undefined;
  const { user, decision } = e as unknown as { user: string; decision: PostureDecision };
  return {
    user,
    ...(decision.deviceId ? { endpoint: decision.deviceId } : {}),
    recommendation: decision.recommendation,
    ...(decision.evaluation ? { evaluation: decision.evaluation } : {}),
    ...(decision.enforced ? { enforced: decision.enforced } : {}),
    ...(typeof decision.group === 'string' ? { filterGroup: decision.group } : {}),
    imvs: decision.imvs,
    at,
  };
}
