/**
 * What the model (model.ts) asks of one device: its groups, the enforcements that apply, and which
 * of them a recent pass lets skip. Pure functions; the clock and the stored results are arguments.
 *
 *   groups        explicit (config devices, else groups an administrator stored) | product
 *                 defaults (defaultFor globs) | Default; then every ancestor, nearest first
 *   enforcements  per policy the one on the nearest group (ties: first listed)
 *   skip          maxAge > 0 and the device's last result for the policy is a pass younger than
 *                 maxAge seconds: not checked, counted as passed
 */
import type { ImvWorkItem } from '../../imc-imv/index.js';
import type { PolicyResultRecord } from '../store/store.js';
import { DEFAULT_GROUP, type PolicyModel, type ResolvedEnforcement } from './model.js';

export interface DeviceGroups {
  /** Nearest first: the device's own groups, then parents, grandparents ... */
  readonly groups: readonly string[];
  readonly how: 'explicit' | 'product' | 'default';
}

/** Glob with * (any run) and ? (one character), case-insensitive, anchored. */
export function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'is');
  return re.test(text);
}

export function resolveDeviceGroups(model: PolicyModel, device: string, product: string | undefined, stored?: readonly string[]): DeviceGroups {
  const explicit = model.devices.get(device)?.groups ?? stored?.filter((g) => model.groups.has(g));
  let own: readonly string[];
  let how: DeviceGroups['how'];
  if (explicit && explicit.length > 0) {
    own = explicit;
    how = 'explicit';
  } else {
    const byProduct = product === undefined ? [] : [...model.groups.values()].filter((g) => (g.defaultFor ?? []).some((p) => globMatch(p, product))).map((g) => g.name);
    own = byProduct.length > 0 ? byProduct : [DEFAULT_GROUP];
    how = byProduct.length > 0 ? 'product' : 'default';
  }
  // Breadth first: all own groups (distance 0), then their parents (1) ... each once.
  const out: string[] = [];
  let level = [...own];
  while (level.length > 0 && out.length <= model.groups.size) {
    const next: string[] = [];
    for (const g of level) {
      if (out.includes(g)) continue;
      out.push(g);
      const parent = model.groups.get(g)?.parent;
      if (parent !== undefined) next.push(parent);
    }
    level = next;
  }
  return { groups: out, how };
}

/** The enforcements for a device in `groups` (nearest first), one per policy, in policy order. */
export function selectEnforcements(model: PolicyModel, groups: readonly string[]): ResolvedEnforcement[] {
  const chosen = new Map<string, { e: ResolvedEnforcement; distance: number }>();
  for (const e of model.enforcements) {
    const distance = groups.indexOf(e.group);
    if (distance < 0) continue;
    const have = chosen.get(e.policy.name);
    if (!have || distance < have.distance) chosen.set(e.policy.name, { e, distance });
  }
  return [...chosen.values()].map((x) => x.e).sort((a, b) => a.policy.index - b.policy.index);
}

export interface PlannedCheck {
  readonly enforcement: ResolvedEnforcement;
  /** The work item with the enforcement's onFail / onNoResult applied. */
  readonly item: ImvWorkItem;
  /** Set when a recent pass makes the check unnecessary. */
  readonly skipped?: { readonly passedAt: number; readonly maxAge: number };
}

/** Which enforcements to check now, and which a pass younger than maxAge lets skip. */
export function planChecks(enforcements: readonly ResolvedEnforcement[], last: readonly PolicyResultRecord[], now: number): PlannedCheck[] {
  const byPolicy = new Map(last.map((r) => [r.policy, r]));
  return enforcements.map((e) => {
    const item: ImvWorkItem = {
      ...e.policy.item,
      ...(e.onFail !== undefined ? { onFail: e.onFail } : {}),
      ...(e.onNoResult !== undefined ? { onNoResult: e.onNoResult } : {}),
    };
    const r = byPolicy.get(e.policy.name);
    if (e.maxAge > 0 && r && r.outcome === 'pass' && r.at <= now && now - r.at < e.maxAge * 1000) {
      return { enforcement: e, item, skipped: { passedAt: r.at, maxAge: e.maxAge } };
    }
    return { enforcement: e, item };
  });
}
