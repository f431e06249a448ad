/**
 * One CA and one server certificate, made once per run and given to both servers (same key type,
 * same chain on the wire): strongSwan's `pki` via integration/lib/pki.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issue, makeCa, type KeySpec } from '../integration/lib/pki.js';
import { SERVER_NAME } from '../integration/lib/pdp-config.js';
import type { KeyChoice } from './options.js';

export interface BenchPki {
  readonly serverName: string;
  readonly keyLabel: string;
  readonly caCertPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Server certificate followed by the CA certificate: what FreeRADIUS sends (auto_chain). */
  readonly chainPath: string;
}

export async function makeBenchPki(dir: string, choice: KeyChoice): Promise<BenchPki> {
  const key: KeySpec = choice === 'rsa3072' ? { type: 'rsa', bits: 3072 } : { type: 'ecdsa', bits: 256 };
  const ca = await makeCa(dir, 'tnc-nea Bench Root CA', key);
  const server = await issue(dir, ca, { name: 'server', cn: SERVER_NAME, san: [SERVER_NAME], flags: ['serverAuth'], key });
  const chainPath = join(dir, 'server-chain.crt');
  writeFileSync(chainPath, readFileSync(server.certPath, 'utf8') + readFileSync(ca.certPath, 'utf8'));
  return {
    serverName: SERVER_NAME,
    keyLabel: choice === 'rsa3072' ? 'RSA-3072 (CA and server)' : 'ECDSA P-256 (CA and server)',
    caCertPath: ca.certPath,
    certPath: server.certPath,
    keyPath: server.keyPath,
    chainPath,
  };
}
