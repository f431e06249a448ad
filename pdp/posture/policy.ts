/**
 * The posture policy: which IMVs run with which settings, how their recommendations merge, and
 * which group (RADIUS Filter-Id) each outcome gets. Plain data (JSON/YAML-shaped, no functions, no
 * classes) so a section of schemas/pdp-config.schema.json can describe it as is:
 *
 *   posture:
 *     recommendationPolicy: default          # default | any | all (merge.ts)
 *     noRecommendation: isolate              # what "no recommendation" enforces: allow | isolate | no-access
 *     groups: { allow: allow, isolate: isolate }   # no-access is always Access-Reject
 *     imvTimeoutMs: 5000                     # per IMV call
 *     maxRounds: 50                          # client batches before the server decides anyway
 *     imvs:                                  # present = enabled; ids 1, 2, 3 in this order
 *       os:
 *         allowedProducts: [{ name: Debian, minVersion: "12" }]
 *         blacklistedPackages: [telnetd]
 *         minPackageVersions: { openssl: "3.0.11" }
 *         requireForwardingDisabled: true
 *         requireNoDefaultPassword: true
 *       scanner: { blockedPorts: [tcp/23], allowedPorts: [udp/500, udp/4500, tcp/22] }
 *       test: { rounds: 1 }
 *     # the policy model (model.ts): groups, devices, policies, enforcements
 *     deviceGroups: [{ name: Debian, defaultFor: ["Debian 12*"] }, { name: Servers, parent: Debian }]
 *     devices: [{ id: 2f1c..., groups: [Servers] }]
 *     policies: [{ name: no-telnet, type: packages-blacklist, argument: [telnetd], onFail: isolate }]
 *     enforcements: [{ policy: no-telnet, group: Debian, maxAge: 86400 }]
 */
import { imvPolicies, resolvePolicyModel, type PolicyModel, type PolicyModelConfig } from './model.js';
import {
  RECOMMENDATION_POLICIES,
  parsePortSpec,
  type OsImvOptions,
  type RecommendationPolicy,
  type ScannerImvOptions,
  type TestImvOptions,
} from '../../imc-imv/index.js';

export type EnforcedRecommendation = 'allow' | 'isolate' | 'no-access';

export interface PosturePolicy extends PolicyModelConfig {
  /** The flat policy: each IMV present runs, its checks enforced on group Default (maxAge 0). */
  readonly imvs: {
    readonly os?: OsImvOptions;
    readonly scanner?: ScannerImvOptions;
    readonly test?: TestImvOptions;
  };
  readonly recommendationPolicy?: RecommendationPolicy;
  /** What a merged "no recommendation" is enforced as (default 'isolate'). */
  readonly noRecommendation?: EnforcedRecommendation;
  /** Filter-Id groups (default: 'allow' and 'isolate'); no-access is Access-Reject. */
  readonly groups?: { readonly allow?: string; readonly isolate?: string };
  /** Bound on each IMV call (default 5000 ms). */
  readonly imvTimeoutMs?: number;
  /** Client batches after which the server solicits and decides (default 50). */
  readonly maxRounds?: number;
}

/** The policy with every default filled in. */
export interface ResolvedPosturePolicy {
  readonly imvs: PosturePolicy['imvs'];
  readonly recommendationPolicy: RecommendationPolicy;
  readonly noRecommendation: EnforcedRecommendation;
  readonly groups: { readonly allow: string; readonly isolate: string };
  readonly imvTimeoutMs: number;
  readonly maxRounds: number;
  /** Groups, devices, policies and enforcements, the flat imvs included. */
  readonly model: PolicyModel;
}

export const DEFAULT_IMV_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_ROUNDS = 50;

/** Fills in defaults and checks the values; throws a RangeError naming the field. */
export function resolvePosturePolicy(p: PosturePolicy): ResolvedPosturePolicy {
  const recommendationPolicy = p.recommendationPolicy ?? 'default';
  if (!RECOMMENDATION_POLICIES.includes(recommendationPolicy)) throw new RangeError(`posture.recommendationPolicy: '${recommendationPolicy}'`);
  const noRecommendation = p.noRecommendation ?? 'isolate';
  if (!['allow', 'isolate', 'no-access'].includes(noRecommendation)) throw new RangeError(`posture.noRecommendation: '${noRecommendation}'`);
  const imvTimeoutMs = p.imvTimeoutMs ?? DEFAULT_IMV_TIMEOUT_MS;
  if (!Number.isFinite(imvTimeoutMs) || imvTimeoutMs <= 0) throw new RangeError(`posture.imvTimeoutMs: ${imvTimeoutMs}`);
  const maxRounds = p.maxRounds ?? DEFAULT_MAX_ROUNDS;
  if (!Number.isInteger(maxRounds) || maxRounds < 1) throw new RangeError(`posture.maxRounds: ${maxRounds}`);
  for (const [field, specs] of [
    ['allowedPorts', p.imvs.scanner?.allowedPorts],
    ['blockedPorts', p.imvs.scanner?.blockedPorts],
  ] as const) {
    for (const spec of specs ?? []) {
      try {
        parsePortSpec(spec);
      } catch (e) {
        throw new RangeError(`posture.imvs.scanner.${field}: ${(e as Error).message}`);
      }
    }
  }
  const model = resolvePolicyModel(p, imvPolicies(p.imvs));
  return {
    model,
    imvs: p.imvs,
    recommendationPolicy,
    noRecommendation,
    groups: { allow: p.groups?.allow ?? 'allow', isolate: p.groups?.isolate ?? 'isolate' },
    imvTimeoutMs,
    maxRounds,
  };
}
