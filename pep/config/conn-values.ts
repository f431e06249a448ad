/**
 * Value parsers for ipsec.conf conn parameters (ipsec.conf(5) wording quoted where it decides).
 * Each takes the setting (value, file, line, key) and returns the typed value or throws a
 * PepConfigError naming file, line and key.
 */
import { parseAddress, parseAddressRange, parseCidr, type Address } from './addresses.js';
import { PepConfigError } from './config-error.js';
import { parseIdentity, type Identity } from './identity.js';
import type { ConfSetting } from './ipsec-conf.js';
import type { AuthMethod, EndpointAddress, SendCert, SourceIpSpec, TrafficSelectorSpec } from './peer-config.js';

export function invalid(s: ConfSetting, detail: string): never {
  throw new PepConfigError('CONF_INVALID_VALUE', s.file, s.line, s.key, detail);
}

export function oneOf<T extends string>(s: ConfSetting, allowed: readonly T[], aliases: Record<string, T> = {}): T {
  const v = s.value.toLowerCase();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  if (v in aliases) return aliases[v]!;
  return invalid(s, `'${s.value}' is not one of ${[...allowed, ...Object.keys(aliases)].join(', ')}`);
}

export const yesNo = (s: ConfSetting): boolean => oneOf(s, ['yes', 'no'] as const) === 'yes';

/** "an integer optionally followed by s (a time in seconds) or a decimal number followed by m, h, or d". */
export function timeSeconds(s: ConfSetting): number {
  const m = /^(\d{1,9})(?:\.(\d{1,6}))?\s*([smhd]?)$/.exec(s.value.trim());
  if (!m || (m[2] !== undefined && (m[3] === '' || m[3] === 's'))) return invalid(s, `'${s.value}' is not a time (e.g. 30s, 9m, 1h, 1.5d)`);
  const n = Number(m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[3] as '' | 's' | 'm' | 'h' | 'd'];
  return Math.round(n * unit);
}

/** "an integer, which may exceed 100, followed by a `%'". */
export function percent(s: ConfSetting): number {
  const m = /^(\d{1,6})%$/.exec(s.value.trim());
  return m ? Number(m[1]) : invalid(s, `'${s.value}' is not a percentage (e.g. 100%)`);
}

export const list = (value: string): string[] => value.split(',').map((x) => x.trim()).filter((x) => x !== '');

export function identity(s: ConfSetting): Identity {
  const v = s.value.trim();
  if (/^[A-Za-z0-9]+:|^\{\d+\}:/.test(v) && !v.includes('=') && !v.includes('@') && !parseAddress(v)) {
    return invalid(s, `typed identities ('${v.split(':')[0]}:...') are not supported`);
  }
  return parseIdentity(v);
}

/** left=/right=: "<ip address> | <fqdn> | %any | <range> | <subnet>", comma-separated; '%' prefix = allowany. */
export function endpoints(s: ConfSetting): EndpointAddress[] {
  const items = list(s.value);
  if (!items.length) return [{ kind: 'any' }];
  return items.map((item): EndpointAddress => {
    if (item === '%any') return { kind: 'any' };
    if (item === '%any4') return { kind: 'any', family: 4 };
    if (item === '%any6') return { kind: 'any', family: 6 };
    const allowAny = item.startsWith('%');
    const text = allowAny ? item.slice(1) : item;
    const a = parseAddress(text);
    if (a) return { kind: 'address', address: a, allowAny };
    if (text.includes('/') || text.includes('-') && parseAddressRange(text)) {
      const r = parseAddressRange(text);
      if (!r) return invalid(s, `'${item}' is not an address, range or subnet`);
      return { kind: 'range', range: r };
    }
    if (/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(text) && !/^[\d.]+$/.test(text)) {
      return { kind: 'fqdn', name: text, allowAny };
    }
    return invalid(s, `'${item}' is not an address, range, subnet, DNS name or %any`);
  });
}

const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, 'ipv6-icmp': 58, icmpv6: 58, sctp: 132, gre: 47 };

