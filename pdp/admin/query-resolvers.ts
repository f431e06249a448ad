/**
 * Query and type resolvers: reads from the store, shaped as schemas/admin.graphql says. Lists that
 * grow are connections over the store's pages (`first` -> limit, `after` -> cursor); the store
 * pages by page, so only a page's last edge carries the cursor to continue from.
 */
import type { ActiveSessionRecord, DeviceRecord, Page, SessionRecord } from '../store/store.js';
import { memo, type AdminContext } from './context.js';
import { fieldError, fromStoreError } from './errors.js';
import * as v from './validate.js';

type Args = Record<string, any>;

export function connection<T>(page: Page<T>) {
  const n = page.items.length;
  return {
    edges: page.items.map((node, i) => ({ node, cursor: i === n - 1 ? (page.cursor ?? null) : null })),
    pageInfo: { hasNextPage: page.cursor !== undefined, endCursor: page.cursor ?? null },
  };
}

async function guard<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw fromStoreError(e);
  }
}

export function latestSession(ctx: AdminContext, device: string): Promise<SessionRecord | undefined> {
  return memo(ctx, `latest:${device}`, async () => (await guard(ctx.store.listSessions({ device, limit: 1 }))).items[0]);
}

/** Open active sessions of an endpoint: by device id, and by user for devices known by their user. */
export function activeSessionsOf(ctx: AdminContext, endpoint: string): Promise<readonly ActiveSessionRecord[]> {
  return memo(ctx, `active:${endpoint}`, async () => {
    const [byDevice, byUser] = await guard(Promise.all([ctx.store.listActiveSessions({ device: endpoint, limit: 100 }), ctx.store.listActiveSessions({ user: endpoint, limit: 100 })]));
    const seen = new Set<string>();
    return [...byDevice.items, ...byUser.items].filter((s) => !seen.has(s.id) && seen.add(s.id));
  });
}

export const queryResolvers = {
  me: (_: unknown, __: Args, ctx: AdminContext) => ctx.principal,
  endpoints: async (_: unknown, a: Args, ctx: AdminContext) => {
    const product = v.optionalText('filter.product', a['filter']?.product, 256);
    const group = v.optionalText('filter.group', a['filter']?.group, 128);
    const after = v.cursor(a['after']);
    return connection(await guard(ctx.store.listDevices({ limit: v.pageSize(a['first']), ...(product ? { product } : {}), ...(group ? { group } : {}), ...(after ? { cursor: after } : {}) })));
  },
  endpoint: (_: unknown, a: Args, ctx: AdminContext) => guard(ctx.store.getDevice(v.name('id', a['id'], 512))),
  sessions: async (_: unknown, a: Args, ctx: AdminContext) => {
    const f = a['filter'] ?? {};
    const after = v.cursor(a['after']);
    const first = v.pageSize(a['first']);
    if (f.active === true) {
      // Connected endpoints' latest assessments: the assessments behind open grants.
      const active = await guard(ctx.store.listActiveSessions({ limit: first, ...(f.user ? { user: f.user } : {}), ...(f.endpoint ? { device: f.endpoint } : {}), ...(after ? { cursor: after } : {}) }));
      const sessions = await Promise.all(active.items.map((s) => (s.assessment ? guard(ctx.store.getSession(s.assessment)) : undefined)));
      return connection({ items: sessions.filter((s): s is SessionRecord => s !== undefined), ...(active.cursor ? { cursor: active.cursor } : {}) });
    }
    if (f.since !== undefined && f.until !== undefined && f.since > f.until) throw fieldError('filter.since', 'is after filter.until');
    return connection(
      await guard(
        ctx.store.listSessions({
          limit: first,
          ...(f.endpoint ? { device: v.name('filter.endpoint', f.endpoint, 512) } : {}),
          ...(f.user ? { user: v.name('filter.user', f.user, 253) } : {}),
          ...(f.recommendation ? { recommendation: f.recommendation } : {}),
          ...(f.since !== undefined ? { since: f.since } : {}),
          ...(f.until !== undefined ? { until: f.until } : {}),
          ...(after ? { cursor: after } : {}),
        }),
      ),
    );
  },
  session: (_: unknown, a: Args, ctx: AdminContext) => guard(ctx.store.getSession(v.name('id', a['id'], 256))),
  activeSessions: async (_: unknown, a: Args, ctx: AdminContext) => {
    const after = v.cursor(a['after']);
    return connection(
      await guard(
        ctx.store.listActiveSessions({
          limit: v.pageSize(a['first']),
          state: a['all'] ? 'all' : 'open',
          ...(a['user'] ? { user: v.name('user', a['user'], 253) } : {}),
          ...(a['endpoint'] ? { device: v.name('endpoint', a['endpoint'], 512) } : {}),
          ...(after ? { cursor: after } : {}),
        }),
      ),
    );
  },
  policies: async (_: unknown, __: Args, ctx: AdminContext) => (await guard(ctx.store.list('policy', { limit: 1000 }))).items,
  policy: (_: unknown, a: Args, ctx: AdminContext) => guard(ctx.store.get('policy', v.name('name', a['name']))),
  enforcements: async (_: unknown, __: Args, ctx: AdminContext) => (await guard(ctx.store.list('enforcement', { limit: 1000 }))).items,
  deviceGroups: async (_: unknown, __: Args, ctx: AdminContext) => (await guard(ctx.store.list('group', { limit: 1000 }))).items,
  users: async (_: unknown, __: Args, ctx: AdminContext) => (await guard(ctx.store.list('user', { limit: 1000 }))).items,
  radiusClients: async (_: unknown, __: Args, ctx: AdminContext) => (await guard(ctx.store.list('radius-client', { limit: 1000 }))).items,
  pools: async (_: unknown, __: Args, ctx: AdminContext) => {
    const pools = new Map<string, { name: string; leased: number; online: number }>();
    let cursor: string | undefined;
    // Bounded: at most 100 pages of 1000 leases.
    for (let i = 0; i < 100; i++) {
      const page = await guard(ctx.store.listLeases({ limit: 1000, ...(cursor ? { cursor } : {}) }));
      for (const l of page.items) {
        const p = pools.get(l.pool) ?? { name: l.pool, leased: 0, online: 0 };
        p.leased++;
        if (l.released === 0) p.online++;
        pools.set(l.pool, p);
      }
      cursor = page.cursor;
      if (!cursor) break;
    }
    return [...pools.values()];
  },
  leases: async (_: unknown, a: Args, ctx: AdminContext) => {
    const after = v.cursor(a['after']);
    return connection(await guard(ctx.store.listLeases({ limit: v.pageSize(a['first']), ...(a['pool'] ? { pool: v.name('pool', a['pool']) } : {}), ...(after ? { cursor: after } : {}) })));
  },
  auditLog: async (_: unknown, a: Args, ctx: AdminContext) => {
    const after = v.cursor(a['after']);
    const kinds = ['group', 'policy', 'enforcement', 'user', 'radius-client', 'device'];
    if (a['kind'] != null && !kinds.includes(a['kind'])) throw fieldError('kind', `must be one of ${kinds.join(', ')}`);
    return connection(
      await guard(ctx.store.listAudit({ limit: v.pageSize(a['first']), ...(a['kind'] ? { kind: a['kind'] } : {}), ...(a['key'] ? { key: v.name('key', a['key'], 512) } : {}), ...(after ? { cursor: after } : {}) })),
    );
  },
  ifmapPublish: async (_: unknown, a: Args, ctx: AdminContext) => {
    if (!ctx.ifmap) throw fieldError('endpoint', 'the IF-MAP export is not available in this build');
    const endpoint = a['endpoint'] == null ? undefined : v.name('endpoint', a['endpoint'], 512);
    if (endpoint && !(await guard(ctx.store.getDevice(endpoint)))) throw fieldError('endpoint', `no endpoint '${endpoint}'`);
    try {
      return await ctx.ifmap(ctx.store, endpoint);
    } catch (e) {
      // pdp/ifmap refuses an empty publish request with a RangeError.
      if (e instanceof RangeError) throw fieldError('endpoint', endpoint ? `endpoint '${endpoint}' has no assessment to export` : 'no assessed endpoint to export');
      throw fromStoreError(e);
    }
  },
};

