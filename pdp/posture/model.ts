/**
 * The posture policy model, after strongSwan's attest database and strongTNC (groups, devices,
 * policies, enforcements), as plain configuration data:
 *
 *   deviceGroups   { name, parent?, defaultFor?: ["Debian 12*"] }: a device in a group is also in
 *                  its ancestors; a device with no explicit groups lands in every group whose
 *                  defaultFor matches its product ("<Product Information name> <String Version>",
 *                  glob with * and ?, case-insensitive), else in `Default`
 *   devices        { id, groups, description? }: explicit membership (id = ITA Device ID, else the
 *                  user identity)
 *   policies       { name, type, argument?, onFail?, onNoResult?, remediation? }
 *   enforcements   { policy, group, maxAge? (s), onFail?, onNoResult? }: the policy is checked on
 *                  devices in `group`; a device in several groups that enforce one policy gets the
 *                  enforcement of its nearest group (its own before a parent; ties: first listed).
 *                  maxAge > 0: a pass less than maxAge seconds old is not checked again.
 *
 * The flat `imvs` section is the same model: its checks become policies enforced on `Default`
 * with maxAge 0 (imvPolicies), so an old configuration behaves as before.
 */
import { ActionRecommendation, recommendationFromName, type RecommendationName } from '../../imc-imv/imv/imv.js';
import { osWorkItems } from '../../imc-imv/imv/os-imv.js';
import { parsePortArgument, scannerWorkItems } from '../../imc-imv/imv/scanner-imv.js';
import { WORK_TYPES, type ImvWorkItem, type WorkType } from '../../imc-imv/index.js';
import type { OsImvOptions, ScannerImvOptions, TestImvOptions } from '../../imc-imv/index.js';

export const DEFAULT_GROUP = 'Default';

export interface DeviceGroupConfig {
  readonly name: string;
  readonly parent?: string;
  readonly defaultFor?: readonly string[];
  readonly description?: string;
}

export interface DeviceConfig {
  readonly id: string;
  readonly groups: readonly string[];
  readonly description?: string;
}

export interface PolicyConfig {
  readonly name: string;
  readonly type: WorkType;
  readonly argument?: unknown;
  readonly onFail?: RecommendationName;
  readonly onNoResult?: RecommendationName;
  readonly remediation?: string;
  readonly description?: string;
}

export interface EnforcementConfig {
  readonly policy: string;
  readonly group: string;
  /** Seconds; 0 (default) checks every time. */
  readonly maxAge?: number;
  readonly onFail?: RecommendationName;
  readonly onNoResult?: RecommendationName;
}

export interface PolicyModelConfig {
  readonly deviceGroups?: readonly DeviceGroupConfig[];
  readonly devices?: readonly DeviceConfig[];
  readonly policies?: readonly PolicyConfig[];
  readonly enforcements?: readonly EnforcementConfig[];
}

/** A policy with its checked argument, as the IMVs get it. */
export interface ResolvedPolicy {
  readonly index: number;
  readonly name: string;
  readonly item: ImvWorkItem;
}

export interface ResolvedEnforcement {
  readonly policy: ResolvedPolicy;
  readonly group: string;
  readonly maxAge: number;
  readonly onFail?: ActionRecommendation;
  readonly onNoResult?: ActionRecommendation;
}

export interface PolicyModel {
  readonly groups: ReadonlyMap<string, DeviceGroupConfig>;
  readonly devices: ReadonlyMap<string, DeviceConfig>;
  readonly policies: ReadonlyMap<string, ResolvedPolicy>;
  readonly enforcements: readonly ResolvedEnforcement[];
  /** Policy types some policy uses (which IMVs must run). */
  readonly types: ReadonlySet<WorkType>;
}

/** The flat `imvs` section as policies (names like `os.blacklistedPackages`). */
export function imvPolicies(imvs: { readonly os?: OsImvOptions; readonly scanner?: ScannerImvOptions; readonly test?: TestImvOptions }): ImvWorkItem[] {
  return [
    ...(imvs.os ? osWorkItems(imvs.os) : []),
    ...(imvs.scanner ? scannerWorkItems(imvs.scanner) : []),
    ...(imvs.test ? [{ policy: 'test', type: 'test-command' } as const] : []),
  ];
}

const RECOMMENDATIONS: readonly RecommendationName[] = ['allow', 'isolate', 'no-access', 'no-recommendation'];

