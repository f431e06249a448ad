/**
 * CHILD_SAs into the data path through the one kernel interface (pep/kernel): both SAs (inbound
 * with our SPI, outbound with the peer's), then the out/in/fwd policies, as strongSwan's
 * child_sa_t install does.
 *
 *   kernel: xfrm       XFRM only (a kernel without ESP refuses the states: NO_ESP, logged)
 *   kernel: userspace  ESP in this process over a TUN device (ESP in UDP on our port 4500)
 *   kernel: auto       XFRM first; when the kernel has no ESP, say so clearly and use userspace
 *
 * XFRM policies next to the userspace data path (auto after NO_ESP, and userspace): the CHILD_SA's
 * out/in/fwd policies still go into the kernel's SPD, but with an XFRM interface id (`if_id`,
 * Linux 4.19+, strongSwan's `if_id_in`/`if_id_out`). A policy with an if_id is route-based: the
 * kernel only applies it to packets routed through an xfrm interface carrying that id
 * (`ip link add ipsecN type xfrm if_id N`), so
 *  - operators see every CHILD_SA in `ip xfrm policy` (selectors, templates, reqid), as with
 *    charon on a kernel with ESP, and a kernel that has ESP and such an interface could carry them;
 *  - they never match the traffic the TUN device carries: a plain policy of level `required`
 *    without a state would make the kernel drop (out) or refuse (in/fwd) exactly the packets the
 *    userspace ESP path must see, which is why plain policies cannot stay there.
 * The id is pep.yaml `xfrmIfId` (default {@link DEFAULT_XFRM_IF_ID}); no xfrm interface is created.
 * Installing these mirrored policies is best effort: a failure is logged and the userspace path
 * carries the CHILD_SA anyway. With `kernel: xfrm` (or auto on a kernel with ESP) the policies are
 * plain ones, installed after the states, and carry the traffic.
 */
import type { Logger } from 'pino';
import { createCipher } from '../crypto/cipher.js';
import type { KernelIpsec, PolicyConfig, SaConfig } from '../kernel/kernel-ipsec.js';
import { KernelError, NO_ESP_MESSAGE } from '../kernel/kernel-error.js';
import { XfrmKernelIpsec } from '../kernel/kernel-xfrm.js';
import { UserspaceDataPath, ipRouteTable } from '../kernel/userspace-data-path.js';
import { openTunDevice } from '../kernel/tun-device.js';
import type { ChildInstaller } from '../responder/responder.js';
import type { ChildSa } from '../responder/child-sa.js';
import { algs } from '../responder/child-sa.js';
import type { IkeSa } from '../responder/ike-sa.js';
import { tsToText } from '../responder/ts-narrowing.js';
import type { Endpoint } from './udp-transport.js';

export type KernelMode = 'auto' | 'xfrm' | 'userspace';

/** The XFRM interface id of the mirrored policies when pep.yaml sets no `xfrmIfId`. */
export const DEFAULT_XFRM_IF_ID = 4096;

export interface ChildUsage {
  readonly bytesIn: number;
  readonly packetsIn: number;
  readonly bytesOut: number;
  readonly packetsOut: number;
}

export interface InstallerOptions {
  readonly tunName?: string;
  /** if_id of the policies mirrored into XFRM next to the userspace path. */
  readonly xfrmIfId?: number;
  /** Test hook: the XFRM backend (default: `ip` in this namespace). */
  readonly xfrm?: KernelIpsec;
}

export interface Installer extends ChildInstaller {
  close(): Promise<void>;
  onEsp(data: Buffer, remote: Endpoint): void;
  setSender(f: (b: Buffer, port: number, address: string) => void): void;
  /** Counters of a CHILD_SA; after uninstall, its last counters (kept for the accounting Stop). */
  usage(child: ChildSa): Promise<ChildUsage>;
}

/** How many removed CHILD_SAs' last counters are kept for usage() (oldest dropped first). */
const RETIRED_MAX = 4096;

function saConfigs(ike: IkeSa, child: ChildSa): { inbound: SaConfig; outbound: SaConfig } {
  const a = algs(child.proposal);
  const encap = child.encap ? { sport: ike.remote.port, dport: ike.local.port } : undefined;
  const base = { protocol: 'esp' as const, mode: 'tunnel' as const, reqid: child.reqid };
  const integ = (key: Buffer) => (a.integ ? { integ: { alg: a.integ, key } } : {});
  return {
    inbound: { ...base, src: ike.remote.address, dst: ike.local.address, spi: child.spiIn, encr: { alg: a.encr, key: child.keys.encrI }, ...integ(child.keys.integI), replayWindow: 64, ...(encap ? { encap } : {}) },
    outbound: { ...base, src: ike.local.address, dst: ike.remote.address, spi: child.spiOut, encr: { alg: a.encr, key: child.keys.encrR }, ...integ(child.keys.integR), replayWindow: 0, ...(encap ? { encap: { sport: ike.local.port, dport: ike.remote.port } } : {}) },
  };
}

