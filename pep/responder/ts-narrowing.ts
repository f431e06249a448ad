/**
 * Traffic selector narrowing, RFC 7296 section 2.9: the responder answers with a subset of what
 * the initiator proposed, the intersection with its own policy (strongSwan's
 * child_cfg->select_traffic_selectors: each proposed selector intersected with each configured
 * one, empty intersections dropped).
 *
 * "If the responder's policy does not allow it to accept any part of the proposed Traffic
 * Selectors, it responds with a TS_UNACCEPTABLE Notify message."
 */
import { isIPv4 } from 'node:net';

/** A traffic selector as a range (RFC 7296 3.13.1). */
export interface TsRange {
  /** 7 = TS_IPV4_ADDR_RANGE, 8 = TS_IPV6_ADDR_RANGE. */
  readonly tsType: number;
  /** 0 = any. */
  readonly ipProtocol: number;
  readonly startPort: number;
  readonly endPort: number;
  readonly startAddress: Uint8Array;
  readonly endAddress: Uint8Array;
}

function cmp(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The intersection of two selectors, or undefined. */
export function intersect(a: TsRange, b: TsRange): TsRange | undefined {
  if (a.tsType !== b.tsType) return undefined;
  if (a.ipProtocol !== 0 && b.ipProtocol !== 0 && a.ipProtocol !== b.ipProtocol) return undefined;
  const startPort = Math.max(a.startPort, b.startPort);
  const endPort = Math.min(a.endPort, b.endPort);
  if (startPort > endPort) return undefined;
  const start = cmp(a.startAddress, b.startAddress) >= 0 ? a.startAddress : b.startAddress;
  const end = cmp(a.endAddress, b.endAddress) <= 0 ? a.endAddress : b.endAddress;
  if (cmp(start, end) > 0) return undefined;
  return { tsType: a.tsType, ipProtocol: a.ipProtocol || b.ipProtocol, startPort, endPort, startAddress: start, endAddress: end };
}

/** Every non-empty intersection of proposed x configured, duplicates removed, in proposed order. */
export function narrow(proposed: readonly TsRange[], configured: readonly TsRange[]): TsRange[] {
  const out: TsRange[] = [];
  for (const p of proposed) {
    for (const c of configured) {
      const i = intersect(p, c);
      if (i && !out.some((o) => equal(o, i))) out.push(i);
    }
  }
  return out;
}

export function equal(a: TsRange, b: TsRange): boolean {
  return a.tsType === b.tsType && a.ipProtocol === b.ipProtocol && a.startPort === b.startPort && a.endPort === b.endPort && cmp(a.startAddress, b.startAddress) === 0 && cmp(a.endAddress, b.endAddress) === 0;
}

function addressBytes(addr: string): Buffer {
  if (isIPv4(addr)) return Buffer.from(addr.split('.').map(Number));
  const [head, tail] = addr.includes('::') ? addr.split('::') as [string, string] : [addr, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return b;
}

/** "10.1.0.0/16", "10.3.0.1" (a host) or "::/0" as a selector over all protocols and ports. */
export function tsFromCidr(cidr: string): TsRange {
  const [addr, bitsText] = cidr.split('/') as [string, string | undefined];
  const start = addressBytes(addr);
  const bits = bitsText === undefined ? start.length * 8 : Number(bitsText);
  const end = Buffer.from(start);
  for (let i = 0; i < start.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    const mask = keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
    start[i] = start[i]! & mask;
    end[i] = (end[i]! & mask) | (~mask & 0xff);
  }
  return { tsType: start.length === 4 ? 7 : 8, ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: start, endAddress: end };
}

function addressText(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.');
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return parts.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** A selector as CIDR text when it is one prefix ("10.1.0.0/16"), else "start-end"; ports/proto appended like strongSwan. */
export function tsToText(ts: TsRange): string {
  const s = Buffer.from(ts.startAddress);
  const e = Buffer.from(ts.endAddress);
  let bits = s.length * 8;
  for (let b = 0; b <= s.length * 8; b++) {
    const c = tsFromCidr(`${addressText(s)}/${b}`);
    if (cmp(c.startAddress, s) === 0 && cmp(c.endAddress, e) === 0) {
      bits = b;
      break;
    }
    if (b === s.length * 8) bits = -1;
  }
  const base = bits >= 0 ? `${addressText(s)}/${bits}` : `${addressText(s)}..${addressText(e)}`;
  if (ts.ipProtocol === 0 && ts.startPort === 0 && ts.endPort === 65535) return base;
  const ports = ts.startPort === 0 && ts.endPort === 65535 ? '' : ts.startPort === ts.endPort ? `/${ts.startPort}` : `/${ts.startPort}-${ts.endPort}`;
  return `${base}[${ts.ipProtocol}${ports}]`;
}
