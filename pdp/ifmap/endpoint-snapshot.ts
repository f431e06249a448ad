/**
 * What the IF-MAP export knows about one endpoint's access session: plain JSON data (it is kept in
 * the publisher's persisted queue), independent of how the store records sessions. `fromStore`
 * maps the store's SessionRecord/DeviceRecord (plus what RADIUS accounting adds: NAS address,
 * Framed-IP, Calling-Station-Id, MAC) to a snapshot.
 */
import type { DeviceRecord, SessionRecord } from '../store/store.js';
import type { Identity } from './identifiers.js';

export interface PolicyViolation {
  readonly policy: string;
  /** The IMV's reasons, joined into the event's information. */
  readonly reasons?: readonly string[];
  /** The recommendation the failed policy produced. */
  readonly recommendation?: string;
}

export interface EndpointDevice {
  /** The endpoint's device identifier (ITA Device ID, else the user identity). */
  readonly id: string;
  /** OS IMC product ("Debian 12 x86_64"); parsed with `osFromProduct`. */
  readonly product?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly deviceType?: string;
  /** The device's posture groups (Debian, Linux ...), published as device-attribute. */
  readonly groups?: readonly string[];
}

export interface EndpointSnapshot {
  /** Unique per access session; with the PDP device name it makes the access-request name. */
  readonly sessionKey: string;
  readonly identity?: Identity;
  /** The address the endpoint uses inside the network (virtual IP / Framed-IP-Address). */
  readonly ip?: string;
  /** The endpoint's outer address, e.g. Calling-Station-Id of an IKEv2 gateway. */
  readonly outerIp?: string;
  readonly mac?: string;
  /** The PEP (NAS): its name (RADIUS client) and address. */
  readonly pep?: { readonly name: string; readonly address?: string };
  /** Enforced group (Filter-Id), published as capability. */
  readonly capabilities: readonly string[];
  /** Roles of the user (published as role on access-request - identity). */
  readonly roles: readonly string[];
  readonly recommendation: 'allow' | 'isolate' | 'no-access' | 'no-recommendation';
  /** What was enforced: quarantine for isolate, block for no access. */
  readonly enforced: 'allow' | 'isolate' | 'no-access';
  readonly device?: EndpointDevice;
  readonly violations: readonly PolicyViolation[];
  /** When the decision was made (ms since the epoch). */
  readonly at: number;
}

/** What RADIUS accounting (or the active-session table) adds to a stored session. */
export interface ActiveSessionFacts {
  readonly nasAddress?: string;
  readonly framedIp?: string;
  readonly callingStationId?: string;
  readonly mac?: string;
}

const MANUFACTURERS: readonly (readonly [RegExp, string])[] = [
  [/^(ubuntu)\b/i, 'Canonical'],
  [/^(debian)\b/i, 'Debian'],
  [/^(red hat|rhel|fedora|centos)\b/i, 'Red Hat'],
  [/^(windows)\b/i, 'Microsoft'],
  [/^(mac ?os|ios)\b/i, 'Apple'],
  [/^(android)\b/i, 'Google'],
];

/** "Debian 12 x86_64" -> os Debian, os-version "12 x86_64", manufacturer Debian. */
export function osFromProduct(product: string): { readonly os: string; readonly osVersion?: string; readonly manufacturer?: string } {
  const words = product.trim().split(/\s+/);
  const i = words.findIndex((w, k) => k > 0 && /^\d/.test(w));
  const os = (i < 0 ? words : words.slice(0, i)).join(' ');
  const osVersion = i < 0 ? undefined : words.slice(i).join(' ');
  const manufacturer = MANUFACTURERS.find(([re]) => re.test(os))?.[1];
  return { os, ...(osVersion ? { osVersion } : {}), ...(manufacturer ? { manufacturer } : {}) };
}

/** user@realm is an e-mail style NAI; anything else a username (strongSwan: EAP identity = user). */
export function userIdentity(name: string): Identity {
  return { name, type: 'username' };
}

const MAC = /^(?:[0-9a-fA-F]{2}[-:.]?){5}[0-9a-fA-F]{2}$/;

export function fromStore(session: SessionRecord, device?: DeviceRecord, active: ActiveSessionFacts = {}, roles: readonly string[] = []): EndpointSnapshot {
  const cs = active.callingStationId;
  // Calling-Station-Id is the peer's IP address for IKEv2 gateways (strongSwan eap-radius), a MAC
  // for 802.1X switches.
  const outerIp = cs && /^[0-9.]+$|:.*:/.test(cs) && !MAC.test(cs) ? cs : undefined;
  const mac = active.mac ?? (cs && MAC.test(cs) ? cs : undefined);
  const violations = session.policies
    .filter((p) => p.outcome === 'fail')
    .map((p) => ({ policy: p.policy, reasons: p.reasons, recommendation: p.recommendation }));
  return {
    sessionKey: session.id,
    identity: userIdentity(session.user),
    ...(active.framedIp ? { ip: active.framedIp } : {}),
    ...(outerIp ? { outerIp } : {}),
    ...(mac ? { mac } : {}),
    pep: { name: session.via, ...(active.nasAddress ? { address: active.nasAddress } : {}) },
    capabilities: session.group ? [session.group] : [],
    roles,
    recommendation: session.recommendation,
    enforced: session.enforced,
    device: {
      id: session.device,
      ...(device?.product ? { product: device.product } : {}),
      groups: session.groups,
    },
    violations,
    at: session.end,
  };
}
