/**
 * IPv4/IPv6 addresses, subnets (CIDR) and ranges as strongSwan's ipsec.conf writes them
 * (`10.1.0.0/16`, `10.3.0.1-10.3.0.100`). Addresses are bigints so one code path serves both
 * families; nothing here throws: parsers return undefined for text that is not an address.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface Address {
  readonly family: Family;
  readonly value: bigint;
}

/** An inclusive range of addresses of one family. */
export interface AddressRange {
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
  /** Prefix length when written as a CIDR, undefined for a from-to range. */
  readonly prefix?: number;
  /** The address as written before the prefix (`10.3.0.5/24` -> 10.3.0.5): pools start there. */
  readonly base?: bigint;
}

export const familyBits = (f: Family): number => (f === 4 ? 32 : 128);

export function parseAddress(text: string): Address | undefined {
  if (isIPv4(text)) {
    const parts = text.split('.').map(Number);
    return { family: 4, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (isIPv6(text)) {
    let t = text;
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
    if (v4) {
      const a = parseAddress(v4[1]!)!.value;
      t = `${t.slice(0, -v4[1]!.length)}${(a >> 16n).toString(16)}:${(a & 0xffffn).toString(16)}`;
    }
    const [head, tail] = t.includes('::') ? t.split('::') : [t, undefined];
    const h = head ? head.split(':') : [];
    const tl = tail !== undefined && tail !== '' ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - tl.length).fill('0'), ...tl];
    if (groups.length !== 8) return undefined;
    return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
  }
  return undefined;
}

export function formatAddress(a: Address): string {
  if (a.family === 4) {
    const v = a.value;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((a.value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // RFC 5952: compress the longest run (length >= 2) of zero groups.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** `10.1.0.0/16` (host bits may be set, as strongSwan allows for pools) or a bare address as /32, /128. */
export function parseCidr(text: string): AddressRange | undefined {
  const slash = text.indexOf('/');
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const bits = familyBits(addr.family);
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > bits) return undefined;
  }
  const hostBits = BigInt(bits - prefix);
  const mask = (1n << hostBits) - 1n;
  return { family: addr.family, first: addr.value & ~mask, last: addr.value | mask, prefix, base: addr.value };
}

/** `from-to`, both of one family, from <= to. */
export function parseRange(text: string): AddressRange | undefined {
  const dash = text.indexOf('-');
  if (dash < 0) return undefined;
  const a = parseAddress(text.slice(0, dash).trim());
  const b = parseAddress(text.slice(dash + 1).trim());
  if (!a || !b || a.family !== b.family || a.value > b.value) return undefined;
  return { family: a.family, first: a.value, last: b.value };
}

/** A subnet or a range. */
export function parseAddressRange(text: string): AddressRange | undefined {
  return text.includes('-') ? parseRange(text) : text.includes('/') ? parseCidr(text) : undefined;
}

export function rangeContains(r: AddressRange, a: Address): boolean {
  return r.family === a.family && a.value >= r.first && a.value <= r.last;
}

export function formatRange(r: AddressRange): string {
  const first = formatAddress({ family: r.family, value: r.first });
  return r.prefix !== undefined ? `${first}/${r.prefix}` : `${first}-${formatAddress({ family: r.family, value: r.last })}`;
}
