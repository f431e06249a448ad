/**
 * Userspace backend of {@link KernelIpsec} for kernels without ESP (strongSwan's kernel-libipsec in
 * TypeScript): the SAD and SPD live here, ESP (RFC 4303) runs in this process, inner packets come
 * and go through a TUN device, outer packets are ESP-in-UDP (RFC 3948) on the IKE daemon's port
 * 4500 socket.
 *
 *   outbound: TUN --packet--> SPD (out, by inner src/dst, priority) --> SA (tmpl reqid + dst)
 *             --> ESP seal --> sender(espPacket, encap.dport, sa.dst)      [IKE daemon's socket]
 *   inbound:  IKE daemon: UDP 4500 datagram, first 4 octets non-zero --> handleEspDatagram()
 *             --> SA by SPI (+ peer address) --> replay check, ICV, decrypt --> inner packet must
 *             match an in/fwd policy of that reqid (RFC 4301 5.2) --> TUN
 *
 * Routes: each `out` policy routes its destination selector into the TUN device (as kernel-libipsec
 * does), so the kernel hands us the packets to protect. Counters per SA (bytes, packets, last use)
 * feed `status`. Lifetimes in bytes/packets are enforced here (soft: event, hard: SA deleted); time
 * lifetimes are the IKE daemon's rekey timers, as with XFRM.
 */
import type { CreateEspCipher } from '../esp/esp-cipher.js';
import { EspError } from '../esp/esp-error.js';
import { decodeEspPacket, NEXT_HEADER_NO_NEXT } from '../esp/esp-packet.js';
import { EspSa } from '../esp/esp-sa.js';
import { parseInnerPacket, parseInnerPacketFor, type InnerPacketInfo } from '../esp/inner-packet.js';
import { MIN_REPLAY_WINDOW, MAX_REPLAY_WINDOW } from '../esp/anti-replay-window.js';
import { parsePrefix, prefixContains, sameAddress, type AddressPrefix } from './address-prefix.js';
import { KernelError } from './kernel-error.js';
import type { KernelIpsec, PolicyConfig, PolicyId, SaConfig, SaId, SaUsage } from './kernel-ipsec.js';
import { runIp, type TunDevice } from './tun-device.js';

/** Sends one ESP packet (UDP payload) to the peer: the IKE daemon's port 4500 socket. */
export type EspSender = (packet: Buffer, port: number, address: string) => void;

export interface RemoteInfo {
  readonly address: string;
  readonly port: number;
}

export type DataPathEvent =
  | { readonly type: 'drop'; readonly direction: 'in' | 'out'; readonly reason: string; readonly spi?: number }
  | { readonly type: 'expire'; readonly spi: number; readonly reqid: number; readonly hard: boolean }
  | { readonly type: 'seq-exhausted'; readonly spi: number; readonly reqid: number };

/** Routes destination prefixes into the TUN device. */
export interface RouteTable {
  add(prefix: string): Promise<void>;
  remove(prefix: string): Promise<void>;
}

/** `ip route replace PREFIX dev TUN` / `ip route del PREFIX dev TUN`. */
export function ipRouteTable(dev: string, ipArgv: readonly string[] = ['ip']): RouteTable {
  return {
    add: (prefix) => runIp(ipArgv, ['route', 'replace', prefix, 'dev', dev]),
    remove: (prefix) => runIp(ipArgv, ['route', 'del', prefix, 'dev', dev]).catch(() => undefined),
  };
}

export interface UserspaceDataPathOptions {
  readonly tun: TunDevice;
  readonly createCipher: CreateEspCipher;
  readonly routes?: RouteTable;
  readonly now?: () => number;
  readonly onEvent?: (event: DataPathEvent) => void;
}

export interface SaStatus extends SaUsage {
  readonly src: string;
  readonly dst: string;
  readonly spi: number;
  readonly reqid: number;
  readonly encap: { readonly sport: number; readonly dport: number };
}

interface SaEntry {
  readonly config: SaConfig;
  readonly sa: EspSa;
  softFired: boolean;
}

interface PolicyEntry {
  readonly config: PolicyConfig;
  readonly src: AddressPrefix;
  readonly dst: AddressPrefix;
}

export class UserspaceDataPath implements KernelIpsec {
  readonly kind = 'userspace' as const;
  readonly #tun: TunDevice;
  readonly #createCipher: CreateEspCipher;
  readonly #routes: RouteTable | undefined;
  readonly #now: () => number;
  readonly #onEvent: (event: DataPathEvent) => void;
  readonly #sas = new Map<string, SaEntry>();
  readonly #bySpi = new Map<number, SaEntry[]>();
  readonly #policies = new Map<string, PolicyEntry>();
  /** Policies sorted for lookup: priority, then longer prefixes first. */
  #ordered: PolicyEntry[] = [];
  readonly #routeRefs = new Map<string, number>();
  #sender: EspSender | undefined;
  #closed = false;

