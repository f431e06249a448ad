/**
 * Checking the responder's AUTH payload (RFC 7296 2.15) and identity, so that a responder that
 * answers fast but wrongly never counts as an established IKE_SA.
 *
 *   ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload)
 *   shared key:  AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), ResponderSignedOctets)
 *   signature:   AUTH = sign(ResponderSignedOctets) with the key of the CERT the responder sent
 *
 * 2.15: "the recipient MUST verify that the AUTH payload is correct"; for signatures the
 * certificate must chain to the configured trust anchor (the bench CA, or the certificate itself)
 * and name the expected identity (subjectAltName dNSName / the IDr we expect).
 */
import { X509Certificate } from 'node:crypto';
import { AuthMethod, CertEncoding, IdType, PayloadType, findPayloads, type AuthenticationPayload,
  type IdentificationPayload, type IkePayload } from '../../pep/ike/index.js';
import { AUTH_METHODS, verifyAuth, verifySharedKeyAuth, type PrfAlg } from '../../pep/crypto/index.js';

export type ResponderAuth =
  | { readonly kind: 'psk'; readonly secret: string }
  /** A CA certificate (or the responder's own) in PEM; the CERT payload must chain to it. */
  | { readonly kind: 'pubkey'; readonly trust: string };

/** Parsed trust anchors, made once per initiator (X509 parsing is not free). */
export type TrustedResponder =
  | { readonly kind: 'psk'; readonly secret: Buffer }
  | { readonly kind: 'pubkey'; readonly anchor: X509Certificate; readonly seen: Map<string, X509Certificate> };

export function trusted(a: ResponderAuth): TrustedResponder {
  return a.kind === 'psk' ? { kind: 'psk', secret: Buffer.from(a.secret, 'utf8') } : { kind: 'pubkey', anchor: new X509Certificate(a.trust), seen: new Map() };
}

/** The ID payload for a string: an IPv4 address, `user@host` (RFC822_ADDR) or an FQDN. */
export function idPayload(type: typeof PayloadType.IDi | typeof PayloadType.IDr, id: string): IdentificationPayload {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(id);
  if (v4) return { type, idType: IdType.IPV4_ADDR, data: Uint8Array.from(v4.slice(1).map(Number)) };
  return { type, idType: id.includes('@') ? IdType.RFC822_ADDR : IdType.FQDN, data: Buffer.from(id, 'utf8') };
}

/** RestOf...IDPayload: ID Type, 3 reserved octets, Identification Data. */
export function idBody(p: IdentificationPayload): Buffer {
  return Buffer.concat([Buffer.from([p.idType, 0, 0, 0]), p.data]);
}

function certificateFor(t: Extract<TrustedResponder, { kind: 'pubkey' }>, payloads: readonly IkePayload[]): X509Certificate | string {
  const cert = findPayloads(payloads, PayloadType.CERT).find((c) => c.encoding === CertEncoding.X509_SIGNATURE);
  if (!cert) return 'no X.509 CERT payload from the responder';
  const key = Buffer.from(cert.data).toString('base64');
  const known = t.seen.get(key);
  if (known) return known;
  let x: X509Certificate;
  try {
    x = new X509Certificate(Buffer.from(cert.data));
  } catch {
    return 'unparsable responder certificate';
  }
  if (x.fingerprint256 !== t.anchor.fingerprint256 && !(x.checkIssued(t.anchor) && x.verify(t.anchor.publicKey))) {
    return 'responder certificate not issued by the trusted CA';
  }
  if (t.seen.size < 16) t.seen.set(key, x);
  return x;
}

/**
 * Undefined when the AUTH payload proves the responder, else why not. `octets` are the
 * ResponderSignedOctets; `eapSecret` is set for the final AUTH of an EAP exchange (MSK or SK_pr).
 */
export function checkResponderAuth(p: {
  readonly trust: TrustedResponder;
  readonly prf: PrfAlg;
  readonly octets: Uint8Array;
  readonly payloads: readonly IkePayload[];
  readonly auth: AuthenticationPayload | undefined;
  readonly eapSecret?: Uint8Array;
}): string | undefined {
  const a = p.auth;
  if (!a) return 'no AUTH payload from the responder';
  if (p.eapSecret !== undefined || p.trust.kind === 'psk') {
    if (a.method !== AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE) return `responder AUTH method ${a.method}, expected shared key (2)`;
    const secret = p.eapSecret ?? (p.trust as { secret: Buffer }).secret;
    return verifySharedKeyAuth(p.prf, secret, p.octets, a.data) ? undefined : 'responder AUTH (shared key MIC) does not verify';
  }
  const method = AUTH_METHODS.name(a.method);
  if (method === undefined || method === 'psk') return `responder AUTH method ${a.method} is not a signature`;
  const cert = certificateFor(p.trust, p.payloads);
  if (typeof cert === 'string') return cert;
  try {
    return verifyAuth({ method, publicKey: cert, octets: p.octets, authData: a.data }) ? undefined : 'responder AUTH signature does not verify';
  } catch (e) {
    return `responder AUTH: ${(e as Error).message}`;
  }
}

/** The IDr must be what we asked for (when we asked), compared as ID Type + data. */
export function checkResponderId(got: IdentificationPayload | undefined, want: IdentificationPayload | undefined): string | undefined {
  if (!got) return 'no IDr from the responder';
  if (!want) return undefined;
  if (got.idType !== want.idType || Buffer.compare(Buffer.from(got.data), Buffer.from(want.data)) !== 0) {
    return `responder identity (type ${got.idType}) '${Buffer.from(got.data).toString('utf8')}' is not the expected '${Buffer.from(want.data).toString('utf8')}'`;
  }
  return undefined;
}
