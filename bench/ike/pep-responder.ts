/**
 * Our PEP (tnc-pep) as the IKEv2 responder of the bench, with the same two connections as
 * charon-responder.ts in ipsec.conf syntax: `psk` (`*@psk.bench`, PSK both ways) and `eap`
 * (`*@eap.bench`, the gateway signs with the bench certificate, the client does EAP relayed to
 * RADIUS, eap_identity=%any), one pool, leftsubnet 10.1.0.0/16. Started as operators start it:
 * `node dist/pep/cli.js --config pep.yaml` (the build), or through tsx when there is no build.
 * Ready at its `listening` event; anything else (missing CLI, exit, 30 s) is an error whose
 * message says why, which the phase prints as "not available".
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nsExec } from '../../integration/lib/netns.js';
import { startProc, type Proc, type Scope } from '../../integration/lib/proc.js';
import { REPO_ROOT } from '../servers.js';

export interface PepResponderOptions {
  readonly netns: string;
  readonly dir: string;
  readonly address: string;
  readonly id: string;
  readonly psk: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly ikeProposal: string;
  readonly espProposal: string;
  readonly pool: string;
  readonly localTs: string;
  readonly radius: { readonly address: string; readonly port: number; readonly secret: string };
}

export function pepIpsecConf(o: PepResponderOptions): string {
  return `conn %default
     keyexchange=ikev2
     ike=${o.ikeProposal}!
     esp=${o.espProposal}!
     left=${o.address}
     leftid=@${o.id}
     leftsubnet=${o.localTs}
     right=%any
     rightsourceip=${o.pool}
     auto=add

conn psk
     leftauth=psk
     rightauth=psk
     rightid=*@psk.bench

conn eap
     leftauth=pubkey
     leftcert=server.crt
     leftsendcert=always
     rightauth=eap-radius
     rightid=*@eap.bench
     eap_identity=%any
`;
}

export function pepYaml(o: PepResponderOptions): string {
  return [
    'ipsecConf: ipsec.conf',
    'ipsecSecrets: ipsec.secrets',
    'ipsecDir: ipsec.d',
    'listen:',
    `  - address: ${o.address}`,
    '    ports: [500, 4500]',
    'radius:',
    '  nasIdentifier: bench-pep',
    '  servers:',
    '    - name: pdp',
    `      address: ${o.radius.address}`,
    `      port: ${o.radius.port}`,
    `      secret: "${o.radius.secret}"`,
    '      timeoutMs: 2000',
    '      retransmits: 3',
    'stateDir: ./state',
    'kernel: userspace',
    'log:',
    '  level: info',
    // the same DoS thresholds as charon's in charon-responder.ts: the set-up path, not the defence
    'cookieThreshold: 1000000',
    'maxHalfOpen: 1000000',
    '',
  ].join('\n');
}

export async function startPepResponder(scope: Scope, o: PepResponderOptions): Promise<{ pid: number; proc: Proc; description: string }> {
  const dist = join(REPO_ROOT, 'dist', 'pep', 'cli.js');
  const src = join(REPO_ROOT, 'pep', 'cli.ts');
  if (!existsSync(dist) && !existsSync(src)) throw new Error('tnc-pep missing (no pep/cli.ts)');
  for (const sub of ['certs', 'private', 'cacerts']) mkdirSync(join(o.dir, 'ipsec.d', sub), { recursive: true });
  writeFileSync(join(o.dir, 'ipsec.d', 'certs', 'server.crt'), readFileSync(o.certPath));
  writeFileSync(join(o.dir, 'ipsec.d', 'private', 'server.key'), readFileSync(o.keyPath), { mode: 0o600 });
  const keyType = readFileSync(o.keyPath, 'utf8').includes('EC PRIVATE KEY') ? 'ECDSA' : 'RSA';
  writeFileSync(join(o.dir, 'ipsec.conf'), pepIpsecConf(o));
  writeFileSync(join(o.dir, 'ipsec.secrets'), `: PSK "${o.psk}"\n: ${keyType} server.key\n`, { mode: 0o600 });
  const config = join(o.dir, 'pep.yaml');
  writeFileSync(config, pepYaml(o));
  const built = existsSync(dist);
  const [cmd, args] = nsExec(o.netns, process.execPath, [...(built ? [dist] : ['--import', 'tsx', src]), '--config', config]);
  const proc = startProc(scope, cmd, args, { name: 'ike-pep', cwd: REPO_ROOT });
  await proc.waitForJson((j) => j['event'] === 'listening', { timeoutMs: 30_000, what: 'tnc-pep listening' }).catch(async (e: Error) => {
    const tail = proc.tail(8).split('\n').filter((l) => l.trim()).slice(-3).join(' / ');
    await proc.stop();
    throw new Error(`tnc-pep did not start: ${e.message.split('\n')[0]}${tail ? ` (${tail.slice(0, 240)})` : ''}`);
  });
  return { pid: proc.pid, proc, description: `our PEP (tnc-pep, ${built ? 'node dist/pep/cli.js' : 'node --import tsx pep/cli.ts (no build)'}), kernel: userspace, log level info` };
}
