/**
 * The tnc-pep YAML configuration (schemas/pep-config.schema.json is the contract, validated
 * with ajv as pdp/config/load.ts does): where ipsec.conf, ipsec.secrets and ipsec.d are, the IKE
 * listeners, the RADIUS servers (tried in order with failover), named persistent pools, config
 * attributes, state directory, kernel backend, logging and the DoS thresholds.
 * Errors name the field; the RADIUS secrets never appear in them.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import YAML from 'yaml';
import { parseAddress, parseCidr, parseRange, type Address, type AddressRange } from './addresses.js';
import { PepConfigError } from './config-error.js';
import { SecretValue } from './secret-value.js';

export interface RadiusServerConfig {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly secret: SecretValue;
  readonly timeoutMs: number;
  readonly retransmits: number;
  /** RADIUS accounting port (RFC 2866), default 1813. */
  readonly accountingPort: number;
}

/** One RFC 5176 Dynamic Authorization client (the PDP) allowed to send to the DAE server. */
export interface DaeClientConfig {
  readonly address: string;
  readonly secret: SecretValue;
}

/** strongSwan's eap-radius `dae { enable, listen, port, secret }`, plus the client list. */
export interface DaeConfig {
  readonly enable: boolean;
  readonly listen: string;
  readonly port: number;
  readonly clients: readonly DaeClientConfig[];
  readonly requireMessageAuthenticator: boolean;
  /** 0 = no Event-Timestamp check. */
  readonly eventTimestampWindowSeconds: number;
  readonly requireEventTimestamp: boolean;
}

export interface RedisLeaseConfig {
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly cluster?: readonly { readonly host: string; readonly port: number }[];
  readonly keyPrefix?: string;
  readonly username?: string;
  /** Never logged: a SecretValue prints as <secret>. */
  readonly password?: SecretValue;
  readonly tls?: boolean;
  readonly commandTimeoutMs?: number;
}

export interface PoolConfig {
  readonly name: string;
  readonly range: AddressRange;
  /** 0 = static: released leases stay bound to their identity forever. */
  readonly leaseTimeoutSeconds: number;
}

export interface PepConfig {
  readonly source: string;
  readonly ipsecConf: string;
  readonly ipsecSecrets: string;
  readonly ipsecDir: string;
  readonly listen: readonly { readonly address: string; readonly ports: readonly number[] }[];
  readonly radius: {
    readonly servers: readonly RadiusServerConfig[];
    readonly nasIdentifier?: string;
    readonly filterId: boolean;
    /** strongSwan eap-radius `accounting = yes`. */
    readonly accounting: boolean;
    /** Interim-Update interval; 0 = none. */
    readonly interimIntervalSeconds: number;
    readonly dae: DaeConfig;
  };
  /** if_id of the XFRM policies mirrored next to the userspace data path (pep/daemon/child-installer.ts). */
  readonly xfrmIfId: number;
  readonly pools: readonly PoolConfig[];
  /** Where persistent pools keep their leases (default a JSON file under stateDir). */
  readonly leases: { readonly backend: 'file' } | { readonly backend: 'redis'; readonly redis: RedisLeaseConfig };
  readonly attributes: { readonly dns: readonly Address[]; readonly splitInclude: readonly AddressRange[] };
  readonly stateDir: string;
  readonly kernel: 'auto' | 'xfrm' | 'userspace';
  readonly log: { readonly level: string };
  readonly cookieThreshold: number;
  readonly maxHalfOpen: number;
}

const here = dirname(fileURLToPath(import.meta.url));

function findSchema(): string {
  // From the source tree (pep/config) and from the build (dist/pep/config).
  for (const p of [resolve(here, '../../schemas/pep-config.schema.json'), resolve(here, '../../../schemas/pep-config.schema.json')]) {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      /* try the next */
    }
  }
  throw new Error('schemas/pep-config.schema.json not found next to the program');
}

