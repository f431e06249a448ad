/**
 * The IKE phase: IKE_SA set-ups per second (IKE_SA_INIT + IKE_AUTH with a CHILD_SA and a virtual
 * IP) on our PEP (tnc-pep) and on Debian's strongSwan charon as responders, driven by the same
 * initiator (bench/ike/load-child.ts), once with PSK and once with EAP-MD5 relayed over RADIUS to
 * FreeRADIUS (see startRadius), plus memory per established IKE_SA.
 *
 * Each responder runs in a network namespace of its own with its own FreeRADIUS instance (same config)
 * and its load generator, all on that namespace's 127.0.0.1; 10.1.0.1/16 sits on an empty bridge
 * (kernel-libipsec needs an address in local_ts). Per mode and concurrency: a closed loop, each
 * SA deleted right after it is established (the latency is set-up only). Then `holdCount` PSK SAs
 * are established and kept: memory per SA = (responder RSS with them - RSS before) / count.
 * When our PEP is missing or does not start, its column says why and charon is measured anyway.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetnsSet, nsExec, type Netns } from '../../integration/lib/netns.js';
import { startProc, type Proc, type Scope } from '../../integration/lib/proc.js';
import { MEASURE_END, MEASURE_START, RESULT_PREFIX } from '../load/job.js';
import { machineBusyMs, memory, processName } from '../procfs.js';
import { startFreeradius } from '../../integration/lib/freeradius.js';
import { makePdpConfig } from '../../integration/lib/pdp-config.js';
import { REPO_ROOT, type ServerSetup } from '../servers.js';
import { BENCH_SECRET } from '../users.js';
import { cpuWithChildrenMs } from '../tnc/phase.js';
import { addLocalTsAddress, startCharonResponder } from './charon-responder.js';
import { DELETED_PREFIX, HELD_PREFIX, type HeldResult, type IkeLoadJob, type IkeLoadResult } from './job.js';
import { startPepResponder } from './pep-responder.js';

export type IkeServerKind = 'ours' | 'strongswan';
export type IkeMode = 'psk' | 'eap-md5';

const RADIUS_PORT = 18120;
const ACCT_PORT = 18130;
export const IKE_PSK = 'bench-IKE-psk-Secret-7296';
const LOCAL_TS = '10.1.0.0/16';
const POOL = '10.3.0.0/16';

export interface IkeBenchOptions {
  readonly modes: readonly IkeMode[];
  readonly concurrency: readonly number[];
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly maxOps: number;
  readonly holdCount: number;
  readonly ike: string;
  readonly esp: string;
  readonly timeoutMs: number;
  /** strongSwan proposal strings for the responders (the initiator's suite). */
  readonly ikeProposal: string;
  readonly espProposal: string;
}

export interface IkePhase {
  readonly mode: IkeMode;
  readonly concurrency: number;
  readonly result: IkeLoadResult;
  readonly serverCpuMs: number;
  /** The RADIUS server's CPU (EAP-MD5 only). */
  readonly radiusCpuMs: number;
  readonly backgroundCpuMs: number;
  readonly rssBeforeKb: number;
  readonly rssPeakKb: number;
}

export interface IkeMemory {
  readonly held: number;
  readonly failed: number;
  readonly rssBeforeKb: number;
  readonly rssHeldKb: number;
  readonly kbPerSa: number;
}

export type IkeServerResults =
  | {
      readonly kind: IkeServerKind;
      readonly available: true;
      readonly description: string;
      readonly startupMs: number;
      readonly idleRssKb: number;
      readonly phases: readonly IkePhase[];
      readonly memory?: IkeMemory;
    }
  | { readonly kind: IkeServerKind; readonly available: false; readonly reason: string };

interface Responder {
  readonly pid: number;
  readonly description: string;
  readonly proc: Proc;
}

