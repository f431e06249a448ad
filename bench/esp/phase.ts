/**
 * The ESP phase: throughput of one tunnel between Debian's charon as the INITIATOR (carol,
 * kernel-libipsec, encap = yes, a virtual IP) and, as the responder (moon),
 *   - ours:       our PEP (tnc-pep, `kernel: userspace`: ESP in this Node process, TUN device);
 *   - strongswan: Debian's charon with kernel-libipsec (ESP in charon's userspace, TUN device).
 * Both data paths are userspace ESP-in-UDP (RFC 3948) on port 4500 over a TUN device, the same
 * ESP proposal, the same MTU class (1400 on each TUN), so the figures compare like with like.
 *
 * Per ESP suite (`aes128gcm16`, `aes128-sha256`) and direction (up: carol -> moon's 10.1.0.1,
 * down: moon's 10.1.0.1 -> carol's virtual IP), one TCP stream (bench/esp/blaster.ts) for
 * `durationSec`: Mbit/s of TCP payload at the receiver, ESP packets/s in the data direction
 * (carol's veth counters), CPU of the responder process and of carol's charon.
 *
 * Namespaces: carol (192.168.0.100) -- veth -- moon (192.168.0.1, 10.1.0.1/16 on an empty bridge).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetnsSet, nsExec, type Netns } from '../../integration/lib/netns.js';
import { startProc, type Proc, type Scope } from '../../integration/lib/proc.js';
import { startCharon, type Charon } from '../../integration/lib/strongswan.js';
import { machineBusyMs } from '../procfs.js';
import { REPO_ROOT } from '../servers.js';
import { cpuWithChildrenMs } from '../tnc/phase.js';
import { BLASTER_READY, BLASTER_RESULT, type BlasterJob, type BlasterResult } from './blaster-job.js';
import { startEspResponder, type EspResponder, type EspResponderKind } from './responders.js';

export const ESP_PSK = 'bench-ESP-psk-Secret-4303';
export const MOON = '192.168.0.1';
export const CAROL = '192.168.0.100';
export const MOON_INSIDE = '10.1.0.1';
const CAROL_PLUGINS = 'random nonce openssl kdf pem pkcs1 pkcs8 x509 revocation constraints pubkey kernel-libipsec kernel-netlink socket-default vici';

export interface EspBenchOptions {
  /** strongSwan ESP proposal strings, one run each. */
  readonly suites: readonly string[];
  readonly durationSec: number;
  readonly directions: readonly EspDirection[];
}

export type EspDirection = 'up' | 'down';

export interface EspRun {
  readonly suite: string;
  readonly direction: EspDirection;
  readonly mbitPerSec: number;
  readonly packetsPerSec: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly responderCpuMs: number;
  readonly initiatorCpuMs: number;
  readonly machineBusyMs: number;
  readonly wallMs: number;
}

export type EspServerResults =
  | { readonly kind: EspResponderKind; readonly available: true; readonly description: string; readonly runs: readonly EspRun[] }
  | { readonly kind: EspResponderKind; readonly available: false; readonly reason: string };

function carolConf(suite: string): string {
  return `connections {
  home {
    version = 2
    remote_addrs = ${MOON}
    vips = 0.0.0.0
    encap = yes
    proposals = aes128-sha256-ecp256
    local {
      auth = psk
      id = carol@esp.bench
    }
    remote {
      auth = psk
      id = moon.esp.bench
    }
    children {
      home {
        remote_ts = 10.1.0.0/16
        esp_proposals = ${suite}
      }
    }
  }
}
secrets {
  ike-moon {
    secret = "${ESP_PSK}"
  }
}
`;
}

/** ESP-in-UDP packets on carol's veth (tx for up, rx for down). */
async function vethPackets(ns: Netns): Promise<{ tx: number; rx: number }> {
  const r = await ns.exec('cat', ['/sys/class/net/eth0/statistics/tx_packets', '/sys/class/net/eth0/statistics/rx_packets']);
  const [tx, rx] = r.stdout.trim().split('\n').map(Number);
  return { tx: tx ?? 0, rx: rx ?? 0 };
}

function blaster(scope: Scope, ns: Netns, job: BlasterJob, name: string): Proc {
  const [cmd, args] = nsExec(ns.name, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'esp', 'blaster.ts'), JSON.stringify(job)]);
  return startProc(scope, cmd, args, { name, cwd: REPO_ROOT });
}

