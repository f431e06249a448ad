/**
 * Certificates and a certificate-authenticating PEP for integration/pep-cert.test.ts.
 *
 * `makeCertPki` makes, with strongSwan's `pki`, a root CA and end-entity certificates of any RSA
 * size (4096 forces IKE fragmentation: a 4096-bit certificate plus a 512-octet signature do not fit
 * in strongSwan's fragment_size of 1280) or ECDSA curve. `startCertPep` writes the same files as
 * integration/lib/pep.ts startPep, plus ipsec.d/cacerts, and runs pep-cert-main.ts (tnc-pep with
 * the CA trust store) in the namespace.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nsExec } from './netns.js';
import { Pep } from './pep.js';
import { REPO_ROOT } from './pdp.js';
import { run, startProc, type Scope } from './proc.js';

export type CertKey = { readonly type: 'rsa'; readonly bits: 2048 | 3072 | 4096 } | { readonly type: 'ecdsa'; readonly bits: 256 | 384 };

async function pki(dir: string, args: readonly string[], input?: string): Promise<string> {
  const conf = join(dir, 'pki-strongswan.conf');
  writeFileSync(conf, 'pki {\n  load = random nonce sha1 sha2 md5 pem pkcs1 pkcs8 x509 pubkey openssl gmp\n}\n');
  const r = await run('pki', args, { timeoutMs: 60_000, env: { ...process.env, STRONGSWAN_CONF: conf }, ...(input === undefined ? {} : { input }) });
  return r.stdout;
}

export interface PemPair {
  readonly cert: string;
  readonly key: string;
  readonly certPath: string;
  readonly keyPath: string;
}

async function keyPem(dir: string, path: string, key: CertKey): Promise<string> {
  const pem = await pki(dir, ['--gen', '--type', key.type, '--size', String(key.bits), '--outform', 'pem']);
  writeFileSync(path, pem, { mode: 0o600 });
  return pem;
}

export async function makeRootCa(dir: string, cn: string, key: CertKey): Promise<PemPair> {
  mkdirSync(dir, { recursive: true });
  const keyPath = join(dir, `${cn.replace(/\W+/g, '_')}.key`);
  const certPath = join(dir, `${cn.replace(/\W+/g, '_')}.crt`);
  const k = await keyPem(dir, keyPath, key);
  const cert = await pki(dir, ['--self', '--ca', '--lifetime', '30', '--in', keyPath, '--dn', `C=CH, O=strongSwan Test, CN=${cn}`, '--outform', 'pem']);
  writeFileSync(certPath, cert);
  return { cert, key: k, certPath, keyPath };
}

export async function issueCert(dir: string, ca: PemPair, name: string, o: { readonly cn: string; readonly san: readonly string[]; readonly key: CertKey; readonly flags?: readonly string[] }): Promise<PemPair> {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  const k = await keyPem(dir, keyPath, o.key);
  const pub = await pki(dir, ['--pub', '--in', keyPath, '--outform', 'pem']);
  const args = ['--issue', '--cacert', ca.certPath, '--cakey', ca.keyPath, '--lifetime', '30', '--outform', 'pem', '--dn', `C=CH, O=strongSwan Test, CN=${o.cn}`];
  for (const san of o.san) args.push('--san', san);
  for (const f of o.flags ?? []) args.push('--flag', f);
  const cert = await pki(dir, args, pub);
  writeFileSync(certPath, cert);
  return { cert, key: k, certPath, keyPath };
}

export interface StartCertPepOptions {
  readonly netns: string;
  readonly dir: string;
  readonly ipsecConf: string;
  readonly ipsecSecrets: string;
  readonly listen: string;
  readonly certs: Record<string, string>;
  readonly private: Record<string, string>;
  readonly cacerts: Record<string, string>;
  readonly readyTimeoutMs?: number;
}

export async function startCertPep(scope: Scope, o: StartCertPepOptions): Promise<Pep> {
  const ipsecD = join(o.dir, 'ipsec.d');
  for (const sub of ['certs', 'private', 'cacerts']) mkdirSync(join(ipsecD, sub), { recursive: true });
  for (const [n, c] of Object.entries(o.certs)) writeFileSync(join(ipsecD, 'certs', n), c);
  for (const [n, c] of Object.entries(o.private)) writeFileSync(join(ipsecD, 'private', n), c, { mode: 0o600 });
  for (const [n, c] of Object.entries(o.cacerts)) writeFileSync(join(ipsecD, 'cacerts', n), c);
  writeFileSync(join(o.dir, 'ipsec.conf'), o.ipsecConf);
  writeFileSync(join(o.dir, 'ipsec.secrets'), o.ipsecSecrets, { mode: 0o600 });
  const yaml = [
    'ipsecConf: ipsec.conf',
    'ipsecSecrets: ipsec.secrets',
    'ipsecDir: ipsec.d',
    'listen:',
    `  - address: ${o.listen}`,
    '    ports: [500, 4500]',
    'radius:',
    '  servers:',
    '    - name: r0',
    '      address: 127.0.0.1',
    '      port: 1812',
    '      secret: "unused-no-eap"',
    '      timeoutMs: 1000',
    '      retransmits: 2',
    'stateDir: ./state',
    'kernel: auto',
    'log:',
    '  level: debug',
    '',
  ].join('\n');
  const configPath = join(o.dir, 'pep.yaml');
  writeFileSync(configPath, yaml);
  const [cmd, args] = nsExec(o.netns, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'integration', 'lib', 'pep-cert-main.ts'), configPath, join(ipsecD, 'cacerts')]);
  const proc = startProc(scope, cmd, args, { name: 'pep', cwd: REPO_ROOT });
  await proc.waitForJson((j) => j['event'] === 'listening', { timeoutMs: o.readyTimeoutMs ?? 20_000, what: 'tnc-pep listening' }).catch((e: Error) => {
    throw new Error(`${e.message}\n${proc.tail(40)}`);
  });
  return new Pep(proc, o.dir, configPath);
}
