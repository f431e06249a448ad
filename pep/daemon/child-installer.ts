/**
 * CHILD_SAs into the data path through the one kernel interface (pep/kernel): both SAs (inbound
 * with our SPI, outbound with the peer's), then the out/in/fwd policies, as strongSwan's
 * child_sa_t install does.
 *
 *   kernel: xfrm       XFRM only (a kernel without ESP refuses the states: NO_ESP, logged)
 *   kernel: userspace  ESP in this process over a TUN device (ESP in UDP on our port 4500)
 *   kernel: auto       XFRM first; when the kernel has no ESP, say so clearly and use userspace
 *
 * In auto mode the XFRM policies are installed (visible in `ip xfrm policy`) before the states;
 * when the state is refused for NO_ESP the policies are removed again, since XFRM policies without
 * states would drop the traffic the userspace path must see.
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

export interface Installer extends ChildInstaller {
  close(): Promise<void>;
  onEsp(data: Buffer, remote: Endpoint): void;
  setSender(f: (b: Buffer, port: number, address: string) => void): void;
  usage(child: ChildSa): Promise<{ bytesIn: number; packetsIn: number; bytesOut: number; packetsOut: number }>;
}

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

async function installAll(k: KernelIpsec, ike: IkeSa, child: ChildSa, policiesFirst: boolean, withPolicies: boolean): Promise<void> {
  const { inbound, outbound } = saConfigs(ike, child);
  const ps = withPolicies ? policies(ike, child) : [];
  if (policiesFirst) for (const p of ps) await k.installPolicy(p);
  await k.installSa(inbound);
  await k.installSa(outbound);
  if (!policiesFirst) for (const p of ps) await k.installPolicy(p);
}

export async function createChildInstaller(mode: KernelMode, log: Logger, tunName = 'ipsec0'): Promise<Installer> {
  let userspace: UserspaceDataPath | undefined;
  let opening: Promise<UserspaceDataPath> | undefined;
  let sender: ((b: Buffer, port: number, address: string) => void) | undefined;
  const xfrm = mode === 'userspace' ? undefined : new XfrmKernelIpsec();
  const where = new Map<number, KernelIpsec>();
  /** CHILD_SAs per reqid: a rekeyed CHILD_SA shares its predecessor's reqid and policies (RFC 7296 2.8). */
  const users = new Map<number, Set<ChildSa>>();
  let noEspLogged = false;

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

  return {
    async install(ike, child) {
      const sharing = users.get(child.reqid);
      const existing = where.get(child.reqid);
      if (sharing?.size && existing) {
        // Rekey: new SAs under the reqid whose policies are in place.
        await installAll(existing, ike, child, false, false);
        sharing.add(child);
        child.dataPath = existing.kind;
        return;
      }
      users.set(child.reqid, new Set([child]));
      if (xfrm) {
        try {
          await installAll(xfrm, ike, child, mode === 'auto', true);
          where.set(child.reqid, xfrm);
          child.dataPath = 'xfrm';
          return;
        } catch (error) {
          await xfrm.flush([child.reqid]).catch(() => undefined);
          // A kernel without ESP refuses the state either for the missing ESP type (NO_ESP) or,
          // with AEAD transforms, already for the missing algorithm (XFRM_FAILED "Requested AEAD
          // algorithm not found", classified NOT_FOUND by pep/kernel today): all mean the kernel cannot carry this CHILD_SA.
          const fallback = error instanceof KernelError && ['NO_ESP', 'XFRM_FAILED', 'NOT_FOUND'].includes(error.code);
          if (!fallback || mode !== 'auto') throw error;
          const code = (error as KernelError).code;
          if (code === 'NO_ESP' && !noEspLogged) {
            log.error({ event: 'kernel.no-esp', code, reqid: child.reqid }, `installing CHILD_SA states via XFRM failed: NO_ESP: ${NO_ESP_MESSAGE}`);
            noEspLogged = true;
          } else {
            log.warn({ event: 'kernel.xfrm-failed', code, reqid: child.reqid, error: (error as Error).message }, `installing CHILD_SA states via XFRM failed: ${code}: ${(error as Error).message}; using the userspace data path`);
          }
        }
      }
      const dp = await openUserspace();
      await installAll(dp, ike, child, false, true);
      where.set(child.reqid, dp);
      child.dataPath = 'userspace';
    },
    async uninstall(ike, child) {
      const k = where.get(child.reqid);
      const sharing = users.get(child.reqid);
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
    },
    async usage(child) {
      const k = where.get(child.reqid);
      if (!k) return { bytesIn: 0, packetsIn: 0, bytesOut: 0, packetsOut: 0 };
      const find = async (spi: number) => {
        const dp = k as UserspaceDataPath;
        const s = typeof dp.listSas === 'function' ? dp.listSas().find((x) => x.spi === spi) : undefined;
        return s ?? { bytes: 0, packets: 0 };
      };
      const i = await find(child.spiIn);
      const o = await find(child.spiOut);
      return { bytesIn: i.bytes, packetsIn: i.packets, bytesOut: o.bytes, packetsOut: o.packets };
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
      await xfrm?.close();
    },
  };
}
