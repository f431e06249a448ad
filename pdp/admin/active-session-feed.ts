/**
 * Keeps the store's active sessions (what quarantine and re-assessment act on) from the PDP's
 * RADIUS traffic: an Access-Accept opens one (user, NAS name and source address, NAS-Identifier,
 * Calling-Station-Id, Filter-Id, and the posture assessment the user just had, if any); accounting
 * requests are recorded and update it (Start/Interim: Acct-Session-Id and Framed-IP-Address, the
 * virtual IP; Stop: closed). Failures are logged, never thrown into the RADIUS path: a store
 * problem must not turn an Access-Accept into a silent drop.
 */
import { randomBytes } from 'node:crypto';
import { AttributeType, PacketCode, getAttribute } from '../../radius/index.js';
import type { RadiusReply, RadiusRequest } from '../../radius/server.js';
import type { AccountingRecord } from '../accounting.js';
import type { Logger } from '../logging.js';
import type { Store } from '../store/store.js';

/** An assessment that ended this long before the Access-Accept belongs to it. */
const ASSESSMENT_WINDOW_MS = 30_000;

function text(req: RadiusRequest, type: number): string | undefined {
  const v = getAttribute(req.packet, type);
  return v && v.length ? v.toString('utf8') : undefined;
}

export class ActiveSessionFeed {
  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  /** After the access handler answered `req` with `reply`. */
  async access(req: RadiusRequest, reply: RadiusReply | null): Promise<void> {
    if (reply?.code !== PacketCode.AccessAccept) return;
    const user = text(req, AttributeType.UserName);
    if (!user) return;
    try {
      const at = this.now();
      // The session keeps the NAS's User-Name (what RFC 5176 requests must name); the assessment
      // was recorded under the authenticated (inner) identity, which our Access-Accept carries.
      const inner = reply.attributes.find((a) => a.type === AttributeType.UserName)?.value.toString('utf8') || user;
      const latest = (await this.store.listSessions({ user: inner, limit: 1 })).items[0];
      const assessed = latest && latest.end >= at - ASSESSMENT_WINDOW_MS ? latest : undefined;
      const filterId = reply.attributes.find((a) => a.type === AttributeType.FilterId)?.value.toString('utf8');
      const nasIdentifier = text(req, AttributeType.NASIdentifier);
      const callingStationId = text(req, AttributeType.CallingStationId);
      await this.store.openActiveSession({
        id: `${at.toString(36)}-${randomBytes(6).toString('hex')}`,
        user,
        nas: req.client.name,
        nasAddress: req.address,
        group: filterId ?? '',
        start: at,
        ...(nasIdentifier ? { nasIdentifier } : {}),
        ...(callingStationId ? { callingStationId } : {}),
        ...(assessed ? { device: assessed.device, assessment: assessed.id } : {}),
      });
    } catch (e) {
      this.log.error({ event: 'admin.active-session-failed', user, client: req.client.name, err: { message: (e as Error)?.message } }, `cannot record the active session of '${user}': ${(e as Error)?.message}`);
    }
  }

  /** After an accounting request was recorded. */
  async accounting(r: AccountingRecord, req: RadiusRequest): Promise<void> {
    try {
      const callingStationId = text(req, AttributeType.CallingStationId);
      const nasIdentifier = text(req, AttributeType.NASIdentifier);
      await this.store.recordAccounting({ ...r, ...(callingStationId ? { callingStationId } : {}), ...(nasIdentifier ? { nasIdentifier } : {}) });
    } catch (e) {
      this.log.error({ event: 'admin.accounting-store-failed', client: r.client, err: { message: (e as Error)?.message } }, `cannot store accounting from ${r.client}: ${(e as Error)?.message}`);
    }
  }
}
