/**
 * The store phase (`--only store`, bench/README.md):
 *
 *   posture    full assessments (bench/load/tnc.ts, as the tnc phase) at each concurrency on
 *              (1) one PDP with the embedded store, (2) one PDP with the Redis store, (3) two PDP
 *              instances in a cluster (docs/cluster.md) sharing that Redis, device i assessed by
 *              instance i % 2 (half the NAS traffic to each; a conversation stays on its instance)
 *   endpoints  GraphQL `endpoints` latency with `devices` devices (each with one session) in the
 *              store, filled through the Store API before the PDP starts, for both backends
 *
 * One redis-server for the run (free port, the run's temp dir, no persistence, killed at the end);
 * each configuration has its own key prefix. Server CPU = the PDPs' and redis-server's
 * utime+stime (+ reaped children) over the measured interval.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startProc, type Scope } from '../../integration/lib/proc.js';
import { freeUdpPorts } from '../../integration/lib/ports.js';
import { startRedis, type RedisServer } from '../../integration/store-redis-servers.js';
import { EmbeddedStore, RedisStore } from '../../pdp/store/index.js';
import type { Store } from '../../pdp/store/store.js';
import { MEASURE_END, MEASURE_START, RESULT_PREFIX } from '../load/job.js';
import type { TncLoadResult } from '../load/tnc-child.js';
import { machineBusyMs, memory } from '../procfs.js';
import { REPO_ROOT, type ServerSetup } from '../servers.js';
import { cpuWithChildrenMs, describeTncPhase, type TncPhase } from '../tnc/phase.js';
import { BENCH_SECRET } from '../users.js';
import { fillStore } from './fill.js';
import type { StoreLoadJob } from './load-child.js';
import { endpointQueries, measureQuery, type QueryLatency } from './query.js';
import { clusterSecret, startStorePdp, storePdpConfig, type StoreBackend, type StorePdp } from './servers.js';

export type PostureConfigName = 'embedded' | 'redis' | 'redis-x2';

export interface StorePostureResults {
  readonly name: PostureConfigName;
  readonly description: string;
  readonly instances: number;
  readonly phases: readonly TncPhase[];
}

export interface StoreQueryResults {
  readonly backend: StoreBackend;
  readonly devices: number;
  readonly fillMs: number;
  /** From starting the PDP on the filled store until RADIUS and the admin API listen. */
  readonly startupMs: number;
  readonly rssKb: number;
  readonly queries: readonly QueryLatency[];
}

export interface StoreBenchResults {
  readonly redis: string;
  readonly spread: string;
  readonly posture: Partial<Record<PostureConfigName, StorePostureResults>>;
  readonly endpoints: Partial<Record<StoreBackend, StoreQueryResults>>;
}

export interface StoreBenchOptions {
  readonly concurrency: readonly number[];
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly maxOps: number;
  readonly timeoutSec: number;
  /** Devices filled for the endpoints query. */
  readonly devices: number;
  readonly queryRequests: number;
}

type Progress = (msg: string) => void;

