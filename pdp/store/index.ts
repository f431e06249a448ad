/** The PDP's state store (store.ts): embedded and Redis backends, the worker-thread proxy, opening from config. */
export { ADMIN_KINDS, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MODEL_KINDS, StoreError, adminKey, enforcementKey } from './store.js';
export type {
  AccountingEntry,
  AccountingQuery,
  ActiveSessionOpen,
  ActiveSessionQuery,
  ActiveSessionRecord,
  AdminChange,
  AdminInputs,
  AdminKind,
  AdminQuery,
  AdminRecords,
  AuditQuery,
  AuditRecord,
  ChangeMeta,
  DeviceGroupRecord,
  DeviceQuery,
  DeviceRecord,
  DeviceSighting,
  EnforcementRecord,
  KeyFields,
  LeaseQuery,
  LeaseRecord,
  Page,
  PageQuery,
  PolicyOutcome,
  PolicyRecord,
  PolicyResultRecord,
  RadiusClientRecord,
  SeedData,
  SessionImvResult,
  SessionPolicyResult,
  SessionQuery,
  SessionRecord,
  Store,
  StoreChange,
  StoreErrorCode,
  StoredRecommendation,
  UserRecord,
  Versioned,
} from './store.js';
export { DEFAULT_MAX_DEVICES, DEFAULT_MAX_RECORDS, DEFAULT_MAX_SESSIONS, DEFAULT_SNAPSHOT_EVERY, EmbeddedStore } from './embedded-store.js';
export type { EmbeddedStoreEvent, EmbeddedStoreOptions } from './embedded-store.js';
export { RedisStore, redactUrl } from './redis-store.js';
export type { RedisStoreEvent, RedisStoreOptions } from './redis-store.js';
export { redisKeys } from './redis-keys.js';
export type { RedisKeys } from './redis-keys.js';
export { RemoteStore, newStoreChannelName, serveStore } from './remote-store.js';
export type { RemoteStoreOptions } from './remote-store.js';
export { openConfiguredStore, seedData } from './open-store.js';
export { StoreUserDirectory } from './store-user-directory.js';
export { checksum, encodeRecord, readJournal } from './journal.js';
