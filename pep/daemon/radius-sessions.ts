/**
 * The gateway's RADIUS sessions after authentication: accounting (pep/radius-relay/accounting.ts,
 * strongSwan eap-radius `accounting = yes`) and the RFC 5176 Dynamic Authorization server
 * (pep/radius-relay/dae-server.ts, eap-radius `dae { ... }`), wired to the responder's events
 * and its IKE_SA table. An IKE_SA counts as RADIUS-authenticated when its EAP ran through the
 * relay (it has an EAP identity from eap-radius).
 *
 *   ike-established (EAP via RADIUS) -> accounting Start (+ Interim-Updates)
 *   ike-deleted                      -> accounting Stop with the cause from the delete reason;
 *                                       on an IKE_SA rekey the session moves to the new IKE_SA
 *   Disconnect-Request               -> responder.deleteSa(..., notifyPeer) (INFORMATIONAL Delete)
 *   CoA Session-Timeout N            -> the IKE_SA is deleted N s later (the client re-authenticates)
 *   CoA Filter-Id                    -> groups updated, or the IKE_SA deleted (see dynamic-authorization.ts)
 */
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { PepConfig } from '../config/pep-config.js';
import { satisfiesGroups } from '../config/peer-config.js';
import { RadiusAccounting, AcctTerminateCause, type AccountingCounters } from '../radius-relay/accounting.js';
import { DaeServer } from '../radius-relay/dae-server.js';
import type { DaeAction, DaeSession } from '../radius-relay/dynamic-authorization.js';
import { RadiusServerPool } from '../radius-relay/server-pool.js';
import type { IkeResponder, ResponderEvent } from '../responder/responder.js';
import type { IkeSa } from '../responder/ike-sa.js';
import type { Installer } from './child-installer.js';

/** RFC 2866 5.10 Acct-Terminate-Cause for the responder's delete reasons. */
export function terminateCause(reason: string): number {
  if (reason.startsWith('RADIUS Session-Timeout')) return AcctTerminateCause.SessionTimeout;
  if (reason.startsWith('RADIUS ')) return AcctTerminateCause.AdminReset;
  if (reason === 'deleted') return AcctTerminateCause.UserRequest;
  if (reason === 'peer not responding') return AcctTerminateCause.LostService;
  if (reason === 'shutdown') return AcctTerminateCause.AdminReboot;
  return AcctTerminateCause.NasRequest;
}

export class RadiusSessions {
  readonly #config: PepConfig;
  readonly #log: Logger;
  readonly #accounting: RadiusAccounting | undefined;
  readonly #dae: DaeServer | undefined;
  readonly #pool: RadiusServerPool | undefined;
  /** Stops on their way (awaited, bounded, on close). */
  readonly #pending = new Set<Promise<void>>();
  /** IKE_SAs with an accounting session, by unique id (also after their CHILD_SAs are gone). */
  readonly #accounted = new Map<number, IkeSa>();
  /** CoA Session-Timeout timers by IKE_SA unique id. */
  readonly #lifetimes = new Map<number, NodeJS.Timeout>();
  #responder: IkeResponder | undefined;
  readonly #installer: Installer | undefined;

