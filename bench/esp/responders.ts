/**
 * The two responders (moon) of the ESP phase, one PSK connection each accepting every suite of the
 * run, a pool for carol's virtual IP, local traffic selector 10.1.0.0/16:
 * - ours: `node dist/pep/cli.js --config pep.yaml` (through tsx without a build), `kernel:
 *   userspace` (pep/kernel/userspace-data-path.ts: ESP in the Node process, TUN device, routes
 *   to the peer's virtual IP into the TUN), log level info;
 * - strongswan: Debian's charon with kernel-libipsec (its routes into ipsec0 in table 220), log
 *   level 1.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nsExec } from '../../integration/lib/netns.js';
import { startProc, type Proc, type Scope } from '../../integration/lib/proc.js';
import { startCharon } from '../../integration/lib/strongswan.js';
import { processName } from '../procfs.js';
import { REPO_ROOT } from '../servers.js';

export type EspResponderKind = 'ours' | 'strongswan';

export interface EspResponderOptions {
  readonly netns: string;
  readonly dir: string;
  readonly address: string;
  readonly id: string;
  readonly psk: string;
  readonly suites: readonly string[];
  readonly pool: string;
  readonly localTs: string;
}

export interface EspResponder {
  readonly pid: number;
  readonly proc: Proc;
  readonly description: string;
}

const MOON_PLUGINS = 'random nonce openssl kdf pem pkcs1 pkcs8 x509 revocation constraints pubkey kernel-libipsec kernel-netlink socket-default vici';

async function startOurs(scope: Scope, o: EspResponderOptions): Promise<EspResponder> {
  const dist = join(REPO_ROOT, 'dist', 'pep', 'cli.js');
  const src = join(REPO_ROOT, 'pep', 'cli.ts');
  if (!existsSync(dist) && !existsSync(src)) throw new Error('tnc-pep missing (no pep/cli.ts)');
  for (const sub of ['certs', 'private', 'cacerts']) mkdirSync(join(o.dir, 'ipsec.d', sub), { recursive: true });
  writeFileSync(
    join(o.dir, 'ipsec.conf'),
    `conn esp
     keyexchange=ikev2
     ike=aes128-sha256-ecp256!
     esp=${o.suites.join(',')}!
     left=${o.address}
     leftid=@${o.id}
     leftauth=psk
     leftsubnet=${o.localTs}
     right=%any
     rightid=*@esp.bench
     rightauth=psk
     rightsourceip=${o.pool}
     auto=add
`,
  );
  writeFileSync(join(o.dir, 'ipsec.secrets'), `: PSK "${o.psk}"\n`, { mode: 0o600 });
  const config = join(o.dir, 'pep.yaml');
  writeFileSync(
    config,
    ['ipsecConf: ipsec.conf', 'ipsecSecrets: ipsec.secrets', 'ipsecDir: ipsec.d', 'listen:', `  - address: ${o.address}`, '    ports: [500, 4500]', 'radius:', '  servers:', '    - name: unused', '      address: 127.0.0.1', '      port: 1812', '      secret: "unused-no-eap"', 'stateDir: ./state', 'kernel: userspace', 'log:', '  level: info', ''].join('\n'),
  );
  const built = existsSync(dist);
  const [cmd, args] = nsExec(o.netns, process.execPath, [...(built ? [dist] : ['--import', 'tsx', src]), '--config', config]);
  const proc = startProc(scope, cmd, args, { name: 'esp-pep', cwd: REPO_ROOT });
  await proc.waitForJson((j) => j['event'] === 'listening', { timeoutMs: 30_000, what: 'tnc-pep listening' }).catch(async (e: Error) => {
    const tail = proc.tail(8).split('\n').filter((l) => l.trim()).slice(-3).join(' / ');
    await proc.stop();
    throw new Error(`tnc-pep did not start: ${e.message.split('\n')[0]}${tail ? ` (${tail.slice(0, 240)})` : ''}`);
  });
  return { pid: proc.pid, proc, description: `our PEP (tnc-pep, ${built ? 'node dist/pep/cli.js' : 'node --import tsx pep/cli.ts'}), kernel: userspace (ESP in Node, TUN), log level info` };
}

async function startStrongswan(scope: Scope, o: EspResponderOptions): Promise<EspResponder> {
  const charon = await startCharon(scope, {
    name: 'esp-moon-charon',
    netns: o.netns,
    dir: o.dir,
    plugins: MOON_PLUGINS,
    charonSection: '',
    swanctlConf: `connections {
  esp {
    version = 2
    local_addrs = ${o.address}
    proposals = aes128-sha256-ecp256
    pools = carol
    local {
      auth = psk
      id = ${o.id}
    }
    remote {
      auth = psk
      id = *@esp.bench
    }
    children {
      esp {
        local_ts = ${o.localTs}
        esp_proposals = ${o.suites.join(',')}
      }
    }
  }
}
pools {
  carol {
    addrs = ${o.pool}
  }
}
secrets {
  ike-psk {
    secret = "${o.psk}"
  }
}
`,
    logLevels: 'default = 1',
    readyTimeoutMs: 30_000,
  });
  const name = processName(charon.proc.pid);
  if (name !== 'charon') throw new Error(`expected charon at pid ${charon.proc.pid}, found ${name}`);
  return { pid: charon.proc.pid, proc: charon.proc, description: 'strongSwan 5.9.8 charon (Debian), kernel-libipsec (ESP in charon, TUN ipsec0), log level 1' };
}

export function startEspResponder(kind: EspResponderKind, scope: Scope, o: EspResponderOptions): Promise<EspResponder> {
  return kind === 'ours' ? startOurs(scope, o) : startStrongswan(scope, o);
}