async function oneRun(scope: Scope, carolNs: Netns, moonNs: Netns, carol: Charon, r: EspResponder, vip: string, suite: string, direction: EspDirection, o: EspBenchOptions, port: number): Promise<EspRun> {
  const up = direction === 'up';
  const [recvNs, sendNs] = up ? [moonNs, carolNs] : [carolNs, moonNs];
  const recv = blaster(scope, recvNs, { role: 'recv', host: up ? MOON_INSIDE : '0.0.0.0', port, timeoutMs: (o.durationSec + 60) * 1000 }, `esp-recv-${direction}`);
  try {
    await recv.waitForLine((l) => l === BLASTER_READY, { timeoutMs: 20_000, what: 'the receiver' });
    const p0 = await vethPackets(carolNs);
    const cpu0 = cpuWithChildrenMs(r.pid);
    const ini0 = cpuWithChildrenMs(carol.proc.pid);
    const busy0 = machineBusyMs();
    const t0 = performance.now();
    const send = blaster(scope, sendNs, { role: 'send', host: up ? MOON_INSIDE : vip, port, durationMs: o.durationSec * 1000, localAddress: up ? vip : MOON_INSIDE }, `esp-send-${direction}`);
    try {
      const line = await recv.waitForLine((l) => l.startsWith(BLASTER_RESULT), { timeoutMs: (o.durationSec + 45) * 1000, what: 'the receiver result' });
      const wallMs = performance.now() - t0;
      const responderCpuMs = cpuWithChildrenMs(r.pid) - cpu0;
      const initiatorCpuMs = cpuWithChildrenMs(carol.proc.pid) - ini0;
      const busy = machineBusyMs() - busy0;
      const p1 = await vethPackets(carolNs);
      const res = JSON.parse(line.slice(BLASTER_RESULT.length)) as BlasterResult;
      const seconds = res.firstMs !== undefined && res.lastMs !== undefined ? (res.lastMs - res.firstMs) / 1000 : 0;
      if (res.bytes === 0 || seconds <= 0) throw new Error(`no data through the tunnel (${JSON.stringify(res)}); sender: ${send.tail(5)}`);
      const packets = up ? p1.tx - p0.tx : p1.rx - p0.rx;
      return { suite, direction, bytes: res.bytes, seconds, mbitPerSec: (res.bytes * 8) / seconds / 1e6, packetsPerSec: packets / (wallMs / 1000), responderCpuMs, initiatorCpuMs, machineBusyMs: busy, wallMs };
    } finally {
      await send.stop();
    }
  } finally {
    await recv.stop();
  }
}

/** Starts moon (`kind`) and carol, runs every suite and direction, stops. */
export async function benchEsp(kind: EspResponderKind, scope: Scope, dir: string, o: EspBenchOptions, progress: (msg: string) => void): Promise<EspServerResults> {
  const nets = new NetnsSet(scope);
  const [moonNs, carolNs] = await Promise.all([nets.add(`em${kind === 'ours' ? 'o' : 's'}`), nets.add(`ec${kind === 'ours' ? 'o' : 's'}`)]);
  await nets.veth(moonNs, 'eth0', carolNs, 'eth0');
  await moonNs.addAddress('eth0', `${MOON}/24`);
  await moonNs.addBridge('inside0', [], `${MOON_INSIDE}/16`);
  await carolNs.addAddress('eth0', `${CAROL}/24`);
  let r: EspResponder;
  try {
    r = await startEspResponder(kind, scope, { netns: moonNs.name, dir: join(dir, `esp-${kind}`), address: MOON, id: 'moon.esp.bench', psk: ESP_PSK, suites: o.suites, pool: '10.3.0.0/24', localTs: '10.1.0.0/16' });
  } catch (e) {
    const reason = (e as Error).message.split('\n').slice(0, 3).join(' / ').slice(0, 300);
    progress(`esp ${kind}: not available (${reason})`);
    return { kind, available: false, reason };
  }
  progress(`esp ${kind}: ${r.description} ready (pid ${r.pid})`);
  const carolDir = join(dir, `esp-carol-${kind}`);
  const runs: EspRun[] = [];
  try {
    const carol = await startCharon(scope, { name: `esp-carol-${kind}`, netns: carolNs.name, dir: carolDir, plugins: CAROL_PLUGINS, charonSection: '', swanctlConf: carolConf(o.suites[0] ?? 'aes128gcm16'), logLevels: 'default = 0\n      ike = 1' });
    let port = 5201;
    for (const suite of o.suites) {
      writeFileSync(join(carolDir, 'swanctl', 'swanctl.conf'), carolConf(suite));
      await carol.swanctl(['--load-conns']);
      const init = await carol.initiate('home', 'home', 15);
      if (init.code !== 0) throw new Error(`carol could not set up the tunnel (${suite}):\n${init.stdout.split('\n').slice(-8).join('\n')}\n--- responder ---\n${r.proc.tail(10)}`);
      const listed = (await carol.swanctl(['--list-sas'])).stdout;
      const vip = /^ {2}local {2}'[^']*' @ \S+ \[(10\.3\.0\.\d+)\]/m.exec(listed)?.[1];
      if (!vip) throw new Error(`no virtual IP on carol:\n${listed}`);
      const negotiated = /INSTALLED, TUNNEL-in-UDP, [^\n]*ESP:(\S+)/.exec(listed)?.[1] ?? '?';
      progress(`esp ${kind}: ${suite}: tunnel up, ESP ${negotiated}, carol's virtual IP ${vip}`);
      for (const direction of o.directions) {
        const run = await oneRun(scope, carolNs, moonNs, carol, r, vip, suite, direction, o, port++);
        runs.push(run);
        progress(`esp ${kind}: ${suite} ${direction}: ${describeEspRun(run)}`);
      }
      await carol.swanctl(['--terminate', '--ike', 'home', '--timeout', '10'], 15_000, false);
    }
  } finally {
    await r.proc.stop({ graceMs: 5000 });
    progress(`esp ${kind}: stopped`);
  }
  return { kind, available: true, description: r.description, runs };
}

export function describeEspRun(run: EspRun): string {
  const pct = (ms: number): string => `${((100 * ms) / Math.max(1, run.wallMs)).toFixed(0)}%`;
  const others = Math.max(0, run.machineBusyMs - run.responderCpuMs - run.initiatorCpuMs);
  return `${run.mbitPerSec.toFixed(1)} Mbit/s (${(run.bytes / 1e6).toFixed(1)} MB in ${run.seconds.toFixed(1)} s), ${run.packetsPerSec.toFixed(0)} ESP packets/s; CPU responder ${pct(run.responderCpuMs)}, carol's charon ${pct(run.initiatorCpuMs)}, the rest (blaster, kernel, others) ${pct(others)}`;
}
