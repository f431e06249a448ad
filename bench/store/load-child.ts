/**
 * The posture load generator of the store phase: bench/load/tnc.ts (the same full assessments as
 * the tnc phase, through bench/load/tnc-child.ts's protocol: BENCH measure-start, BENCH
 * measure-end, BENCH-RESULT {json}) spread over one or more PDP instances:
 *
 *   node --import tsx bench/store/load-child.ts '<StoreLoadJob JSON>'
 *
 * With several ports, device i is assessed by instance i % ports.length for its whole
 * conversation (each NAS-side conversation stays on the instance it started on: half the traffic
 * to each of two instances, no forwarding needed). Exits by itself after job.hardLimitMs; talks to
 * 127.0.0.1 only.
 */
import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { closedLoop, UserPool, type OpOutcome } from '../load/closed-loop.js';
import { MEASURE_END, MEASURE_START, RESULT_PREFIX } from '../load/job.js';
import type { TncLoadJob, TncLoadResult } from '../load/tnc-child.js';
import { tncOperation } from '../load/tnc.js';
import { loadDeviceFiles } from '../tnc/devices.js';
import { benchUsers } from '../users.js';

export interface StoreLoadJob extends Omit<TncLoadJob, 'port'> {
  /** RADIUS auth ports of the instances (127.0.0.1). */
  readonly ports: readonly number[];
}

const MACHINE: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

async function main(job: StoreLoadJob): Promise<TncLoadResult> {
  if (job.slots > job.users) throw new Error('more slots than users');
  if (job.ports.length < 1) throw new Error('no port');
  const users = benchUsers(job.users);
  const files = loadDeviceFiles();
  const caPem = readFileSync(job.caPath, 'utf8');
  const ops = job.ports.map((port) => tncOperation(users, files, { host: '127.0.0.1', port, secret: job.secret, caPem, serverName: job.serverName, timeoutMs: job.timeoutMs, machine: MACHINE[arch()] ?? arch() }));
  const op = (user: number): Promise<OpOutcome> => (ops[user % ops.length] as (typeof ops)[number]).op(user);
  const clear = (): void => {
    for (const t of ops) for (const k of Object.keys(t.decisions)) delete t.decisions[k];
  };
  const pool = new UserPool(users.length);
  if (job.warmupMs > 0) await closedLoop({ slots: job.slots, durationMs: job.warmupMs, maxOps: job.maxOps }, pool, op);
  clear();
  process.stdout.write(`${MEASURE_START}\n`);
  const cpu0 = process.cpuUsage();
  const r = await closedLoop({ slots: job.slots, durationMs: job.durationMs, maxOps: job.maxOps }, pool, op);
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${MEASURE_END}\n`);
  const decisions: Record<string, number> = {};
  for (const t of ops) for (const [k, v] of Object.entries(t.decisions)) decisions[k] = (decisions[k] ?? 0) + v;
  return {
    kind: 'tnc',
    ok: r.ok,
    failed: r.failed,
    timeouts: r.timeouts,
    reasons: r.reasons,
    elapsedMs: r.elapsedMs,
    opsPerSec: r.elapsedMs > 0 ? (r.ok / r.elapsedMs) * 1000 : 0,
    latency: r.latency,
    roundTripsPerOp: r.ops > 0 ? r.roundTrips / r.ops : 0,
    retransmissions: 0,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    decisions,
  };
}

const job = JSON.parse(process.argv[2] ?? '{}') as StoreLoadJob;
setTimeout(() => {
  process.stderr.write(`store load generator: hard limit of ${job.hardLimitMs} ms reached\n`);
  process.exit(3);
}, job.hardLimitMs).unref();
main(job).then(
  (result) => {
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  },
  (e: unknown) => {
    process.stderr.write(`store load generator failed: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
