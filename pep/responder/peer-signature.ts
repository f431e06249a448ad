/**
 * Verifying an initiator's signature AUTH payload (rightauth=pubkey), RFC 7296 2.15 and 3.8,
 * RFC 4754 (ECDSA), RFC 7427 (Digital Signature), the way strongSwan's pubkey_authenticator does:
 *
 *   1. its CERT payloads (X.509 Certificate - Signature, encoding 4): the first is the end entity,
 *      the others candidate intermediate CAs; "The first certificate provided MUST contain the
 *      public key used to verify the AUTH field" (RFC 7296 3.6);
 *   2. a path from it to a CA of the trust store, each certificate valid now (certificate-chain.ts);
 *   3. the IDi confirmed by the certificate (subjectAltName or subject), as strongSwan requires;
 *   4. the AUTH method fits the key (1: RSA, 9/10/11: ECDSA on P-256/384/521, 14: RFC 7427 with
 *      the AlgorithmIdentifier naming the scheme) and the signature over InitiatorSignedOctets
 *      verifies.
 *
 * Any failure is one log line naming the reason, then strongSwan's own summary ("no trusted RSA
 * public key found for 'carol@strongswan.org'" / "signature validation failed"); the caller
 * answers AUTHENTICATION_FAILED.
 */
import { AuthMethod, CertEncoding, PayloadType } from '../ike/constants.js';
import type { AuthenticationPayload } from '../ike/payloads/authentication.js';
import type { IdentificationPayload } from '../ike/payloads/identification.js';
import { signedOctets } from '../crypto/auth.js';
import { lookupAlgorithmIdentifier } from '../crypto/signature-algorithm.js';
import type { SignatureMethod } from '../crypto/signature.js';
import { certificateMatchesIdentity, subjectText, verifyChain } from './certificate-chain.js';
import { findAll, type IkePayload } from './payload-types.js';
import type { IkeSa } from './ike-sa.js';
import type { IkeResponder } from './responder.js';

const METHODS: Readonly<Record<number, SignatureMethod>> = {
  [AuthMethod.RSA_DIGITAL_SIGNATURE]: 'rsa',
  [AuthMethod.ECDSA_SHA256_P256]: 'ecdsa-256',
  [AuthMethod.ECDSA_SHA384_P384]: 'ecdsa-384',
  [AuthMethod.ECDSA_SHA512_P521]: 'ecdsa-521',
  [AuthMethod.DIGITAL_SIGNATURE]: 'digital-signature',
};

/** strongSwan's names of the signature schemes, for the log. */
function schemeName(method: number, authData: Uint8Array): string {
  if (method === AuthMethod.RSA_DIGITAL_SIGNATURE) return 'RSA_EMSA_PKCS1_SHA1';
  if (method === AuthMethod.ECDSA_SHA256_P256) return 'ECDSA-256 signature';
  if (method === AuthMethod.ECDSA_SHA384_P384) return 'ECDSA-384 signature';
  if (method === AuthMethod.ECDSA_SHA512_P521) return 'ECDSA-521 signature';
  const len = authData[0] ?? 0;
  const a = lookupAlgorithmIdentifier(authData.subarray(1, 1 + len));
  if (!a) return 'unknown RFC 7427 scheme';
  const bits = a.hash.slice(3);
  return a.kind === 'ecdsa' ? `ECDSA_WITH_SHA${bits}_DER` : a.kind === 'rsa-pss' ? `RSA_EMSA_PSS_SHA2_${bits}` : `RSA_EMSA_PKCS1_SHA2_${bits}`;
}

/** True when the initiator's signature AUTH is trusted and valid; logs why not otherwise. */
export async function verifyPeerSignature(r: IkeResponder, sa: IkeSa, payloads: readonly IkePayload[], idi: IdentificationPayload, auth: AuthenticationPayload): Promise<boolean> {
  const remoteId = sa.remoteId ?? '?';
  const method = METHODS[auth.method];
  const fail = (event: string, why: string, extra: object = {}): false => {
    r.log.warn({ event, sa: sa.label, remoteId, ...extra }, why);
    r.log.warn({ event: 'ike.auth-failed', sa: sa.label, remoteId, method: auth.method }, `no trusted public key found for '${remoteId}'`);
    return false;
  };
  if (!method) return fail('ike.auth-method', `AUTH method ${auth.method} is not a signature method we verify`);
  const certs = findAll(payloads, PayloadType.CERT);
  const x509 = certs.filter((c) => c.encoding === CertEncoding.X509_SIGNATURE);
  if (certs.length !== x509.length) r.log.debug({ event: 'ike.cert-ignored', sa: sa.label }, `ignoring ${certs.length - x509.length} CERT payloads of an encoding other than X.509`);
  const [ee, ...rest] = x509;
  if (!ee) return fail('ike.no-cert', `peer '${remoteId}' sent no X.509 certificate (CERT payload), cannot verify its ${schemeName(auth.method, auth.data)}`);
  const chain = verifyChain({ endEntity: ee.data, intermediates: rest.map((c) => c.data), anchors: r.trustStore.certs, now: new Date(r.now()) });
  if (!chain.ok) {
    return fail('ike.cert-untrusted', `certificate of '${remoteId}' not trusted (${chain.code}): ${chain.message}`, { code: chain.code, subject: chain.subject });
  }
  const subject = subjectText(chain.endEntity);
  r.log.info({ event: 'ike.cert', sa: sa.label, subject }, `received end entity cert "${subject}"`);
  for (const ca of chain.path.slice(1)) r.log.info({ event: 'ike.cert', sa: sa.label, subject: subjectText(ca) }, `using intermediate ca certificate "${subjectText(ca)}"`);
  r.log.info({ event: 'ike.cert-trusted', sa: sa.label, anchor: subjectText(chain.anchor) }, `using trusted ca certificate "${subjectText(chain.anchor)}"`);
  if (!certificateMatchesIdentity(chain.endEntity, idi)) {
    return fail('ike.cert-identity', `certificate "${subject}" does not confirm identity '${remoteId}' (neither a subjectAltName nor the subject)`, { code: 'IDENTITY_MISMATCH', subject });
  }
  const octets = signedOctets({ prf: sa.transforms.prf, skP: sa.keys.skPi, realMessage: sa.initRequest, peerNonce: sa.nonceR, idPayloadBody: sa.idiBody! });
  let valid: boolean;
  try {
    valid = await r.o.crypto.verifyAuth({ method, publicKey: chain.endEntity, octets, authData: auth.data });
  } catch (e) {
    // BAD_KEY (method and key type disagree), BAD_SIGNATURE_FORMAT, UNSUPPORTED (RFC 7427 scheme).
    return fail('ike.signature', `${schemeName(auth.method, auth.data)} of '${remoteId}' cannot be verified with the certificate's ${chain.endEntity.publicKey.asymmetricKeyType} key: ${(e as Error).message}`, { code: (e as { code?: string }).code });
  }
  if (!valid) {
    r.log.warn({ event: 'ike.auth-failed', sa: sa.label, remoteId, method: auth.method }, `signature validation failed, looking for another key`);
    r.log.warn({ event: 'ike.auth-failed', sa: sa.label, remoteId }, `no trusted public key found for '${remoteId}'`);
    return false;
  }
  r.log.info({ event: 'ike.auth', sa: sa.label, remoteId, method: 'pubkey', scheme: schemeName(auth.method, auth.data) }, `authentication of '${remoteId}' with ${schemeName(auth.method, auth.data)} successful`);
  return true;
}