  constructor(opts: UserspaceDataPathOptions) {
    this.#tun = opts.tun;
    this.#createCipher = opts.createCipher;
    this.#routes = opts.routes;
    this.#now = opts.now ?? Date.now;
    this.#onEvent = opts.onEvent ?? (() => undefined);
    this.#tun.onPackets((packets) => {
      for (const p of packets) this.#outbound(p);
    });
  }

  /** The IKE daemon's port 4500 socket, used for every outbound ESP packet. */
  setSender(sender: EspSender): void {
    this.#sender = sender;
  }

  async installSa(config: SaConfig): Promise<void> {
    this.#open();
    // Node cannot send raw IP protocol 50, and the point of this path is NAT-T anyway.
    if (!config.encap) {
      throw new KernelError('UNSUPPORTED', 'userspace ESP needs UDP encapsulation (RFC 3948, encap = yes)');
    }
    const key = saKey(config);
    if (this.#sas.has(key)) throw new KernelError('EXISTS', `SA ${key} exists`);
    const aead = config.encr.alg === 'aes-gcm-16';
    const cipher = this.#createCipher({
      encr: config.encr.alg,
      keyBits: (config.encr.key.length - (aead ? 4 : 0)) * 8,
      key: config.encr.key,
      ...(config.integ ? { integ: config.integ.alg, integKey: config.integ.key } : {}),
    });
    // RFC 4303 3.4.3 asks for at least 32; our bitmap holds 64..1024 (a larger window only accepts more).
    const replayWindow =
      config.replayWindow > 0 ? Math.min(MAX_REPLAY_WINDOW, Math.max(MIN_REPLAY_WINDOW, config.replayWindow)) : 0;
    const entry: SaEntry = { config, sa: new EspSa({ spi: config.spi, cipher, replayWindow, now: this.#now }), softFired: false };
    this.#sas.set(key, entry);
    this.#bySpi.set(config.spi, [...(this.#bySpi.get(config.spi) ?? []), entry]);
  }

  async deleteSa(id: SaId): Promise<void> {
    const entry = this.#sas.get(saKey(id));
    if (!entry) throw new KernelError('NOT_FOUND', `no SA ${saKey(id)}`);
    this.#removeSa(entry);
  }

  async querySa(id: SaId): Promise<SaUsage> {
    const entry = this.#sas.get(saKey(id));
    if (!entry) throw new KernelError('NOT_FOUND', `no SA ${saKey(id)}`);
    return entry.sa.counters;
  }

  /** Every SA with its counters, for `status`. */
  listSas(): SaStatus[] {
    return [...this.#sas.values()].map((e) => ({
      src: e.config.src,
      dst: e.config.dst,
      spi: e.config.spi,
      reqid: e.config.reqid,
      encap: e.config.encap as { sport: number; dport: number },
      ...e.sa.counters,
    }));
  }

  async installPolicy(config: PolicyConfig): Promise<void> {
    this.#open();
    const entry: PolicyEntry = { config, src: parsePrefix(config.selector.src), dst: parsePrefix(config.selector.dst) };
    const key = policyKey(config);
    const old = this.#policies.get(key);
    this.#policies.set(key, entry);
    this.#reorder();
    if (config.dir === 'out' && !old) await this.#routeRef(entry.dst.text, +1);
  }

  async deletePolicy(id: PolicyId): Promise<void> {
    const key = policyKey(id);
    const entry = this.#policies.get(key);
    if (!entry) throw new KernelError('NOT_FOUND', `no policy ${key}`);
    this.#policies.delete(key);
    this.#reorder();
    if (entry.config.dir === 'out') await this.#routeRef(entry.dst.text, -1);
  }

  async flush(reqids: readonly number[]): Promise<void> {
    const wanted = new Set(reqids);
    for (const e of [...this.#sas.values()]) if (wanted.has(e.config.reqid)) this.#removeSa(e);
    for (const e of [...this.#policies.values()]) {
      if (wanted.has(e.config.reqid)) await this.deletePolicy({ selector: e.config.selector, dir: e.config.dir });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush([...new Set([...this.#sas.values()].map((e) => e.config.reqid).concat([...this.#policies.values()].map((e) => e.config.reqid)))]);
    this.#closed = true;
    this.#tun.close();
  }

  /** An ESP packet (UDP payload from port 4500, not an IKE message) from `rinfo`. Never throws. */
  handleEspDatagram(datagram: Uint8Array, rinfo: RemoteInfo): void {
    if (this.#closed) return;
    let spi: number | undefined;
    try {
      spi = decodeEspPacket(datagram).spi;
      const entry = this.#bySpi.get(spi)?.find((e) => sameAddress(e.config.src, rinfo.address));
      if (!entry) throw new EspError('UNKNOWN_SPI', `no inbound SA ${spi.toString(16)} from ${rinfo.address}`);
      const opened = entry.sa.open(datagram);
      // RFC 4303 2.6: dummy packets (Next Header 59) "MUST be discarded" by the receiver.
      if (opened.nextHeader === NEXT_HEADER_NO_NEXT) return;
      const inner = parseInnerPacketFor(opened.nextHeader, opened.payload);
      // RFC 4301 5.2 step 4: the decrypted packet must match the selectors of the SA's policy.
      if (!this.#findPolicy(inner, (p) => p.config.dir !== 'out' && p.config.reqid === entry.config.reqid)) {
        throw new EspError('POLICY_MISMATCH', `inner packet does not match the policies of reqid ${entry.config.reqid}`);
      }
      this.#tun.write(opened.payload);
      this.#checkLifetime(entry);
    } catch (err) {
      this.#drop('in', err, spi);
    }
  }

  #outbound(packet: Buffer): void {
    try {
      const inner = parseInnerPacket(packet);
      const policy = this.#findPolicy(inner, (p) => p.config.dir === 'out');
      if (!policy) return this.#onEvent({ type: 'drop', direction: 'out', reason: 'no policy' });
      const t = policy.config.tmpl;
      const entry = [...(this.#sas.values())].find(
        (e) => e.config.reqid === t.reqid && sameAddress(e.config.dst, t.dst) && sameAddress(e.config.src, t.src),
      );
      if (!entry) return this.#onEvent({ type: 'drop', direction: 'out', reason: `no SA for reqid ${t.reqid}` });
      if (!this.#sender) return this.#onEvent({ type: 'drop', direction: 'out', reason: 'no sender', spi: entry.config.spi });
      const esp = entry.sa.seal(packet, inner.nextHeader);
      this.#sender(esp, (entry.config.encap as { dport: number }).dport, entry.config.dst);
      if (entry.sa.seqNearlyExhausted) this.#onEvent({ type: 'seq-exhausted', spi: entry.config.spi, reqid: entry.config.reqid });
      this.#checkLifetime(entry);
    } catch (err) {
      this.#drop('out', err, undefined);
    }
  }

  #findPolicy(inner: InnerPacketInfo, filter: (p: PolicyEntry) => boolean): PolicyEntry | undefined {
    for (const p of this.#ordered) {
      if (!filter(p)) continue;
      const sel = p.config.selector;
      if (sel.proto && sel.proto !== inner.protocol) continue;
      if (prefixContains(p.src, inner.src) && prefixContains(p.dst, inner.dst)) return p;
    }
    return undefined;
  }

  #checkLifetime(entry: SaEntry): void {
    const lt = entry.config.lifetime;
    if (!lt) return;
    const { bytes, packets } = entry.sa.counters;
    const over = (v: number, limit: number | undefined): boolean => limit !== undefined && limit > 0 && v >= limit;
    if (over(bytes, lt.hardBytes) || over(packets, lt.hardPackets)) {
      this.#removeSa(entry);
      this.#onEvent({ type: 'expire', spi: entry.config.spi, reqid: entry.config.reqid, hard: true });
    } else if (!entry.softFired && (over(bytes, lt.softBytes) || over(packets, lt.softPackets))) {
      entry.softFired = true;
      this.#onEvent({ type: 'expire', spi: entry.config.spi, reqid: entry.config.reqid, hard: false });
    }
  }

  #drop(direction: 'in' | 'out', err: unknown, spi: number | undefined): void {
    const reason = err instanceof EspError || err instanceof KernelError ? err.code : 'INTERNAL';
    this.#onEvent({ type: 'drop', direction, reason, ...(spi !== undefined ? { spi } : {}) });
  }

  #removeSa(entry: SaEntry): void {
    this.#sas.delete(saKey(entry.config));
    const rest = (this.#bySpi.get(entry.config.spi) ?? []).filter((e) => e !== entry);
    if (rest.length > 0) this.#bySpi.set(entry.config.spi, rest);
    else this.#bySpi.delete(entry.config.spi);
  }

  #reorder(): void {
    this.#ordered = [...this.#policies.values()].sort(
      (a, b) => a.config.priority - b.config.priority || b.dst.bits + b.src.bits - (a.dst.bits + a.src.bits),
    );
  }

  async #routeRef(prefix: string, delta: number): Promise<void> {
    const n = (this.#routeRefs.get(prefix) ?? 0) + delta;
    if (n <= 0) this.#routeRefs.delete(prefix);
    else this.#routeRefs.set(prefix, n);
    if (!this.#routes) return;
    if (delta > 0 && n === 1) await this.#routes.add(prefix);
    if (delta < 0 && n <= 0) await this.#routes.remove(prefix);
  }

  #open(): void {
    if (this.#closed) throw new KernelError('CLOSED', 'userspace data path closed');
  }
}

function saKey(id: { dst: string; spi: number }): string {
  return `${id.dst}/${id.spi}`;
}

function policyKey(id: PolicyId): string {
  const s = id.selector;
  return `${parsePrefix(s.src).text}|${parsePrefix(s.dst).text}|${s.proto ?? 0}|${s.sport ?? ''}|${s.dport ?? ''}|${id.dir}`;
}
