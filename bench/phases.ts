/**
 * The measured phases against one running server. Each records the server's CPU time (from /proc)
 * over exactly the measured interval, so "server CPU per operation" does not depend on how much
 * of the machine the load generator took.
 */
import { join } from 'node:path';
import { radclient } from '../integration/lib/radclient.js';
import { startProc, type Scope } from '../integration/lib/proc.js';
import { MEASURE_END, MEASURE_START, RESULT_PREFIX, type LoadJob } from './load/job.js';
import type { LoadResult } from './load/stats.js';
import { cpuMs, machineBusyMs, mainThreadCpuMs } from './procfs.js';
import { REPO_ROOT, type BenchServer } from './servers.js';
import { BENCH_SECRET, LOOPBACK, type BenchUser } from './users.js';

export interface RadclientPhase {
  readonly sent: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly lost: number;
  readonly elapsedMs: number;
  readonly opsPerSec: number;
  readonly serverCpuMs: number;
  readonly exitCode: number | null;
}

/** `radclient -q -s -r 1 -t 2 -c REPEAT -p PARALLEL -f FILE`: each user once per pass of the file. */
export async function radclientPhase(
  server: BenchServer,
  users: readonly BenchUser[],
  dir: string,
  repeat: number,
  parallel: number,
): Promise<RadclientPhase> {
  const content = users
    .map((u) => `User-Name = "${u.name}"\nUser-Password = "${u.password}"\nMessage-Authenticator = 0x00`)
    .join('\n\n');
  const cpu0 = cpuMs(server.pid);
  const r = await radclient({
    server: { address: LOOPBACK, port: server.authPort },
    command: 'auth',
    secret: BENCH_SECRET,
    requests: content,
    dir,
    retries: 1,
    timeoutSec: 2,
    count: repeat,
    parallel,
    verbose: false,
  });
  const serverCpuMs = cpuMs(server.pid) - cpu0;
  const field = (name: string): number => Number(new RegExp(`^\\s*${name}\\s*:\\s*(\\d+)`, 'm').exec(r.stdout)?.[1] ?? NaN);
  const accepted = field('Accepted');
  const rejected = field('Rejected');
  const lost = field('Lost');
  if (Number.isNaN(accepted)) throw new Error(`radclient printed no summary (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  return {
    sent: users.length * repeat,
    accepted,
    rejected,
    lost,
    elapsedMs: r.durationMs,
    opsPerSec: (accepted / r.durationMs) * 1000,
    serverCpuMs,
    exitCode: r.exitCode,
  };
}

export interface LoadPhase {
  readonly result: LoadResult;
  readonly serverCpuMs: number;
  /** Of which the server's main thread (ours: RADIUS I/O, signing, logging; EAP is in workers). */
  readonly serverMainThreadCpuMs: number;
  /**
   * CPU time of everything else on the machine during the measured phase (busy time of all cores
   * minus server, load generator and this process): other work that competed for the cores.
   */
  readonly backgroundCpuMs: number;
}

/** Runs bench/load/child.ts with `job` in its own process and collects its result. */
export async function loadPhase(scope: Scope, server: BenchServer, job: LoadJob, cpuProfDir?: string): Promise<LoadPhase> {
  const prof = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${join(cpuProfDir, `load-${server.kind}-${job.kind}-x${job.slots}`)}`] : [];
  const child = startProc(scope, process.execPath, [...prof, '--import', 'tsx', join(REPO_ROOT, 'bench', 'load', 'child.ts'), JSON.stringify(job)], {
    name: `load-${job.kind}`,
    cwd: REPO_ROOT,
  });
  try {
    const budget = job.hardLimitMs + 10_000;
    await child.waitForLine((l) => l === MEASURE_START, { timeoutMs: budget, what: 'the end of the warm-up' });
    const cpu0 = cpuMs(server.pid);
    const main0 = mainThreadCpuMs(server.pid);
    const busy0 = machineBusyMs();
    const self0 = process.cpuUsage();
    await child.waitForLine((l) => l === MEASURE_END, { timeoutMs: budget, what: 'the end of the measured phase' });
    const serverCpuMs = cpuMs(server.pid) - cpu0;
    const serverMainThreadCpuMs = mainThreadCpuMs(server.pid) - main0;
    const busyMs = machineBusyMs() - busy0;
    const self = process.cpuUsage(self0);
    const line = await child.waitForLine((l) => l.startsWith(RESULT_PREFIX), { timeoutMs: 30_000, what: 'the load result' });
    const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as LoadResult;
    const backgroundCpuMs = Math.max(0, busyMs - serverCpuMs - result.clientCpuMs - (self.user + self.system) / 1000);
    return { result, serverCpuMs, serverMainThreadCpuMs, backgroundCpuMs };
  } finally {
    // The child exits by itself after its result (so --cpu-prof can write); stop() makes sure.
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    await child.stop();
  }
}
