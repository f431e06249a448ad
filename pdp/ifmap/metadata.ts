/**
 * TNC IF-MAP Metadata for Network Security (namespace IFMAP-METADATA/2, ifmap-metadata-2.0v8.xsd).
 * Every element carries `ifmap-cardinality` (required by singleValueMetadataAttributes /
 * multiValueMetadataAttributes); "MAP clients MUST NOT include ifmap-publisher-id or
 * ifmap-timestamp in published metadata" (ifmap-base-2.0v17.xsd, metadataAttributes), so neither
 * is ever written here. Child elements are unqualified (no elementFormDefault in the schema).
 *
 *   name                   cardinality  attaches to (link or identifier)
 *   access-request-device  single       access-request - device (the endpoint)
 *   access-request-ip      single       access-request - ip-address (virtual IP)
 *   access-request-mac     single       access-request - mac-address
 *   authenticated-as       single       access-request - identity
 *   authenticated-by       single       access-request - device (the PDP)
 *   capability             multi        access-request
 *   device-attribute       multi        access-request - device (the endpoint)
 *   device-characteristic  multi        access-request - device (the PDP: the discoverer)
 *   device-ip              single       device - ip-address
 *   enforcement-report     multi        device (the PEP) - ip-address or mac-address
 *   event                  multi        access-request (or identity, ip-address, mac-address)
 *   ip-mac                 multi        ip-address - mac-address
 *   role                   multi        access-request - identity
 */
import { el, textEl, type XmlElement } from './xml-writer.js';

export type SingleValueMetadata =
  | 'access-request-device'
  | 'access-request-ip'
  | 'access-request-mac'
  | 'authenticated-as'
  | 'authenticated-by'
  | 'device-ip';

export type MetadataName =
  | SingleValueMetadata
  | 'capability'
  | 'device-attribute'
  | 'device-characteristic'
  | 'enforcement-report'
  | 'event'
  | 'ip-mac'
  | 'role';

const single = { 'ifmap-cardinality': 'singleValue' } as const;
const multi = { 'ifmap-cardinality': 'multiValue' } as const;

/** xsd:dateTime in UTC with milliseconds ("2024-05-01T10:00:00.000Z"). */
export function dateTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** A link-only metadata element without content. */
export function singleValue(name: SingleValueMetadata): XmlElement {
  return el(`meta:${name}`, single);
}

/** capability: name, then the optional administrative-domain (strongSwan writes 'strongswan'). */
export function capability(name: string, administrativeDomain?: string): XmlElement {
  return el('meta:capability', multi, textEl('name', name), textEl('administrative-domain', administrativeDomain));
}

/** role: administrative-domain (optional) comes FIRST in the schema's sequence, then name. */
export function role(name: string, administrativeDomain?: string): XmlElement {
  return el('meta:role', multi, textEl('administrative-domain', administrativeDomain), textEl('name', name));
}

export function deviceAttribute(name: string): XmlElement {
  return el('meta:device-attribute', multi, textEl('name', name));
}

export interface DeviceCharacteristic {
  readonly manufacturer?: string;
  readonly model?: string;
  readonly os?: string;
  readonly osVersion?: string;
  readonly deviceType?: string;
  readonly discoveredTime: number;
  readonly discovererId: string;
  readonly discoveryMethod: string;
}

export function deviceCharacteristic(d: DeviceCharacteristic): XmlElement {
  return el(
    'meta:device-characteristic',
    multi,
    textEl('manufacturer', d.manufacturer),
    textEl('model', d.model),
    textEl('os', d.os),
    textEl('os-version', d.osVersion),
    textEl('device-type', d.deviceType),
    textEl('discovered-time', dateTime(d.discoveredTime)),
    textEl('discoverer-id', d.discovererId),
    textEl('discovery-method', d.discoveryMethod),
  );
}

export type EnforcementAction = 'block' | 'quarantine' | 'other';

export function enforcementReport(action: EnforcementAction, reason?: string, otherTypeDefinition?: string): XmlElement {
  return el(
    'meta:enforcement-report',
    multi,
    textEl('enforcement-action', action),
    textEl('other-type-definition', action === 'other' ? (otherTypeDefinition ?? 'other') : undefined),
    textEl('enforcement-reason', reason),
  );
}

export type EventType = 'p2p' | 'cve' | 'botnet infection' | 'worm infection' | 'excessive flows' | 'behavioral change' | 'policy violation' | 'other';
export type Significance = 'critical' | 'important' | 'informational';

export interface EventMetadata {
  readonly name: string;
  readonly discoveredTime: number;
  readonly discovererId: string;
  /** 0..100 (clamped). */
  readonly magnitude: number;
  /** 0..100 (clamped). */
  readonly confidence: number;
  readonly significance: Significance;
  readonly type?: EventType;
  readonly otherTypeDefinition?: string;
  readonly information?: string;
}

const percent = (n: number): number => Math.min(100, Math.max(0, Math.round(Number.isFinite(n) ? n : 0)));

export function event(e: EventMetadata): XmlElement {
  return el(
    'meta:event',
    multi,
    textEl('name', e.name),
    textEl('discovered-time', dateTime(e.discoveredTime)),
    textEl('discoverer-id', e.discovererId),
    textEl('magnitude', percent(e.magnitude)),
    textEl('confidence', percent(e.confidence)),
    textEl('significance', e.significance),
    textEl('type', e.type),
    textEl('other-type-definition', e.type === 'other' ? (e.otherTypeDefinition ?? 'other') : undefined),
    textEl('information', e.information),
  );
}

export interface IpMac {
  readonly startTime?: number;
  readonly endTime?: number;
  readonly dhcpServer?: string;
}

export function ipMac(m: IpMac = {}): XmlElement {
  return el(
    'meta:ip-mac',
    multi,
    textEl('start-time', m.startTime === undefined ? undefined : dateTime(m.startTime)),
    textEl('end-time', m.endTime === undefined ? undefined : dateTime(m.endTime)),
    textEl('dhcp-server', m.dhcpServer),
  );
}
