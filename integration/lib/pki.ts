/**
 * Test certificates made with strongSwan's `pki` tool (package strongswan-pki): a CA and
 * end-entity certificates for moon (IKEv2 AUTH, REFERENCE-SCENARIO step 1/7) and for the FreeRADIUS
 * peer's TLS server (step 3). Our own PDP makes its CA itself, so this is only for the peers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './proc.js';

export interface Ca {
  readonly certPath: string;
  readonly keyPath: string;
}

export interface Issued {
  readonly certPath: string;
  readonly keyPath: string;
}

export type KeySpec = { readonly type: 'rsa'; readonly bits: 2048 | 3072 } | { readonly type: 'ecdsa'; readonly bits: 256 | 384 };

const DEFAULT_KEY: KeySpec = { type: 'rsa', bits: 2048 };

/** strongswan.conf for pki itself: an explicit plugin list keeps the TPM library from loading. */
function pkiEnv(dir: string): NodeJS.ProcessEnv {
  const conf = join(dir, 'pki-strongswan.conf');
  writeFileSync(conf, 'pki {\n  load = random nonce sha1 sha2 md5 pem pkcs1 pkcs8 x509 pubkey openssl gmp\n}\n');
  return { ...process.env, STRONGSWAN_CONF: conf };
}

async function pki(dir: string, args: readonly string[], input?: string): Promise<string> {
  const r = await run('pki', args, { timeoutMs: 20_000, env: pkiEnv(dir), ...(input === undefined ? {} : { input }) });
  return r.stdout;
}

async function genKey(dir: string, path: string, key: KeySpec): Promise<void> {
  writeFileSync(path, await pki(dir, ['--gen', '--type', key.type, '--size', String(key.bits), '--outform', 'pem']), {
    mode: 0o600,
  });
}

export async function makeCa(dir: string, cn: string, key: KeySpec = DEFAULT_KEY): Promise<Ca> {
  mkdirSync(dir, { recursive: true });
  const keyPath = join(dir, 'ca.key');
  const certPath = join(dir, 'ca.crt');
  await genKey(dir, keyPath, key);
  writeFileSync(
    certPath,
    await pki(dir, ['--self', '--ca', '--lifetime', '30', '--in', keyPath, '--dn', `C=CH, O=strongSwan Test, CN=${cn}`, '--outform', 'pem']),
  );
  return { certPath, keyPath };
}

export interface IssueOptions {
  readonly name: string;
  readonly cn: string;
  readonly san: readonly string[];
  readonly flags?: readonly ('serverAuth' | 'clientAuth' | 'ikeIntermediate')[];
  readonly key?: KeySpec;
}

export async function issue(dir: string, ca: Ca, opts: IssueOptions): Promise<Issued> {
  mkdirSync(dir, { recursive: true });
  const keyPath = join(dir, `${opts.name}.key`);
  const certPath = join(dir, `${opts.name}.crt`);
  await genKey(dir, keyPath, opts.key ?? DEFAULT_KEY);
  const pub = await pki(dir, ['--pub', '--in', keyPath, '--outform', 'pem']);
  const args = ['--issue', '--cacert', ca.certPath, '--cakey', ca.keyPath, '--lifetime', '30', '--outform', 'pem'];
  args.push('--dn', `C=CH, O=strongSwan Test, CN=${opts.cn}`);
  for (const san of opts.san) args.push('--san', san);
  for (const flag of opts.flags ?? []) args.push('--flag', flag);
  writeFileSync(certPath, await pki(dir, args, pub));
  return { certPath, keyPath };
}
