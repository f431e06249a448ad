/**
 * Parsers for the host files the IMCs read. Pure functions over text: they never throw, skip
 * what they do not understand and bound what they return.
 *
 * - os-release(5): KEY=value lines, values optionally quoted ("..." or '...') with \-escapes.
 * - dpkg status (deb-control(5) paragraphs): Package, Status, Version of each installed package.
 * - /proc/net/{tcp,tcp6,udp,udp6} (proc(5)): the listening sockets, as strongSwan's Scanner IMC
 *   reports them: TCP in state 0A (LISTEN), UDP in state 07 (unconnected), not bound to loopback.
 *
 *   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid ...
 *    0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 ...
 *
 * The local address is hex in host byte order per 32-bit word (little-endian on x86 and arm),
 * the port hex in network order.
 */
import type { InstalledPackage } from '../ietf/installed-packages.js';
import type { PortFilterEntry } from '../ietf/port-filter.js';

/** os-release fields; keys as in the file (NAME, ID, VERSION_ID, PRETTY_NAME ...). */
export function parseOsRelease(text: string): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m || line.startsWith('#')) continue;
    let value = m[2] ?? '';
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\(["\\$`])/g, '$1');
    }
    out[m[1] as string] = value;
  }
  return out;
}

/** Upper bound on the packages reported (the Installed Packages count field holds 65535). */
export const MAX_PACKAGES = 0xffff;

/** The installed packages of a dpkg status file, in file order. */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const paragraph of text.split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    for (const line of paragraph.split('\n')) {
      if (line.startsWith(' ') || line.startsWith('\t')) continue; // continuation lines
      const i = line.indexOf(':');
      if (i <= 0) continue;
      fields.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const name = fields.get('package');
    const version = fields.get('version');
    const status = fields.get('status')?.split(/\s+/);
    // "Status: install ok installed": the third word is the package state.
    if (!name || !version || status?.[2] !== 'installed') continue;
    if (name.length > 255 || version.length > 255 || name.includes('\0') || version.includes('\0')) continue;
    packages.push({ name, version });
    if (packages.length === MAX_PACKAGES) break;
  }
  return packages;
}

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

const TCP_LISTEN = 0x0a;
const UDP_UNCONNECTED = 0x07;

/** An IPv4 address from 8 hex digits in little-endian host order, as dotted quad. */
function ipv4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/** 32 hex digits (four little-endian words) as 16 network-order octets. */
function ipv6Octets(hex: string): number[] {
  const octets: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) octets.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  return octets;
}

/** True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
export function isLoopbackHex(hex: string): boolean {
  if (hex.length === 8) return ipv4(hex).startsWith('127.');
  const o = ipv6Octets(hex);
  const zeros = (n: number) => o.slice(0, n).every((x) => x === 0);
  if (zeros(15) && o[15] === 1) return true;
  return zeros(10) && o[10] === 0xff && o[11] === 0xff && o[12] === 127;
}

/**
 * The listening sockets of one /proc/net file as Port Filter entries (B clear: open).
 * `protocol` is IPPROTO_TCP for tcp/tcp6, IPPROTO_UDP for udp/udp6.
 */
export function parseProcNet(text: string, protocol: number): PortFilterEntry[] {
  const wanted = protocol === IPPROTO_TCP ? TCP_LISTEN : UDP_UNCONNECTED;
  const out: PortFilterEntry[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || !/^\d+:$/.test(cols[0] ?? '')) continue;
    const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(cols[1] ?? '');
    const state = /^[0-9A-Fa-f]{2}$/.test(cols[3] ?? '') ? Number.parseInt(cols[3] as string, 16) : -1;
    if (!m || state !== wanted) continue;
    if (isLoopbackHex(m[1] as string)) continue;
    const port = Number.parseInt(m[2] as string, 16);
    if (port === 0) continue;
    out.push({ blocked: false, protocol, port });
  }
  return out;
}

/** Merges entries: one per (protocol, port), sorted by protocol then port. */
export function uniquePorts(entries: readonly PortFilterEntry[]): PortFilterEntry[] {
  const seen = new Map<string, PortFilterEntry>();
  for (const e of entries) seen.set(`${e.protocol}/${e.port}`, e);
  return [...seen.values()].sort((a, b) => a.protocol - b.protocol || a.port - b.port);
}
