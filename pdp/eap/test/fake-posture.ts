/** Test helper: a PostureService that asks for one SDATA round, then decides `recommendation`. */
import { AccessRecommendation, AssessmentResult } from '../../../tnc/index.js';
import type { PostureDecision, PostureService, Recommendation } from '../../posture/posture-service.js';

const PB_REC: Record<Recommendation, AccessRecommendation | undefined> = {
  allow: AccessRecommendation.AccessAllowed,
  isolate: AccessRecommendation.Quarantined,
  'no-access': AccessRecommendation.AccessDenied,
  'no-recommendation': undefined,
};

/** Records `user/transport` of every session it creates in `users`. */
export function fakePosture(recommendation: Recommendation): PostureService & { readonly users: string[] } {
  const users: string[] = [];
  return {
    users,
    createSession(context) {
      users.push(`${context.user}/${context.transport}`);
      let decision: PostureDecision | undefined;
      return {
        onClientBatch(input) {
          if (input.roundTrip === 1) return { action: 'continue' };
          decision = { recommendation, imvs: [] };
          const accessRecommendation = PB_REC[recommendation];
          return { action: 'decide', assessmentResult: AssessmentResult.Compliant, ...(accessRecommendation !== undefined ? { accessRecommendation } : {}) };
        },
        decision: () => decision,
        close: () => undefined,
      };
    },
  };
}
