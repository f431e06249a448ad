/**
 * Turns the PDP's decisions into IF-MAP publishes: a finished conversation (Access-Accept, or the
 * Access-Reject of a posture decision) becomes an update; RADIUS accounting adds the Framed-IP
 * (Start / Interim-Update: the update is published again) and ends the endpoint (Stop: delete).
 * When the store holds the posture session it supplies the device, product, groups and failed
 * policies; otherwise the event alone is published (identity, group, recommendation).
 *
 * Endpoints are keyed by (RADIUS client, user): a new decision for the same key ends the previous
 * access-request first. The table is bounded (oldest forgotten first).
 */
import type { ConversationFinished } from '../access-handler.js';
import type { AccountingRecord } from '../accounting.js';
import type { Store } from '../store/store.js';
import { fromStore, userIdentity, type EndpointSnapshot } from './endpoint-snapshot.js';
import type { PublishOperation } from './publish-request.js';

export interface SnapshotSink {
  publish(op: PublishOperation, snapshot: EndpointSnapshot): void;
}

export interface IfmapExporterOptions {
  readonly sink: SnapshotSink;
  readonly store?: Store;
  /** The user's roles (the configured user's group). */
  readonly roles?: (user: string) => readonly string[];
  readonly now?: () => number;
  readonly maxEndpoints?: number;
  /** How far back a stored session may end and still belong to this decision (default 30 s). */
  readonly matchWindowMs?: number;
}

export class IfmapExporter {
  readonly #o: IfmapExporterOptions;
  readonly #endpoints = new Map<string, EndpointSnapshot>();
  #seq = 0;

  constructor(options: IfmapExporterOptions) {
    this.#o = options;
  }

  /** The endpoints currently published (for the admin API's export). */
  get endpoints(): readonly EndpointSnapshot[] {
    return [...this.#endpoints.values()];
  }

  async finished(ev: ConversationFinished): Promise<EndpointSnapshot | undefined> {
    // A failed authentication is not an access decision about a known identity.
    if (ev.outcome === 'reject' && !ev.posture) return undefined;
    const now = (this.#o.now ?? Date.now)();
    const roles = this.#o.roles?.(ev.user) ?? [];
    const stored = await this.#storedSession(ev, now);
    const enforced: EndpointSnapshot['enforced'] = ev.outcome === 'reject' ? 'no-access' : ev.posture === 'isolate' ? 'isolate' : 'allow';
    const snapshot: EndpointSnapshot = stored
      ? { ...fromStore(stored.session, stored.device, {}, roles), at: now, enforced, capabilities: ev.group ? [ev.group] : [] }
      : {
          sessionKey: `${now.toString(36)}-${(this.#seq++).toString(36)}`,
          identity: userIdentity(ev.user),
          pep: { name: ev.client },
          capabilities: ev.group ? [ev.group] : [],
          roles,
          recommendation: ev.posture ?? (ev.outcome === 'accept' ? 'allow' : 'no-access'),
          enforced,
          violations: [],
          at: now,
        };
    const key = `${ev.client}|${ev.user}`;
    const previous = this.#endpoints.get(key);
    if (previous && previous.sessionKey !== snapshot.sessionKey) this.#o.sink.publish('delete', previous);
    this.#endpoints.delete(key);
    if (enforced !== 'no-access') this.#remember(key, snapshot);
    this.#o.sink.publish('update', snapshot);
    return snapshot;
  }

  accounting(rec: AccountingRecord): void {
    if (!rec.userName) return;
    const key = `${rec.client}|${rec.userName}`;
    const s = this.#endpoints.get(key);
    if (!s) return;
    if (rec.status === 'stop') {
      this.#endpoints.delete(key);
      this.#o.sink.publish('delete', rec.framedIp && !s.ip ? { ...s, ip: rec.framedIp } : s);
      return;
    }
    if ((rec.status === 'start' || rec.status === 'interim-update') && rec.framedIp && rec.framedIp !== s.ip) {
      const next = { ...s, ip: rec.framedIp };
      this.#remember(key, next);
      this.#o.sink.publish('update', next);
    }
  }

  #remember(key: string, s: EndpointSnapshot): void {
    this.#endpoints.set(key, s);
    const max = this.#o.maxEndpoints ?? 100_000;
    while (this.#endpoints.size > max) this.#endpoints.delete(this.#endpoints.keys().next().value!);
  }

  async #storedSession(ev: ConversationFinished, now: number) {
    const store = this.#o.store;
    if (!store) return undefined;
    try {
      const page = await store.listSessions({ user: ev.user, limit: 1 });
      const session = page.items[0];
      if (!session || session.end < now - ev.durationMs - (this.#o.matchWindowMs ?? 30_000)) return undefined;
      const device = await store.getDevice(session.device);
      return { session, device };
    } catch {
      return undefined; // the store's own errors are logged by the store; publish what the event says
    }
  }
}
