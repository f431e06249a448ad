/**
 * The load-generator process (own event loop, own CPU accounting): runs one job, a warm-up then a
 * measured phase, and reports on stdout:
 *
 *   BENCH measure-start          after the warm-up (the parent samples the server's CPU here)
 *   BENCH measure-end            when every measured operation has ended
 *   BENCH-RESULT {json}          the LoadResult
 *
 *   node --import tsx bench/load/child.ts '<LoadJob JSON>'
 *
 * It exits by itself after job.hardLimitMs whatever happens, and only talks to 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { closedLoop, UserPool, type LoopResult } from './closed-loop.js';
import { RadiusMux } from './mux.js';
import { papOperation } from './pap.js';
import { MEASURE_END, MEASURE_START, RESULT_PREFIX, type LoadJob } from './job.js';
import type { LoadResult } from './stats.js';
import { ttlsOperation } from './ttls.js';
import { benchUsers } from '../users.js';


async function main(job: LoadJob): Promise<LoadResult> {
  if (job.slots > job.users) throw new Error('more slots than users');
  const mux = await RadiusMux.open({
    address: '127.0.0.1',
    port: job.port,
    secret: job.secret,
    sockets: Math.max(1, Math.ceil(job.slots / 128)),
    timeoutMs: 2000,
    tries: job.kind === 'pap' ? 1 : 3,
  });
  try {
    const users = benchUsers(job.users);
    const pool = new UserPool(users.length);
    let op;
    let sniffed: LoadResult['tls'] | (() => LoadResult['tls']) = undefined;
    if (job.kind === 'pap') {
      op = papOperation(mux, users, job.secret);
    } else {
      const t = ttlsOperation(mux, users, {
        secret: job.secret,
        caPem: readFileSync(job.caPath ?? '', 'utf8'),
        serverName: job.serverName ?? '',
        fragmentSize: job.fragmentSize ?? 1024,
        maxRounds: 64,
      });
      op = t.op;
      sniffed = t.sniffed;
    }
    if (job.warmupMs > 0) await closedLoop({ slots: job.slots, durationMs: job.warmupMs, maxOps: job.maxOps }, pool, op);
    process.stdout.write(`${MEASURE_START}\n`);
    const retransmitsBefore = mux.retransmissions;
    const cpu0 = process.cpuUsage();
    const r: LoopResult = await closedLoop({ slots: job.slots, durationMs: job.durationMs, maxOps: job.maxOps }, pool, op);
    const cpu = process.cpuUsage(cpu0);
    process.stdout.write(`${MEASURE_END}\n`);
    const tls = typeof sniffed === 'function' ? sniffed() : undefined;
    return {
      kind: job.kind,
      ok: r.ok,
      failed: r.failed,
      timeouts: r.timeouts,
      reasons: r.reasons,
      elapsedMs: r.elapsedMs,
      opsPerSec: r.elapsedMs > 0 ? (r.ok / r.elapsedMs) * 1000 : 0,
      latency: r.latency,
      roundTripsPerOp: r.ops > 0 ? r.roundTrips / r.ops : 0,
      retransmissions: mux.retransmissions - retransmitsBefore,
      clientCpuMs: (cpu.user + cpu.system) / 1000,
      ...(tls ? { tls } : {}),
    };
  } finally {
    mux.close();
  }
}

const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
setTimeout(() => {
  process.stderr.write(`load generator: hard limit of ${job.hardLimitMs} ms reached\n`);
  process.exit(3);
}, job.hardLimitMs).unref();
main(job).then(
  (result) => {
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  },
  (e: unknown) => {
    process.stderr.write(`load generator failed: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
