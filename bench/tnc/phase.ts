/**
 * The posture phase: full assessments per second (EAP-TTLS + inner EAP-MD5 + PT-EAP/PB-TNC with
 * the OS and Scanner IMVs) on our PDP and on strongSwan's tnc-pdp, one after the other, with the
 * same load (bench/load/tnc-child.ts) at each concurrency.
 *
 * Both servers and their load generators run in one network namespace made for the run (charon
 * needs one: socket-default and kernel-libipsec; ours is put there too so both see the same
 * loopback), on its 127.0.0.1. Per phase it records the server's CPU time including reaped child
 * processes (strongSwan runs imv_policy_manager twice per session), the machine's busy time, and
 * the server's RSS sampled every 50 ms: memory per in-flight assessment = (peak RSS of the measured
 * phase - RSS just before the phase) / concurrency.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nsExec, NetnsSet, type Netns } from '../../integration/lib/netns.js';
import { startProc, type Proc, type Scope } from '../../integration/lib/proc.js';
import { ensureStrongswanTnc } from '../../integration/lib/strongswan-tnc.js';
import { startStrongswanTncPdp } from '../../integration/lib/strongswan-tnc-pdp.js';
import { MEASURE_END, MEASURE_START, RESULT_PREFIX } from '../load/job.js';
import type { TncLoadJob, TncLoadResult } from '../load/tnc-child.js';
import { machineBusyMs, memory, processName } from '../procfs.js';
import { REPO_ROOT, ourConfig, type ServerSetup } from '../servers.js';
import { BENCH_SECRET } from '../users.js';
import { loadDeviceFiles } from './devices.js';
import { osInfoFrom } from '../../imc-imv/index.js';
import { ourPosture, strongswanPolicy } from './policy.js';

export type TncServerKind = 'ours' | 'strongswan';

const AUTH_PORT = 18120;
const ACCT_PORT = 18130;

export interface TncServer {
  readonly kind: TncServerKind;
  readonly pid: number;
  readonly description: string;
  stop(): Promise<void>;
}

export interface TncPhase {
  readonly concurrency: number;
  readonly result: TncLoadResult;
  /** Server CPU (all threads, plus children it reaped) over the measured interval. */
  readonly serverCpuMs: number;
  readonly backgroundCpuMs: number;
  readonly rssBeforeKb: number;
  readonly rssPeakKb: number;
}

export interface TncServerResults {
  readonly kind: TncServerKind;
  readonly description: string;
  readonly startupMs: number;
  readonly idleRssKb: number;
  readonly phases: readonly TncPhase[];
}

let ticks: number | undefined;
/** utime + stime + cutime + cstime of `pid`, ms. */
export function cpuWithChildrenMs(pid: number): number {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1000) / ticks;
}

function checkName(proc: Proc, want: string): void {
  const name = processName(proc.pid);
  if (name !== want) throw new Error(`expected ${want} at pid ${proc.pid}, found ${name}`);
}

