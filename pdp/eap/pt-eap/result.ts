/**
 * How a posture decision leaves the EAP layer: the PT-EAP / EAP-TNC method succeeds once the
 * endpoint has received the RESULT and closed the PB-TNC session, and puts the merged decision into
 * MethodResult.attributes under `posture`. The authenticator merges the attributes of all stages
 * (and TTLS passes its inner ones on), so the RADIUS side finds it in AuthStep.attributes.
 */
import type { PostureDecision, Recommendation } from '../../posture/posture-service.js';

export const POSTURE_ATTRIBUTE = 'posture';

const RECOMMENDATIONS: ReadonlySet<string> = new Set<Recommendation>(['allow', 'isolate', 'no-access', 'no-recommendation']);

/** The decision a posture method left in the attributes, if any (shape-checked). */
export function postureOf(attributes: Readonly<Record<string, unknown>>): PostureDecision | undefined {
  const value = attributes[POSTURE_ATTRIBUTE];
  if (typeof value !== 'object' || value === null) return undefined;
  const decision = value as { recommendation?: unknown; imvs?: unknown };
  if (typeof decision.recommendation !== 'string' || !RECOMMENDATIONS.has(decision.recommendation)) return undefined;
  if (!Array.isArray(decision.imvs)) return undefined;
  return value as PostureDecision;
}
