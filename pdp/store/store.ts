/**
 * The PDP's state store: devices, assessment sessions and each device's last result per policy.
 *
 * One interface, several backends: the embedded one (embedded-store.ts: a journal + snapshot
 * under stateDir, no set-up), a proxy for worker threads (remote-store.ts: requests over a
 * channel to the one owner in the main thread), and later a shared one (Redis, issue 5). Every
 * method is asynchronous so a networked backend fits; values are plain data (structured-clone and
 * JSON safe) so they cross threads and sockets unchanged.
 *
 * Listing is by page: `limit` rows newest first and an opaque `cursor` for the next page, with
 * filters the admin API needs (by device, user, recommendation, time; devices by product, group).
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

export interface Store {
  getDevice(id: string): Promise<DeviceRecord | undefined>;
  /** Creates or updates (lastSeen, product, lastUser) a device; returns it. */
  recordDevice(sighting: DeviceSighting): Promise<DeviceRecord>;
  /** Administrative changes (groups, description); undefined fields stay as they are. */
  updateDevice(id: string, change: { readonly groups?: readonly string[]; readonly description?: string }): Promise<DeviceRecord | undefined>;
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
  close(): Promise<void>;
}

/** Error of a store backend, with a stable code. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: 'STORE_CLOSED' | 'STORE_IO' | 'STORE_CORRUPT' | 'STORE_TIMEOUT' | 'STORE_BAD_REQUEST' | 'STORE_BAD_CURSOR',
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
