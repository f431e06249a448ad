/**
 * Live events for the Subscription type: session events (authentications finished, accounting
 * Start/Stop) and posture recommendations. The PDP publishes (pdp.ts wires its own events in);
 * graphql-yoga's pub/sub fans them out to every SSE subscriber.
 */
import { createPubSub } from 'graphql-yoga';

export interface SessionEventPayload {
  readonly kind: 'access-accept' | 'access-reject' | 'accounting-start' | 'accounting-interim-update' | 'accounting-stop' | string;
  readonly user: string;
  readonly nas: string;
  readonly outcome?: string;
  readonly filterGroup?: string;
  readonly recommendation?: string;
  readonly framedIp?: string;
  readonly acctSessionId?: string;
  readonly at: number;
}

export interface RecommendationEventPayload {
  readonly user: string;
  readonly endpoint?: string;
  readonly recommendation: string;
  readonly evaluation?: string;
  readonly enforced?: string;
  readonly filterGroup?: string;
  readonly imvs: readonly { readonly imv: string; readonly recommendation: string; readonly evaluation: string; readonly reasons: readonly string[] }[];
  readonly at: number;
}

export function createAdminEvents() {
  return createPubSub<{ session: [SessionEventPayload]; recommendation: [RecommendationEventPayload] }>();
}

export type AdminEvents = ReturnType<typeof createAdminEvents>;
