/**
 * RADIUS clients (NASes) and their shared secrets, matched by source address.
 *
 * RFC 2865 section 3: "The RADIUS server MUST use the source IP address of the RADIUS UDP packet
 * to decide which shared secret to use, so that RADIUS requests can be proxied."
 *
 * Entries are exact addresses or CIDR prefixes (IPv4 or IPv6). The most specific prefix wins, so
 * an operator can give one NAS inside a subnet its own secret.
 */
import { isIP } from 'node:net';

export interface RadiusClient {
  readonly name: string;
  /** Address or CIDR as configured, e.g. `10.1.0.1` or `10.1.0.0/16`. */
  readonly address: string;
  readonly secret: string;
  /**
   * Require Message-Authenticator on every Access-Request (BlastRADIUS hardening). Requests that
   * carry EAP-Message always require it (RFC 3579 section 3.2), whatever this says.
   */
  readonly requireMessageAuthenticator: boolean;
}

interface Prefix {
  readonly family: 4 | 6;
  readonly bits: Buffer;
  readonly length: number;
  readonly client: RadiusClient;
}

export class ClientTableError extends Error {
  readonly code = 'RADIUS_CLIENT_CONFIG';
}

export class ClientTable {
  readonly #prefixes: Prefix[];
  readonly #cache = new Map<string, RadiusClient | null>();

  constructor(clients: readonly RadiusClient[]) {
    this.#prefixes = clients.map((c) => parsePrefix(c));
    // Longest prefix first: the most specific entry wins.
    this.#prefixes.sort((a, b) => b.length - a.length);
  }

  /** The client a datagram from `address` belongs to, or undefined for an unknown source. */
  lookup(address: string): RadiusClient | undefined {
    const cached = this.#cache.get(address);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.#match(address);
    if (this.#cache.size > 4096) this.#cache.clear();
    this.#cache.set(address, found ?? null);
    return found;
  }

  get size(): number {
    return this.#prefixes.length;
  }

  #match(address: string): RadiusClient | undefined {
    const parsed = parseAddress(stripMappedV4(address));
    if (!parsed) return undefined;
    for (const p of this.#prefixes) {
      if (p.family === parsed.family && prefixMatches(p.bits, parsed.bytes, p.length)) return p.client;
    }
    return undefined;
  }
}

function stripMappedV4(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function parsePrefix(client: RadiusClient): Prefix {
  const [addr, len, extra] = client.address.split('/');
  if (addr === undefined || extra !== undefined) {
    throw new ClientTableError(`client '${client.name}': address '${client.address}' is not an address or CIDR`);
  }
  const parsed = parseAddress(addr);
  if (!parsed) throw new ClientTableError(`client '${client.name}': '${addr}' is not an IPv4 or IPv6 address`);
  const max = parsed.family === 4 ? 32 : 128;
  const length = len === undefined ? max : Number(len);
  if (!Number.isInteger(length) || length < 0 || length > max || (len !== undefined && !/^\d+$/.test(len))) {
    throw new ClientTableError(`client '${client.name}': prefix length '/${len}' must be 0..${max}`);
  }
  return { family: parsed.family, bits: parsed.bytes, length, client };
}

function prefixMatches(prefix: Buffer, addr: Buffer, length: number): boolean {
  const whole = length >> 3;
  for (let i = 0; i < whole; i++) if (prefix[i] !== addr[i]) return false;
  const rest = length & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((prefix[whole] ?? 0) & mask) === ((addr[whole] ?? 0) & mask);
}

/** Parses a textual IPv4 or IPv6 address into its bytes. */
export function parseAddress(text: string): { family: 4 | 6; bytes: Buffer } | undefined {
  const family = isIP(text);
  if (family === 4) {
    return { family: 4, bytes: Buffer.from(text.split('.').map((o) => Number(o))) };
  }
  if (family === 6) {
    let t = text;
    const zone = t.indexOf('%');
    if (zone >= 0) t = t.slice(0, zone);
    // An embedded dotted quad at the end (::ffff:1.2.3.4) becomes two hex groups.
    const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
    if (dotted?.[1]) {
      const o = dotted[1].split('.').map((x) => Number(x));
      t = t.slice(0, -dotted[1].length) + `${(((o[0] ?? 0) << 8) | (o[1] ?? 0)).toString(16)}:${(((o[2] ?? 0) << 8) | (o[3] ?? 0)).toString(16)}`;
    }
    const [head, tail] = t.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const tl = tail !== undefined && tail !== '' ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - tl.length).fill('0'), ...tl];
    const bytes = Buffer.alloc(16);
    groups.forEach((g, i) => bytes.writeUInt16BE(parseInt(g, 16), i * 2));
    return { family: 6, bytes };
  }
  return undefined;
}
