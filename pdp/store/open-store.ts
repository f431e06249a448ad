/**
 * The store the configuration asks for (config.store): the embedded one under stateDir/store, or
 * Redis; then seeded from the configuration when it was never seeded (seedData): the posture
 * model's groups, policies, enforcements and devices, the users and the RADIUS clients. After the
 * first start the store is authoritative: the file's model, users and clients are not read again
 * (change them through the admin API; every PDP sharing the store sees the change).
 *
 * The flat `posture.imvs` section stays configuration (IMV settings, with their implicit policies
 * enforced on Default); it is not copied into the store.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PdpConfig } from '../config/types.js';
import { EmbeddedStore } from './embedded-store.js';
import { RedisStore } from './redis-store.js';
import type { SeedData, Store } from './store.js';

export interface StoreLog {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
  debug(o: object, msg: string): void;
}

export async function openConfiguredStore(config: PdpConfig, log: StoreLog): Promise<Store> {
  let store: Store;
  if (config.store.backend === 'redis') {
    const r = config.store.redis ?? {};
    const tls = typeof r.tls === 'object' ? { ...(r.tls.ca ? { ca: readFileSync(r.tls.ca) } : {}), ...(r.tls.serverName ? { servername: r.tls.serverName } : {}) } : r.tls;
    store = await RedisStore.open({
      ...(r.url !== undefined ? { url: r.url } : {}),
      ...(r.host !== undefined ? { host: r.host, port: r.port ?? 6379 } : {}),
      ...(r.cluster !== undefined ? { cluster: r.cluster } : {}),
      ...(r.keyPrefix !== undefined ? { keyPrefix: r.keyPrefix } : {}),
      ...(r.username !== undefined ? { username: r.username } : {}),
      ...(r.password !== undefined ? { password: r.password } : {}),
      ...(tls !== undefined ? { tls } : {}),
      ...(r.commandTimeoutMs !== undefined ? { commandTimeoutMs: r.commandTimeoutMs } : {}),
      ...(r.connectTimeoutMs !== undefined ? { connectTimeoutMs: r.connectTimeoutMs } : {}),
      ...(r.outboxSize !== undefined ? { outboxSize: r.outboxSize } : {}),
      maxSessions: config.store.maxSessions,
      onEvent: (e) => (e.type === 'store.unavailable' || e.type === 'store.outbox-full' ? log.warn({ ...e, event: e.type }, e.type === 'store.unavailable' ? `Redis store unavailable: ${e.message}` : 'Redis store outbox full: assessments are not kept') : log.info({ ...e, event: e.type }, e.type)),
    });
    log.info({ event: 'store.opened', backend: 'redis', keyPrefix: r.keyPrefix ?? 'tnc' }, 'Redis store connected');
  } else {
    store = await EmbeddedStore.open({
      dir: join(config.stateDir, 'store'),
      maxSessions: config.store.maxSessions,
      maxDevices: config.store.maxDevices,
      snapshotEvery: config.store.snapshotEvery,
      onEvent: (e) => (e.type === 'store.snapshot' ? log.debug({ ...e, event: e.type }, 'store snapshot') : log.info({ ...e, event: e.type }, e.type)),
    });
  }
  try {
    if (await store.seed(seedData(config), { actor: 'config-seed' })) log.info({ event: 'store.seeded', backend: config.store.backend }, 'store seeded from the configuration (posture model, users, RADIUS clients)');
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

/** What the configuration seeds a store with. */
export function seedData(config: PdpConfig): SeedData {
  const p = config.posture;
  return {
    groups: (p.deviceGroups ?? []).map((g) => ({ name: g.name, ...(g.parent !== undefined ? { parent: g.parent } : {}), ...(g.defaultFor ? { defaultFor: [...g.defaultFor] } : {}), ...(g.description !== undefined ? { description: g.description } : {}) })),
    policies: (p.policies ?? []).map((x) => ({
      name: x.name,
      type: x.type,
      ...(x.argument !== undefined ? { argument: x.argument } : {}),
      ...(x.onFail !== undefined ? { onFail: x.onFail } : {}),
      ...(x.onNoResult !== undefined ? { onNoResult: x.onNoResult } : {}),
      ...(x.remediation !== undefined ? { remediation: x.remediation } : {}),
      ...(x.description !== undefined ? { description: x.description } : {}),
    })),
    enforcements: (p.enforcements ?? []).map((e) => ({ policy: e.policy, group: e.group, ...(e.maxAge !== undefined ? { maxAge: e.maxAge } : {}), ...(e.onFail !== undefined ? { onFail: e.onFail } : {}), ...(e.onNoResult !== undefined ? { onNoResult: e.onNoResult } : {}) })),
    devices: (p.devices ?? []).map((d) => ({ id: d.id, groups: [...d.groups], ...(d.description !== undefined ? { description: d.description } : {}) })),
    users: config.users.map((u) => ({ name: u.name, password: u.password, group: u.group })),
    radiusClients: config.radius.clients.map((c) => ({ name: c.name, address: c.address, secret: c.secret, requireMessageAuthenticator: c.requireMessageAuthenticator ?? true })),
  };
}
