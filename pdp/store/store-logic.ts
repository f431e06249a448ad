/**
 * What every backend does the same way, as pure functions: building and changing admin records
 * (secrets split off), version checks, audit records, how accounting changes an active session,
 * filters, page sizes and cursors. The backends only keep and fetch.
 */
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  StoreError,
  adminKey,
  type AccountingEntry,
  type AccountingQuery,
  type ActiveSessionQuery,
  type ActiveSessionRecord,
  type AdminChange,
  type AdminInputs,
  type AdminKind,
  type AdminQuery,
  type AdminRecords,
  type AuditQuery,
  type AuditRecord,
  type ChangeMeta,
  type LeaseQuery,
  type LeaseRecord,
} from './store.js';

/** A record and its write-only credential (password or secret), as kept. */
export interface Kept<K extends AdminKind = AdminKind> {
  readonly record: AdminRecords[K];
  readonly secret?: string;
}

const KEY_FIELDS: Record<AdminKind, readonly string[]> = { group: ['name'], policy: ['name'], enforcement: ['policy', 'group'], user: ['name'], 'radius-client': ['name'] };
const SECRET_FIELD: Partial<Record<AdminKind, 'password' | 'secret'>> = { user: 'password', 'radius-client': 'secret' };
const KEY_RE = /^[^\u0000-\u001f]{1,256}$/;

export function checkKey(kind: string, key: string): void {
  if (typeof key !== 'string' || !KEY_RE.test(key)) throw new StoreError('STORE_BAD_REQUEST', `${kind} key must be 1-256 printable characters`);
}

export function newAdminRecord<K extends AdminKind>(kind: K, input: AdminInputs[K], at: number): Kept<K> {
  const key = adminKey(kind, input);
  checkKey(kind, key);
  const { [SECRET_FIELD[kind] ?? '\u0000']: secret, ...rest } = input as Record<string, unknown>;
  const fields = rest as Record<string, unknown>;
  if (SECRET_FIELD[kind] && (typeof secret !== 'string' || secret.length === 0)) {
    throw new StoreError('STORE_BAD_REQUEST', `${kind} '${key}': ${SECRET_FIELD[kind]} must be a non-empty string`);
  }
  const record: Record<string, unknown> = { ...dropUndefined(fields), version: 1, created: at, updated: at };
  if (kind === 'enforcement') record['id'] = key;
  if (kind === 'user') record['hasPassword'] = true;
  if (kind === 'radius-client') {
    record['hasSecret'] = true;
    record['requireMessageAuthenticator'] = fields['requireMessageAuthenticator'] ?? true;
  }
  return { record: record as unknown as AdminRecords[K], ...(typeof secret === 'string' ? { secret } : {}) };
}