async function startOurs(scope: Scope, s: ServerSetup, ns: Netns): Promise<TncServer> {
  const base = ourConfig(s, AUTH_PORT, ACCT_PORT) as Record<string, Record<string, unknown>>;
  const config = { ...base, stateDir: join(s.dir, 'tnc-ours-state'), eap: { ...base['eap'], tnc: { method: 'pt-eap' } }, posture: ourPosture() };
  const configPath = join(s.dir, 'tnc-ours.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const [cmd, args] = nsExec(ns.name, process.execPath, [join(REPO_ROOT, 'dist', 'pdp', 'cli.js'), '--config', configPath]);
  const proc = startProc(scope, cmd, args, { name: 'tnc-pdp-ours', cwd: REPO_ROOT });
  let workers = 1;
  const services = new Set<string>();
  await proc.waitForJson(
    (o) => {
      if (o['event'] === 'eap.workers') workers = Number(o['workers']);
      if (o['event'] === 'radius.listening') services.add(String(o['service']));
      return services.size >= 2;
    },
    { timeoutMs: 30_000, what: 'radius.listening for auth and accounting' },
  );
  checkName(proc, 'node');
  return {
    kind: 'ours',
    pid: proc.pid,
    description: `our PDP (dist/pdp/cli.js), workers "auto" = ${workers} EAP worker threads + the RADIUS thread; posture: OS + Scanner IMVs`,
    stop: async () => {
      await proc.stop({ graceMs: 10_000 });
    },
  };
}

async function startStrongswan(scope: Scope, s: ServerSetup, ns: Netns): Promise<TncServer> {
  const ss = await ensureStrongswanTnc({ onProgress: () => undefined });
  const files = loadDeviceFiles();
  const os = osInfoFrom(files.osRelease, 'x86_64');
  const pdp = await startStrongswanTncPdp(scope, {
    name: 'tnc-pdp-strongswan',
    netns: ns.name,
    dir: join(s.dir, 'tnc-strongswan'),
    ss,
    serverName: s.pki.serverName,
    caCertPath: s.pki.caCertPath,
    certPath: s.pki.certPath,
    keyPath: s.pki.keyPath,
    radiusPort: AUTH_PORT,
    radiusSecret: BENCH_SECRET,
    users: s.users,
    policy: strongswanPolicy(`${os.name} ${os.version} ${os.machine}`),
  });
  checkName(pdp.charon.proc, 'charon');
  return {
    kind: 'strongswan',
    pid: pdp.charon.proc.pid,
    description: `strongSwan 5.9.8 charon tnc-pdp (TNC build), imv-os + imv-scanner, SQLite ${pdp.dbPath.split('/').pop()}, imv_policy_manager per session`,
    stop: async () => {
      await pdp.charon.proc.stop({ graceMs: 10_000 });
    },
  };
}

async function loadPhase(scope: Scope, ns: Netns, server: TncServer, job: TncLoadJob): Promise<TncPhase> {
  const [cmd, args] = nsExec(ns.name, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'load', 'tnc-child.ts'), JSON.stringify(job)]);
  const rssBeforeKb = memory(server.pid).rssKb;
  const child = startProc(scope, cmd, args, { name: `load-tnc-${server.kind}`, cwd: REPO_ROOT });
  let rssPeakKb = 0;
  let sampler: NodeJS.Timeout | undefined;
  try {
    const budget = job.hardLimitMs + 10_000;
    await child.waitForLine((l) => l === MEASURE_START, { timeoutMs: budget, what: 'the end of the warm-up' });
    const cpu0 = cpuWithChildrenMs(server.pid);
    const busy0 = machineBusyMs();
    const self0 = process.cpuUsage();
    sampler = setInterval(() => {
      rssPeakKb = Math.max(rssPeakKb, memory(server.pid).rssKb);
    }, 50);
    await child.waitForLine((l) => l === MEASURE_END, { timeoutMs: budget, what: 'the end of the measured phase' });
    clearInterval(sampler);
    rssPeakKb = Math.max(rssPeakKb, memory(server.pid).rssKb);
    const serverCpuMs = cpuWithChildrenMs(server.pid) - cpu0;
    const busyMs = machineBusyMs() - busy0;
    const self = process.cpuUsage(self0);
    const line = await child.waitForLine((l) => l.startsWith(RESULT_PREFIX), { timeoutMs: 30_000, what: 'the load result' });
    const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as TncLoadResult;
    const backgroundCpuMs = Math.max(0, busyMs - serverCpuMs - result.clientCpuMs - (self.user + self.system) / 1000);
    return { concurrency: job.slots, result, serverCpuMs, backgroundCpuMs, rssBeforeKb, rssPeakKb };
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- load generator ---\n${child.tail(30)}`);
  } finally {
    clearInterval(sampler);
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    await child.stop();
  }
}

export function describeTncPhase(p: TncPhase): string {
  const r = p.result;
  const pct = (ms: number): string => `${((100 * ms) / Math.max(1, r.elapsedMs)).toFixed(0)}%`;
  const decisions = Object.entries(r.decisions).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  // JSON turns the NaN of an empty latency summary into null.
  const n = (v: number | null, d: number): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-');
  const reasons = Object.entries(r.reasons).map(([k, v]) => `${k} x${v}`).join('; ');
  return `${n(r.opsPerSec, 1)} assessments/s (${r.ok} ok [${decisions}], ${r.failed} failed, ${r.timeouts} timeouts in ${n(r.elapsedMs / 1000, 1)} s), p50 ${n(r.latency.p50Ms, 1)} ms, p99 ${n(r.latency.p99Ms, 1)} ms, ${n(r.roundTripsPerOp, 1)} round trips; CPU server ${pct(p.serverCpuMs)}, load ${pct(r.clientCpuMs)}, others ${pct(p.backgroundCpuMs)}; RSS ${(p.rssBeforeKb / 1024).toFixed(1)} -> ${(p.rssPeakKb / 1024).toFixed(1)} MB${reasons ? `; failures: ${reasons}` : ''}`;
}

export interface TncBenchOptions {
  readonly concurrency: readonly number[];
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly maxOps: number;
  readonly timeoutSec: number;
}

/** Starts `kind` in a namespace of its own, runs every concurrency, stops it. */
export async function benchTnc(kind: TncServerKind, scope: Scope, setup: ServerSetup, o: TncBenchOptions, progress: (msg: string) => void): Promise<TncServerResults> {
  const nets = new NetnsSet(scope);
  const ns = await nets.add(`bt${kind === 'ours' ? 'o' : 's'}`);
  progress(`tnc ${kind}: starting in namespace ${ns.name}`);
  const t0 = performance.now();
  const server = kind === 'ours' ? await startOurs(scope, setup, ns) : await startStrongswan(scope, setup, ns);
  const startupMs = performance.now() - t0;
  const idleRssKb = memory(server.pid).rssKb;
  progress(`tnc ${kind}: ready in ${(startupMs / 1000).toFixed(1)} s on 127.0.0.1:${AUTH_PORT} (pid ${server.pid}, RSS ${(idleRssKb / 1024).toFixed(1)} MB)`);
  const phases: TncPhase[] = [];
  try {
    for (const c of o.concurrency) {
      const warmupMs = o.warmupSec * 1000;
      const durationMs = o.durationSec * 1000;
      const job: TncLoadJob = {
        port: AUTH_PORT,
        secret: BENCH_SECRET,
        users: setup.users.length,
        slots: c,
        warmupMs,
        durationMs,
        maxOps: o.maxOps,
        hardLimitMs: warmupMs + durationMs + 2 * o.timeoutSec * 1000 + 30_000,
        caPath: setup.pki.caCertPath,
        serverName: setup.pki.serverName,
        timeoutMs: o.timeoutSec * 1000,
      };
      const phase = await loadPhase(scope, ns, server, job);
      phases.push(phase);
      progress(`tnc ${kind}: posture x${c}: ${describeTncPhase(phase)}`);
    }
  } finally {
    await server.stop();
    progress(`tnc ${kind}: stopped`);
  }
  return { kind, description: server.description, startupMs, idleRssKb, phases };
}
