/**
 * The posture load-generator process (bench/load/child.ts's protocol: BENCH measure-start,
 * BENCH measure-end, BENCH-RESULT {json}), running bench/load/tnc.ts in a closed loop:
 *
 *   node --import tsx bench/load/tnc-child.ts '<TncLoadJob JSON>'
 *
 * It exits by itself after job.hardLimitMs whatever happens, and only talks to 127.0.0.1 (of the
 * network namespace it runs in).
 */
import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { closedLoop, UserPool } from './closed-loop.js';
import { MEASURE_END, MEASURE_START, RESULT_PREFIX } from './job.js';
import type { LoadResult } from './stats.js';
import { tncOperation } from './tnc.js';
import { loadDeviceFiles } from '../tnc/devices.js';
import { benchUsers } from '../users.js';

export interface TncLoadJob {
  readonly port: number;
  readonly secret: string;
  readonly users: number;
  readonly slots: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly maxOps: number;
  readonly hardLimitMs: number;
  readonly caPath: string;
  readonly serverName: string;
  /** Deadline of one assessment. */
  readonly timeoutMs: number;
}

/** LoadResult plus the decisions of the successful assessments. */
export type TncLoadResult = Omit<LoadResult, 'kind'> & { readonly kind: 'tnc'; readonly decisions: Record<string, number> };

const MACHINE: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

async function main(job: TncLoadJob): Promise<TncLoadResult> {
  if (job.slots > job.users) throw new Error('more slots than users');
  const users = benchUsers(job.users);
  const t = tncOperation(users, loadDeviceFiles(), {
    host: '127.0.0.1',
    port: job.port,
    secret: job.secret,
    caPem: readFileSync(job.caPath, 'utf8'),
    serverName: job.serverName,
    timeoutMs: job.timeoutMs,
    machine: MACHINE[arch()] ?? arch(),
  });
  const pool = new UserPool(users.length);
  if (job.warmupMs > 0) await closedLoop({ slots: job.slots, durationMs: job.warmupMs, maxOps: job.maxOps }, pool, t.op);
  for (const k of Object.keys(t.decisions)) delete t.decisions[k];
  process.stdout.write(`${MEASURE_START}\n`);
  const cpu0 = process.cpuUsage();
  const r = await closedLoop({ slots: job.slots, durationMs: job.durationMs, maxOps: job.maxOps }, pool, t.op);
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${MEASURE_END}\n`);
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
    decisions: { ...t.decisions },
  };
}

const job = JSON.parse(process.argv[2] ?? '{}') as TncLoadJob;
setTimeout(() => {
  process.stderr.write(`tnc load generator: hard limit of ${job.hardLimitMs} ms reached\n`);
  process.exit(3);
}, job.hardLimitMs).unref();
main(job).then(
  (result) => {
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  },
  (e: unknown) => {
    process.stderr.write(`tnc load generator failed: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
