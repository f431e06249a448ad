/**
 * Per-connection work for an IMV: the checks the policy wants made on this endpoint, after
 * strongSwan's imv_workitem_t (src/libimcv/imv/imv_workitem.h). strongSwan's OS IMV reads its
 * workitems from the policy database once the first message told it the device and the product
 * (imv_os_agent.c: `imcv_db->policy_script(... "start")`, then `create_workitem_enumerator`);
 * here the TNCS resolves the device's groups and enforcements and hands each IMV its items through
 * `Imv.setWorkItems` before the IMV sees the first message. An IMV given no items for a
 * connection uses the items its constructor options describe (the flat policy).
 *
 * Each item ends in one result: pass, fail or no result (the endpoint never sent what the check
 * needs). The recommendation an outcome maps to comes from the item (`onFail`, `onNoResult`,
 * set by the operator's policy or enforcement); when the item leaves it open the check's own
 * ("natural") recommendation is used: e.g. a foreign OS is "no access", an old one "isolate".
 *
 *   item results  --map-->  (recommendation, evaluation) each
 *                 --merge (worst wins, merge.ts)-->  the IMV's recommendation
 */
import { remediationInstructions } from '../ietf/remediation-instructions.js';
import { makeAttribute, type PaTncAttribute } from '../pa-tnc/attribute.js';
import { ActionRecommendation, EvaluationResult, type ImvRecommendation, type ImvRemediation } from './imv.js';
import { mergeRecommendations } from './merge.js';

/** An allowed operating system: Product Information name and minimum versions. */
export interface OsProductPolicy {
  /** Product Information name, compared case-insensitively ("Debian"). */
  readonly name: string;
  /** Minimum String Version product version, dpkg-compared on its first word ("12" for "12 x86_64"). */
  readonly minVersion?: string;
  /** Minimum Numeric Version. */
  readonly minNumericVersion?: { readonly major: number; readonly minor?: number };
}

/** The policy types and their arguments (strongTNC's policy types, in our names). */
export type WorkCheck =
  | { readonly type: 'os-product'; readonly argument: readonly OsProductPolicy[] }
  | { readonly type: 'packages-blacklist'; readonly argument: readonly string[] }
  | { readonly type: 'min-package-versions'; readonly argument: Readonly<Record<string, string>> }
  | { readonly type: 'forwarding-disabled' }
  | { readonly type: 'no-default-password' }
  /** Port numbers or ranges: "22", "8000-8080". */
  | { readonly type: 'tcp-ports-blocked' | 'tcp-ports-allowed' | 'udp-ports-blocked' | 'udp-ports-allowed'; readonly argument: readonly string[] }
  | { readonly type: 'test-command' };

export type WorkType = WorkCheck['type'];

export const WORK_TYPES: readonly WorkType[] = [
  'os-product',
  'packages-blacklist',
  'min-package-versions',
  'forwarding-disabled',
  'no-default-password',
  'tcp-ports-blocked',
  'tcp-ports-allowed',
  'udp-ports-blocked',
  'udp-ports-allowed',
  'test-command',
];

export type ImvWorkItem = WorkCheck & {
  /** The policy's name, echoed in the result. */
  readonly policy: string;
  /** Recommendation on failure; undefined: the check's own. */
  readonly onFail?: ActionRecommendation;
  /** Recommendation when the endpoint sent nothing to check; undefined: the check's own. */
  readonly onNoResult?: ActionRecommendation;
  /** Operator's remediation text for a failure (else the check's own, when it has one). */
  readonly remediation?: string;
};

export type WorkOutcome = 'pass' | 'fail' | 'no-result';

/** What one check found, before mapping. */
export interface WorkFinding {
  readonly outcome: WorkOutcome;
  /** The check's own recommendation and evaluation for this outcome. */
  readonly recommendation: ActionRecommendation;
  readonly evaluation: EvaluationResult;
  readonly reason?: string;
  /** The check's own remediation text. */
  readonly remediation?: string;
}