export function changedAdminRecord<K extends AdminKind>(kind: K, old: Kept<K>, change: AdminChange<K>, at: number): Kept<K> {
  const next: Record<string, unknown> = { ...(old.record as unknown as Record<string, unknown>) };
  let secret = old.secret;
  for (const [f, v] of Object.entries(change as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (KEY_FIELDS[kind].includes(f) || ['version', 'created', 'updated', 'id', 'hasPassword', 'hasSecret'].includes(f)) {
      throw new StoreError('STORE_BAD_REQUEST', `${kind}.${f} cannot be changed`);
    }
    if (f === SECRET_FIELD[kind]) {
      if (typeof v !== 'string' || v.length === 0) throw new StoreError('STORE_BAD_REQUEST', `${kind}.${f} must be a non-empty string`);
      secret = v;
      continue;
    }
    if (v === null) delete next[f];
    else next[f] = v;
  }
  next['version'] = old.record.version + 1;
  next['updated'] = at;
  return { record: next as unknown as AdminRecords[K], ...(secret !== undefined ? { secret } : {}) };
}

export function checkVersion(kind: string, key: string, current: { readonly version: number } | undefined, meta: ChangeMeta): void {
  if (meta.expectedVersion !== undefined && current && current.version !== meta.expectedVersion) {
    throw new StoreError('STORE_CONFLICT', `${kind} '${key}' is at version ${current.version}, not ${meta.expectedVersion}`);
  }
}

export function auditRecord(meta: ChangeMeta, action: AuditRecord['action'], kind: AuditRecord['kind'], key: string, before: unknown, after: unknown, at: number): AuditRecord {
  return { id: randomUUID(), at, actor: meta.actor, action, kind, key, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
}

export function matchesAdmin(kind: AdminKind, r: object, q: AdminQuery): boolean {
  const x = r as Record<string, unknown>;
  if (q.policy !== undefined && (kind !== 'enforcement' || x['policy'] !== q.policy)) return false;
  if (q.group !== undefined && ((kind !== 'enforcement' && kind !== 'user') || x['group'] !== q.group)) return false;
  if (q.parent !== undefined && (kind !== 'group' || x['parent'] !== q.parent)) return false;
  return true;
}

export function matchesActive(s: ActiveSessionRecord, q: ActiveSessionQuery): boolean {
  const state = q.state ?? 'open';
  if (state === 'open' && s.state === 'closed') return false;
  if (state !== 'open' && state !== 'all' && s.state !== state) return false;
  return (q.user === undefined || s.user === q.user) && (q.device === undefined || s.device === q.device) && (q.nas === undefined || s.nas === q.nas) && (q.framedIp === undefined || s.framedIp === q.framedIp);
}

export function matchesAccounting(a: AccountingEntry, q: AccountingQuery): boolean {
  return (q.client === undefined || a.client === q.client) && (q.user === undefined || a.userName === q.user) && (q.sessionId === undefined || a.sessionId === q.sessionId);
}

export function matchesAudit(a: AuditRecord, q: AuditQuery): boolean {
  return (q.kind === undefined || a.kind === q.kind) && (q.key === undefined || a.key === q.key) && (q.actor === undefined || a.actor === q.actor);
}

export function matchesLease(l: LeaseRecord, q: LeaseQuery): boolean {
  return (q.pool === undefined || l.pool === q.pool) && (q.identity === undefined || l.identity === q.identity) && (q.online === undefined || (l.released === 0) === q.online);
}

/**
 * Which open session an accounting request belongs to: by Class (what we sent), else NAS +
 * Acct-Session-Id, else the newest open one of the same NAS and user.
 */
export function findActive(entry: AccountingEntry, open: Iterable<ActiveSessionRecord>): ActiveSessionRecord | undefined {
  let bySession: ActiveSessionRecord | undefined;
  let byUser: ActiveSessionRecord | undefined;
  for (const s of open) {
    if (entry.class !== undefined && s.class === entry.class) return s;
    if (s.nas !== entry.client) continue;
    if (entry.sessionId !== undefined && s.acctSessionId === entry.sessionId) bySession = s;
    else if (s.state !== 'closed' && entry.userName !== undefined && s.user === entry.userName && s.acctSessionId === undefined && (!byUser || s.start > byUser.start)) byUser = s;
  }
  return bySession ?? byUser;
}

/** The active session after an accounting request (Start/Interim: active, Stop: closed). */
export function applyAccounting(s: ActiveSessionRecord, e: AccountingEntry): ActiveSessionRecord {
  const closed = e.status === 'stop';
  if (e.status !== 'start' && e.status !== 'interim-update' && !closed) return s;
  return {
    ...s,
    state: closed ? 'closed' : s.state === 'closed' ? 'closed' : 'active',
    updated: e.receivedAt,
    version: s.version + 1,
    ...(e.framedIp !== undefined ? { framedIp: e.framedIp } : {}),
    ...(e.sessionId !== undefined ? { acctSessionId: e.sessionId } : {}),
    ...(e.callingStationId !== undefined && s.callingStationId === undefined ? { callingStationId: e.callingStationId } : {}),
    ...(e.inputOctets !== undefined ? { inputOctets: e.inputOctets } : {}),
    ...(e.outputOctets !== undefined ? { outputOctets: e.outputOctets } : {}),
    ...(closed ? { end: e.receivedAt, ...(e.terminateCause !== undefined ? { terminateCause: e.terminateCause } : {}) } : {}),
  };
}

export function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1) throw new StoreError('STORE_BAD_REQUEST', `limit must be a positive integer, not ${limit}`);
  return Math.min(limit, MAX_PAGE_SIZE);
}

export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string, maxParts = 2): string[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length > 0 && v.length <= maxParts) return v as string[];
  } catch {
    /* below */
  }
  throw new StoreError('STORE_BAD_CURSOR', 'not a cursor this store issued');
}

/**
 * One page of `all` (already in listing order) after the cursor: rows are ordered by `pos`
 * (ascending or descending), the cursor is the last row's position, so a deleted row does not
 * break paging. Used by the in-memory backend.
 */
export function pageOf<T>(all: readonly T[], pos: (t: T) => number, order: 'asc' | 'desc', q: { readonly limit?: number; readonly cursor?: string }, total?: number): { items: T[]; cursor?: string; total?: number } {
  const limit = pageSize(q.limit);
  let rows = all;
  if (q.cursor !== undefined) {
    const after = Number(decodeCursor(q.cursor, 1)[0]);
    if (!Number.isFinite(after)) throw new StoreError('STORE_BAD_CURSOR', 'not a cursor this store issued');
    rows = all.filter((t) => (order === 'asc' ? pos(t) > after : pos(t) < after));
  }
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, ...(last !== undefined && rows.length > limit ? { cursor: encodeCursor([String(pos(last))]) } : {}), ...(total !== undefined ? { total } : {}) };
}
