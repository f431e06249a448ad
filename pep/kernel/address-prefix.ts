/**
 * Address prefixes for traffic selectors (RFC 4301 4.4.1.1: selectors are address ranges; IKEv2
 * narrows them to prefixes here) and matching of raw packet addresses against them.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { KernelError } from './kernel-error.js';

export interface AddressPrefix {
  readonly bytes: Uint8Array;
  readonly bits: number;
  /** Canonical text "a.b.c.d/n" or "x::/n". */
  readonly text: string;
}

/** Parse an IPv4 or IPv6 address into 4 or 16 octets; throws KernelError 'INVALID'. */
export function parseAddress(addr: string): Uint8Array {
  if (isIPv4(addr)) return Uint8Array.from(addr.split('.').map(Number));
  if (!isIPv6(addr)) throw new KernelError('INVALID', `not an IP address: ${JSON.stringify(addr)}`);
  let text = addr.split('%')[0] as string;
  // An embedded IPv4 tail ("::ffff:1.2.3.4") becomes two hex words.
  text = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`,
  );
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const words = (s: string): number[] => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const h = words(head);
  const r = rest === undefined ? [] : words(rest);
  const all = rest === undefined ? h : [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

export function formatAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  return words.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:::+/, '::');
}

/** "10.1.0.0/16", "fd00::/64" or a bare address (host prefix). */
export function parsePrefix(text: string): AddressPrefix {
  const [addr = '', len] = text.split('/');
  const bytes = parseAddress(addr);
  const max = bytes.length * 8;
  const bits = len === undefined ? max : Number(len);
  if (!Number.isInteger(bits) || bits < 0 || bits > max || (len !== undefined && !/^\d+$/.test(len))) {
    throw new KernelError('INVALID', `bad prefix length in ${JSON.stringify(text)}`);
  }
  const masked = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    masked[i] = (bytes[i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  return { bytes: masked, bits, text: `${formatAddress(masked)}/${bits}` };
}

/** Does `addr` (4 or 16 raw octets) lie inside `prefix`? Families never match each other. */
export function prefixContains(prefix: AddressPrefix, addr: Uint8Array): boolean {
  if (addr.length !== prefix.bytes.length) return false;
  let bits = prefix.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((addr[i] as number) & mask) !== prefix.bytes[i]) return false;
  }
  return true;
}

export function sameAddress(a: string, b: string): boolean {
  const x = parseAddress(a);
  const y = parseAddress(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
