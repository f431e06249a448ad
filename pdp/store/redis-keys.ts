/**
 * The Redis store's key design. Every key starts with the hash tag `{<prefix>}` (default
 * `{tnc}`), so in a Redis Cluster all of them hash to ONE slot:
 *
 *   {tnc}:meta                        HASH   seeded, modelVersion
 *   {tnc}:seq                         STRING INCR counter: creation order of everything below
 *   {tnc}:changes                     pub/sub channel: StoreChange JSON after each change
 *   {tnc}:device                      HASH   device id -> DeviceRecord JSON
 *   {tnc}:devices                     ZSET   device id by lastSeen (listing, newest first)
 *   {tnc}:devices:group:<group>       ZSET   device ids with that explicit group, by lastSeen
 *   {tnc}:results:<device>            HASH   policy -> PolicyResultRecord JSON (last per policy)
 *   {tnc}:session                     HASH   session id -> SessionRecord JSON
 *   {tnc}:sessions                    ZSET   session ids by seq; :device:<id> and :user:<name> the same per device / user
 *   {tnc}:admin:<kind>                HASH   key -> { record, secret? } JSON (group, policy, enforcement, user, radius-client)
 *   {tnc}:admin:<kind>:order          ZSET   keys by creation seq
 *   {tnc}:active                      HASH   active session id -> ActiveSessionRecord JSON
 *   {tnc}:actives                     ZSET   ids by creation seq
 *   {tnc}:active:idx                  HASH   c:<class> / a:<nas> <acct-session-id> / u:<nas> <user> -> id (accounting match)
 *   {tnc}:accounting                  HASH   seq -> AccountingEntry JSON;  {tnc}:accountings ZSET by seq
 *   {tnc}:audit                       HASH   id -> AuditRecord JSON;       {tnc}:audits      ZSET by seq
 *   {tnc}:lease:<pool>                HASH   address -> { identity, acquired, released } JSON
 *   {tnc}:pools                       SET    pool names
 *
 * One slot is what makes every multi-key step atomic in a Cluster too (a Lua script or MULTI may
 * only touch keys of one slot): a session with the device's results and its three index
 * entries, an admin change with its audit record and the model version, an accounting record
 * with the active session it moves. The trade-off: the whole store lives on one master of the
 * Cluster (plus its replicas). A Cluster then gives failover and room for other applications'
 * data, not more memory or throughput for this store; 100,000 devices with their sessions fit in
 * a few hundred MB, far below one node's size. Spreading devices over slots (a tag per device)
 * would give up the atomic session+results step and the global indexes.
 *
 * pep/pool/redis-lease-store.ts writes the lease keys with the same layout (the PEP does not import
 * pdp/; the layout is duplicated there on purpose and checked by the integration test).
 */
import type { AdminKind } from './store.js';

export interface RedisKeys {
  readonly prefix: string;
  readonly meta: string;
  readonly seq: string;
  readonly changes: string;
  readonly device: string;
  readonly devices: string;
  devicesOfGroup(group: string): string;
  results(device: string): string;
  readonly session: string;
  readonly sessions: string;
  sessionsOfDevice(device: string): string;
  sessionsOfUser(user: string): string;
  admin(kind: AdminKind): string;
  adminOrder(kind: AdminKind): string;
  readonly active: string;
  readonly actives: string;
  readonly activeIdx: string;
  readonly accounting: string;
  readonly accountings: string;
  readonly audit: string;
  readonly audits: string;
  lease(pool: string): string;
  readonly pools: string;
}

/** Keys under `{<tag>}:`; `tag` must not contain braces (it is the Cluster hash tag). */
export function redisKeys(tag = 'tnc'): RedisKeys {
  if (!/^[^{}\s]{1,64}$/.test(tag)) throw new RangeError(`store.redis.keyPrefix: '${tag}' must be 1-64 characters without braces or spaces`);
  const p = `{${tag}}:`;
  return {
    prefix: p,
    meta: `${p}meta`,
    seq: `${p}seq`,
    changes: `${p}changes`,
    device: `${p}device`,
    devices: `${p}devices`,
    devicesOfGroup: (g) => `${p}devices:group:${g}`,
    results: (d) => `${p}results:${d}`,
    session: `${p}session`,
    sessions: `${p}sessions`,
    sessionsOfDevice: (d) => `${p}sessions:device:${d}`,
    sessionsOfUser: (u) => `${p}sessions:user:${u}`,
    admin: (k) => `${p}admin:${k}`,
    adminOrder: (k) => `${p}admin:${k}:order`,
    active: `${p}active`,
    actives: `${p}actives`,
    activeIdx: `${p}active:idx`,
    accounting: `${p}accounting`,
    accountings: `${p}accountings`,
    audit: `${p}audit`,
    audits: `${p}audits`,
    lease: (pool) => `${p}lease:${pool}`,
    pools: `${p}pools`,
  };
}

/**
 * One conditional step, run by the `tncApply` script (redis-scripts.ts): the check on one hash
 * field, then every command, atomically.
 */
export interface Step {
  /** Hash key and field checked first; absent: no check. */
  readonly check?: { readonly key: string; readonly field: string; readonly cond: 'absent' | 'present' | { readonly version: number } };
  readonly commands: readonly (readonly [string, string, ...(string | number)[]])[];
}
