/**
 * Loads the gateway's private keys (ipsec.secrets RSA/ECDSA entries) into node KeyObjects and
 * certificates (leftcert, ipsec.d/certs, ipsec.d/cacerts) into @peculiar/x509 certificates.
 * PEM or DER. Passphrases and key material never reach an error message.
 */
import 'reflect-metadata';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as x509 from '@peculiar/x509';
import { PepConfigError } from './config-error.js';
import type { Identity } from './identity.js';
import type { IpsecSecrets, PrivateKeyType } from './ipsec-secrets.js';

export interface LoadedPrivateKey {
  readonly type: PrivateKeyType;
  readonly selectors: readonly Identity[];
  readonly key: KeyObject;
  readonly file: string;
}

function readBytes(path: string, file: string, line: number, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new PepConfigError('SECRETS_KEY', file, line, key, `cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Loads every RSA/ECDSA entry; the key type must match the entry's type. */
export function loadPrivateKeys(secrets: IpsecSecrets): LoadedPrivateKey[] {
  const out: LoadedPrivateKey[] = [];
  for (const e of secrets.entries) {
    if (e.type !== 'RSA' && e.type !== 'ECDSA') continue;
    const bytes = readBytes(e.keyFile, e.file, e.line, e.type);
    const pem = bytes.includes('-----BEGIN');
    let key: KeyObject;
    try {
      const passphrase = e.passphrase?.reveal();
      key = pem
        ? createPrivateKey({ key: bytes, format: 'pem', ...(passphrase ? { passphrase } : {}) })
        : createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8', ...(passphrase ? { passphrase } : {}) });
    } catch (err) {
      // OpenSSL's reason only (no key bytes in it), e.g. "bad decrypt" for a wrong passphrase.
      const reason = (err as { code?: string }).code ?? 'unreadable';
      throw new PepConfigError('SECRETS_KEY', e.file, e.line, e.type, `'${e.keyFile}' is not a usable private key (${reason})`);
    }
    const kind = key.asymmetricKeyType;
    if (e.type === 'RSA' && kind !== 'rsa' && kind !== 'rsa-pss') {
      throw new PepConfigError('SECRETS_KEY', e.file, e.line, e.type, `'${e.keyFile}' holds a ${kind ?? 'non-RSA'} key, not RSA`);
    }
    if (e.type === 'ECDSA' && kind !== 'ec') {
      throw new PepConfigError('SECRETS_KEY', e.file, e.line, e.type, `'${e.keyFile}' holds a ${kind ?? 'non-EC'} key, not ECDSA`);
    }
    out.push(Object.freeze({ type: e.type, selectors: e.selectors, key, file: e.keyFile }));
  }
  return out;
}

/** Loads an X.509 certificate (PEM or DER); `ref` names the config line that asked for it. */
export function loadCertificate(path: string, ref: { file: string; line: number; key: string } = { file: path, line: 0, key: '' }): x509.X509Certificate {
  const bytes = readBytes(path, ref.file, ref.line, ref.key);
  try {
    return bytes.includes('-----BEGIN') ? new x509.X509Certificate(bytes.toString('utf8')) : new x509.X509Certificate(new Uint8Array(bytes));
  } catch {
    throw new PepConfigError('SECRETS_KEY', ref.file, ref.line, ref.key, `'${path}' is not an X.509 certificate`);
  }
}
