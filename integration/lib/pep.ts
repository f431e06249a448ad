/**
 * Start our PEP (moon, REFERENCE-SCENARIO steps 1, 2 and 7): `node --import tsx pep/cli.ts
 * --config pep.yaml` inside a network namespace, with the given ipsec.conf / ipsec.secrets.
 * Ready when it has logged `listening`. Its pino lines are JSON; `waitForMsg` matches the `msg`
 * of a line (the strongSwan-style text, e.g. "switching to peer config 'rw-isolate'").
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nsExec, REF } from './netns.js';
import { REPO_ROOT } from './pdp.js';
import { startProc, type Json, type Proc, type Scope } from './proc.js';
import { run, type RunResult } from './run.js';

export interface StartPepOptions {
  readonly netns: string;
  readonly dir: string;
  readonly ipsecConf: string;
  readonly ipsecSecrets: string;
  readonly listen: string;
  readonly radius?: readonly { readonly address: string; readonly port?: number; readonly secret: string }[];
  readonly kernel?: 'auto' | 'xfrm' | 'userspace';
  readonly pools?: readonly { readonly name: string; readonly cidr: string }[];
  readonly dns?: readonly string[];
  /** Files for ipsec.d/{certs,private,cacerts}: name -> content. */
  readonly ipsecD?: { readonly certs?: Record<string, string>; readonly private?: Record<string, string> };
  readonly logLevel?: string;
  readonly readyTimeoutMs?: number;
  /** RADIUS accounting (radius.accounting, interimIntervalSeconds) to the servers' port 1813 (or accountingPort). */
  readonly accounting?: { readonly interimIntervalSeconds?: number };
  readonly accountingPort?: number;
  /** RFC 5176 DAE server (radius.dae); clients default to the RADIUS servers with their secrets. */
  readonly dae?: { readonly listen?: string; readonly port?: number; readonly secret?: string; readonly requireMessageAuthenticator?: boolean };
}

export class Pep {
  constructor(
    readonly proc: Proc,
    readonly dir: string,
    readonly configPath: string,
  ) {}

  mark(): number {
    return this.proc.mark();
  }

  /** Lines (JSON objects) whose msg matches. */
  messages(since = 0): string[] {
    return this.proc.jsonLines(since).map((o) => String(o['msg'] ?? ''));
  }

  async waitForMsg(re: RegExp, since: number, timeoutMs: number): Promise<Json> {
    return this.proc.waitForJson((o) => re.test(String(o['msg'] ?? '')), { since, timeoutMs, what: `PEP log ${re}` });
  }

  /** `tnc-pep <args>` against this gateway's control socket (from the host namespace). */
  async cli(args: readonly string[]): Promise<RunResult> {
    return run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'pep', 'cli.ts'), ...args, '--config', this.configPath], { timeoutMs: 20_000, cwd: REPO_ROOT, check: false });
  }

  async stop(): Promise<void> {
    await this.proc.stop();
  }
}