function protoPort(s: ConfSetting, item: string, spec: string): { protocol?: number; ports?: readonly [number, number] } {
  const [p = '', port] = spec.split('/');
  const out: { protocol?: number; ports?: readonly [number, number] } = {};
  if (p && p !== '%any') {
    const n = /^\d{1,3}$/.test(p) ? Number(p) : PROTOCOLS[p.toLowerCase()];
    if (n === undefined || n > 255) return invalid(s, `'${item}': unknown protocol '${p}'`);
    out.protocol = n;
  }
  if (port !== undefined && port !== '' && port !== '%any') {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(port);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || lo > 65535 || hi > 65535 || lo > hi) return invalid(s, `'${item}': port '${port}' is not a number or range of numbers`);
    out.ports = [lo, hi] as const;
  }
  return out;
}

/** leftsubnet: "<ip subnet>[[<proto/port>]][,...]" or %dynamic. */
export function subnets(s: ConfSetting): TrafficSelectorSpec[] {
  return list(s.value).map((item): TrafficSelectorSpec => {
    const m = /^([^[\]]+)(?:\[([^\]]*)\])?$/.exec(item);
    if (!m) return invalid(s, `'${item}' is not a subnet`);
    const pp = m[2] !== undefined ? protoPort(s, item, m[2]) : {};
    if (m[1] === '%dynamic') return { kind: 'dynamic', ...pp };
    const r = m[1]!.includes('-') ? parseAddressRange(m[1]!) : parseCidr(m[1]!);
    if (!r) return invalid(s, `'${m[1]}' is not a subnet`);
    return { kind: 'subnet', range: r, ...pp };
  });
}

/** rightsourceip: "%config | <network>/<netmask> | <from>-<to> | %poolname", comma-separated. */
export function sourceIps(s: ConfSetting): SourceIpSpec[] {
  return list(s.value).map((item): SourceIpSpec => {
    const lower = item.toLowerCase();
    if (['%config', '%cfg', '%modeconfig', '%modecfg'].includes(lower)) return { kind: 'config' };
    if (lower === '%config4') return { kind: 'config', family: 4 };
    if (lower === '%config6') return { kind: 'config', family: 6 };
    if (item.startsWith('%')) {
      const name = item.slice(1);
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) return invalid(s, `'${item}' is not a pool name`);
      return { kind: 'named', name };
    }
    const r = parseAddressRange(item);
    if (!r) return invalid(s, `'${item}' is not an address range`);
    return { kind: 'pool', name: item, range: r };
  });
}

export function addresses(s: ConfSetting): Address[] {
  return list(s.value).map((item) => parseAddress(item) ?? invalid(s, `'${item}' is not an IP address`));
}

export function sendCert(s: ConfSetting): SendCert {
  return oneOf(s, ['never', 'ifasked', 'always'] as const, { no: 'never', yes: 'always' });
}

/** EAP method names ipsec.conf accepts (leftauth), with their EAP type numbers (IANA). */
const EAP_METHODS: Record<string, number | undefined> = {
  md5: 4, gtc: 6, tls: 13, sim: 18, ttls: 21, aka: 23, peap: 25, mschapv2: 26, tnc: 38, radius: undefined, dynamic: undefined,
};

/** leftauth/rightauth: pubkey | psk | eap[-method]; rsa/ecdsa strength constraints are not supported. */
export function authMethod(s: ConfSetting): AuthMethod {
  const v = s.value.trim().toLowerCase();
  if (v === 'pubkey' || v === 'rsasig' || v === 'ecdsasig' || v === 'rsa' || v === 'ecdsa') return { class: 'pubkey' };
  if (v === 'psk' || v === 'secret') return { class: 'psk' };
  if (v === 'eap') return { class: 'eap' };
  const m = /^eap-([a-z0-9]+)$/.exec(v);
  if (m) {
    const name = m[1]!;
    if (/^\d{1,3}$/.test(name) && Number(name) < 256) return { class: 'eap', methodType: Number(name) };
    if (name in EAP_METHODS) {
      const t = EAP_METHODS[name];
      return t === undefined ? { class: 'eap', method: name } : { class: 'eap', method: name, methodType: t };
    }
    return invalid(s, `'${s.value}': unknown EAP method '${name}' (${Object.keys(EAP_METHODS).map((k) => `eap-${k}`).join(', ')})`);
  }
  if (v.startsWith('xauth')) return invalid(s, `'${s.value}' is IKEv1 XAuth, which this gateway does not implement`);
  return invalid(s, `'${s.value}' is not an authentication method (pubkey, psk, eap, eap-<method>)`);
}