/** One item's result, as the IMV reports it in its recommendation. */
export interface ImvWorkResult {
  readonly policy: string;
  readonly type: WorkType;
  readonly outcome: WorkOutcome;
  /** After onFail/onNoResult. */
  readonly recommendation: ActionRecommendation;
  readonly evaluation: EvaluationResult;
  readonly reason?: string;
  readonly remediation?: string;
}

export const PASS: WorkFinding = { outcome: 'pass', recommendation: ActionRecommendation.Allow, evaluation: EvaluationResult.Compliant };

/** A no-result whose own recommendation is "no recommendation" (the IMC never took part). */
export function noResult(reason: string, recommendation: ActionRecommendation = ActionRecommendation.NoRecommendation): WorkFinding {
  const evaluation = recommendation === ActionRecommendation.NoRecommendation ? EvaluationResult.DontKnow : EvaluationResult.NonCompliantMinor;
  return { outcome: 'no-result', recommendation, evaluation, reason };
}

/** Applies the item's onFail / onNoResult to a finding. */
export function mapFinding(item: ImvWorkItem, f: WorkFinding): ImvWorkResult {
  const override = f.outcome === 'fail' ? item.onFail : f.outcome === 'no-result' ? item.onNoResult : undefined;
  const recommendation = override ?? f.recommendation;
  let evaluation = f.evaluation;
  if (override !== undefined && f.outcome === 'no-result') {
    evaluation = override === ActionRecommendation.NoRecommendation ? EvaluationResult.DontKnow : override === ActionRecommendation.Allow ? EvaluationResult.Compliant : EvaluationResult.NonCompliantMinor;
  }
  const remediation = f.outcome === 'fail' ? (item.remediation ?? f.remediation) : undefined;
  return {
    policy: item.policy,
    type: item.type,
    outcome: f.outcome,
    recommendation,
    evaluation,
    ...(f.reason !== undefined ? { reason: f.reason } : {}),
    ...(remediation !== undefined ? { remediation } : {}),
  };
}

/**
 * The IMV's recommendation from its items' results: worst wins over them and, when the IMV heard
 * from its IMC (`heard`), a baseline of allow/compliant (no checks, or all passed: allow).
 * Reasons: the failed and unanswered items' reasons, joined. Remediation: the failed items' texts.
 */
export function recommendationFromResults(results: readonly ImvWorkResult[], heard: boolean): ImvRecommendation {
  const base = heard ? [{ recommendation: ActionRecommendation.Allow, evaluation: EvaluationResult.Compliant }] : [];
  const merged = mergeRecommendations('default', [...base, ...results]);
  const reasons = results.filter((r) => r.outcome !== 'pass' && r.reason !== undefined).map((r) => r.reason as string);
  const texts = [...new Set(results.filter((r) => r.remediation !== undefined && r.recommendation !== ActionRecommendation.Allow).map((r) => r.remediation as string))];
  const remediation: ImvRemediation[] = texts.length > 0 ? [{ kind: 'string', text: texts.join('; '), language: 'en' }] : [];
  return {
    ...merged,
    ...(reasons.length > 0 ? { reasons: [{ language: 'en', reason: reasons.join('; ') }] } : {}),
    ...(remediation.length > 0 ? { remediation } : {}),
    results,
  };
}

/** Whether `items` has one of `types`. */
export function hasWork(items: readonly ImvWorkItem[], ...types: WorkType[]): boolean {
  return items.some((i) => types.includes(i.type));
}

/**
 * IETF Remediation Instructions (RFC 5792 section 4.2.10) for an isolate recommendation: one
 * attribute per remediation string, sent with the IMV's Assessment Result (as strongSwan's IMVs
 * do before the RESULT batch). Nothing for any other recommendation.
 */
export function remediationAttributes(rec: ImvRecommendation): PaTncAttribute[] {
  if (rec.recommendation !== ActionRecommendation.Isolate) return [];
  return (rec.remediation ?? []).map((r) =>
    makeAttribute(remediationInstructions, {
      parameters: r.kind === 'uri' ? { kind: 'uri', uri: r.uri } : { kind: 'string', text: r.text, languageCode: r.language },
    }),
  );
}
