/**
 * Test helpers for PT-TLS: a throwaway PKI (CA, server certificate for a DNS name and 127.0.0.1,
 * a client certificate), a fake PostureService whose sessions decide at once, and the users.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AccessRecommendation, AssessmentResult } from '../../../tnc/index.js';
import type { PostureContext, PostureDecision, PostureService, PostureSession, Recommendation } from '../../posture/posture-service.js';
import { ConfigUserDirectory } from '../../users.js';

export interface PtTlsTestPki {
  readonly caPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** A CA and client certificate the server does not trust. */
  readonly otherClientCertPem: string;
  readonly otherClientKeyPem: string;
  readonly serverName: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

async function makeCa(name: string): Promise<{ cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

async function issue(
  ca: { cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair },
  serial: string,
  subject: string,
  usage: 'server' | 'client',
  altNames: { type: 'dns' | 'ip'; value: string }[],
): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject,
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      ...(altNames.length ? [new x509.SubjectAlternativeNameExtension(altNames)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

export async function makePtTlsPki(serverName = 'pdp.pt-tls.test'): Promise<PtTlsTestPki> {
  x509.cryptoProvider.set(webcrypto as never);
  const ca = await makeCa('C=CH, O=tnc-nea test, CN=PT-TLS Test CA');
  const server = await issue(ca, '02', `C=CH, O=tnc-nea test, CN=${serverName}`, 'server', [
    { type: 'dns', value: serverName },
    { type: 'ip', value: '127.0.0.1' },
  ]);
  const client = await issue(ca, '03', 'C=CH, O=tnc-nea test, CN=carol@pt-tls.test', 'client', [{ type: 'dns', value: 'carol.pt-tls.test' }]);
  const other = await makeCa('CN=Someone Else CA');
  const otherClient = await issue(other, '04', 'CN=mallory', 'client', []);
  return {
    caPem: ca.cert.toString('pem') + '\n',
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    clientCertPem: client.certPem,
    clientKeyPem: client.keyPem,
    otherClientCertPem: otherClient.certPem,
    otherClientKeyPem: otherClient.keyPem,
    serverName,
  };
}

export const TEST_USERS = [
  { name: 'carol', password: 'Ar3etTnp', group: 'allow' },
  { name: 'dave', password: 'W7R0g3do', group: 'isolate' },
] as const;
export const testUsers = (): ConfigUserDirectory => new ConfigUserDirectory(TEST_USERS);

const REC: Record<Recommendation, number | undefined> = {
  allow: AccessRecommendation.AccessAllowed,
  isolate: AccessRecommendation.Quarantined,
  'no-access': AccessRecommendation.AccessDenied,
  'no-recommendation': undefined,
};

export interface FakePostureService extends PostureService {
  readonly contexts: PostureContext[];
  readonly sessions: { context: PostureContext; closed: number; batches: number }[];
}

/**
 * A PostureService whose sessions answer the first CDATA with SDATA (`rounds` - 1 times) and then
 * decide `recommendation`. Records contexts, batches and close() calls.
 */
export function fakePostureService(recommendation: Recommendation = 'allow', rounds = 1): FakePostureService {
  const contexts: PostureContext[] = [];
  const sessions: FakePostureService['sessions'] = [];
  return {
    contexts,
    sessions,
    createSession(context: PostureContext): PostureSession {
      contexts.push(context);
      const record = { context, closed: 0, batches: 0 };
      sessions.push(record);
      let decision: PostureDecision | undefined;
      return {
        onClientBatch() {
          record.batches++;
          if (record.batches < rounds) return { action: 'continue' };
          decision = { recommendation, imvs: [{ imv: 'fake', recommendation, evaluation: 'compliant', reasons: [] }] };
          const rec = REC[recommendation];
          return {
            action: 'decide',
            assessmentResult: recommendation === 'allow' ? AssessmentResult.Compliant : AssessmentResult.MajorNonCompliance,
            ...(rec === undefined ? {} : { accessRecommendation: rec as AccessRecommendation }),
          };
        },
        decision: () => decision,
        close() {
          record.closed++;
        },
      };
    },
  };
}

/** Waits for `emitter` to emit `event` (with a timeout). */
export function once<T>(emitter: { once(event: string, fn: (v: T) => void): unknown }, event: string, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (v: T) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}
