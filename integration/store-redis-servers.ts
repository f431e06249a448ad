/**
 * Real redis-server processes for the store tests: one standalone server, or a 3-master Cluster
 * (three `redis-server --cluster-enabled yes` + `redis-cli --cluster create ... --cluster-replicas 0
 * --cluster-yes`), on free loopback TCP ports, in a temporary directory, no persistence
 * (--save '' --appendonly no). Processes are registered in the test's Scope.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startProc, type Proc, type Scope } from './lib/proc.js';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_CLI = '/usr/bin/redis-cli';

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  readonly port: number;
  proc: Proc;
  /** SIGKILL. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: no persistence). */
  restart(): Promise<void>;
}

export async function startRedis(scope: Scope, dir: string, port?: number, extra: readonly string[] = []): Promise<RedisServer> {
  const p = port ?? (await freeTcpPort());
  const args = ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no', ...extra];
  const start = async (): Promise<Proc> => {
    const proc = startProc(scope, REDIS_SERVER, args, { name: `redis-${p}` });
    await proc.waitForLine((l) => l.includes('Ready to accept connections'), { timeoutMs: 10_000, what: `redis-server on ${p} ready` });
    return proc;
  };
  const server: RedisServer = {
    port: p,
    proc: await start(),
    kill: async () => {
      await server.proc.stop({ signal: 'SIGKILL', graceMs: 0 });
    },
    restart: async () => {
      server.proc = await start();
    },
  };
  return server;
}

/** Three masters, slots split by redis-cli, waiting until the cluster state is ok. */
export async function startRedisCluster(scope: Scope, dir: string): Promise<RedisServer[]> {
  const nodes: RedisServer[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freeTcpPort();
    nodes.push(await startRedis(scope, dir, port, ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '2000']));
  }
  const r = spawnSync(REDIS_CLI, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`redis-cli --cluster create failed: ${r.stdout}\n${r.stderr}`);
  const end = Date.now() + 15_000;
  for (;;) {
    const ok = nodes.every((n) => spawnSync(REDIS_CLI, ['-p', String(n.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout.includes('cluster_state:ok'));
    if (ok) break;
    if (Date.now() > end) throw new Error('redis cluster did not reach cluster_state:ok in 15 s');
    await new Promise((res) => setTimeout(res, 200));
  }
  return nodes;
}