/**
 * The RADIUS server both responders relay EAP-MD5 to: FreeRADIUS 3.2 (integration/lib/freeradius.ts,
 * the same users). Our PDP would be the natural choice, but it refuses a key-less outer method by
 * policy ("MD5-Challenge derives no MSK": a tunnel needs MPPE keys); FreeRADIUS accepts EAP-MD5
 * (after the peer's Nak of its default EAP-TTLS: one more round trip, the same for both).
 */
async function startRadius(scope: Scope, setup: ServerSetup, ns: Netns): Promise<Proc> {
  const config = makePdpConfig({
    stateDir: join(setup.dir, `ike-radius-${ns.name}`),
    auth: { address: '127.0.0.1', port: RADIUS_PORT },
    accounting: { address: '127.0.0.1', port: ACCT_PORT },
    clients: [{ name: 'gateway', address: '127.0.0.1/32', secret: BENCH_SECRET, requireMessageAuthenticator: true }],
    users: setup.users,
  });
  const server = await startFreeradius(scope, config, { netns: ns.name, tls: { caCertPath: setup.pki.caCertPath, certPath: setup.pki.certPath, keyPath: setup.pki.keyPath }, readyTimeoutMs: 30_000 });
  return server.proc;
}

async function startResponder(kind: IkeServerKind, scope: Scope, setup: ServerSetup, ns: Netns, o: IkeBenchOptions): Promise<Responder> {
  const common = {
    netns: ns.name,
    address: '127.0.0.1',
    id: setup.pki.serverName,
    psk: IKE_PSK,
    certPath: setup.pki.certPath,
    keyPath: setup.pki.keyPath,
    caCertPath: setup.pki.caCertPath,
    ikeProposal: o.ikeProposal,
    espProposal: o.espProposal,
    pool: POOL,
    localTs: LOCAL_TS,
  };
  if (kind === 'strongswan') {
    const charon = await startCharonResponder(scope, { ...common, name: 'ike-charon', dir: join(setup.dir, 'ike-charon'), eap: { kind: 'radius', address: '127.0.0.1', port: RADIUS_PORT, secret: BENCH_SECRET } });
    const name = processName(charon.proc.pid);
    if (name !== 'charon') throw new Error(`expected charon at pid ${charon.proc.pid}, found ${name}`);
    return { pid: charon.proc.pid, proc: charon.proc, description: 'strongSwan 5.9.8 charon (Debian), swanctl, 16 threads, kernel-libipsec, eap-radius; log level 1' };
  }
  const pep = await startPepResponder(scope, { ...common, dir: join(setup.dir, 'ike-pep'), radius: { address: '127.0.0.1', port: RADIUS_PORT, secret: BENCH_SECRET } });
  return { pid: pep.pid, proc: pep.proc, description: pep.description };
}

function loadJob(setup: ServerSetup, o: IkeBenchOptions, mode: IkeMode, extra: Partial<IkeLoadJob>): IkeLoadJob {
  const users = setup.users;
  return {
    mode: 'loop',
    remote: { address: '127.0.0.1', port: 500 },
    ike: o.ike,
    esp: o.esp,
    responderId: setup.pki.serverName,
    trust: mode === 'psk' ? { kind: 'psk', secret: IKE_PSK } : { kind: 'pubkey', caPath: setup.pki.caCertPath },
    auth: mode,
    secret: IKE_PSK,
    users: users.map((u) => u.name),
    passwords: users.map((u) => u.password),
    domain: mode === 'psk' ? 'psk.bench' : 'eap.bench',
    virtualIp: true,
    slots: 1,
    timeoutMs: o.timeoutMs,
    tries: 3,
    reuseDhKey: true,
    hardLimitMs: (o.warmupSec + o.durationSec) * 1000 + 8 * o.timeoutMs + 30_000,
    ...extra,
  };
}

function startLoad(scope: Scope, ns: Netns, job: IkeLoadJob, name: string): Proc {
  const [cmd, args] = nsExec(ns.name, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'ike', 'load-child.ts'), JSON.stringify(job)]);
  return startProc(scope, cmd, args, { name, cwd: REPO_ROOT });
}

