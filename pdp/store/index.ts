/** The PDP's state store (store.ts): the embedded backend and the worker-thread proxy. */
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, StoreError } from './store.js';
export type {
  DeviceQuery,
  DeviceRecord,
  DeviceSighting,
  Page,
  PolicyOutcome,
  PolicyResultRecord,
  SessionImvResult,
  SessionPolicyResult,
  SessionQuery,
  SessionRecord,
  Store,
  StoredRecommendation,
} from './store.js';
export { DEFAULT_MAX_DEVICES, DEFAULT_MAX_SESSIONS, DEFAULT_SNAPSHOT_EVERY, EmbeddedStore } from './embedded-store.js';
export type { EmbeddedStoreEvent, EmbeddedStoreOptions } from './embedded-store.js';
export { RemoteStore, newStoreChannelName, serveStore } from './remote-store.js';
export type { RemoteStoreOptions } from './remote-store.js';
export { checksum, encodeRecord, readJournal } from './journal.js';
