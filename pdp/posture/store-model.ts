/**
 * The posture model read from the store (pdp/store): once the configuration seeded it, the store's
 * device groups, policies and enforcements are the model, so an administrator's change applies to
 * the next assessment of every PDP sharing the store, without a restart.
 *
 * Each assessment asks the store for its model version (one small read); the model is reloaded
 * only when the version moved. Version 0 (a store never seeded, as in tests): the configuration's
 * model. The flat `posture.imvs` policies stay configuration and are added as before. A store that
 * cannot be read, or whose model does not resolve (an enforcement of a deleted policy ...), leaves
 * the last good model in place and says so (event).
 */
import type { AdminRecords, Store } from '../store/store.js';
import { imvPolicies, resolvePolicyModel, type DeviceGroupConfig, type EnforcementConfig, type PolicyConfig, type PolicyModel } from './model.js';
import type { PosturePolicy } from './policy.js';

export type StoreModelEvent =
  | { readonly type: 'posture.model-loaded'; readonly version: number; readonly policies: number; readonly enforcements: number; readonly groups: number }
  | { readonly type: 'posture.model-invalid'; readonly version: number; readonly problems: readonly string[] }
  | { readonly type: 'posture.store-error'; readonly connection: number; readonly operation: string; readonly message: string };

const MAX_ROWS = 100_000;

export class StoreModelSource {
  #version = 0;
  #model: PolicyModel | undefined;
  #loading: Promise<PolicyModel | undefined> | undefined;

  constructor(
    private readonly store: Store,
    private readonly policy: PosturePolicy,
    private readonly onEvent: (e: StoreModelEvent) => void = () => undefined,
  ) {}

  /** The model for an assessment starting now; `fallback` is the configuration's. */
  async model(fallback: PolicyModel): Promise<PolicyModel> {
    let version: number;
    try {
      version = await this.store.modelVersion();
    } catch (e) {
      this.onEvent({ type: 'posture.store-error', connection: 0, operation: 'model-version', message: (e as Error)?.message ?? String(e) });
      return this.#model ?? fallback;
    }
    if (version === 0) return fallback;
    if (version === this.#version && this.#model) return this.#model;
    this.#loading ??= this.#load(version).finally(() => (this.#loading = undefined));
    return (await this.#loading) ?? this.#model ?? fallback;
  }

  async #load(version: number): Promise<PolicyModel | undefined> {
    try {
      const [groups, policies, enforcements] = await Promise.all([this.#all('group'), this.#all('policy'), this.#all('enforcement')]);
      const model = resolvePolicyModel(
        {
          deviceGroups: groups.map((g) => ({ name: g.name, ...(g.parent !== undefined ? { parent: g.parent } : {}), ...(g.defaultFor ? { defaultFor: g.defaultFor } : {}) }) satisfies DeviceGroupConfig),
          policies: policies.map((p) => ({ ...strip(p), type: p.type }) as PolicyConfig),
          enforcements: enforcements.map((e) => ({ policy: e.policy, group: e.group, ...(e.maxAge !== undefined ? { maxAge: e.maxAge } : {}), ...(e.onFail !== undefined ? { onFail: e.onFail } : {}), ...(e.onNoResult !== undefined ? { onNoResult: e.onNoResult } : {}) }) as EnforcementConfig),
        },
        imvPolicies(this.policy.imvs),
      );
      this.#model = model;
      this.#version = version;
      this.onEvent({ type: 'posture.model-loaded', version, policies: policies.length, enforcements: enforcements.length, groups: groups.length });
      return model;
    } catch (e) {
      if (e instanceof RangeError) this.onEvent({ type: 'posture.model-invalid', version, problems: e.message.split('\n') });
      else this.onEvent({ type: 'posture.store-error', connection: 0, operation: 'model-load', message: (e as Error)?.message ?? String(e) });
      return undefined;
    }
  }

  async #all<K extends 'group' | 'policy' | 'enforcement'>(kind: K): Promise<AdminRecords[K][]> {
    const out: AdminRecords[K][] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list(kind, { limit: 1000, ...(cursor ? { cursor } : {}) });
      out.push(...page.items);
      cursor = page.cursor;
    } while (cursor && out.length < MAX_ROWS);
    return out;
  }
}

function strip<T extends object>(r: T): Omit<T, 'version' | 'created' | 'updated'> {
  const { version: _v, created: _c, updated: _u, ...rest } = r as T & { version: unknown; created: unknown; updated: unknown };
  return rest;
}
