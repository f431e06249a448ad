/**
 * The device behind one assessment and what the policy model asks of it, resolved once, from the
 * first client batch (strongSwan's OS IMV does the same after its first message): the device
 * identity (the ITA Device ID when an IMC sent one, else the authenticated user), the product
 * (Product Information name + String Version), groups, enforcements, checks skipped by maxAge.
 * At the decision the per-policy outcomes are put together and kept in the store.
 */
import { findAttribute, productInformation, stringVersion, type PaTncAttribute } from '../../imc-imv/index.js';
import { deviceId as itaDeviceId } from '../../imc-imv/ita/device-id.js';
import { ActionRecommendation, recommendationName, type ImvRecommendation } from '../../imc-imv/imv/imv.js';
import type { ImvWorkItem } from '../../imc-imv/index.js';
import type { DeviceOverride, DeviceRecord, PolicyResultRecord, SessionPolicyResult, SessionRecord, Store } from '../store/store.js';
import type { PostureDecision } from './posture-service.js';
import { planChecks, resolveDeviceGroups, selectEnforcements, type PlannedCheck } from './device-policy.js';
import type { PolicyModel } from './model.js';

export interface DeviceContext {
  readonly device: string;
  readonly idKind: DeviceRecord['idKind'];
  readonly product?: string;
  readonly groups: readonly string[];
  readonly groupsFrom: 'explicit' | 'product' | 'default';
  readonly checks: readonly PlannedCheck[];
  /** The device was not in the store before. */
  readonly firstSeen: boolean;
  /** A manual quarantine an administrator set (quarantineEndpoint): enforced whatever the IMVs say. */
  readonly override?: DeviceOverride;
}

/** The type of the pseudo policy result that records a manual quarantine in the session. */
export const QUARANTINE_POLICY_TYPE = 'admin-quarantine';

const STRICTNESS = { allow: 0, isolate: 1, 'no-access': 2 } as const;

/** The stricter of what the assessment found and what an administrator imposed. */
export function withOverride<E extends keyof typeof STRICTNESS>(assessed: E, override: DeviceOverride | undefined): E | DeviceOverride['enforce'] {
  if (!override) return assessed;
  return STRICTNESS[override.enforce] > STRICTNESS[assessed] ? override.enforce : assessed;
}

/** The reason a manual quarantine gives, in the session record and to the endpoint (PB-Reason-String). */
export function quarantineReason(override: DeviceOverride): string {
  return `quarantined by ${override.actor}`;
}

/** The session's record of the quarantine: a policy result of type 'admin-quarantine' (not kept as a device result). */
export function quarantineResult(override: DeviceOverride): SessionPolicyResult {
  return { policy: 'quarantine', type: QUARANTINE_POLICY_TYPE, outcome: 'fail', recommendation: override.enforce, reasons: [`${quarantineReason(override)} at ${new Date(override.at).toISOString()}`] };
}

/** Device ID and product from the decoded attributes of a client batch. */
export function deviceFacts(attributeLists: readonly (readonly PaTncAttribute[])[]): { deviceId?: string; product?: string } {
  let deviceId: string | undefined;
  let name: string | undefined;
  let version: string | undefined;
  for (const attrs of attributeLists) {
    deviceId ??= findAttribute(attrs, itaDeviceId)?.value;
    name ??= findAttribute(attrs, productInformation)?.value.productName;
    version ??= findAttribute(attrs, stringVersion)?.value.productVersion;
  }
  const product = name === undefined ? undefined : `${name} ${version ?? ''}`.trim();
  return { ...(deviceId ? { deviceId } : {}), ...(product ? { product } : {}) };
}

export interface ResolveOptions {
  readonly model: PolicyModel;
  readonly store: Store | undefined;
  readonly now: number;
  readonly user: string;
  readonly deviceId?: string;
  readonly product?: string;
  /** A store call failed: the assessment goes on without it (checks everything, keeps nothing). */
  readonly onStoreError: (operation: string, e: unknown) => void;
}

