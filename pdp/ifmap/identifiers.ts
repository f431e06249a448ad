/**
 * IF-MAP 2.x identifiers (TCG IF-MAP Binding for SOAP 2.2, section 3.2; ifmap-base-2.0v17.xsd:
 * AccessRequestType, IdentityType, IPAddressType, MACAddressType, DeviceType).
 *
 * The base schema declares no elementFormDefault, so these local elements (and `update`, `delete`,
 * `metadata`) are UNQUALIFIED: written without a prefix and with no default namespace in scope.
 * The envelope therefore declares prefixes only (soap-envelope.ts).
 *
 *   <access-request name="pdp.example:42"/>
 *   <identity name="carol@strongswan.org" type="username"/>
 *   <ip-address value="10.3.0.1" type="IPv4"/>
 *   <mac-address value="00:11:22:aa:bb:cc"/>
 *   <device><name>tnc-pdp</name></device>
 */
import { isIPv4, isIPv6 } from 'node:net';
import { el, textEl, type XmlElement } from './xml-writer.js';

export const SOAP_ENV_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const IFMAP_NS = 'http://www.trustedcomputinggroup.org/2010/IFMAP/2';
export const IFMAP_META_NS = 'http://www.trustedcomputinggroup.org/2010/IFMAP-METADATA/2';

export type IdentityType =
  | 'aik-name'
  | 'distinguished-name'
  | 'dns-name'
  | 'email-address'
  | 'hip-hit'
  | 'kerberos-principal'
  | 'trusted-platform-module'
  | 'username'
  | 'sip-uri'
  | 'tel-uri'
  | 'other';

export interface Identity {
  readonly name: string;
  readonly type: IdentityType;
  /** Required by IF-MAP when type is 'other' ("vendor:definition", e.g. strongSwan's "36906:other"). */
  readonly otherTypeDefinition?: string;
  readonly administrativeDomain?: string;
}

export function accessRequest(name: string, administrativeDomain?: string): XmlElement {
  return el('access-request', { 'administrative-domain': administrativeDomain, name });
}

export function identity(id: Identity): XmlElement {
  const other = id.type === 'other' ? (id.otherTypeDefinition ?? '36906:other') : undefined;
  return el('identity', { 'administrative-domain': id.administrativeDomain, name: id.name, type: id.type, 'other-type-definition': other });
}

/**
 * IF-MAP 2.x section 3.2.4.4: IPv4 in dotted decimal without leading zeros; IPv6 as eight groups of
 * lower-case hexadecimal without leading zeros and without '::' compression (strongSwan's
 * create_ip_address writes it that way too). Throws RangeError for anything else.
 */
export function canonicalIp(value: string): { readonly value: string; readonly type: 'IPv4' | 'IPv6' } {
  if (isIPv4(value)) return { value: value.split('.').map((o) => String(Number(o))).join('.'), type: 'IPv4' };
  if (isIPv6(value)) {
    let v = value.toLowerCase();
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
    const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(v);
    if (m) {
      const o = m[2]!.split('.').map(Number);
      v = `${m[1]}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
    }
    const [head, tail] = v.includes('::') ? v.split('::') as [string, string] : [v, undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    return { value: groups.map((g) => parseInt(g, 16).toString(16)).join(':'), type: 'IPv6' };
  }
  throw new RangeError(`not an IP address: ${JSON.stringify(value)}`);
}

export function ipAddress(value: string, administrativeDomain?: string): XmlElement {
  const ip = canonicalIp(value);
  return el('ip-address', { 'administrative-domain': administrativeDomain, value: ip.value, type: ip.type });
}

/**
 * IF-MAP 2.x section 3.2.4.5: six groups of two lower-case hexadecimal digits separated by ':'.
 * Accepts '-', '.', ':' separated or bare forms (Calling-Station-Id writes 00-11-22-AA-BB-CC).
 */
export function canonicalMac(value: string): string {
  const hex = value.replace(/[-:.]/g, '').toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(hex)) throw new RangeError(`not a MAC address: ${JSON.stringify(value)}`);
  return hex.match(/../g)!.join(':');
}

export function macAddress(value: string, administrativeDomain?: string): XmlElement {
  return el('mac-address', { 'administrative-domain': administrativeDomain, value: canonicalMac(value) });
}

export function device(name: string): XmlElement {
  return el('device', undefined, textEl('name', name));
}