async function measure(scope: Scope, ns: Netns, r: Responder, radius: Proc, job: IkeLoadJob, mode: IkeMode): Promise<IkePhase> {
  const rssBeforeKb = memory(r.pid).rssKb;
  const child = startLoad(scope, ns, job, `load-ike-${mode}`);
  let rssPeakKb = rssBeforeKb;
  let sampler: NodeJS.Timeout | undefined;
  try {
    const budget = job.hardLimitMs + 10_000;
    await child.waitForLine((l) => l === MEASURE_START, { timeoutMs: budget, what: 'the end of the warm-up' });
    const cpu0 = cpuWithChildrenMs(r.pid);
    const rad0 = cpuWithChildrenMs(radius.pid);
    const busy0 = machineBusyMs();
    sampler = setInterval(() => {
      rssPeakKb = Math.max(rssPeakKb, memory(r.pid).rssKb);
    }, 50);
    await child.waitForLine((l) => l === MEASURE_END, { timeoutMs: budget, what: 'the end of the measured phase' });
    clearInterval(sampler);
    const serverCpuMs = cpuWithChildrenMs(r.pid) - cpu0;
    const radiusCpuMs = cpuWithChildrenMs(radius.pid) - rad0;
    const busyMs = machineBusyMs() - busy0;
    const line = await child.waitForLine((l) => l.startsWith(RESULT_PREFIX), { timeoutMs: 30_000, what: 'the load result' });
    const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as IkeLoadResult;
    const backgroundCpuMs = Math.max(0, busyMs - serverCpuMs - result.clientCpuMs - (mode === 'eap-md5' ? radiusCpuMs : 0));
    return { mode, concurrency: job.slots, result, serverCpuMs, radiusCpuMs: mode === 'eap-md5' ? radiusCpuMs : 0, backgroundCpuMs, rssBeforeKb, rssPeakKb };
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- load generator ---\n${child.tail(30)}\n--- responder ---\n${r.proc.tail(20)}`);
  } finally {
    clearInterval(sampler);
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    await child.stop();
  }
}

async function holdMemory(scope: Scope, ns: Netns, r: Responder, setup: ServerSetup, o: IkeBenchOptions): Promise<IkeMemory> {
  const releaseFile = join(setup.dir, `ike-release-${r.pid}`);
  const job = loadJob(setup, o, 'psk', { mode: 'hold', count: o.holdCount, slots: 32, releaseFile, hardLimitMs: 180_000 });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const rssBeforeKb = memory(r.pid).rssKb;
  const child = startLoad(scope, ns, job, 'hold-ike');
  try {
    const line = await child.waitForLine((l) => l.startsWith(HELD_PREFIX), { timeoutMs: 150_000, what: 'the held SAs' });
    const held = JSON.parse(line.slice(HELD_PREFIX.length)) as HeldResult;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const rssHeldKb = memory(r.pid).rssKb;
    writeFileSync(releaseFile, '');
    await child.waitForLine((l) => l.startsWith(DELETED_PREFIX), { timeoutMs: 60_000, what: 'the deletes' });
    return { held: held.ok, failed: held.failed, rssBeforeKb, rssHeldKb, kbPerSa: held.ok > 0 ? (rssHeldKb - rssBeforeKb) / held.ok : NaN };
  } finally {
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    await child.stop();
  }
}

export function describeIkePhase(p: IkePhase): string {
  const r = p.result;
  const pct = (ms: number): string => `${((100 * ms) / Math.max(1, r.elapsedMs)).toFixed(0)}%`;
  const n = (v: number | null, d: number): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-');
  const reasons = Object.entries(r.reasons).map(([k, v]) => `${k} x${v}`).join('; ');
  return `${n(r.opsPerSec, 1)} IKE_SAs/s (${r.ok} ok, ${r.failed} failed, ${r.timeouts} timeouts in ${n(r.elapsedMs / 1000, 1)} s), p50 ${n(r.latency.p50Ms, 1)} ms, p99 ${n(r.latency.p99Ms, 1)} ms, ${n(r.roundTripsPerOp, 1)} round trips, ${r.retransmissions} retransmits; CPU server ${pct(p.serverCpuMs)}${p.mode === 'eap-md5' ? `, RADIUS ${pct(p.radiusCpuMs)}` : ''}, load ${pct(r.clientCpuMs)}, others ${pct(p.backgroundCpuMs)}${reasons ? `; failures: ${reasons}` : ''}`;
}

/** Starts `kind` (and its PDP) in a namespace of its own, runs every mode and level, the memory hold, stops. */
export async function benchIke(kind: IkeServerKind, scope: Scope, setup: ServerSetup, o: IkeBenchOptions, progress: (msg: string) => void): Promise<IkeServerResults> {
  const nets = new NetnsSet(scope);
  const ns = await nets.add(`bi${kind === 'ours' ? 'o' : 's'}`);
  await addLocalTsAddress(ns, '10.1.0.1/16');
  progress(`ike ${kind}: starting in namespace ${ns.name}`);
  const radius = await startRadius(scope, setup, ns);
  const t0 = performance.now();
  let r: Responder;
  try {
    r = await startResponder(kind, scope, setup, ns, o);
  } catch (e) {
    const reason = (e as Error).message.split('\n').slice(0, 3).join(' / ').slice(0, 300);
    progress(`ike ${kind}: not available (${reason})`);
    await radius.stop();
    return { kind, available: false, reason };
  }
  const startupMs = performance.now() - t0;
  const idleRssKb = memory(r.pid).rssKb;
  progress(`ike ${kind}: ready in ${(startupMs / 1000).toFixed(1)} s (pid ${r.pid}, RSS ${(idleRssKb / 1024).toFixed(1)} MB)`);
  const phases: IkePhase[] = [];
  let mem: IkeMemory | undefined;
  try {
    for (const mode of o.modes) {
      for (const c of o.concurrency) {
        const job = loadJob(setup, o, mode, { slots: Math.min(c, setup.users.length), warmupMs: o.warmupSec * 1000, durationMs: o.durationSec * 1000, maxOps: o.maxOps });
        const phase = await measure(scope, ns, r, radius, job, mode);
        phases.push(phase);
        progress(`ike ${kind}: ${mode} x${c}: ${describeIkePhase(phase)}`);
        if (phase.result.ok === 0 && mode === 'eap-md5') {
          const warn = r.proc.tail(200).split('\n').filter((l) => /"level":(40|50)|no MSK|MS-MPPE/.test(l)).slice(-1).join('');
          progress(`ike ${kind}: the RADIUS server's last lines:\n${radius.tail(4)}${warn ? `\nthe responder's last warning: ${warn.slice(0, 400)}` : ''}`);
        }
      }
    }
    if (kind === 'ours' && phases.every((p) => p.result.ok === 0)) {
      const first = phases[0]?.result.reasons;
      return { kind, available: false, reason: `no IKE_SA established: ${first ? (Object.keys(first)[0] ?? 'timeouts') : 'no phase'}` };
    }
    {
      {
      }
    }
    if (o.holdCount > 0) {
      mem = await holdMemory(scope, ns, r, setup, o);
      progress(`ike ${kind}: ${mem.held} PSK IKE_SAs held (${mem.failed} failed): RSS ${(mem.rssBeforeKb / 1024).toFixed(1)} -> ${(mem.rssHeldKb / 1024).toFixed(1)} MB, ${mem.kbPerSa.toFixed(1)} KB per IKE_SA`);
    }
  } finally {
    await r.proc.stop({ graceMs: 10_000 });
    await radius.stop();
    progress(`ike ${kind}: stopped`);
  }
  return { kind, available: true, description: r.description, startupMs, idleRssKb, phases, ...(mem ? { memory: mem } : {}) };
}
