/**
 * The PDP's state store: one interface, several backends.
 *
 *   embedded-store.ts  the default: all in memory, durable under stateDir/store (checksummed
 *                      journal + atomic snapshots; a torn record is cut, kill -9 loses nothing
 *                      acknowledged). One owner: the main thread of one PDP.
 *   redis-store.ts     Redis (standalone or Cluster) through ioredis: several PDPs share it.
 *   remote-store.ts    the proxy EAP worker threads use to reach their PDP's store.
 *
 * What it holds (every method is asynchronous; values are plain data, structured-clone and JSON
 * safe, so they cross threads and sockets unchanged):
 *
 *   posture model      device groups, policies, enforcements: the admin entities (`AdminKinds`),
 *                      read and written through get/list/create/update/remove(kind, ...). The
 *                      config file's posture model and users/RADIUS clients SEED the store once
 *                      (`seed`, only when the store was never seeded); from then on the store is
 *                      authoritative. Each admin change bumps `modelVersion()` and is announced
 *                      to every PDP sharing the store (`watch`: Redis pub/sub, or an in-process
 *                      event for the embedded store), so changes apply without a restart.
 *   users              RADIUS users (name, group, password); the password is write-only:
 *                      records carry `hasPassword`, only `getCredential` returns it (for the
 *                      authenticator, never for the admin API).
 *   radius clients     name, address/CIDR, secret (write-only like passwords).
 *   devices            seen by assessments (recordDevice), with explicit group membership set by an
 *                      administrator (moveDevice = "move a device to a group").
 *   sessions           finished assessments (SessionRecord with per-policy and per-IMV results) and
 *                      each device's last result per policy, written atomically together.
 *   active sessions    what a NAS was granted: opened on Access-Accept (openActiveSession), updated
 *                      and closed by accounting (recordAccounting: the accounting record and the
 *                      matching active session change in one step). CoA/Disconnect use them.
 *   leases             virtual IP leases per pool (the PEP writes them: pep/pool/redis-lease-store.ts
 *                      uses the same Redis keys as redis-store.ts).
 *   accounting         accounting records (RFC 2866), newest first.
 *   audit              one record per admin change: who, when, what, before/after without secrets,
 *                      written in the same step as the change.
 *
 * Listing is by page: `limit` rows (default 50, at most 1000) and an opaque `cursor` for the next
 * page; `total` where it is cheap (sizes of whole sets, not of filtered ones in Redis).
 * Optimistic concurrency: each admin entity and device carries `version` (1 on create, +1 per
 * change); update/remove with `expectedVersion` fail with STORE_CONFLICT when it moved on.
 * Errors are StoreError with a stable code; a backend that cannot be reached gives
 * STORE_UNAVAILABLE quickly (no endless queueing). What the PDP does while Redis is down (the
 * outbox for finished assessments, accounting not answered): redis-store.ts.
 *
 * Around it: open-store.ts opens the configured backend and seeds it; store-user-directory.ts
 * serves the store's users to the authenticators; pdp/posture/store-model.ts reads the posture
 * model from the store for each assessment (reloaded when modelVersion moves).
 */

export type StoredRecommendation = 'allow' | 'isolate' | 'no-access' | 'no-recommendation';
export type PolicyOutcome = 'pass' | 'fail' | 'no-result';

export interface DeviceRecord {
  /** The IMC's ITA Device ID, else the authenticated user identity. */
  readonly id: string;
  readonly idKind: 'device-id' | 'user';
  /** OS product name and version as the OS IMC reported them ("Debian 12 x86_64"). */
  readonly product?: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly lastUser?: string;
  /** Groups set by an administrator (take the place of product defaults, like config devices). */
  readonly groups?: readonly string[];
  readonly description?: string;
  /**
   * A manual quarantine set by an administrator (quarantineEndpoint): every assessment of the
   * device enforces at least this until it is lifted (releaseEndpoint). Sightings keep it.
   */
  readonly override?: DeviceOverride;
  /** 1 when first recorded, +1 per change (sightings and admin changes). */
  readonly version: number;
}

/** What an administrator imposed on a device, by whom and when. */
export interface DeviceOverride {
  /** Enforced whatever the assessment finds (a stricter assessment result still wins). */
  readonly enforce: 'isolate' | 'no-access';
  /** The admin token's name that set it. */
  readonly actor: string;
  /** ms since the epoch. */
  readonly at: number;
}

