/**
 * Loads, validates and completes the PDP configuration. The JSON Schema in
 * schemas/pdp-config.schema.json is the contract; errors name the field and what is wrong.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import YAML from 'yaml';
import { resolvePosturePolicy } from '../posture/policy.js';
import { resolveIfmapConfig } from '../ifmap/config.js';
import type { PdpConfig, TlsVersion } from './types.js';

const schemaPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../../schemas/pdp-config.schema.json');

export class ConfigError extends Error {
  readonly code = 'PDP_CONFIG_INVALID';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function findSchema(): string {
  // Works from the source tree (pdp/config) and from the build (dist/pdp/config).
  for (const p of [schemaPath, resolve(dirname(fileURLToPath(import.meta.url)), '../../schemas/pdp-config.schema.json')]) {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      /* try the next */
    }
  }
  throw new Error('schemas/pdp-config.schema.json not found next to the program');
}

let compiled: ReturnType<Ajv['compile']> | undefined;
function validator(): ReturnType<Ajv['compile']> {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    compiled = ajv.compile(JSON.parse(findSchema()) as object);
  }
  return compiled;
}

function describe(e: ErrorObject): string {
  const field = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
  switch (e.keyword) {
    case 'additionalProperties':
      return `${field}: unknown field '${String((e.params as { additionalProperty: string }).additionalProperty)}'`;
    case 'required':
      return `${field}: missing required field '${String((e.params as { missingProperty: string }).missingProperty)}'`;
    case 'enum':
      return `${field}: must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    default:
      return `${field}: ${e.message ?? 'is invalid'}`;
  }
}

/** Validates a parsed document and fills in defaults. */
export function buildConfig(doc: unknown, source: string, baseDir: string, demo = false): PdpConfig {
  const validate = validator();
  if (!validate(doc)) {
    // oneOf produces one error per branch; keep the distinct, most specific messages.
    const problems = [...new Set((validate.errors ?? []).filter((e) => e.keyword !== 'oneOf').map(describe))];
    throw new ConfigError(source, problems.length ? problems : ['does not match the schema']);
  }
  const d = doc as Record<string, any>;
  const problems: string[] = [];
  const ttls = d.eap?.ttls ?? {};
  const minVersion: TlsVersion = ttls.minVersion ?? 'TLSv1.2';
  const maxVersion: TlsVersion = ttls.maxVersion ?? 'TLSv1.2';
  if (minVersion === 'TLSv1.3' && maxVersion === 'TLSv1.2') problems.push('eap.ttls: minVersion TLSv1.3 is above maxVersion TLSv1.2');
  const methods: string[] = d.eap?.methods ?? ['ttls'];
  const outerTnc = methods.filter((m) => m === 'pt-eap' || m === 'eap-tnc');
  if (d.eap?.tnc && !methods.includes('ttls') && !outerTnc.length) {
    problems.push('eap.tnc: posture runs inside TTLS or as an outer pt-eap/eap-tnc method, but eap.methods includes none of them');
  }
  // The outer PT-EAP / EAP-TNC methods use the posture service that eap.tnc brings.
  if (outerTnc.length && !d.eap?.tnc) problems.push(`eap.methods: ${outerTnc.join(', ')} needs eap.tnc (the posture service)`);
  const names = new Set<string>();
  (d.users as { name: string }[]).forEach((u, i) => {
    if (names.has(u.name)) problems.push(`users.${i}.name: duplicate user '${u.name}'`);
    names.add(u.name);
  });
  const tokenNames = new Set<string>();
  const tokenValues = new Set<string>();
  ((d.admin?.tokens ?? []) as { name: string; token: string }[]).forEach((t, i) => {
    if (tokenNames.has(t.name)) problems.push(`admin.tokens.${i}.name: duplicate token name '${t.name}'`);
    if (tokenValues.has(t.token)) problems.push(`admin.tokens.${i}.token: the same token as an earlier entry`);
    tokenNames.add(t.name);
    tokenValues.add(t.token);
  });
  const clientNames = new Set<string>();
  (d.radius.clients as { name: string }[]).forEach((c, i) => {
    if (clientNames.has(c.name)) problems.push(`radius.clients.${i}.name: duplicate client '${c.name}'`);
    clientNames.add(c.name);
  });
  // cluster: the ids name State owners, so they must be unique (pdp/cluster, docs/cluster.md).
  if (d.cluster) {
    const ids = new Set<number>([d.cluster.instanceId]);
    (d.cluster.peers as { id: number }[]).forEach((p, i) => {
      if (ids.has(p.id)) problems.push(`cluster.peers.${i}.id: instance id ${p.id} is used twice (this instance is ${d.cluster.instanceId})`);
      ids.add(p.id);
    });
  }
  const posture = d.posture ?? { imvs: { os: {}, scanner: {}, test: {} } };
  // The policy model's cross-references (unknown policy, group, parent cycle, bad argument).
  try {
    resolvePosturePolicy({ imvs: {}, ...posture });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    problems.push(...e.message.split('\n'));
  }
  // The Redis store: where it is (one of url, host, cluster), and only with backend redis.
  const redis = d.store?.redis;
  if (d.store?.backend === 'redis' && !redis) problems.push("store.redis: missing: backend redis needs store.redis with url, host or cluster");
  if (redis && d.store?.backend !== 'redis') problems.push("store.redis: only used with store.backend 'redis'");
  if (redis && [redis.url, redis.host, redis.cluster].filter((x) => x !== undefined).length !== 1) problems.push('store.redis: give exactly one of url, host (with port) or cluster');
  if (redis && redis.port !== undefined && redis.host === undefined) problems.push('store.redis.port: needs store.redis.host');
  if (problems.length) throw new ConfigError(source, problems);

  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    source,
    demo,
    stateDir: abs(d.stateDir ?? './var'),
    radius: {
      auth: d.radius.auth ?? { address: '127.0.0.1', port: 1812 },
      accounting: d.radius.accounting === false ? false : (d.radius.accounting ?? { address: '127.0.0.1', port: 1813 }),
      clients: (d.radius.clients as any[]).map((c) => ({
        name: c.name,
        address: c.address,
        secret: c.secret,
        requireMessageAuthenticator: c.requireMessageAuthenticator ?? true,
      })),
      duplicateWindowSeconds: d.radius.duplicateWindowSeconds ?? 30,
      maxInFlight: d.radius.maxInFlight ?? 20_000,
    },
    eap: {
      methods: d.eap?.methods ?? ['ttls'],
      innerMethods: d.eap?.innerMethods ?? ['md5', 'pap'],
      conversationTimeoutSeconds: d.eap?.conversationTimeoutSeconds ?? 60,
      maxConversations: d.eap?.maxConversations ?? 50_000,
      ttls: { minVersion, maxVersion, fragmentSize: ttls.fragmentSize ?? 1024, tls13KeyDerivation: ttls.tls13KeyDerivation ?? 'rfc9427' },
      ...(d.eap?.tnc ? { tnc: { method: d.eap.tnc.method ?? 'pt-eap', maxRounds: d.eap.tnc.maxRounds ?? 1000 } } : {}),
    },
    pki: {
      serverName: d.pki?.serverName ?? 'tnc-pdp.localhost',
      keyType: d.pki?.keyType ?? 'ecdsa-p256',
      ...(d.pki?.certificate ? { certificate: abs(d.pki.certificate), privateKey: abs(d.pki.privateKey) } : {}),
      ...(d.pki?.ca ? { ca: abs(d.pki.ca) } : {}),
    },
    users: d.users,
    posture: { imvs: {}, ...posture },
    store: {
      backend: d.store?.backend ?? 'embedded',
      ...(d.store?.redis ? { redis: { ...d.store.redis, ...(typeof d.store.redis.tls === 'object' && d.store.redis.tls.ca ? { tls: { ...d.store.redis.tls, ca: abs(d.store.redis.tls.ca) } } : {}) } } : {}),
      maxSessions: d.store?.maxSessions ?? 10_000,
      maxDevices: d.store?.maxDevices ?? 1_000_000,
      snapshotEvery: d.store?.snapshotEvery ?? 1000,
    },
    workers: d.workers ?? 1,
    log: { level: d.log?.level ?? 'info' },
    ...(d.ifmap ? { ifmap: resolveIfmapConfig(d.ifmap, abs, d.pki?.serverName ?? 'tnc-pdp.localhost') } : {}),
    ...(d.admin
      ? {
          admin: {
            listen: d.admin.listen ?? { address: '127.0.0.1', port: 8080 },
            tokens: (d.admin.tokens as { name: string; token: string; role: 'read-only' | 'admin' }[]).map((t) => ({ name: t.name, token: t.token, role: t.role })),
            ...(d.admin.maxDepth !== undefined ? { maxDepth: d.admin.maxDepth } : {}),
            ...(d.admin.maxCost !== undefined ? { maxCost: d.admin.maxCost } : {}),
            ...(d.admin.dynamicAuthorizationPort !== undefined ? { dynamicAuthorizationPort: d.admin.dynamicAuthorizationPort } : {}),
          },
        }
      : {}),
    ...(d.ptTls ? { ptTls: { address: d.ptTls.address ?? '127.0.0.1', port: d.ptTls.port ?? 271, clientAuth: d.ptTls.clientAuth ?? 'sasl-plain' } } : {}),
    ...(d.cluster
      ? {
          cluster: {
            instanceId: d.cluster.instanceId,
            listen: d.cluster.listen,
            peers: (d.cluster.peers as { id: number; address: string; port: number }[]).map((p) => ({ id: p.id, address: p.address, port: p.port })),
            secret: d.cluster.secret,
            forwardTimeoutMs: d.cluster.forwardTimeoutMs ?? 2000,
            maxInFlight: d.cluster.maxInFlight ?? 1024,
            helloIntervalMs: d.cluster.helloIntervalMs ?? 1000,
            peerDeadAfterMs: d.cluster.peerDeadAfterMs ?? 3500,
            replayWindowMs: d.cluster.replayWindowMs ?? 30_000,
          },
        }
      : {}),
  };
}

/** Reads a YAML or JSON file (YAML is a superset of JSON) and validates it. */
export function loadConfigFile(path: string): PdpConfig {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ConfigError(path, [`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`]);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    throw new ConfigError(path, [`not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`]);
  }
  return buildConfig(doc, path, dirname(abs));
}

/**
 * The embedded default that `npm start` runs: loopback only, the FreeRADIUS-convention secret
 * and the demo users documented in the README. For trying the product, never for a network.
 */
export function embeddedDefault(cwd = process.cwd()): PdpConfig {
  return buildConfig(
    {
      stateDir: './var',
      radius: {
        auth: { address: '127.0.0.1', port: 1812 },
        accounting: { address: '127.0.0.1', port: 1813 },
        clients: [{ name: 'localhost', address: '127.0.0.1', secret: 'testing123' }],
      },
      pki: { serverName: 'tnc-pdp.localhost' },
      // Lets `tnc-client --pt-tls 127.0.0.1` assess this machine (README): OS, Scanner, Test IMVs.
      // Port 271 (RFC 6876) needs root; an unprivileged demo uses 10271.
      ptTls: { address: '127.0.0.1', port: process.getuid?.() === 0 ? 271 : 10271, clientAuth: 'sasl-plain' },
      // The admin API with one admin token made fresh at each start and printed once (pdp.ts), so a
      // person can try GraphiQL at http://127.0.0.1:8080/graphql; loopback only.
      admin: { listen: { address: '127.0.0.1', port: 8080 }, tokens: [{ name: 'demo-admin', token: randomBytes(24).toString('base64url'), role: 'admin' }] },
      users: [
        { name: 'carol', password: 'Ar3etTnp', group: 'allow' },
        { name: 'dave', password: 'W7R0g3do', group: 'isolate' },
      ],
      // The policy model (pdp/posture/model.ts): Linux devices land in their distribution's group
      // by the product their OS IMC reports; the Test IMC's command (the flat imvs' implicit policy
      // `test`) is checked everywhere, telnet/rsh servers only on Linux, their packages at most
      // once a day. Anything else (no OS IMC, another OS) is in group Default.
      posture: {
        imvs: { os: {}, scanner: {}, test: {} },
        deviceGroups: [
          { name: 'Linux', description: 'every Linux distribution' },
          { name: 'Debian', parent: 'Linux', defaultFor: ['Debian*'] },
          { name: 'Ubuntu', parent: 'Linux', defaultFor: ['Ubuntu*'] },
        ],
        policies: [
          {
            name: 'no-telnet-server',
            type: 'packages-blacklist',
            argument: ['telnetd', 'inetutils-telnetd', 'rsh-server'],
            remediation: 'Remove the telnet and rsh servers: apt purge telnetd inetutils-telnetd rsh-server',
          },
          { name: 'no-telnet-port', type: 'tcp-ports-blocked', argument: ['23'], remediation: 'Stop the service listening on tcp/23' },
        ],
        enforcements: [
          { policy: 'test', group: 'Linux' },
          { policy: 'no-telnet-server', group: 'Linux', maxAge: 86400 },
          { policy: 'no-telnet-port', group: 'Linux' },
        ],
      },
    },
    'embedded default',
    cwd,
    true,
  );
}
