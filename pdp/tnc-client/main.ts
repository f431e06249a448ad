/**
 * The tnc-client command, as a function (cli.ts calls it; tests call it in-process):
 *
 *   tnc-client --pt-tls HOST[:PORT] [--user U --password P] [--ca FILE] [--server-name N]
 *   tnc-client --radius HOST[:PORT] --secret S --user U --password P --ca FILE [--server-name N]
 *
 * It runs the OS and Scanner IMCs (and the Test IMC with --test-command) on this host, prints the
 * access recommendation, the assessment result, the reasons and the remediation, and returns the
 * exit code: 0 Access Allowed, 1 Quarantined, 2 Access Denied, 3 anything that went wrong.
 * Progress goes to stderr, the result to stdout. With --watch (PT-TLS) it stays connected after
 * the result so the PDP can re-assess this host (PB-TNC SRETRY): the IMCs run again and every new
 * recommendation is printed, until Ctrl-C (a CLOSE batch) or the PDP closes; the exit code is
 * then that of the last recommendation.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  OsImc,
  ScannerImc,
  TestImc,
  createStandardRegistry,
  linuxHostSource,
  type HostSource,
  type Imc,
} from '../../imc-imv/index.js';
import { AccessRecommendation, PT_TLS_PORT, batchTypeName, type PbBatchType } from '../../tnc/index.js';
import { RECOMMENDATION_TEXT, TncClientError, runTncClient, type TncTransport } from './client.js';
import { ImcManager, type ImcManagerEvent, type TncOutcome } from './imc-manager.js';

export const EXIT = { allow: 0, isolate: 1, noAccess: 2, error: 3 } as const;

export const USAGE = `usage: tnc-client --pt-tls HOST[:PORT] [--user U --password P] [--ca FILE] [--server-name N]
       tnc-client --radius HOST[:PORT] --secret S --user U --password P --ca FILE [--server-name N]
  --pt-tls HOST[:PORT]   assess this host over PT-TLS (RFC 6876, default port ${PT_TLS_PORT})
  --radius HOST[:PORT]   act as NAS and supplicant: EAP-TTLS + MD5 + PT-EAP over RADIUS (default port 1812)
  --secret S             RADIUS shared secret
  --user U --password P  credentials (SASL PLAIN over PT-TLS, inner EAP-MD5 over RADIUS)
  --ca FILE              PEM CA that signed the PDP certificate
  --server-name N        name in the PDP certificate (default: HOST)
  --test-command CMD     also run the Test IMC, asking for CMD (allow, isolate, block)
  --device-id ID         ITA Device ID (default: /etc/machine-id)
  --watch                PT-TLS: stay connected; print each new recommendation when the PDP re-assesses
  --timeout SECONDS      give up after SECONDS (default 30; with --watch: the first assessment)
  --quiet                no progress lines
exit: 0 Access Allowed, 1 Quarantined, 2 Access Denied, 3 error`;

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export interface CliDependencies {
  readonly source?: HostSource;
  /** --watch: stops watching (default: SIGINT or SIGTERM). */
  readonly signal?: AbortSignal;
}

/** "host", "host:port", "[v6]:port", "v6". */
export function parseHostPort(spec: string, defaultPort: number): { host: string; port: number } {
  const bracket = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(spec);
  const plain = /^([^:]+)(?::(\d{1,5}))?$/.exec(spec);
  const m = bracket ?? plain;
  if (!m) {
    if (spec.includes(':')) return { host: spec, port: defaultPort }; // bare IPv6
    throw new RangeError(`bad address '${spec}': expected HOST[:PORT]`);
  }
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!(port >= 1 && port <= 65535)) throw new RangeError(`bad port in '${spec}'`);
  return { host: m[1] as string, port };
}

const EVALUATION = ['compliant', 'non-compliant minor', 'non-compliant major', 'error', "don't know"];

function progressLine(e: ImcManagerEvent): string | undefined {
  switch (e.type) {
    case 'session-started':
      return 'authenticated; posture assessment started';
    case 'batch-received':
      return `batch ${e.count} from the server (${batchTypeName(e.batchType as PbBatchType)})`;
    case 'imv-assessment':
      return `IMV verdict for the ${e.imcs.join(', ')} IMC: ${EVALUATION[e.evaluation] ?? e.evaluation}`;
    case 'imc-error':
      return `IMC ${e.imc} failed: ${e.message}`;
    case 'pa-error':
      return `bad PA-TNC message from the server: ${e.code}`;
    case 'retry':
      return 'the server asks for a new assessment (SRETRY): running the IMCs again';
    default:
      return undefined;
  }
}

/** The result as plain text lines. */
export function formatOutcome(o: TncOutcome): string[] {
  const lines = [
    `Recommendation: ${o.accessRecommendation === undefined ? 'none given' : (RECOMMENDATION_TEXT[o.accessRecommendation] ?? `unknown (${o.accessRecommendation})`)}`,
    `Assessment:     ${EVALUATION[o.assessmentResult] ?? o.assessmentResult}`,
  ];
  if (o.reasons.length > 0) {
    lines.push('Reasons:');
    for (const r of o.reasons) lines.push(`  - ${r.reason}${r.language && r.language !== 'en' ? ` [${r.language}]` : ''}`);
  }
  if (o.remediation.length > 0) {
    lines.push('Remediation:');
    for (const r of o.remediation) lines.push(`  - ${r.type === 'uri' ? r.uri : r.type === 'string' ? r.text : `(vendor ${r.vendorId} type ${r.parametersType})`}`);
  }
  return lines;
}

