/**
 * Mutations: admin entities through the store (which writes the audit record in the same step),
 * device moves, and RFC 5176 re-assessment / quarantine of a connected endpoint. Every resolver
 * here runs only for role `admin` (server.ts refuses mutations of read-only callers first).
 * Each change also gets a pino line `admin.change` (no secrets: inputs are logged without
 * password/secret).
 */
import { resolvePolicyModel, type PolicyConfig } from '../posture/model.js';
import type { ActiveSessionRecord, AdminKind, ChangeMeta, DeviceOverride, StoreChange } from '../store/store.js';
import type { AdminContext } from './context.js';
import type { DaeReply } from './dynamic-authorization.js';
import { adminError, fieldError, fromStoreError, notFound } from './errors.js';
import { activeSessionsOf } from './query-resolvers.js';
import * as v from './validate.js';

type Args = Record<string, any>;

const KIND_NAMES: Record<AdminKind, string> = { group: 'device group', policy: 'policy', enforcement: 'enforcement', user: 'user', 'radius-client': 'RADIUS client' };

function meta(ctx: AdminContext, a: Args): ChangeMeta {
  const expected = a['expectedVersion'];
  if (expected !== undefined && expected !== null && (!Number.isInteger(expected) || expected < 1)) throw fieldError('expectedVersion', 'must be a positive integer');
  return { actor: ctx.principal.name, at: ctx.now(), ...(expected != null ? { expectedVersion: expected } : {}) };
}

/** Copies defined fields; `null` stays (the store removes the optional field). */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
}

function logChange(ctx: AdminContext, action: string, kind: string, key: string): void {
  ctx.log.info({ event: 'admin.change', actor: ctx.principal.name, action, kind, key }, `admin ${ctx.principal.name}: ${action} ${kind} '${key}'`);
}

/** A policy's type and argument checked by the posture model itself. */
function checkPolicy(prefix: string, p: PolicyConfig): void {
  try {
    resolvePolicyModel({ policies: [p] }, []);
  } catch (e) {
    if (e instanceof RangeError) throw v.modelProblem(prefix, e.message);
    throw e;
  }
}

async function mustExist(ctx: AdminContext, kind: AdminKind, key: string, field: string): Promise<void> {
  if (!(await ctx.store.get(kind, key))) throw fieldError(field, `no ${KIND_NAMES[kind]} '${key}'`);
}

async function run<T>(ctx: AdminContext, action: string, kind: AdminKind | 'device', key: string, field: string, f: () => Promise<T>): Promise<T> {
  let r: T;
  try {
    r = await f();
  } catch (e) {
    throw fromStoreError(e, field);
  }
  logChange(ctx, action, kind, key);
  return r;
}

async function remove(ctx: AdminContext, kind: AdminKind, key: string, a: Args) {
  const m = meta(ctx, a);
  const gone = await run(ctx, 'delete', kind, key, 'name', () => ctx.store.remove(kind, key, m));
  if (!gone) throw notFound(KIND_NAMES[kind], key);
  return { id: key };
}

async function dynamicAuthorization(ctx: AdminContext, endpoint: string, request: 'disconnect' | 'coa', sessionTimeout?: number, connected?: readonly ActiveSessionRecord[]) {
  const sessions = connected ?? (await activeSessionsOf(ctx, endpoint));
  if (sessions.length === 0 && !connected) throw adminError('NOT_CONNECTED', `endpoint '${endpoint}' has no active session: nothing to ${request === 'coa' ? 're-assess' : 'quarantine'}`, { field: 'endpoint' });
  const replies: DaeReply[] = [];
  for (const s of sessions) {
    const secret = (await ctx.store.getCredential('radius-client', s.nas)) ?? ctx.radiusSecret?.(s.nas);
    if (!secret) throw adminError('UNAVAILABLE', `RADIUS client '${s.nas}' has no shared secret in the store`);
    const target = { name: s.nas, address: s.nasAddress, port: ctx.daePort, secret, ...(s.nasIdentifier ? { nasIdentifier: s.nasIdentifier } : {}) };
    const id = { userName: s.user, ...(s.acctSessionId ? { acctSessionId: s.acctSessionId } : {}), ...(s.callingStationId ? { callingStationId: s.callingStationId } : {}), ...(s.framedIp ? { framedIp: s.framedIp } : {}) };
    const reply = request === 'coa' ? await ctx.dae.coa(target, id, { sessionTimeout: sessionTimeout ?? 5 }) : await ctx.dae.disconnect(target, id);
    ctx.log.info(
      { event: 'admin.dynamic-authorization', actor: ctx.principal.name, endpoint, user: s.user, nasAddress: s.nasAddress, port: ctx.daePort, ...reply },
      `${reply.request} for '${s.user}' to ${s.nas} (${s.nasAddress}:${ctx.daePort}): ${reply.outcome}${reply.errorCauseName ? ` (${reply.errorCauseName})` : ''} after ${reply.tries} tries`,
    );
    replies.push(reply);
  }
  return { endpoint, replies, devices: [] as string[], override: null as DeviceOverride | null };
}