export async function resolveDeviceContext(o: ResolveOptions): Promise<DeviceContext> {
  const device = o.deviceId ?? o.user;
  const idKind = o.deviceId ? 'device-id' : 'user';
  let stored: DeviceRecord | undefined;
  let last: readonly PolicyResultRecord[] = [];
  if (o.store) {
    try {
      [stored, last] = await Promise.all([o.store.getDevice(device), o.store.getPolicyResults(device)]);
    } catch (e) {
      o.onStoreError('read', e);
    }
  }
  const product = o.product ?? stored?.product;
  const { groups, how } = resolveDeviceGroups(o.model, device, product, stored?.groups);
  const checks = planChecks(selectEnforcements(o.model, groups), last, o.now);
  if (o.store && (!stored || (o.product !== undefined && stored.product !== o.product))) {
    // A device seen for the first time (or with a new product) is recorded now.
    try {
      await o.store.recordDevice({ id: device, idKind, at: o.now, user: o.user, ...(product ? { product } : {}) });
    } catch (e) {
      o.onStoreError('record-device', e);
    }
  }
  return { device, idKind, ...(product ? { product } : {}), groups, groupsFrom: how, checks, firstSeen: !stored, ...(stored?.override ? { override: stored.override } : {}) };
}

/** The work items of the checks not skipped. */
export function workItems(ctx: DeviceContext): ImvWorkItem[] {
  return ctx.checks.filter((c) => !c.skipped).map((c) => c.item);
}

export interface ImvOutcome {
  readonly name: string;
  readonly workTypes: readonly string[];
  readonly failed: boolean;
  readonly recommendation: ImvRecommendation | undefined;
}

/**
 * Each enforced policy's outcome: skipped (a recent pass), the IMV's result for it, or no result
 * (no IMV checks its type, the IMV failed, or it gave no result), with onNoResult applied.
 */
export function policyOutcomes(ctx: DeviceContext, imvs: readonly ImvOutcome[], now: number): SessionPolicyResult[] {
  return ctx.checks.map((c): SessionPolicyResult => {
    const type = c.item.type;
    if (c.skipped) {
      const age = Math.round((now - c.skipped.passedAt) / 1000);
      return {
        policy: c.item.policy,
        type,
        outcome: 'pass',
        recommendation: 'allow',
        reasons: [`passed ${age} s ago, within maxAge ${c.skipped.maxAge} s: not checked again`],
        skipped: c.skipped,
      };
    }
    const imv = imvs.find((i) => i.workTypes.includes(type));
    const r = imv?.recommendation?.results?.find((x) => x.policy === c.item.policy);
    if (r) return { policy: r.policy, type, outcome: r.outcome, recommendation: recommendationName(r.recommendation), reasons: r.reason ? [r.reason] : [] };
    const why = !imv ? `no IMV checks '${type}'` : imv.failed ? `IMV ${imv.name} failed` : `IMV ${imv.name} gave no result`;
    return { policy: c.item.policy, type, outcome: 'no-result', recommendation: recommendationName(c.item.onNoResult ?? ActionRecommendation.NoRecommendation), reasons: [why] };
  });
}

/**
 * Keeps a decided assessment: the session, and the device's new result for each policy checked in
 * it (a skipped policy keeps the pass that let it be skipped, so maxAge counts from that check).
 */
export async function recordAssessment(
  store: Store,
  session: Pick<SessionRecord, 'id' | 'user' | 'transport' | 'via' | 'start' | 'end'>,
  ctx: DeviceContext,
  d: PostureDecision,
): Promise<void> {
  if (!d.enforced) return;
  const policies = d.policies ?? [];
  await store.recordSession(
    {
      ...session,
      device: ctx.device,
      groups: ctx.groups,
      policies,
      imvs: d.imvs,
      recommendation: d.recommendation,
      evaluation: d.evaluation ?? 'dont-know',
      enforced: d.enforced,
      group: d.group ?? null,
    },
    policies
      .filter((p) => !p.skipped && p.type !== QUARANTINE_POLICY_TYPE)
      .map((p) => ({ policy: p.policy, outcome: p.outcome, recommendation: p.recommendation, at: session.end, session: session.id, reasons: p.reasons })),
  );
}