  constructor(o: { config: PepConfig; log: Logger; installer: Installer | undefined; now: () => number }) {
    this.#config = o.config;
    this.#log = o.log;
    this.#installer = o.installer;
    const r = o.config.radius;
    if (r.accounting && r.servers.length) {
      const pool = (this.#pool = new RadiusServerPool({
        servers: r.servers.map((s) => ({ name: s.address, address: s.address, port: s.accountingPort, secret: s.secret.reveal().toString('utf8') })),
        timeoutMs: r.servers[0]!.timeoutMs,
        tries: r.servers[0]!.retransmits + 1,
        onServerDown: (s) => this.#log.warn({ event: 'radius.server-down', server: s.address, service: 'accounting' }, `RADIUS accounting server '${s.address}' does not answer, failing over`),
      }));
      this.#accounting = new RadiusAccounting({
        pool,
        log: o.log,
        ...(r.nasIdentifier ? { nasIdentifier: r.nasIdentifier } : {}),
        interimIntervalSeconds: r.interimIntervalSeconds,
        counters: (id) => this.#counters(id),
        now: o.now,
      });
    }
    if (r.dae.enable) {
      this.#dae = new DaeServer({
        listen: { address: r.dae.listen, port: r.dae.port },
        clients: r.dae.clients.map((c) => ({ address: c.address, secret: c.secret.reveal() })),
        requireMessageAuthenticator: r.dae.requireMessageAuthenticator,
        eventTimestampWindowSeconds: r.dae.eventTimestampWindowSeconds,
        requireEventTimestamp: r.dae.requireEventTimestamp,
        context: () => ({
          sessions: this.#daeSessions(),
          ...(r.nasIdentifier ? { nasIdentifier: r.nasIdentifier } : {}),
          nasAddresses: this.#config.listen.map((l) => l.address),
        }),
        apply: (actions) => this.#apply(actions),
        log: o.log,
        now: o.now,
      });
    }
  }

  attach(responder: IkeResponder): void {
    this.#responder = responder;
  }

  async start(): Promise<void> {
    if (!this.#dae) return;
    const bound = await this.#dae.listen();
    this.#log.info({ event: 'dae.listening', address: bound.address, port: bound.port }, `RADIUS DAE listening on ${bound.address}[${bound.port}]`);
  }

  /** After the responder stopped (its IKE_SAs' Stops are sent, waited for at most `waitMs`). */
  async close(waitMs = 3000): Promise<void> {
    this.#dae?.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.#pending]), new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    this.#accounting?.close();
    this.#pool?.close();
    for (const t of this.#lifetimes.values()) clearTimeout(t);
    this.#lifetimes.clear();
  }

  /** The responder's onEvent. */
  onEvent(e: ResponderEvent): void {
    if (e.type === 'ike-established') this.#established(e.sa);
    else if (e.type === 'ike-deleted') this.#deleted(e.sa, e.reason);
  }

  /** The Acct-Session-Id of an IKE_SA (for status and the DAE match). */
  sessionId(sa: IkeSa): string | undefined {
    return this.#accounting?.sessionId(this.#sessionOwner(sa));
  }

  /** Accounting session moved on IKE_SA rekey: new unique id -> the one the session started with. */
  readonly #owner = new Map<number, number>();
  #sessionOwner(sa: IkeSa): number {
    return this.#owner.get(sa.uniqueId) ?? sa.uniqueId;
  }

  #established(sa: IkeSa): void {
    if (!this.#accounting || sa.eap === undefined || sa.eapIdentity === undefined) return;
    this.#accounted.set(sa.uniqueId, sa);
    const framedIp = sa.vips.find((v) => isIP(v) === 4);
    void this.#accounting.start({
      uniqueId: sa.uniqueId,
      userName: sa.eapIdentity,
      ...(framedIp ? { framedIp } : {}),
      local: { address: sa.local.address, port: sa.local.port },
      remote: { address: sa.remote.address, port: sa.remote.port },
      classes: sa.classes,
    });
  }

  #deleted(sa: IkeSa, reason: string): void {
    const t = this.#lifetimes.get(sa.uniqueId);
    if (t) clearTimeout(t);
    this.#lifetimes.delete(sa.uniqueId);
    const owner = this.#sessionOwner(sa);
    if (this.#accounted.get(owner) !== sa && !this.#owner.has(sa.uniqueId)) return;
    this.#owner.delete(sa.uniqueId);
    // IKE_SA rekey (create-child-sa.ts): the new IKE_SA took over the CHILD_SAs and the very Class
    // array of this one; the accounting session goes on with it (strongSwan: ike_rekey hook).
    const successor = this.#responder?.list().find((n) => n !== sa && n.state === 'ESTABLISHED' && n.classes === sa.classes && n.eapIdentity === sa.eapIdentity);
    if (successor) {
      this.#owner.set(successor.uniqueId, owner);
      this.#accounted.set(owner, successor);
      this.#log.debug({ event: 'accounting.rekeyed', from: sa.label, to: successor.label }, `RADIUS accounting session of ${sa.label} continues with ${successor.label}`);
      return;
    }
    if (!this.#accounting) return;
    const p = this.#accounting.stop(owner, terminateCause(reason)).finally(() => {
      this.#accounted.delete(owner);
      this.#pending.delete(p);
    });
    this.#pending.add(p);
  }

  async #counters(owner: number): Promise<AccountingCounters> {
    const sa = this.#accounted.get(owner);
    const sum = { bytesIn: 0, packetsIn: 0, bytesOut: 0, packetsOut: 0 };
    if (!sa || !this.#installer) return sum;
    for (const c of sa.children) {
      const u = await this.#installer.usage(c).catch(() => undefined);
      if (!u) continue;
      sum.bytesIn += u.bytesIn;
      sum.packetsIn += u.packetsIn;
      sum.bytesOut += u.bytesOut;
      sum.packetsOut += u.packetsOut;
    }
    return sum;
  }

  #daeSessions(): DaeSession[] {
    const out: DaeSession[] = [];
    for (const sa of this.#responder?.list() ?? []) {
      if (sa.state !== 'ESTABLISHED' || sa.eapIdentity === undefined) continue;
      const id = this.sessionId(sa);
      const config = sa.config;
      out.push({
        uniqueId: sa.uniqueId,
        label: sa.label,
        userName: sa.eapIdentity,
        ...(id ? { acctSessionId: id } : {}),
        framedIps: sa.vips,
        callingStationId: `${sa.remote.address}[${sa.remote.port}]`,
        accepts: (groups) => (config ? satisfiesGroups(config, groups) : true),
      });
    }
    return out;
  }

  async #apply(actions: readonly DaeAction[]): Promise<void> {
    const responder = this.#responder;
    if (!responder) return;
    const byId = (id: number): IkeSa | undefined => responder.list().find((s) => s.uniqueId === id);
    for (const a of actions) {
      const sa = byId(a.uniqueId);
      if (!sa) continue;
      switch (a.kind) {
        case 'delete':
          this.#log.info({ event: 'dae.delete', sa: sa.label, reason: a.reason }, `deleting IKE_SA ${sa.label}: ${a.reason}`);
          await responder.deleteSa(sa, a.reason, true);
          break;
        case 'set-groups':
          sa.groups = a.groups;
          this.#log.info({ event: 'dae.groups', sa: sa.label, groups: a.groups }, `IKE_SA ${sa.label} now has group '${a.groups.join(', ')}'`);
          break;
        case 'lifetime': {
          const old = this.#lifetimes.get(sa.uniqueId);
          if (old) clearTimeout(old);
          const reason = `RADIUS Session-Timeout of ${a.seconds}s`;
          if (a.seconds === 0) {
            await responder.deleteSa(sa, reason, true);
            break;
          }
          const t = setTimeout(() => {
            this.#lifetimes.delete(sa.uniqueId);
            this.#log.info({ event: 'dae.lifetime-expired', sa: sa.label }, `IKE_SA ${sa.label} reached its RADIUS Session-Timeout, deleting it for re-authentication`);
            void responder.deleteSa(sa, reason, true);
          }, Math.min(a.seconds * 1000, 2 ** 31 - 1)); // setTimeout's limit (about 24.8 days)
          t.unref?.();
          this.#lifetimes.set(sa.uniqueId, t);
          break;
        }
      }
    }
  }
}