export async function startPep(scope: Scope, o: StartPepOptions): Promise<Pep> {
  mkdirSync(o.dir, { recursive: true });
  const ipsecD = join(o.dir, 'ipsec.d');
  for (const sub of ['certs', 'private', 'cacerts']) mkdirSync(join(ipsecD, sub), { recursive: true });
  for (const [name, content] of Object.entries(o.ipsecD?.certs ?? {})) writeFileSync(join(ipsecD, 'certs', name), content);
  for (const [name, content] of Object.entries(o.ipsecD?.private ?? {})) writeFileSync(join(ipsecD, 'private', name), content, { mode: 0o600 });
  writeFileSync(join(o.dir, 'ipsec.conf'), o.ipsecConf);
  writeFileSync(join(o.dir, 'ipsec.secrets'), o.ipsecSecrets, { mode: 0o600 });
  const radius = o.radius?.length ? o.radius : [{ address: '127.0.0.1', port: 1812, secret: 'unused-no-eap' }];
  const yaml = [
    'ipsecConf: ipsec.conf',
    'ipsecSecrets: ipsec.secrets',
    'ipsecDir: ipsec.d',
    'listen:',
    `  - address: ${o.listen}`,
    '    ports: [500, 4500]',
    'radius:',
    '  servers:',
    ...radius.flatMap((s, i) => [`    - name: r${i}`, `      address: ${s.address}`, `      port: ${s.port ?? 1812}`, ...(o.accountingPort ? [`      accountingPort: ${o.accountingPort}`] : []), `      secret: "${s.secret}"`, '      timeoutMs: 1000', '      retransmits: 2']),
    ...(o.accounting ? ['  accounting: true', `  interimIntervalSeconds: ${o.accounting.interimIntervalSeconds ?? 0}`] : []),
    ...(o.dae
      ? [
          '  dae:',
          '    enable: true',
          `    listen: ${o.dae.listen ?? '0.0.0.0'}`,
          `    port: ${o.dae.port ?? 3799}`,
          ...(o.dae.secret ? [`    secret: "${o.dae.secret}"`] : []),
          ...(o.dae.requireMessageAuthenticator ? ['    requireMessageAuthenticator: true'] : []),
        ]
      : []),
    ...(o.pools?.length ? ['pools:', ...o.pools.flatMap((p) => [`  - name: ${p.name}`, `    cidr: ${p.cidr}`])] : []),
    ...(o.dns?.length ? ['attributes:', `  dns: [${o.dns.join(', ')}]`] : []),
    'stateDir: ./state',
    `kernel: ${o.kernel ?? 'auto'}`,
    'log:',
    `  level: ${o.logLevel ?? 'debug'}`,
    '',
  ].join('\n');
  const configPath = join(o.dir, 'pep.yaml');
  writeFileSync(configPath, yaml);
  const [cmd, args] = nsExec(o.netns, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'pep', 'cli.ts'), '--config', configPath]);
  const proc = startProc(scope, cmd, args, { name: 'pep', cwd: REPO_ROOT });
  await proc.waitForJson((j) => j['event'] === 'listening', { timeoutMs: o.readyTimeoutMs ?? 20_000, what: 'tnc-pep listening' }).catch((e: Error) => {
    throw new Error(`${e.message}\n${proc.tail(40)}`);
  });
  return new Pep(proc, o.dir, configPath);
}

/**
 * The published conns (REFERENCE-SCENARIO "The PEP configuration this mirrors") for our PEP in
 * moon, a pool each: rw-allow (group allow, 10.1.0.0/16, 10.3.0.0/24) and rw-isolate (group
 * isolate, 10.2.0.0/16, 10.4.0.0/24), both `also=rw-eap`.
 */
export function referenceIpsecConf(o: {
  /** moon's own proof: EAP-only (leftauth=eap-ttls, RFC 5998) or its certificate. */
  readonly gatewayAuth: 'eap-only' | 'pubkey';
  readonly moonId: string;
  /** Several IKE/ESP proposals in conn %default so proposal selection is exercised (default true). */
  readonly proposals?: boolean;
  /** leftfirewall=yes and rightsendcert=never, as published (default true). */
  readonly published?: boolean;
}): string {
  const proposals = o.proposals ?? true;
  const published = o.published ?? true;
  return `
conn %default
     keyexchange=ikev2
${proposals ? '     ike=aes256-sha256-modp2048,aes128gcm16-prfsha256-ecp256,aes256-sha256-x25519\n     esp=aes256-sha256,aes128gcm16\n' : ''}
conn rw-allow
     rightgroups=allow
     leftsubnet=10.1.0.0/16
     rightsourceip=10.3.0.0/24
     also=rw-eap
     auto=add

conn rw-isolate
     rightgroups=isolate
     leftsubnet=10.2.0.0/16
     rightsourceip=10.4.0.0/24
     also=rw-eap
     auto=add

conn rw-eap
     left=${REF.moonOutside}
     leftid=@${o.moonId}
${o.gatewayAuth === 'pubkey' ? '     leftcert=moonCert.pem\n     leftauth=pubkey' : '     leftauth=eap-ttls'}
${published ? '     leftfirewall=yes\n' : ''}     rightauth=eap-radius
     rightid=*@strongswan.org
${published ? '     rightsendcert=never\n' : ''}     right=%any
`;
}