/** The devices an endpoint names: the device with that id, and the devices of its active sessions (a user's). */
async function devicesOf(ctx: AdminContext, endpoint: string, sessions: readonly ActiveSessionRecord[]): Promise<string[]> {
  const ids = new Set<string>();
  if (await ctx.store.getDevice(endpoint)) ids.add(endpoint);
  for (const s of sessions) if (s.device && (await ctx.store.getDevice(s.device))) ids.add(s.device);
  return [...ids];
}

/** Sets (or lifts, with null) the override of every device the endpoint names; audited by the store. */
async function setOverride(ctx: AdminContext, endpoint: string, override: DeviceOverride | null, a: Args) {
  const sessions = await activeSessionsOf(ctx, endpoint);
  const devices = await devicesOf(ctx, endpoint, sessions);
  if (devices.length === 0 && sessions.length === 0) {
    // A user we know (a configured user, or one with history) that is simply not connected now.
    const known = (await ctx.store.get('user', endpoint)) || (await ctx.store.listSessions({ user: endpoint, limit: 1 })).items.length > 0;
    if (known) throw adminError('NOT_CONNECTED', `endpoint '${endpoint}' has no active session and no posture device record: nothing to quarantine`, { field: 'endpoint' });
    throw fieldError('endpoint', `no endpoint '${endpoint}' (neither a device nor a connected user)`);
  }
  if (devices.length === 0) {
    // A connected user whose authentication carried no posture assessment has no device record:
    // the override (enforced by posture) cannot hold for it. Disconnect anyway and say so.
    ctx.log.warn(
      { event: 'admin.quarantine-not-sticky', actor: ctx.principal.name, endpoint },
      `'${endpoint}' has no posture device record: it is disconnected, but nothing keeps it isolated when it re-authenticates without posture`,
    );
    return { sessions, devices };
  }
  const m = meta(ctx, a);
  for (const id of devices) {
    await run(ctx, override ? 'quarantine' : 'release', 'device', id, 'endpoint', () => ctx.store.updateDevice(id, { override }, m));
  }
  return { sessions, devices };
}

const ENFORCE = new Set(['isolate', 'no-access']);

