/**
 * What the store phase starts: a redis-server (integration/store-redis-servers.ts: free loopback
 * port, the run's temp dir, no persistence) and our PDP (`node dist/pdp/cli.js --config FILE`,
 * the posture configuration of the tnc phase) with a chosen store backend, optionally as one
 * instance of a cluster (docs/cluster.md) and optionally with the GraphQL admin API.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeUdpPorts } from '../../integration/lib/ports.js';
import { startProc, type Scope } from '../../integration/lib/proc.js';
import { freeTcpPort } from '../../integration/store-redis-servers.js';
import { processName } from '../procfs.js';
import { REPO_ROOT, ourConfig, type ServerSetup } from '../servers.js';
import { ourPosture } from '../tnc/policy.js';
import { LOOPBACK } from '../users.js';

export type StoreBackend = 'embedded' | 'redis';

export interface ClusterMember {
  readonly instanceId: number;
  readonly port: number;
  readonly peers: readonly { readonly id: number; readonly port: number }[];
  readonly secret: string;
}

export interface StorePdpOptions {
  readonly name: string;
  readonly backend: StoreBackend;
  /** Backend redis: the server's port and the key prefix (one per configuration of the run). */
  readonly redis?: { readonly port: number; readonly keyPrefix: string };
  readonly cluster?: ClusterMember;
  /** Enable the admin API with this bearer token (read-only role). */
  readonly adminToken?: string;
  /** Sessions kept (the 100,000-device fill needs them all). */
  readonly maxSessions?: number;
  /** How long reading the store may take before RADIUS listens. */
  readonly readyTimeoutMs?: number;
}

export interface StorePdp {
  readonly name: string;
  readonly pid: number;
  readonly authPort: number;
  readonly adminPort?: number;
  /** The state directory (the embedded store is under stateDir/store). */
  readonly stateDir: string;
  readonly description: string;
  stop(): Promise<void>;
}

/** A fresh cluster key for the run (never logged). */
export function clusterSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** The PDP's configuration, its state directory, and the ports picked for it. */
export async function storePdpConfig(s: ServerSetup, o: StorePdpOptions): Promise<{ config: Record<string, unknown>; stateDir: string; authPort: number; adminPort?: number }> {
  const [authPort, acctPort] = (await freeUdpPorts(2, LOOPBACK)) as [number, number];
  const adminPort = o.adminToken !== undefined ? await freeTcpPort() : undefined;
  const base = ourConfig(s, authPort, acctPort) as Record<string, Record<string, unknown>>;
  const stateDir = join(s.dir, `store-${o.name}-state`);
  const config: Record<string, unknown> = {
    ...base,
    stateDir,
    eap: { ...base['eap'], tnc: { method: 'pt-eap' } },
    posture: ourPosture(),
    store: {
      backend: o.backend,
      ...(o.backend === 'redis' && o.redis ? { redis: { host: LOOPBACK, port: o.redis.port, keyPrefix: o.redis.keyPrefix } } : {}),
      ...(o.maxSessions !== undefined ? { maxSessions: o.maxSessions } : {}),
    },
    ...(o.cluster
      ? {
          cluster: {
            instanceId: o.cluster.instanceId,
            listen: { address: LOOPBACK, port: o.cluster.port },
            peers: o.cluster.peers.map((p) => ({ id: p.id, address: LOOPBACK, port: p.port })),
            secret: o.cluster.secret,
          },
        }
      : {}),
    ...(adminPort !== undefined ? { admin: { listen: { address: LOOPBACK, port: adminPort }, tokens: [{ name: 'bench', token: o.adminToken, role: 'read-only' }] } } : {}),
  };
  return { config, stateDir, authPort, ...(adminPort !== undefined ? { adminPort } : {}) };
}

/** Starts the PDP from a config made by storePdpConfig; resolves once RADIUS (and admin, cluster) listen. */
export async function startStorePdp(scope: Scope, s: ServerSetup, o: StorePdpOptions, made: Awaited<ReturnType<typeof storePdpConfig>>): Promise<StorePdp> {
  const configPath = join(s.dir, `store-${o.name}.json`);
  writeFileSync(configPath, JSON.stringify(made.config, null, 2), { mode: 0o600 });
  const proc = startProc(scope, process.execPath, [join(REPO_ROOT, 'dist', 'pdp', 'cli.js'), '--config', configPath], { name: `store-pdp-${o.name}`, cwd: REPO_ROOT });
  let workers = 1;
  const services = new Set<string>();
  let admin = o.adminToken === undefined;
  let cluster = o.cluster === undefined;
  await proc.waitForJson(
    (j) => {
      if (j['event'] === 'eap.workers') workers = Number(j['workers']);
      if (j['event'] === 'radius.listening') services.add(String(j['service']));
      if (j['event'] === 'admin.listening') admin = true;
      if (j['event'] === 'cluster.listening') cluster = true;
      return services.size >= 2 && admin && cluster;
    },
    { timeoutMs: o.readyTimeoutMs ?? 30_000, what: `PDP ${o.name}: radius.listening for auth and accounting${o.adminToken !== undefined ? ', admin.listening' : ''}${o.cluster ? ', cluster.listening' : ''}` },
  );
  const name = processName(proc.pid);
  if (name !== 'node') throw new Error(`expected node at pid ${proc.pid}, found ${name}`);
  const where = o.backend === 'redis' ? `Redis store (prefix ${o.redis?.keyPrefix ?? '?'})` : 'embedded store';
  return {
    name: o.name,
    pid: proc.pid,
    authPort: made.authPort,
    ...(made.adminPort !== undefined ? { adminPort: made.adminPort } : {}),
    stateDir: made.stateDir,
    description: `our PDP (dist/pdp/cli.js), ${where}, workers "auto" = ${workers} EAP worker threads${o.cluster ? `, cluster instance ${o.cluster.instanceId}` : ''}`,
    stop: async () => {
      await proc.stop({ graceMs: 10_000 });
    },
  };
}