function policies(ike: IkeSa, child: ChildSa): PolicyConfig[] {
  const out: PolicyConfig[] = [];
  const tmplOut = { src: ike.local.address, dst: ike.remote.address, protocol: 'esp' as const, mode: 'tunnel' as const, reqid: child.reqid };
  const tmplIn = { ...tmplOut, src: ike.remote.address, dst: ike.local.address };
  for (const l of child.localTs) {
    for (const r of child.remoteTs) {
      const local = tsToText({ ...l, ipProtocol: 0, startPort: 0, endPort: 65535 });
      const remote = tsToText({ ...r, ipProtocol: 0, startPort: 0, endPort: 65535 });
      if (local.includes('..') || remote.includes('..')) continue; // not a prefix: XFRM selectors are prefixes
      const proto = l.ipProtocol || r.ipProtocol || undefined;
      const priority = 375423 - Math.min(64, Number(local.split('/')[1]) + Number(remote.split('/')[1]));
      out.push({ dir: 'out', selector: { src: local, dst: remote, ...(proto ? { proto } : {}) }, tmpl: tmplOut, reqid: child.reqid, priority });
      out.push({ dir: 'in', selector: { src: remote, dst: local, ...(proto ? { proto } : {}) }, tmpl: tmplIn, reqid: child.reqid, priority });
      out.push({ dir: 'fwd', selector: { src: remote, dst: local, ...(proto ? { proto } : {}) }, tmpl: tmplIn, reqid: child.reqid, priority });
    }
  }
  return out;
}

/** States first, then policies (as charon): a policy never points at a missing state. */
async function installAll(k: KernelIpsec, ike: IkeSa, child: ChildSa, withPolicies: boolean): Promise<void> {
  const { inbound, outbound } = saConfigs(ike, child);
  await k.installSa(inbound);
  await k.installSa(outbound);
  if (withPolicies) for (const p of policies(ike, child)) await k.installPolicy(p);
}