export const mutationResolvers = {
  createPolicy: async (_: unknown, a: Args, ctx: AdminContext) => {
    const i = a['input'];
    const p = { name: v.name('input.name', i.name), type: i.type, ...defined({ argument: i.argument ?? undefined, onFail: i.onFail ?? undefined, onNoResult: i.onNoResult ?? undefined, remediation: v.optionalText('input.remediation', i.remediation), description: v.optionalText('input.description', i.description) }) };
    checkPolicy('input', p as PolicyConfig);
    return run(ctx, 'create', 'policy', p.name, 'input.name', () => ctx.store.create('policy', p as never, meta(ctx, a)));
  },
  updatePolicy: async (_: unknown, a: Args, ctx: AdminContext) => {
    const key = v.name('name', a['name']);
    const old = await ctx.store.get('policy', key);
    if (!old) throw notFound('policy', key);
    const p = a['patch'];
    v.optionalText('patch.remediation', p.remediation);
    v.optionalText('patch.description', p.description);
    checkPolicy('patch', { name: key, type: p.type ?? old.type, argument: p.argument !== undefined ? p.argument : old.argument } as PolicyConfig);
    return run(ctx, 'update', 'policy', key, 'patch', () => ctx.store.update('policy', key, defined(p) as never, meta(ctx, a)));
  },
  deletePolicy: (_: unknown, a: Args, ctx: AdminContext) => remove(ctx, 'policy', v.name('name', a['name']), a),

  createEnforcement: async (_: unknown, a: Args, ctx: AdminContext) => {
    const i = a['input'];
    const e = { policy: v.name('input.policy', i.policy), group: v.name('input.group', i.group), ...defined({ maxAge: v.nonNegativeInt('input.maxAge', i.maxAge), onFail: i.onFail ?? undefined, onNoResult: i.onNoResult ?? undefined }) };
    await mustExist(ctx, 'policy', e.policy, 'input.policy');
    await mustExist(ctx, 'group', e.group, 'input.group');
    return run(ctx, 'create', 'enforcement', `${e.policy}@${e.group}`, 'input.policy', () => ctx.store.create('enforcement', e as never, meta(ctx, a)));
  },
  updateEnforcement: async (_: unknown, a: Args, ctx: AdminContext) => {
    const key = v.name('id', a['id'], 300);
    v.nonNegativeInt('patch.maxAge', a['patch'].maxAge);
    if (!(await ctx.store.get('enforcement', key))) throw notFound('enforcement', key);
    return run(ctx, 'update', 'enforcement', key, 'patch', () => ctx.store.update('enforcement', key, defined(a['patch']) as never, meta(ctx, a)));
  },
  deleteEnforcement: (_: unknown, a: Args, ctx: AdminContext) => remove(ctx, 'enforcement', v.name('id', a['id'], 300), a),

  createDeviceGroup: async (_: unknown, a: Args, ctx: AdminContext) => {
    const i = a['input'];
    const g: { name: string; parent?: unknown } = { name: v.name('input.name', i.name), ...defined({ parent: i.parent ?? undefined, defaultFor: i.defaultFor ?? undefined, description: v.optionalText('input.description', i.description) }) };
    if (typeof g.parent === 'string') await mustExist(ctx, 'group', g.parent, 'input.parent');
    (i.defaultFor ?? []).forEach((p: string, n: number) => v.name(`input.defaultFor.${n}`, p, 256));
    return run(ctx, 'create', 'group', g.name, 'input.name', () => ctx.store.create('group', g as never, meta(ctx, a)));
  },
  updateDeviceGroup: async (_: unknown, a: Args, ctx: AdminContext) => {
    const key = v.name('name', a['name']);
    const p = a['patch'];
    if (typeof p.parent === 'string') {
      if (p.parent === key) throw fieldError('patch.parent', 'a group cannot be its own parent');
      await mustExist(ctx, 'group', p.parent, 'patch.parent');
    }
    if (!(await ctx.store.get('group', key))) throw notFound('device group', key);
    return run(ctx, 'update', 'group', key, 'patch', () => ctx.store.update('group', key, defined(p) as never, meta(ctx, a)));
  },
  deleteDeviceGroup: (_: unknown, a: Args, ctx: AdminContext) => remove(ctx, 'group', v.name('name', a['name']), a),

  createUser: async (_: unknown, a: Args, ctx: AdminContext) => {
    const i = a['input'];
    const u = { name: v.name('input.name', i.name, 253), password: v.secret('input.password', i.password), group: v.name('input.group', i.group, 253) };
    return run(ctx, 'create', 'user', u.name, 'input.name', () => ctx.store.create('user', u, meta(ctx, a)));
  },
  updateUser: async (_: unknown, a: Args, ctx: AdminContext) => {
    const key = v.name('name', a['name'], 253);
    const p = a['patch'];
    if (p.password != null) v.secret('patch.password', p.password);
    if (p.group != null) v.name('patch.group', p.group, 253);
    if (!(await ctx.store.get('user', key))) throw notFound('user', key);
    return run(ctx, 'update', 'user', key, 'patch', () => ctx.store.update('user', key, defined(p) as never, meta(ctx, a)));
  },
  deleteUser: (_: unknown, a: Args, ctx: AdminContext) => remove(ctx, 'user', v.name('name', a['name'], 253), a),

  createRadiusClient: async (_: unknown, a: Args, ctx: AdminContext) => {
    const i = a['input'];
    const c = {
      name: v.name('input.name', i.name),
      address: v.addressOrCidr('input.address', i.address),
      secret: v.secret('input.secret', i.secret),
      ...defined({ requireMessageAuthenticator: i.requireMessageAuthenticator ?? undefined, description: v.optionalText('input.description', i.description) }),
    };
    return run(ctx, 'create', 'radius-client', c.name, 'input.name', () => ctx.store.create('radius-client', c as never, meta(ctx, a)));
  },
  updateRadiusClient: async (_: unknown, a: Args, ctx: AdminContext) => {
    const key = v.name('name', a['name']);
    const p = a['patch'];
    if (p.address != null) v.addressOrCidr('patch.address', p.address);
    if (p.secret != null) v.secret('patch.secret', p.secret);
    if (!(await ctx.store.get('radius-client', key))) throw notFound('RADIUS client', key);
    return run(ctx, 'update', 'radius-client', key, 'patch', () => ctx.store.update('radius-client', key, defined(p) as never, meta(ctx, a)));
  },
  deleteRadiusClient: (_: unknown, a: Args, ctx: AdminContext) => remove(ctx, 'radius-client', v.name('name', a['name']), a),

  moveDeviceToGroup: async (_: unknown, a: Args, ctx: AdminContext) => {
    const id = v.name('device', a['device'], 512);
    const groups = (a['groups'] as string[]).map((g, i) => v.name(`groups.${i}`, g));
    for (const [i, g] of groups.entries()) await mustExist(ctx, 'group', g, `groups.${i}`);
    if (!(await ctx.store.getDevice(id))) throw fieldError('device', `no endpoint '${id}'`);
    return run(ctx, 'move', 'device', id, 'device', () => ctx.store.moveDevice(id, groups, meta(ctx, a)));
  },
  reassessEndpoint: async (_: unknown, a: Args, ctx: AdminContext) => {
    const after = a['afterSeconds'] ?? 5;
    if (!Number.isInteger(after) || after < 1 || after > 86400) throw fieldError('afterSeconds', 'must be from 1 to 86400');
    return dynamicAuthorization(ctx, v.name('endpoint', a['endpoint'], 512), 'coa', after);
  },
  quarantineEndpoint: async (_: unknown, a: Args, ctx: AdminContext) => {
    const endpoint = v.name('endpoint', a['endpoint'], 512);
    if (a['sticky'] === false) return dynamicAuthorization(ctx, endpoint, 'disconnect');
    const enforce = a['enforce'] ?? 'isolate';
    if (!ENFORCE.has(enforce)) throw fieldError('enforce', 'must be ISOLATE or NO_ACCESS');
    // The override first: the endpoint's next authentication (right after the disconnect) meets it.
    const override: DeviceOverride = { enforce, actor: ctx.principal.name, at: ctx.now() };
    const { sessions, devices } = await setOverride(ctx, endpoint, override, a);
    return { ...(await dynamicAuthorization(ctx, endpoint, 'disconnect', undefined, sessions)), devices, override: devices.length ? override : null };
  },
  releaseEndpoint: async (_: unknown, a: Args, ctx: AdminContext) => {
    const endpoint = v.name('endpoint', a['endpoint'], 512);
    const after = a['afterSeconds'] ?? 5;
    if (!Number.isInteger(after) || after < 1 || after > 86400) throw fieldError('afterSeconds', 'must be from 1 to 86400');
    const { sessions, devices } = await setOverride(ctx, endpoint, null, a);
    const replies = a['reassess'] === false ? { endpoint, replies: [] } : await dynamicAuthorization(ctx, endpoint, 'coa', after, sessions);
    return { ...replies, devices, override: null };
  },
};

export const subscriptionResolvers = {
  sessionEvents: { subscribe: (_: unknown, __: Args, ctx: AdminContext) => ctx.events.subscribe('session'), resolve: (p: unknown) => p },
  recommendations: { subscribe: (_: unknown, __: Args, ctx: AdminContext) => ctx.events.subscribe('recommendation'), resolve: (p: unknown) => p },
};

export type { StoreChange };