async function loadLevel(scope: Scope, pdps: readonly StorePdp[], redisPid: number | undefined, job: StoreLoadJob, label: string): Promise<TncPhase> {
  const child = startProc(scope, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'store', 'load-child.ts'), JSON.stringify(job)], { name: `load-store-${label}`, cwd: REPO_ROOT });
  const pids = [...pdps.map((p) => p.pid), ...(redisPid !== undefined ? [redisPid] : [])];
  const rss = (): number => pdps.reduce((n, p) => n + memory(p.pid).rssKb, 0);
  const rssBeforeKb = rss();
  let rssPeakKb = 0;
  let sampler: NodeJS.Timeout | undefined;
  try {
    const budget = job.hardLimitMs + 10_000;
    await child.waitForLine((l) => l === MEASURE_START, { timeoutMs: budget, what: 'the end of the warm-up' });
    const cpu = (): number => pids.reduce((n, pid) => n + cpuWithChildrenMs(pid), 0);
    const cpu0 = cpu();
    const busy0 = machineBusyMs();
    const self0 = process.cpuUsage();
    sampler = setInterval(() => (rssPeakKb = Math.max(rssPeakKb, rss())), 50);
    await child.waitForLine((l) => l === MEASURE_END, { timeoutMs: budget, what: 'the end of the measured phase' });
    clearInterval(sampler);
    rssPeakKb = Math.max(rssPeakKb, rss());
    const serverCpuMs = cpu() - cpu0;
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

async function startPosturePdps(scope: Scope, setup: ServerSetup, name: PostureConfigName, redis: RedisServer): Promise<StorePdp[]> {
  if (name === 'embedded') {
    const o = { name, backend: 'embedded' as const };
    return [await startStorePdp(scope, setup, o, await storePdpConfig(setup, o))];
  }
  const redisOpt = { port: redis.port, keyPrefix: `bench-${name}` };
  if (name === 'redis') {
    const o = { name, backend: 'redis' as const, redis: redisOpt };
    return [await startStorePdp(scope, setup, o, await storePdpConfig(setup, o))];
  }
  const [p1, p2] = (await freeUdpPorts(2, '127.0.0.1')) as [number, number];
  const secret = clusterSecret();
  const opts = [
    { name: `${name}-1`, backend: 'redis' as const, redis: redisOpt, cluster: { instanceId: 1, port: p1, peers: [{ id: 2, port: p2 }], secret } },
    { name: `${name}-2`, backend: 'redis' as const, redis: redisOpt, cluster: { instanceId: 2, port: p2, peers: [{ id: 1, port: p1 }], secret } },
  ];
  const made = await Promise.all(opts.map((o) => storePdpConfig(setup, o)));
  // Started together: of two PDPs opening one never-seeded store, one seeds (Store.seed is atomic).
  return Promise.all(opts.map((o, i) => startStorePdp(scope, setup, o, made[i] as Awaited<ReturnType<typeof storePdpConfig>>)));
}

async function posture(scope: Scope, setup: ServerSetup, name: PostureConfigName, redis: RedisServer, o: StoreBenchOptions, progress: Progress): Promise<StorePostureResults> {
  progress(`store ${name}: starting`);
  const pdps = await startPosturePdps(scope, setup, name, redis);
  progress(`store ${name}: ready (${pdps.map((p) => `pid ${p.pid} on 127.0.0.1:${p.authPort}`).join(', ')})`);
  const phases: TncPhase[] = [];
  try {
    for (const c of o.concurrency) {
      const warmupMs = o.warmupSec * 1000;
      const durationMs = o.durationSec * 1000;
      const job: StoreLoadJob = {
        ports: pdps.map((p) => p.authPort),
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
      const phase = await loadLevel(scope, pdps, name === 'embedded' ? undefined : redis.proc.pid, job, name);
      phases.push(phase);
      progress(`store ${name}: posture x${c}: ${describeTncPhase(phase)}`);
    }
  } finally {
    await Promise.all(pdps.map((p) => p.stop()));
    progress(`store ${name}: stopped`);
  }
  const description = pdps.length > 1 ? `${pdps.length} x ${pdps[0]?.description ?? '?'} (device i -> instance i % ${pdps.length})` : (pdps[0]?.description ?? '?');
  return { name, description, instances: pdps.length, phases };
}

async function endpoints(scope: Scope, setup: ServerSetup, backend: StoreBackend, redis: RedisServer, o: StoreBenchOptions, progress: Progress): Promise<StoreQueryResults> {
  const token = randomBytes(24).toString('base64url');
  const name = `query-${backend}`;
  const opts = { name, backend, ...(backend === 'redis' ? { redis: { port: redis.port, keyPrefix: `bench-${name}` } } : {}), adminToken: token, maxSessions: o.devices + 1000, readyTimeoutMs: 180_000 };
  const made = await storePdpConfig(setup, opts);
  progress(`store ${name}: filling ${o.devices} devices + ${o.devices} sessions through the Store API`);
  // fsync off and no snapshot while filling (a bulk load, not a measured figure); the PDP then
  // reads the journal at start, as after a restart.
  const store: Store =
    backend === 'embedded'
      ? await EmbeddedStore.open({ dir: join(made.stateDir, 'store'), fsync: false, snapshotEvery: 10_000_000, maxSessions: o.devices + 1000 })
      : await RedisStore.open({ host: '127.0.0.1', port: redis.port, keyPrefix: `bench-${name}`, maxSessions: o.devices + 1000, commandTimeoutMs: 10_000 });
  let fillMs: number;
  try {
    fillMs = (await fillStore(store, o.devices, Date.now(), 256, (n) => progress(`store ${name}: ${n} devices`))).elapsedMs;
  } finally {
    await store.close();
  }
  progress(`store ${name}: filled in ${(fillMs / 1000).toFixed(1)} s; starting the PDP with the admin API`);
  const t0 = performance.now();
  const pdp = await startStorePdp(scope, setup, opts, made);
  const startupMs = performance.now() - t0;
  try {
    const url = `http://127.0.0.1:${pdp.adminPort}/graphql`;
    const queries: QueryLatency[] = [];
    for (const q of await endpointQueries(url, token, o.devices)) {
      const r = await measureQuery(url, token, q, 3, o.queryRequests, 30_000);
      queries.push(r);
      progress(`store ${name}: ${r.label}: p50 ${r.latency.p50Ms.toFixed(1)} ms, p99 ${r.latency.p99Ms.toFixed(1)} ms (${r.requests} requests, one at a time)`);
    }
    return { backend, devices: o.devices, fillMs, startupMs, rssKb: memory(pdp.pid).rssKb, queries };
  } finally {
    await pdp.stop();
    progress(`store ${name}: stopped`);
  }
}

export async function benchStore(scope: Scope, setup: ServerSetup, o: StoreBenchOptions, progress: Progress): Promise<StoreBenchResults> {
  // The checks of query.ts need two full pages and a full filtered page (one device in 4).
  if (o.devices < 400) throw new Error(`--store-devices must be at least 400, not ${o.devices}`);
  const redisDir = join(setup.dir, 'redis');
  mkdirSync(redisDir, { recursive: true });
  const redis = await startRedis(scope, redisDir);
  progress(`store: redis-server on 127.0.0.1:${redis.port} (pid ${redis.proc.pid}, no persistence)`);
  try {
    const postureResults: StoreBenchResults['posture'] = {};
    for (const name of ['embedded', 'redis', 'redis-x2'] as const) postureResults[name] = await posture(scope, setup, name, redis, o, progress);
    const endpointResults: StoreBenchResults['endpoints'] = {};
    for (const backend of ['embedded', 'redis'] as const) endpointResults[backend] = await endpoints(scope, setup, backend, redis, o, progress);
    return { redis: `redis-server ${redisVersion()} on loopback, no persistence`, spread: 'device i -> instance i % 2 (half of the NAS traffic to each; every conversation on the instance it started on)', posture: postureResults, endpoints: endpointResults };
  } finally {
    await redis.kill();
    progress('store: redis-server stopped');
  }
}

function redisVersion(): string {
  const out = spawnSync('redis-server', ['--version'], { encoding: 'utf8', timeout: 5000 }).stdout ?? '';
  return /v=(\S+)/.exec(out)?.[1] ?? '?';
}
