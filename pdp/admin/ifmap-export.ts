/**
 * `ifmapPublish` of the admin API: the TNC MAP publish request (IF-MAP 2.x, SOAP 1.2) for one
 * endpoint or all, built by pdp/ifmap from what the store holds: the endpoint's latest assessment,
 * the device, and its open active session (virtual IP, NAS). Nothing is sent anywhere.
 */
import { buildPublishRequest, fromStore, type EndpointSnapshot } from '../ifmap/index.js';
import type { Store } from '../store/store.js';
import type { IfmapExport } from './context.js';

/** At most this many endpoints in one "all" document (newest devices first). */
export const MAX_EXPORTED_ENDPOINTS = 10_000;

async function snapshot(store: Store, device: string, roles: (user: string) => readonly string[]): Promise<EndpointSnapshot | undefined> {
  const session = (await store.listSessions({ device, limit: 1 })).items[0];
  if (!session) return undefined;
  const [d, active] = await Promise.all([store.getDevice(device), store.listActiveSessions({ device, limit: 1 })]);
  const a = active.items[0];
  const facts = a ? { nasAddress: a.nasAddress, ...(a.framedIp ? { framedIp: a.framedIp } : {}), ...(a.callingStationId ? { callingStationId: a.callingStationId } : {}) } : {};
  return fromStore(session, d, facts, roles(session.user));
}

export function ifmapExport(options: { readonly pdpDevice: string; readonly roles?: (user: string) => readonly string[] }): IfmapExport {
  const roles = options.roles ?? (() => []);
  return async (store, endpoint) => {
    const snapshots: EndpointSnapshot[] = [];
    if (endpoint !== undefined) {
      const s = await snapshot(store, endpoint, roles);
      if (s) snapshots.push(s);
    } else {
      let cursor: string | undefined;
      while (snapshots.length < MAX_EXPORTED_ENDPOINTS) {
        const page = await store.listDevices({ limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const d of page.items) {
          const s = await snapshot(store, d.id, roles);
          if (s && snapshots.length < MAX_EXPORTED_ENDPOINTS) snapshots.push(s);
        }
        cursor = page.cursor;
        if (!cursor) break;
      }
    }
    return buildPublishRequest(snapshots, { pdpDevice: options.pdpDevice });
  };
}