/** Administrative changes of a device: undefined fields stay; `override: null` lifts the override. */
export interface DeviceChange {
  readonly groups?: readonly string[];
  readonly description?: string;
  readonly override?: DeviceOverride | null;
}

/** A device with `change` applied (version not bumped). */
export function applyDeviceChange(old: DeviceRecord, change: DeviceChange): DeviceRecord {
  const { override: _dropped, ...rest } = old;
  const override = change.override === undefined ? old.override : (change.override ?? undefined);
  return {
    ...rest,
    ...(change.groups ? { groups: [...change.groups] } : {}),
    ...(change.description !== undefined ? { description: change.description } : {}),
    ...(override ? { override: { enforce: override.enforce, actor: override.actor, at: override.at } } : {}),
  };
}

/** The last result of one policy on one device. */
export interface PolicyResultRecord {
  readonly policy: string;
  readonly outcome: PolicyOutcome;
  readonly recommendation: StoredRecommendation;
  /** When the policy was checked (ms since the epoch). */
  readonly at: number;
  readonly session: string;
  readonly reasons?: readonly string[];
}

/** One policy's outcome in one session. */
export interface SessionPolicyResult {
  readonly policy: string;
  readonly type: string;
  readonly outcome: PolicyOutcome;
  readonly recommendation: StoredRecommendation;
  readonly reasons: readonly string[];
  /** Not re-checked: it passed at `passedAt`, within the enforcement's maxAge. */
  readonly skipped?: { readonly passedAt: number; readonly maxAge: number };
}

export interface SessionImvResult {
  readonly imv: string;
  readonly recommendation: StoredRecommendation;
  readonly evaluation: string;
  readonly reasons: readonly string[];
}

export interface SessionRecord {
  readonly id: string;
  readonly user: string;
  readonly device: string;
  readonly transport: string;
  /** RADIUS client (NAS) name, or 'pt-tls'. */
  readonly via: string;
  readonly start: number;
  readonly end: number;
  /** The device's groups, nearest first. */
  readonly groups: readonly string[];
  readonly policies: readonly SessionPolicyResult[];
  readonly imvs: readonly SessionImvResult[];
  readonly recommendation: StoredRecommendation;
  readonly evaluation: string;
  /** What was enforced and the Filter-Id group (null: Access-Reject). */
  readonly enforced: 'allow' | 'isolate' | 'no-access';
  readonly group: string | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass back for the next page; absent on the last page. */
  readonly cursor?: string;
  /** How many rows the whole listing has, where the backend knows it cheaply (no filter). */
  readonly total?: number;
}

/** Paging of every list method. */
export interface PageQuery {
  /** Rows per page: default 50, at most 1000. */
  readonly limit?: number;
  /** The `cursor` of the previous page. */
  readonly cursor?: string;
}

