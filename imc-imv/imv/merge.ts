/**
 * Merging the IMVs' action recommendations and evaluation results into the one the TNCS sends
 * (TCG IF-TNCCS: the TNCS "combines" the IMV recommendations under a policy), after strongSwan's
 * src/libtnccs/plugins/tnc_imv/tnc_imv_recommendations.c (`have_recommendation`) and
 * src/libtncif/tncif_policy.c. Its three policies (`recommendation_policy = default|any|all`):
 *
 *   default  worst wins:  allow < isolate < no access.
 *            evaluation:  compliant < non-compliant minor < major < error.
 *   any      best wins:   no access < isolate < allow.
 *            evaluation:  error < major < minor < compliant.
 *   all      every IMV must agree: a different recommendation makes "no recommendation", a
 *            different evaluation "don't know".
 *
 * "No recommendation" and "don't know" are no opinion under default and any: they never win over
 * an IMV that has one, and the result is "no recommendation" / "don't know" only when no IMV had
 * one (strongSwan: `case NO_RECOMMENDATION: rec = rec_add`). Under all they count as a value
 * like any other, as in strongSwan. No IMVs at all: "no recommendation", "don't know".
 *
 * One deliberate difference: strongSwan's tncif_policy.c turns "no access" followed by "isolate"
 * into "isolate" (its switch has `case NO_ACCESS: if rec_add == ISOLATE: rec = rec_add`), which makes
 * the default policy depend on IMV order. Here default is strictly worst-wins, whatever the order.
 */
import { ActionRecommendation, EvaluationResult } from './imv.js';

export type RecommendationPolicy = 'default' | 'any' | 'all';

export const RECOMMENDATION_POLICIES: readonly RecommendationPolicy[] = ['default', 'any', 'all'];

export interface RecommendationEntry {
  readonly recommendation: ActionRecommendation;
  readonly evaluation: EvaluationResult;
}

/** Severity, higher = worse; undefined = no opinion. */
const REC_SEVERITY: Readonly<Record<ActionRecommendation, number | undefined>> = {
  [ActionRecommendation.Allow]: 0,
  [ActionRecommendation.Isolate]: 1,
  [ActionRecommendation.NoAccess]: 2,
  [ActionRecommendation.NoRecommendation]: undefined,
};

const EVAL_SEVERITY: Readonly<Record<EvaluationResult, number | undefined>> = {
  [EvaluationResult.Compliant]: 0,
  [EvaluationResult.NonCompliantMinor]: 1,
  [EvaluationResult.NonCompliantMajor]: 2,
  [EvaluationResult.Error]: 3,
  [EvaluationResult.DontKnow]: undefined,
};

function pick<T extends number>(values: readonly T[], severity: Readonly<Record<T, number | undefined>>, worst: boolean, none: T): T {
  let best: T = none;
  let bestSeverity: number | undefined;
  for (const v of values) {
    const s = severity[v];
    if (s === undefined) continue;
    if (bestSeverity === undefined || (worst ? s > bestSeverity : s < bestSeverity)) {
      best = v;
      bestSeverity = s;
    }
  }
  return best;
}

function unanimous<T>(values: readonly T[], otherwise: T): T {
  const [first] = values;
  return first !== undefined && values.every((v) => v === first) ? first : otherwise;
}

/** The merged recommendation and evaluation of `entries` under `policy`. */
export function mergeRecommendations(policy: RecommendationPolicy, entries: readonly RecommendationEntry[]): RecommendationEntry {
  const recs = entries.map((e) => e.recommendation);
  const evals = entries.map((e) => e.evaluation);
  const noRec = ActionRecommendation.NoRecommendation;
  const dontKnow = EvaluationResult.DontKnow;
  switch (policy) {
    case 'default':
      return { recommendation: pick(recs, REC_SEVERITY, true, noRec), evaluation: pick(evals, EVAL_SEVERITY, true, dontKnow) };
    case 'any':
      return { recommendation: pick(recs, REC_SEVERITY, false, noRec), evaluation: pick(evals, EVAL_SEVERITY, false, dontKnow) };
    case 'all':
      return { recommendation: unanimous(recs, noRec), evaluation: unanimous(evals, dontKnow) };
  }
}