/** Checks the model and builds it; every problem names its field. Throws RangeError with all of them. */
export function resolvePolicyModel(m: PolicyModelConfig, flat: readonly ImvWorkItem[]): PolicyModel {
  const problems: string[] = [];
  const groups = new Map<string, DeviceGroupConfig>([[DEFAULT_GROUP, { name: DEFAULT_GROUP }]]);
  (m.deviceGroups ?? []).forEach((g, i) => {
    if (groups.has(g.name) && g.name !== DEFAULT_GROUP) problems.push(`posture.deviceGroups.${i}.name: duplicate group '${g.name}'`);
    groups.set(g.name, g);
  });
  (m.deviceGroups ?? []).forEach((g, i) => {
    if (g.parent !== undefined && !groups.has(g.parent)) problems.push(`posture.deviceGroups.${i}.parent: unknown group '${g.parent}'`);
    // A parent chain must end: walk it, at most |groups| steps.
    let p = g.parent;
    for (let n = 0; p !== undefined && n <= groups.size; n++) {
      if (p === g.name) {
        problems.push(`posture.deviceGroups.${i}.parent: group '${g.name}' is its own ancestor`);
        break;
      }
      p = groups.get(p)?.parent;
    }
  });
  const devices = new Map<string, DeviceConfig>();
  (m.devices ?? []).forEach((d, i) => {
    if (devices.has(d.id)) problems.push(`posture.devices.${i}.id: duplicate device '${d.id}'`);
    devices.set(d.id, d);
    d.groups.forEach((g, j) => {
      if (!groups.has(g)) problems.push(`posture.devices.${i}.groups.${j}: unknown group '${g}'`);
    });
  });
  const policies = new Map<string, ResolvedPolicy>();
  const enforcements: ResolvedEnforcement[] = [];
  for (const item of flat) {
    const p = { index: policies.size, name: item.policy, item };
    policies.set(item.policy, p);
    enforcements.push({ policy: p, group: DEFAULT_GROUP, maxAge: 0 });
  }
  (m.policies ?? []).forEach((p, i) => {
    const at = `posture.policies.${i}`;
    if (policies.has(p.name)) problems.push(`${at}.name: duplicate policy '${p.name}'`);
    const item = policyItem(p, at, problems);
    if (item) policies.set(p.name, { index: policies.size, name: p.name, item });
  });
  (m.enforcements ?? []).forEach((e, i) => {
    const at = `posture.enforcements.${i}`;
    const policy = policies.get(e.policy);
    if (!policy) problems.push(`${at}.policy: unknown policy '${e.policy}'`);
    if (!groups.has(e.group)) problems.push(`${at}.group: unknown group '${e.group}'`);
    const maxAge = e.maxAge ?? 0;
    if (!Number.isInteger(maxAge) || maxAge < 0) problems.push(`${at}.maxAge: must be a whole number of seconds >= 0`);
    const onFail = recommendation(e.onFail, `${at}.onFail`, problems);
    const onNoResult = recommendation(e.onNoResult, `${at}.onNoResult`, problems);
    if (policy) enforcements.push({ policy, group: e.group, maxAge, ...(onFail !== undefined ? { onFail } : {}), ...(onNoResult !== undefined ? { onNoResult } : {}) });
  });
  if (problems.length > 0) throw new RangeError(problems.join('\n'));
  return { groups, devices, policies, enforcements, types: new Set(enforcements.map((e) => e.policy.item.type)) };
}

function recommendation(name: RecommendationName | undefined, at: string, problems: string[]): ActionRecommendation | undefined {
  if (name === undefined) return undefined;
  if (!RECOMMENDATIONS.includes(name)) {
    problems.push(`${at}: must be one of ${RECOMMENDATIONS.join(', ')}`);
    return undefined;
  }
  return recommendationFromName(name);
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0);

/** The work item of one configured policy, its argument checked for its type. */
function policyItem(p: PolicyConfig, at: string, problems: string[]): ImvWorkItem | undefined {
  if (!WORK_TYPES.includes(p.type)) {
    problems.push(`${at}.type: unknown policy type '${String(p.type)}'`);
    return undefined;
  }
  const onFail = recommendation(p.onFail, `${at}.onFail`, problems);
  const onNoResult = recommendation(p.onNoResult, `${at}.onNoResult`, problems);
  const common = {
    policy: p.name,
    ...(onFail !== undefined ? { onFail } : {}),
    ...(onNoResult !== undefined ? { onNoResult } : {}),
    ...(p.remediation !== undefined ? { remediation: p.remediation } : {}),
  };
  const a = p.argument;
  const bad = (what: string) => {
    problems.push(`${at}.argument: ${p.type} needs ${what}`);
    return undefined;
  };
  switch (p.type) {
    case 'os-product':
      if (!Array.isArray(a) || a.length === 0 || !a.every((x) => typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string')) {
        return bad('a list of products [{name, minVersion?, minNumericVersion?}]');
      }
      return { ...common, type: p.type, argument: a as { name: string }[] };
    case 'packages-blacklist':
      return isStrings(a) && a.length > 0 ? { ...common, type: p.type, argument: a } : bad('a list of package names');
    case 'min-package-versions':
      if (typeof a !== 'object' || a === null || Array.isArray(a) || !Object.values(a).every((v) => typeof v === 'string' && v.length > 0)) {
        return bad('a map of package name to minimum version');
      }
      return { ...common, type: p.type, argument: a as Record<string, string> };
    case 'tcp-ports-blocked':
    case 'tcp-ports-allowed':
    case 'udp-ports-blocked':
    case 'udp-ports-allowed': {
      const ports = Array.isArray(a) ? a.map((x) => (typeof x === 'number' ? String(x) : x)) : undefined;
      if (!isStrings(ports)) return bad('a list of ports or ranges ("22", "8000-8080")');
      for (const spec of ports) {
        try {
          parsePortArgument(spec, p.type.startsWith('tcp') ? 'tcp' : 'udp');
        } catch {
          return bad(`ports or ranges ("22", "8000-8080"), not '${spec}'`);
        }
      }
      return { ...common, type: p.type, argument: ports };
    }
    case 'forwarding-disabled':
    case 'no-default-password':
    case 'test-command':
      if (a !== undefined) return bad('no argument');
      return { ...common, type: p.type };
  }
}