export interface SessionQuery {
  readonly device?: string;
  readonly user?: string;
  readonly recommendation?: StoredRecommendation;
  /** Sessions that ended at or after / before this time (ms). */
  readonly since?: number;
  readonly until?: number;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface DeviceQuery {
  /** Substring of the product, case-insensitive. */
  readonly product?: string;
  readonly group?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

/** What `recordDevice` changes: the device is created when new (with firstSeen = at). */
export interface DeviceSighting {
  readonly id: string;
  readonly idKind: DeviceRecord['idKind'];
  readonly product?: string;
  readonly user?: string;
  readonly at: number;
}

// ---------------------------------------------------------------- the posture model, users, clients

/** Common to every admin entity. */
export interface Versioned {
  /** 1 on create, +1 per update. */
  readonly version: number;
  /** ms since the epoch. */
  readonly created: number;
  readonly updated: number;
}

/** As pdp/posture/model.ts DeviceGroupConfig. Key: name. */
export interface DeviceGroupRecord extends Versioned {
  readonly name: string;
  readonly parent?: string;
  /** Product globs ("Debian 12*") whose devices land here when they have no explicit groups. */
  readonly defaultFor?: readonly string[];
  readonly description?: string;
}

/** As pdp/posture/model.ts PolicyConfig. Key: name. */
export interface PolicyRecord extends Versioned {
  readonly name: string;
  /** A WorkType of imc-imv ('packages-blacklist', 'tcp-ports-blocked', ...). */
  readonly type: string;
  readonly argument?: unknown;
  readonly onFail?: StoredRecommendation;
  readonly onNoResult?: StoredRecommendation;
  readonly remediation?: string;
  readonly description?: string;
}

/** As pdp/posture/model.ts EnforcementConfig. Key: `${policy}@${group}` (enforcementKey). */
export interface EnforcementRecord extends Versioned {
  readonly id: string;
  readonly policy: string;
  readonly group: string;
  /** Seconds; 0 checks every time. */
  readonly maxAge?: number;
  readonly onFail?: StoredRecommendation;
  readonly onNoResult?: StoredRecommendation;
}

/** A RADIUS user. Key: name. The password is never in a record (see Store.getCredential). */
export interface UserRecord extends Versioned {
  readonly name: string;
  /** Filter-Id group on Access-Accept. */
  readonly group: string;
  readonly description?: string;
  readonly hasPassword: boolean;
}

/** A RADIUS client (NAS). Key: name. The secret is never in a record. */
export interface RadiusClientRecord extends Versioned {
  readonly name: string;
  /** IPv4/IPv6 address or CIDR. */
  readonly address: string;
  readonly requireMessageAuthenticator: boolean;
  readonly description?: string;
  readonly hasSecret: boolean;
}

type Input<R, Omitted extends keyof R> = Omit<R, keyof Versioned | Omitted>;

/** Records of the admin entities, by kind. */
export interface AdminRecords {
  readonly group: DeviceGroupRecord;
  readonly policy: PolicyRecord;
  readonly enforcement: EnforcementRecord;
  readonly user: UserRecord;
  readonly 'radius-client': RadiusClientRecord;
}

/** What create takes, by kind (users: a password; clients: a secret). */
export interface AdminInputs {
  readonly group: Input<DeviceGroupRecord, never>;
  readonly policy: Input<PolicyRecord, never>;
  readonly enforcement: Input<EnforcementRecord, 'id'>;
  readonly user: Input<UserRecord, 'hasPassword'> & { readonly password: string };
  readonly 'radius-client': Input<RadiusClientRecord, 'hasSecret' | 'requireMessageAuthenticator'> & { readonly secret: string; readonly requireMessageAuthenticator?: boolean };
}

export type AdminKind = keyof AdminRecords;
export const ADMIN_KINDS: readonly AdminKind[] = ['group', 'policy', 'enforcement', 'user', 'radius-client'];
/** Kinds that make up the posture model (a change bumps modelVersion and reloads the model). */
export const MODEL_KINDS: readonly AdminKind[] = ['group', 'policy', 'enforcement'];

/**
 * What update takes: the fields to change (the key fields cannot change; `null` removes an
 * optional field). A password/secret given is replaced; absent stays.
 */
export type AdminChange<K extends AdminKind> = {
  readonly [F in Exclude<keyof AdminInputs[K], KeyFields<K>>]?: AdminInputs[K][F] | null;
};
/** Fields that make the key: they cannot change (delete and create instead). */
export type KeyFields<K extends AdminKind> = K extends 'enforcement' ? 'policy' | 'group' : 'name';

export function enforcementKey(e: { readonly policy: string; readonly group: string }): string {
  return `${e.policy}@${e.group}`;
}

/** The key of an admin input (name, or policy@group for enforcements). */
export function adminKey<K extends AdminKind>(kind: K, input: AdminInputs[K]): string {
  if (kind === 'enforcement') return enforcementKey(input as AdminInputs['enforcement']);
  return (input as { readonly name: string }).name;
}

export interface AdminQuery extends PageQuery {
  /** Enforcements of this policy / on this group; users in this Filter-Id group; groups with this parent. */
  readonly policy?: string;
  readonly group?: string;
  readonly parent?: string;
}

/** Who makes an admin change, and the version it was based on. */
export interface ChangeMeta {
  /** The admin token's name, 'config-seed', 'cli' ... */
  readonly actor: string;
  /** Fail with STORE_CONFLICT unless the entity is at this version. */
  readonly expectedVersion?: number;
  readonly at?: number;
}

/** What `seed` writes when the store was never seeded (from the config file). */
export interface SeedData {
  readonly groups: readonly AdminInputs['group'][];
  readonly policies: readonly AdminInputs['policy'][];
  readonly enforcements: readonly AdminInputs['enforcement'][];
  /** Config devices: explicit group membership. */
  readonly devices: readonly { readonly id: string; readonly groups: readonly string[]; readonly description?: string }[];
  readonly users: readonly AdminInputs['user'][];
  readonly radiusClients: readonly AdminInputs['radius-client'][];
}

// ---------------------------------------------------------------- active sessions, accounting, leases, audit

/** What a NAS was granted (Access-Accept), kept current by accounting; the target of CoA/Disconnect. */
export interface ActiveSessionRecord {
  /** Chosen by the PDP on Access-Accept; also sent to the NAS in the Class attribute. */
  readonly id: string;
  readonly user: string;
  /** The device assessed (absent without posture). */
  readonly device?: string;
  /** The RADIUS client's configured name, its source address, and NAS-Identifier / NAS-IP-Address. */
  readonly nas: string;
  readonly nasAddress: string;
  readonly nasIdentifier?: string;
  readonly callingStationId?: string;
  /** Framed-IP-Address from accounting (the virtual IP). */
  readonly framedIp?: string;
  readonly acctSessionId?: string;
  /** The Class value sent in Access-Accept, hex. */
  readonly class?: string;
  /** Filter-Id sent. */
  readonly group: string;
  /** The assessment (SessionRecord id) behind the grant. */
  readonly assessment?: string;
  readonly start: number;
  readonly updated: number;
  /** 'accepted': no accounting yet; 'active': Start/Interim seen; 'closed': Stop seen. */
  readonly state: 'accepted' | 'active' | 'closed';
  readonly end?: number;
  readonly terminateCause?: string;
  readonly inputOctets?: number;
  readonly outputOctets?: number;
  readonly version: number;
}

export type ActiveSessionOpen = Omit<ActiveSessionRecord, 'updated' | 'state' | 'end' | 'terminateCause' | 'inputOctets' | 'outputOctets' | 'version'>;

export interface ActiveSessionQuery extends PageQuery {
  readonly user?: string;
  readonly device?: string;
  readonly nas?: string;
  readonly framedIp?: string;
  /** Default: open ones ('accepted' and 'active'); 'all' includes closed ones. */
  readonly state?: ActiveSessionRecord['state'] | 'open' | 'all';
}

/** An accounting request as recorded (pdp/accounting.ts AccountingRecord, plus matching keys). */
export interface AccountingEntry {
  readonly client: string;
  readonly status: string;
  readonly sessionId?: string;
  readonly userName?: string;
  readonly framedIp?: string;
  readonly sessionTime?: number;
  readonly inputOctets?: number;
  readonly outputOctets?: number;
  readonly receivedAt: number;
  /** Class attribute, hex: matches the active session opened with it. */
  readonly class?: string;
  readonly callingStationId?: string;
  readonly nasIdentifier?: string;
  readonly terminateCause?: string;
}

export interface AccountingQuery extends PageQuery {
  readonly client?: string;
  readonly user?: string;
  readonly sessionId?: string;
}

export interface LeaseRecord {
  readonly pool: string;
  readonly address: string;
  readonly identity: string;
  /** ms since the epoch. */
  readonly acquired: number;
  /** ms since the epoch; 0 while online. */
  readonly released: number;
}

export interface LeaseQuery extends PageQuery {
  readonly pool?: string;
  readonly identity?: string;
  readonly online?: boolean;
}

export interface AuditRecord {
  readonly id: string;
  readonly at: number;
  readonly actor: string;
  readonly action: 'create' | 'update' | 'delete' | 'move' | 'seed';
  readonly kind: AdminKind | 'device';
  readonly key: string;
  /** The record before/after (records never contain passwords or secrets). */
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface AuditQuery extends PageQuery {
  readonly kind?: AuditRecord['kind'];
  readonly key?: string;
  readonly actor?: string;
}

/** Announced to every PDP sharing the store. */
export interface StoreChange {
  readonly kind: AdminKind | 'device' | 'session' | 'active-session';
  readonly key: string;
  readonly action: 'create' | 'update' | 'delete' | 'seed' | 'record';
  /** modelVersion after the change (posture model kinds and devices' groups bump it). */
  readonly modelVersion: number;
}

export interface Store {
  // ---- devices and assessment results
  getDevice(id: string): Promise<DeviceRecord | undefined>;
  /** Creates or updates (lastSeen, product, lastUser) a device; returns it. */
  recordDevice(sighting: DeviceSighting): Promise<DeviceRecord>;
  /** Administrative changes (groups, description, override); undefined fields stay as they are. Audited when meta is given. */
  updateDevice(id: string, change: DeviceChange, meta?: ChangeMeta): Promise<DeviceRecord | undefined>;
  /** Moves a device to `groups` (explicit membership; creates the device when unknown). Audited. */
  moveDevice(id: string, groups: readonly string[], meta: ChangeMeta): Promise<DeviceRecord>;
  /** Forgets a device and its results. Audited. False when unknown. */
  deleteDevice(id: string, meta: ChangeMeta): Promise<boolean>;
  listDevices(query?: DeviceQuery): Promise<Page<DeviceRecord>>;
  /** The device's last result per policy. */
  getPolicyResults(device: string): Promise<readonly PolicyResultRecord[]>;
  /**
   * Records a finished session and, atomically with it, the device's new policy results (only the
   * policies checked in this session: a skipped one keeps the result that let it be skipped).
   */
  recordSession(session: SessionRecord, results: readonly PolicyResultRecord[]): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  listSessions(query?: SessionQuery): Promise<Page<SessionRecord>>;

  // ---- admin entities: groups, policies, enforcements, users, RADIUS clients
  get<K extends AdminKind>(kind: K, key: string): Promise<AdminRecords[K] | undefined>;
  /** In creation order (the model's policy order). */
  list<K extends AdminKind>(kind: K, query?: AdminQuery): Promise<Page<AdminRecords[K]>>;
  /** STORE_EXISTS when the key is taken. Audited. */
  create<K extends AdminKind>(kind: K, input: AdminInputs[K], meta: ChangeMeta): Promise<AdminRecords[K]>;
  /** STORE_NOT_FOUND, STORE_CONFLICT (expectedVersion). Audited. */
  update<K extends AdminKind>(kind: K, key: string, change: AdminChange<K>, meta: ChangeMeta): Promise<AdminRecords[K]>;
  /** False when there was none (STORE_CONFLICT on expectedVersion). Audited. */
  remove(kind: AdminKind, key: string, meta: ChangeMeta): Promise<boolean>;
  /** A user's password or a client's secret: for the authenticator only, never for the admin API. */
  getCredential(kind: 'user' | 'radius-client', key: string): Promise<string | undefined>;
  /**
   * Writes `data` if the store was never seeded (atomically: of several PDPs starting together,
   * one seeds). True when it seeded.
   */
  seed(data: SeedData, meta: ChangeMeta): Promise<boolean>;
  /** Bumped by every change of the posture model (groups, policies, enforcements, device groups). */
  modelVersion(): Promise<number>;
  /** Calls `listener` for changes made by this or any other PDP sharing the store. Returns unsubscribe. */
  watch(listener: (change: StoreChange) => void): () => void;

  // ---- active sessions and accounting
  /** On Access-Accept. Replaces an earlier record with the same id. */
  openActiveSession(session: ActiveSessionOpen): Promise<ActiveSessionRecord>;
  getActiveSession(id: string): Promise<ActiveSessionRecord | undefined>;
  /** Newest start first. */
  listActiveSessions(query?: ActiveSessionQuery): Promise<Page<ActiveSessionRecord>>;
  /**
   * Keeps an accounting record and, in the same step, updates the active session it belongs to
   * (by Class, else NAS + Acct-Session-Id, else the newest open one of NAS + user): Start/Interim
   * make it 'active' (framedIp, acctSessionId, octets), Stop closes it. Returns that session.
   */
  recordAccounting(entry: AccountingEntry): Promise<ActiveSessionRecord | undefined>;
  /** Newest first. */
  listAccounting(query?: AccountingQuery): Promise<Page<AccountingEntry>>;

  // ---- virtual IP leases (written by the PEP)
  /** Replaces the leases of `pool` (what pep/pool LeaseStore.save does). */
  saveLeases(pool: string, leases: readonly Omit<LeaseRecord, 'pool'>[]): Promise<void>;
  /** By pool, then address. */
  listLeases(query?: LeaseQuery): Promise<Page<LeaseRecord>>;

  // ---- audit
  /** Newest first. */
  listAudit(query?: AuditQuery): Promise<Page<AuditRecord>>;

  close(): Promise<void>;
}

export type StoreErrorCode =
  | 'STORE_CLOSED'
  | 'STORE_IO'
  | 'STORE_CORRUPT'
  | 'STORE_TIMEOUT'
  | 'STORE_BAD_REQUEST'
  | 'STORE_BAD_CURSOR'
  /** The backend cannot be reached (Redis down, refused, too slow). */
  | 'STORE_UNAVAILABLE'
  | 'STORE_NOT_FOUND'
  | 'STORE_EXISTS'
  /** expectedVersion does not match. */
  | 'STORE_CONFLICT';

/** Error of a store backend, with a stable code. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