export const typeResolvers = {
  Endpoint: {
    identity: (d: DeviceRecord) => d.lastUser ?? null,
    assignedGroups: (d: DeviceRecord) => d.groups ?? [],
    latestSession: (d: DeviceRecord, _: Args, ctx: AdminContext) => latestSession(ctx, d.id),
    groups: async (d: DeviceRecord, _: Args, ctx: AdminContext) => (await latestSession(ctx, d.id))?.groups ?? d.groups ?? [],
    recommendation: async (d: DeviceRecord, _: Args, ctx: AdminContext) => (await latestSession(ctx, d.id))?.recommendation ?? null,
    evaluation: async (d: DeviceRecord, _: Args, ctx: AdminContext) => (await latestSession(ctx, d.id))?.evaluation ?? null,
    enforced: async (d: DeviceRecord, _: Args, ctx: AdminContext) => (await latestSession(ctx, d.id))?.enforced ?? null,
    filterGroup: async (d: DeviceRecord, _: Args, ctx: AdminContext) => (await latestSession(ctx, d.id))?.group ?? null,
    virtualIp: async (d: DeviceRecord, _: Args, ctx: AdminContext) => (await activeSessionsOf(ctx, d.id)).find((s) => s.framedIp)?.framedIp ?? null,
    connected: async (d: DeviceRecord, _: Args, ctx: AdminContext) => (await activeSessionsOf(ctx, d.id)).length > 0,
    policyResults: (d: DeviceRecord, _: Args, ctx: AdminContext) => guard(ctx.store.getPolicyResults(d.id)),
  },
  PolicyResult: { reasons: (r: { reasons?: readonly string[] }) => r.reasons ?? [] },
  Session: {
    endpointId: (s: SessionRecord) => s.device,
    endpoint: (s: SessionRecord, _: Args, ctx: AdminContext) => guard(ctx.store.getDevice(s.device)),
    filterGroup: (s: SessionRecord) => s.group,
    assessment: (s: SessionRecord) => s,
  },
  SessionPolicyResult: { skippedPassedAt: (r: { skipped?: { passedAt: number } }) => r.skipped?.passedAt ?? null },
  ActiveSession: {
    endpointId: (s: ActiveSessionRecord) => s.device ?? null,
    filterGroup: (s: ActiveSessionRecord) => s.group,
    state: (s: ActiveSessionRecord) => s.state.toUpperCase(),
    assessment: (s: ActiveSessionRecord, _: Args, ctx: AdminContext) => (s.assessment ? guard(ctx.store.getSession(s.assessment)) : null),
  },
  Enforcement: { maxAge: (e: { maxAge?: number }) => e.maxAge ?? 0 },
  DeviceGroup: { defaultFor: (g: { defaultFor?: readonly string[] }) => g.defaultFor ?? [] },
  Lease: {
    online: (l: { released: number }) => l.released === 0,
    start: (l: { acquired: number }) => l.acquired,
    end: (l: { released: number }) => (l.released === 0 ? null : l.released),
  },
  AuditEntry: {},
};