export function exitCodeFor(o: TncOutcome): number {
  if (o.accessRecommendation === AccessRecommendation.AccessAllowed) return EXIT.allow;
  if (o.accessRecommendation === AccessRecommendation.Quarantined) return EXIT.isolate;
  if (o.accessRecommendation === AccessRecommendation.AccessDenied) return EXIT.noAccess;
  return EXIT.error;
}

export async function tncClientMain(argv: readonly string[], io: CliIo, deps: CliDependencies = {}): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: [...argv],
      options: {
        'pt-tls': { type: 'string' },
        radius: { type: 'string' },
        secret: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        ca: { type: 'string' },
        'server-name': { type: 'string' },
        'test-command': { type: 'string' },
        'device-id': { type: 'string' },
        timeout: { type: 'string' },
        quiet: { type: 'boolean' },
        watch: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    io.err(`tnc-client: ${(e as Error).message}\n${USAGE}`);
    return EXIT.error;
  }
  if (v.help) {
    io.out(USAGE);
    return EXIT.allow;
  }
  const fail = (message: string): number => {
    io.err(`tnc-client: ${message}`);
    return EXIT.error;
  };
  if ((v['pt-tls'] === undefined) === (v.radius === undefined)) return fail(`give exactly one of --pt-tls or --radius\n${USAGE}`);
  if ((v.user === undefined) !== (v.password === undefined)) return fail('give --user and --password together');
  let transport: TncTransport;
  try {
    if (v['pt-tls'] !== undefined) transport = { kind: 'pt-tls', ...parseHostPort(v['pt-tls'], PT_TLS_PORT) };
    else {
      if (!v.secret) return fail('--radius needs --secret (the shared secret of this NAS)');
      if (v.user === undefined) return fail('--radius needs --user and --password');
      if (!v.ca) return fail('--radius needs --ca FILE (the CA of the PDP certificate)');
      transport = { kind: 'radius', ...parseHostPort(v.radius as string, 1812), secret: v.secret };
    }
  } catch (e) {
    return fail((e as Error).message);
  }
  if (v.watch && transport.kind !== 'pt-tls') return fail('--watch needs --pt-tls (re-assessment happens on an open PT-TLS connection)');
  const timeoutSeconds = v.timeout === undefined ? 30 : Number(v.timeout);
  if (!(timeoutSeconds > 0)) return fail(`bad --timeout '${v.timeout}'`);
  let ca: string | undefined;
  if (v.ca) {
    try {
      ca = readFileSync(v.ca, 'utf8');
    } catch (e) {
      return fail(`cannot read the CA file ${v.ca}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) return fail(`${v.ca} is not a PEM certificate`);
  }

  const source = deps.source ?? linuxHostSource();
  const registry = createStandardRegistry();
  const imcs: Imc[] = [
    new OsImc(v['device-id'] ? { deviceId: v['device-id'] } : {}, { source, registry }),
    new ScannerImc({ source }),
    ...(v['test-command'] !== undefined ? [new TestImc({ command: v['test-command'] })] : []),
  ];
  const progress = v.quiet ? undefined : (line: string) => io.err(`tnc-client: ${line}`);
  let assessments = 0;
  const manager = new ImcManager({
    imcs,
    registry,
    onEvent: (e) => {
      const line = progressLine(e);
      if (line) progress?.(line);
      if (v.watch && e.type === 'outcome') {
        // Watching: each recommendation as it comes, numbered.
        io.out(`Assessment ${++assessments} (${new Date().toISOString()}):`);
        for (const l of formatOutcome(e.outcome)) io.out(`  ${l}`);
      }
    },
  });
  let stop: AbortController | undefined;
  const onSignal = (): void => stop?.abort();
  if (v.watch && !deps.signal) {
    stop = new AbortController();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const signal = deps.signal ?? stop?.signal;
  try {
    const r = await runTncClient(
      {
        transport,
        ...(v.user !== undefined && v.password !== undefined ? { user: v.user, password: v.password } : {}),
        ...(ca ? { ca } : {}),
        ...(v['server-name'] ? { serverName: v['server-name'] } : {}),
        timeoutMs: timeoutSeconds * 1000,
        ...(progress ? { progress } : {}),
        ...(v.watch ? { watch: signal ? { signal } : {} } : {}),
      },
      manager,
    );
    if (!v.watch) for (const line of formatOutcome(r.outcome)) io.out(line);
    if (r.radius) io.out(`RADIUS:         ${r.radius.accepted ? 'Access-Accept' : 'Access-Reject'}${r.radius.filterId ? `, Filter-Id ${r.radius.filterId}` : ''}`);
    const code = exitCodeFor(r.outcome);
    if (code === EXIT.error) io.err('tnc-client: the server sent no access recommendation');
    return code;
  } catch (e) {
    if (e instanceof TncClientError) return fail(`${e.message} [${e.code}]`);
    return fail(`unexpected error: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
