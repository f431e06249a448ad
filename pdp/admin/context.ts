/**
 * What every resolver gets: the caller (from the bearer token), the store, the RFC 5176 client,
 * the event hub and a logger. Built per request by server.ts; nothing global.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../logging.js';
import type { Store } from '../store/store.js';
import type { DynamicAuthorizationClient } from './dynamic-authorization.js';
import type { AdminEvents } from './events.js';

export type AdminRole = 'read-only' | 'admin';

export interface AdminToken {
  readonly name: string;
  /** The bearer token. Secret: compared in constant time, never logged. */
  readonly token: string;
  readonly role: AdminRole;
}

export interface Principal {
  readonly name: string;
  readonly role: AdminRole;
}

/** The IF-MAP export, when pdp/ifmap provides it: the publish request for one endpoint or all. */
export type IfmapExport = (store: Store, endpoint: string | undefined) => Promise<string>;

export interface AdminServices {
  readonly store: Store;
  readonly dae: DynamicAuthorizationClient;
  readonly events: AdminEvents;
  readonly log: Logger;
  /** UDP port of the NASes' dynamic authorization servers (RFC 5176: 3799). */
  readonly daePort: number;
  readonly ifmap?: IfmapExport;
  /** The running RADIUS client table's secret of a NAS, when the store has none. */
  readonly radiusSecret?: (nas: string) => string | undefined;
  readonly now: () => number;
}

export interface AdminContext extends AdminServices {
  readonly principal: Principal;
  /** Per-request memo of store reads several fields need (latest session, active sessions). */
  readonly memo: Map<string, Promise<unknown>>;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Token lookup in constant time per token (hashes compared, so lengths leak nothing). */
export class TokenTable {
  readonly #entries: readonly { readonly hash: Buffer; readonly principal: Principal }[];
  constructor(tokens: readonly AdminToken[]) {
    this.#entries = tokens.map((t) => ({ hash: digest(t.token), principal: { name: t.name, role: t.role } }));
  }

  /** The principal for an `Authorization` header value, or undefined. */
  authenticate(header: string | null | undefined): Principal | undefined {
    const m = /^Bearer\s+(\S{1,512})\s*$/i.exec(header ?? '');
    if (!m) return undefined;
    const h = digest(m[1]!);
    let found: Principal | undefined;
    for (const e of this.#entries) if (timingSafeEqual(e.hash, h)) found ??= e.principal;
    return found;
  }
}

export function memo<T>(ctx: AdminContext, key: string, load: () => Promise<T>): Promise<T> {
  let p = ctx.memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    ctx.memo.set(key, p);
  }
  return p;
}