export async function createChildInstaller(mode: KernelMode, log: Logger, options: InstallerOptions = {}): Promise<Installer> {
  const tunName = options.tunName ?? 'ipsec0';
  const ifId = options.xfrmIfId ?? DEFAULT_XFRM_IF_ID;
  let userspace: UserspaceDataPath | undefined;
  let opening: Promise<UserspaceDataPath> | undefined;
  let sender: ((b: Buffer, port: number, address: string) => void) | undefined;
  // Also in userspace mode: the mirrored if_id policies go through it (ip starts on first use).
  const xfrm: KernelIpsec = options.xfrm ?? new XfrmKernelIpsec();
  const where = new Map<number, KernelIpsec>();
  /** CHILD_SAs per reqid: a rekeyed CHILD_SA shares its predecessor's reqid and policies (RFC 7296 2.8). */
  const users = new Map<number, Set<ChildSa>>();
  /** Last counters of removed CHILD_SAs by unique id. */
  const retired = new Map<number, ChildUsage>();
  let noEspLogged = false;
  /**
   * Auto mode: the kernel refused ESP once. The ESP types do not appear while we run (no module
   * loading here; a restart probes again), so later CHILD_SAs go straight to the userspace path
   * instead of paying one failing XFRM round trip each.
   */
  let kernelLacksEsp = false;
  let mirrorFailedLogged = false;

  const openUserspace = (): Promise<UserspaceDataPath> => {
    opening ??= (async () => {
      const tun = await openTunDevice({ name: tunName });
      const dp = new UserspaceDataPath({
        tun,
        createCipher,
        routes: ipRouteTable(tun.name),
        onEvent: (e) => log.debug({ event: 'esp.event', ...e }, `userspace ESP ${e.type}${'reason' in e ? ` (${e.direction}): ${e.reason}` : ''}`),
      });
      if (sender) dp.setSender(sender);
      userspace = dp;
      log.info({ event: 'kernel.userspace', tun: tun.name }, `userspace ESP data path on TUN device ${tun.name}`);
      return dp;
    })();
    return opening;
  };
  if (mode === 'userspace') await openUserspace();

  /** The CHILD_SA's policies in XFRM with if_id (see the top of this file); best effort. */
  const mirrorPolicies = async (ike: IkeSa, child: ChildSa): Promise<void> => {
    const ps = policies(ike, child).map((p) => ({ ...p, ifId }));
    try {
      for (const p of ps) await xfrm.installPolicy(p);
      log.debug({ event: 'kernel.policies-mirrored', reqid: child.reqid, ifId, count: ps.length }, `installed ${ps.length} XFRM policies for reqid ${child.reqid} with if_id ${ifId} (route-based, next to the userspace data path)`);
    } catch (error) {
      await xfrm.flush([child.reqid]).catch(() => undefined);
      if (!mirrorFailedLogged) {
        mirrorFailedLogged = true;
        log.warn({ event: 'kernel.policies-not-mirrored', reqid: child.reqid, error: (error as Error).message }, `XFRM policies with if_id ${ifId} could not be installed (${(error as Error).message}); the userspace data path carries the CHILD_SAs anyway`);
      }
    }
  };

  /** The outer addresses each CHILD_SA's SAs were installed with (their dst identifies them). */
  const endpoints = new WeakMap<ChildSa, { readonly local: string; readonly remote: string }>();
  const measure = async (k: KernelIpsec, child: ChildSa): Promise<ChildUsage> => {
    const at = endpoints.get(child);
    const find = (dst: string | undefined, spi: number): Promise<{ bytes: number; packets: number }> =>
      dst === undefined ? Promise.resolve({ bytes: 0, packets: 0 }) : k.querySa({ dst, spi, protocol: 'esp' }).catch(() => ({ bytes: 0, packets: 0 }));
    const i = await find(at?.local, child.spiIn);
    const o = await find(at?.remote, child.spiOut);
    return { bytesIn: i.bytes, packetsIn: i.packets, bytesOut: o.bytes, packetsOut: o.packets };
  };

  const retire = async (k: KernelIpsec | undefined, child: ChildSa): Promise<void> => {
    if (!k) return;
    retired.set(child.uniqueId, await measure(k, child).catch(() => ({ bytesIn: 0, packetsIn: 0, bytesOut: 0, packetsOut: 0 })));
    for (const key of retired.keys()) {
      if (retired.size <= RETIRED_MAX) break;
      retired.delete(key);
    }
  };

  return {
    async install(ike, child) {
      endpoints.set(child, { local: ike.local.address, remote: ike.remote.address });
      const sharing = users.get(child.reqid);
      const existing = where.get(child.reqid);
      if (sharing?.size && existing) {
        // Rekey: new SAs under the reqid whose policies are in place.
        await installAll(existing, ike, child, false);
        sharing.add(child);
        child.dataPath = existing.kind;
        return;
      }
      users.set(child.reqid, new Set([child]));
      if (mode !== 'userspace' && !kernelLacksEsp) {
        try {
          await installAll(xfrm, ike, child, true);
          where.set(child.reqid, xfrm);
          child.dataPath = 'xfrm';
          return;
        } catch (error) {
          await xfrm.flush([child.reqid]).catch(() => undefined);
          // A kernel without ESP refuses the state for the missing ESP type or, with AEAD
          // transforms, already for the missing algorithm: kernel-xfrm.ts classifies both NO_ESP.
          const fallback = error instanceof KernelError && ['NO_ESP', 'XFRM_FAILED'].includes(error.code);
          if (!fallback || mode !== 'auto') throw error;
          const code = (error as KernelError).code;
          if (code === 'NO_ESP') {
            kernelLacksEsp = true;
            if (!noEspLogged) log.error({ event: 'kernel.no-esp', code, reqid: child.reqid }, `installing CHILD_SA states via XFRM failed: NO_ESP: ${NO_ESP_MESSAGE}`);
            noEspLogged = true;
          } else {
            log.warn({ event: 'kernel.xfrm-failed', code, reqid: child.reqid, error: (error as Error).message }, `installing CHILD_SA states via XFRM failed: ${code}: ${(error as Error).message}; using the userspace data path`);
          }
        }
      }
      const dp = await openUserspace();
      await installAll(dp, ike, child, true);
      where.set(child.reqid, dp);
      child.dataPath = 'userspace';
      await mirrorPolicies(ike, child);
    },
    async uninstall(ike, child) {
      const k = where.get(child.reqid);
      const sharing = users.get(child.reqid);
      await retire(k, child);
      sharing?.delete(child);
      if (sharing?.size) {
        // Another CHILD_SA (the rekeyed one) still uses the policies: only this one's SAs go.
        const { inbound, outbound } = saConfigs(ike, child);
        await k?.deleteSa({ dst: inbound.dst, spi: inbound.spi, protocol: 'esp' }).catch(() => undefined);
        await k?.deleteSa({ dst: outbound.dst, spi: outbound.spi, protocol: 'esp' }).catch(() => undefined);
        return;
      }
      users.delete(child.reqid);
      where.delete(child.reqid);
      await k?.flush([child.reqid]);
      // The if_id policies mirrored next to the userspace path.
      if (k && k !== xfrm) await xfrm.flush([child.reqid]).catch(() => undefined);
    },
    async usage(child) {
      const k = users.get(child.reqid)?.has(child) ? where.get(child.reqid) : undefined;
      if (!k) return retired.get(child.uniqueId) ?? { bytesIn: 0, packetsIn: 0, bytesOut: 0, packetsOut: 0 };
      return measure(k, child);
    },
    onEsp(data, remote) {
      userspace?.handleEspDatagram(data, remote);
    },
    setSender(f) {
      sender = f;
      userspace?.setSender(f);
    },
    async close() {
      await userspace?.close();
      await xfrm.close();
    },
  };
}