/** Compiles the schema once per loader (no module-level singleton). */
export function createPepConfigValidator(): ReturnType<Ajv['compile']> {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  return ajv.compile(JSON.parse(findSchema()) as object);
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

function fail(source: string, problems: readonly string[]): never {
  throw new PepConfigError('PEP_CONFIG_INVALID', source, 0, '', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** Validates a parsed document and fills in defaults; `baseDir` anchors relative paths. */
export function buildPepConfig(doc: unknown, source: string, baseDir: string, validate = createPepConfigValidator()): PepConfig {
  if (!validate(doc)) {
    const problems = [...new Set((validate.errors ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf').map(describe))];
    // A pool with both or neither of cidr/range only fails the oneOf.
    if (!problems.length) problems.push('pools: each pool needs exactly one of cidr or range');
    fail(source, problems);
  }
  const d = doc as Record<string, any>;
  const problems: string[] = [];
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const ipsecConf = abs(d.ipsecConf);
  const confDir = dirname(ipsecConf);
  const checkIp = (field: string, v: string): void => {
    if (!isIP(v)) problems.push(`${field}: '${v}' is not an IP address`);
  };
  (d.listen ?? []).forEach((l: { address: string }, i: number) => checkIp(`listen.${i}.address`, l.address));
  const names = new Set<string>();
  (d.radius.servers as { name: string; address: string }[]).forEach((s, i) => {
    checkIp(`radius.servers.${i}.address`, s.address);
    if (names.has(s.name)) problems.push(`radius.servers.${i}.name: duplicate server '${s.name}'`);
    names.add(s.name);
  });
  const dae = d.radius.dae ?? {};
  if (dae.listen !== undefined) checkIp('radius.dae.listen', dae.listen);
  (dae.clients ?? []).forEach((c: { address: string }, i: number) => checkIp(`radius.dae.clients.${i}.address`, c.address));
  const pools: PoolConfig[] = [];
  const poolNames = new Set<string>();
  (d.pools ?? []).forEach((p: { name: string; cidr?: string; range?: string; leaseTimeoutSeconds?: number }, i: number) => {
    if (poolNames.has(p.name)) problems.push(`pools.${i}.name: duplicate pool '${p.name}'`);
    poolNames.add(p.name);
    const range = p.cidr !== undefined ? parseCidr(p.cidr) : parseRange(p.range!);
    if (!range || (p.cidr !== undefined && !p.cidr.includes('/'))) {
      problems.push(`pools.${i}.${p.cidr !== undefined ? 'cidr' : 'range'}: '${p.cidr ?? p.range}' is not an address ${p.cidr !== undefined ? 'subnet' : 'range (from-to)'}`);
      return;
    }
    pools.push({ name: p.name, range, leaseTimeoutSeconds: p.leaseTimeoutSeconds ?? 0 });
  });
  const dns: Address[] = [];
  (d.attributes?.dns ?? []).forEach((v: string, i: number) => {
    const a = parseAddress(v);
    if (!a) problems.push(`attributes.dns.${i}: '${v}' is not an IP address`);
    else dns.push(a);
  });
  const splitInclude: AddressRange[] = [];
  (d.attributes?.splitInclude ?? []).forEach((v: string, i: number) => {
    const r = v.includes('/') ? parseCidr(v) : undefined;
    if (!r) problems.push(`attributes.splitInclude.${i}: '${v}' is not a subnet`);
    else splitInclude.push(r);
  });
  if (d.leases?.backend === 'redis' && !d.leases.redis?.url && !d.leases.redis?.host && !d.leases.redis?.cluster) {
    problems.push('leases.redis: missing: backend redis needs leases.redis with url, host or cluster');
  }
  if (problems.length) fail(source, problems);
  const lr = d.leases?.redis ?? {};
  const cfg: PepConfig = {
    source,
    ipsecConf,
    ipsecSecrets: d.ipsecSecrets ? abs(d.ipsecSecrets) : resolve(confDir, 'ipsec.secrets'),
    ipsecDir: d.ipsecDir ? abs(d.ipsecDir) : resolve(confDir, 'ipsec.d'),
    listen: (d.listen ?? [{ address: '0.0.0.0' }]).map((l: { address: string; ports?: number[] }) => ({ address: l.address, ports: l.ports ?? [500, 4500] })),
    radius: {
      servers: (d.radius.servers as any[]).map((s) => ({
        name: s.name,
        address: s.address,
        port: s.port ?? 1812,
        secret: new SecretValue(Buffer.from(s.secret, 'utf8')),
        timeoutMs: s.timeoutMs ?? 2000,
        retransmits: s.retransmits ?? 3,
        accountingPort: s.accountingPort ?? 1813,
      })),
      ...(d.radius.nasIdentifier ? { nasIdentifier: d.radius.nasIdentifier } : {}),
      filterId: d.radius.filterId ?? true,
      accounting: d.radius.accounting ?? false,
      interimIntervalSeconds: d.radius.interimIntervalSeconds ?? 0,
      dae: daeConfig(dae, d.radius.servers),
    },
    xfrmIfId: d.xfrmIfId ?? 4096,
    pools,
    leases:
      d.leases?.backend === 'redis'
        ? {
            backend: 'redis',
            redis: {
              ...(lr.url !== undefined ? { url: lr.url } : {}),
              ...(lr.host !== undefined ? { host: lr.host } : {}),
              ...(lr.port !== undefined ? { port: lr.port } : {}),
              ...(lr.cluster !== undefined ? { cluster: lr.cluster } : {}),
              ...(lr.keyPrefix !== undefined ? { keyPrefix: lr.keyPrefix } : {}),
              ...(lr.username !== undefined ? { username: lr.username } : {}),
              ...(lr.password !== undefined ? { password: new SecretValue(Buffer.from(lr.password, 'utf8')) } : {}),
              ...(lr.tls !== undefined ? { tls: lr.tls } : {}),
              ...(lr.commandTimeoutMs !== undefined ? { commandTimeoutMs: lr.commandTimeoutMs } : {}),
            },
          }
        : { backend: 'file' },
    attributes: { dns, splitInclude },
    stateDir: abs(d.stateDir ?? './var'),
    kernel: d.kernel ?? 'auto',
    log: { level: d.log?.level ?? 'info' },
    cookieThreshold: d.cookieThreshold ?? 10,
    maxHalfOpen: d.maxHalfOpen ?? 1000,
  };
  return deepFreeze(cfg);
}

/**
 * The DAE clients: `radius.dae.clients`, or else the RADIUS servers' addresses (the PDPs send the
 * Disconnect/CoA requests); each with its own secret, else `radius.dae.secret`, else the secret of
 * the RADIUS server with that address (what the PDP has for this NAS in its client table).
 */
function daeConfig(dae: Record<string, any>, servers: { address: string; secret: string }[]): DaeConfig {
  const secretFor = (address: string, own?: string): SecretValue => {
    const text = own ?? dae.secret ?? servers.find((s) => s.address === address)?.secret ?? servers[0]!.secret;
    return new SecretValue(Buffer.from(text, 'utf8'));
  };
  const listed: { address: string; secret?: string }[] = dae.clients ?? [...new Map(servers.map((s) => [s.address, { address: s.address }])).values()];
  return {
    enable: dae.enable ?? false,
    listen: dae.listen ?? '0.0.0.0',
    port: dae.port ?? 3799,
    clients: listed.map((c) => ({ address: c.address, secret: secretFor(c.address, c.secret) })),
    requireMessageAuthenticator: dae.requireMessageAuthenticator ?? false,
    eventTimestampWindowSeconds: dae.eventTimestampWindowSeconds ?? 300,
    requireEventTimestamp: dae.requireEventTimestamp ?? false,
  };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !(o instanceof SecretValue) && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** Reads a YAML (or JSON) file and validates it. */
export function loadPepConfigFile(path: string): PepConfig {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    fail(path, [`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`]);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    // YAML's message quotes the offending source line, which may hold a secret: keep the position only.
    const pos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    fail(path, [`not valid YAML/JSON${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}`]);
  }
  return buildPepConfig(doc, path, dirname(abs));
}
