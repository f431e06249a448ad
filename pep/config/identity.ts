/**
 * IKE identities as ipsec.conf writes them (ipsec.conf(5) "IDENTITY PARSING") and strongSwan's
 * matching of a received identity against a configured pattern (libstrongswan identification.c).
 *
 * Parsing: contains '=' -> Distinguished Name; begins with '@#' -> KEY_ID (hex); '@@' -> RFC822
 * (USER_FQDN); '@' -> FQDN; any other '@' -> RFC822; an IP address -> IPV4/IPV6_ADDR; '%any',
 * '%any6', '*', '0.0.0.0' -> ANY; otherwise FQDN.
 *
 * Matching (pattern on the configured side):
 * - ANY matches everything.
 * - Types must agree. FQDN and RFC822 compare case-insensitively; a single '*' at the head of the
 *   pattern matches a non-empty prefix ("check for single wildcard at the head of the string":
 *   `*@strongswan.org` matches `dave@strongswan.org`); a '*' anywhere else is literal.
 * - DN: the same RDNs in the same order; a value of '*' matches any value of that RDN type.
 * - IP: equal, or an IP subnet/range pattern that contains the address.
 */
import { parseAddress, parseAddressRange, rangeContains, type AddressRange } from './addresses.js';

export type IdentityType = 'any' | 'ipv4' | 'ipv6' | 'fqdn' | 'rfc822' | 'dn' | 'keyid' | 'ip-range';

export interface Identity {
  readonly type: IdentityType;
  /** The identity's value without prefixes ('moon.strongswan.org' for '@moon.strongswan.org'). */
  readonly value: string;
  /** The text as configured. */
  readonly text: string;
  /** For 'dn': the RDNs as (type, value), types upper-cased. */
  readonly rdns?: readonly (readonly [string, string])[];
  /** For 'ip-range': the subnet or range. */
  readonly range?: AddressRange;
}

/** Splits 'C=CH, O=strongSwan, CN=moon' or '/C=CH/O=strongSwan/CN=moon' into RDNs; undefined if malformed. */
function parseDn(text: string): (readonly [string, string])[] | undefined {
  const sep = text.startsWith('/') ? '/' : ',';
  const parts = (sep === '/' ? text.slice(1) : text).split(sep);
  const rdns: (readonly [string, string])[] = [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const t = part.slice(0, eq).trim().toUpperCase();
    const v = part.slice(eq + 1).trim();
    if (!t) return undefined;
    rdns.push([t, v] as const);
  }
  return rdns;
}

export function parseIdentity(text: string): Identity {
  const t = text.trim();
  const id = (type: IdentityType, value: string, extra: Partial<Identity> = {}): Identity =>
    Object.freeze({ type, value, text: t, ...extra });
  if (t === '' || t === '%any' || t === '%any6' || t === '*' || t === '0.0.0.0' || t === '::') return id('any', '');
  if (t.includes('=')) {
    const rdns = parseDn(t);
    return rdns ? id('dn', t, { rdns: Object.freeze(rdns) }) : id('keyid', t);
  }
  if (t.startsWith('@#')) return id('keyid', t.slice(2).toLowerCase());
  if (t.startsWith('@@')) return id('rfc822', t.slice(2));
  if (t.startsWith('@')) return id('fqdn', t.slice(1));
  if (t.includes('@')) return id('rfc822', t);
  const addr = parseAddress(t);
  if (addr) return id(addr.family === 4 ? 'ipv4' : 'ipv6', t);
  const range = parseAddressRange(t);
  if (range) return id('ip-range', t, { range });
  return id('fqdn', t);
}

function matchString(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  if (p === v) return true;
  // "if (len == 0 || this->encoded.len < len) return ID_MATCH_NONE": the wildcard stands for >= 1 char.
  if (!p.length || v.length < p.length) return false;
  if (p[0] !== '*') return false;
  if (p.length === 1) return true;
  return v.endsWith(p.slice(1));
}

function matchDn(pattern: readonly (readonly [string, string])[], value: readonly (readonly [string, string])[]): boolean {
  if (pattern.length !== value.length) return false;
  return pattern.every(([pt, pv], i) => {
    const [vt, vv] = value[i]!;
    return pt === vt && (pv === '*' || pv.toLowerCase() === vv.toLowerCase());
  });
}

/** Does the received identity `id` satisfy the configured `pattern`? Both as text or parsed. */
export function matchIdentity(pattern: string | Identity, id: string | Identity): boolean {
  const p = typeof pattern === 'string' ? parseIdentity(pattern) : pattern;
  const v = typeof id === 'string' ? parseIdentity(id) : id;
  if (p.type === 'any') return true;
  switch (p.type) {
    case 'fqdn':
    case 'rfc822':
      return v.type === p.type && matchString(p.value, v.value);
    case 'dn':
      return v.type === 'dn' && matchDn(p.rdns!, v.rdns!);
    case 'ipv4':
    case 'ipv6': {
      const a = parseAddress(p.value);
      const b = v.type === 'ipv4' || v.type === 'ipv6' ? parseAddress(v.value) : undefined;
      return !!a && !!b && a.family === b.family && a.value === b.value;
    }
    case 'ip-range': {
      const b = v.type === 'ipv4' || v.type === 'ipv6' ? parseAddress(v.value) : undefined;
      return !!b && rangeContains(p.range!, b);
    }
    case 'keyid':
      return v.type === 'keyid' && p.value === v.value;
  }
}
