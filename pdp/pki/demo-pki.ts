/**
 * The PDP's TLS identity. An operator configures a certificate and key; without one the PDP makes
 * a demo CA and a server certificate for `pki.serverName` on first run (with @peculiar/x509 over
 * WebCrypto, no openssl shell-out) and keeps them in <stateDir>/pki so clients can pin the CA.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { PdpConfig } from '../config/types.js';

export interface TlsIdentity {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** CA certificate(s) clients should trust, PEM. */
  readonly caPem: string;
  /** Files, for operators and tests (eapol_test ca_cert). */
  readonly files: { readonly ca?: string; readonly certificate: string; readonly privateKey: string };
  readonly generated: boolean;
}

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;
type EcdsaParams = webcrypto.EcdsaParams;
type RsaHashedKeyGenParams = webcrypto.RsaHashedKeyGenParams;
type EcKeyGenParams = webcrypto.EcKeyGenParams;
const crypto = webcrypto;
x509.cryptoProvider.set(crypto as never);

type KeyType = PdpConfig['pki']['keyType'];

function algorithm(keyType: KeyType): RsaHashedKeyGenParams | EcKeyGenParams {
  if (keyType === 'ecdsa-p256') return { name: 'ECDSA', namedCurve: 'P-256' };
  return {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: keyType === 'rsa-3072' ? 3072 : 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  };
}

function signingAlgorithm(keyType: KeyType): Algorithm | EcdsaParams {
  return keyType === 'ecdsa-p256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' };
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

function serial(): string {
  const b = Buffer.from(crypto.getRandomValues(new Uint8Array(16)));
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString('hex');
}

async function importKey(pem: string, keyType: KeyType): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return crypto.subtle.importKey('pkcs8', der, algorithm(keyType) as Algorithm, false, ['sign']);
}

async function generateCa(keyType: KeyType): Promise<{ cert: x509.X509Certificate; keyPem: string }> {
  const keys = (await crypto.subtle.generateKey(algorithm(keyType), true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=tnc-pdp demo CA, O=tnc-nea demo (not for production)',
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 10 * 365 * 86400_000),
    keys,
    signingAlgorithm: signingAlgorithm(keyType),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keyPem: await pkcs8Pem(keys.privateKey) };
}

async function generateServer(
  ca: x509.X509Certificate,
  caKey: CryptoKey,
  serverName: string,
  keyType: KeyType,
): Promise<{ cert: x509.X509Certificate; keyPem: string }> {
  const keys = (await crypto.subtle.generateKey(algorithm(keyType), true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${serverName}`,
    issuer: ca.subject,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 2 * 365 * 86400_000),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: signingAlgorithm(keyType),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: serverName }]),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });
  return { cert, keyPem: await pkcs8Pem(keys.privateKey) };
}

/** Loads the configured identity, or loads/creates the demo PKI under <stateDir>/pki. */
export async function loadTlsIdentity(config: PdpConfig): Promise<TlsIdentity> {
  const { pki } = config;
  if (pki.certificate && pki.privateKey) {
    const certificatePem = readFileSync(pki.certificate, 'utf8');
    const caPem = pki.ca ? readFileSync(pki.ca, 'utf8') : '';
    return {
      certificatePem,
      privateKeyPem: readFileSync(pki.privateKey, 'utf8'),
      caPem,
      files: { certificate: pki.certificate, privateKey: pki.privateKey, ...(pki.ca ? { ca: pki.ca } : {}) },
      generated: false,
    };
  }
  const dir = join(config.stateDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { ca: join(dir, 'ca.crt'), certificate: join(dir, 'server.crt'), privateKey: join(dir, 'server.key') };
  const caKeyFile = join(dir, 'ca.key');
  let generated = false;

  let ca: x509.X509Certificate;
  let caKeyPem: string;
  if (existsSync(files.ca) && existsSync(caKeyFile)) {
    ca = new x509.X509Certificate(readFileSync(files.ca, 'utf8'));
    caKeyPem = readFileSync(caKeyFile, 'utf8');
  } else {
    ({ cert: ca, keyPem: caKeyPem } = await generateCa(pki.keyType));
    writeAtomic(caKeyFile, caKeyPem, 0o600);
    writeAtomic(files.ca, ca.toString('pem') + '\n', 0o644);
    generated = true;
  }

  let serverOk = false;
  if (!generated && existsSync(files.certificate) && existsSync(files.privateKey)) {
    const existing = new x509.X509Certificate(readFileSync(files.certificate, 'utf8'));
    serverOk = existing.subject === `CN=${pki.serverName}` && existing.notAfter.getTime() > Date.now() + 86400_000;
  }
  if (!serverOk) {
    const caKey = await importKey(caKeyPem, pki.keyType);
    const server = await generateServer(ca, caKey, pki.serverName, pki.keyType);
    writeAtomic(files.privateKey, server.keyPem, 0o600);
    writeAtomic(files.certificate, server.cert.toString('pem') + '\n', 0o644);
    generated = true;
  }
  return {
    certificatePem: readFileSync(files.certificate, 'utf8'),
    privateKeyPem: readFileSync(files.privateKey, 'utf8'),
    caPem: readFileSync(files.ca, 'utf8'),
    files,
    generated,
  };
}
