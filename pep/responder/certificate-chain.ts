/**
 * Trusting a peer's certificate (RFC 5280 6.1, the subset strongSwan's credential manager applies)
 * and binding it to the peer's IKE identity (RFC 7296 3.5, RFC 4945 3.1).
 *
 *   end entity --issued by--> [intermediate CA (from CERT payloads) ...] --issued by--> trust anchor
 *
 * Each certificate on the path: inside its validity period at `now`, its signature verifying with
 * the issuer's key, and every issuer a CA (basicConstraints cA). A trust anchor is any certificate
 * of the gateway's TrustStore (ipsec.d/cacerts); the anchor itself must be valid too. The path is
 * bounded (`maxDepth`), as is everything read from the wire.
 *
 * Identity (RFC 4945 3.1, and strongSwan: "... does not confirm identity"): "the peer's ID MUST
 * match a subjectAltName or the subject" — FQDN a dNSName, RFC822_ADDR an rfc822Name, IPV4/IPV6 an
 * iPAddress, DER_ASN1_DN the subject (DER or the same RFC 4514 text). Case-insensitive for names.
 */
import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { IdType } from '../ike/constants.js';

export type ChainErrorCode = 'UNPARSABLE' | 'EXPIRED' | 'NOT_YET_VALID' | 'UNTRUSTED' | 'BAD_SIGNATURE' | 'NOT_CA' | 'TOO_LONG' | 'NO_ANCHORS';

export type ChainResult =
  | { readonly ok: true; readonly endEntity: X509Certificate; readonly path: readonly X509Certificate[]; readonly anchor: X509Certificate }
  | { readonly ok: false; readonly code: ChainErrorCode; readonly subject: string; readonly message: string };

export interface ChainInput {
  /** DER of the end-entity certificate (the first CERT payload). */
  readonly endEntity: Uint8Array;
  /** DER of further certificates the peer sent (intermediate CAs), any order. */
  readonly intermediates: readonly Uint8Array[];
  readonly anchors: readonly X509Certificate[];
  readonly now: Date;
  /** Longest path (end entity + intermediates) before an anchor; default 8. */
  readonly maxDepth?: number;
}

/** strongSwan's text for a DN: "C=CH, O=strongSwan Test, CN=carol@strongswan.org". */
export function subjectText(cert: X509Certificate): string {
  try {
    return new x509.X509Certificate(cert.raw).subject;
  } catch {
    return cert.subject.replace(/\n/g, ', ');
  }
}

function validity(cert: X509Certificate, now: Date): { code: 'EXPIRED' | 'NOT_YET_VALID'; message: string } | undefined {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (now < from) return { code: 'NOT_YET_VALID', message: `not valid before ${from.toISOString()}` };
  if (now > to) return { code: 'EXPIRED', message: `expired on ${to.toISOString()}` };
  return undefined;
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Builds and checks the path from the end entity to one of the anchors. */
export function verifyChain(input: ChainInput): ChainResult {
  let ee: X509Certificate;
  try {
    ee = new X509Certificate(Buffer.from(input.endEntity));
  } catch {
    return { ok: false, code: 'UNPARSABLE', subject: '?', message: 'end entity certificate does not parse' };
  }
  if (!input.anchors.length) return { ok: false, code: 'NO_ANCHORS', subject: subjectText(ee), message: 'no trusted CA certificates configured' };
  const pool: X509Certificate[] = [];
  for (const der of input.intermediates.slice(0, 16)) {
    try {
      pool.push(new X509Certificate(Buffer.from(der)));
    } catch {
      // An unparsable extra certificate is ignored, as strongSwan does; the path may not need it.
    }
  }
  const maxDepth = input.maxDepth ?? 8;
  const path: X509Certificate[] = [];
  let cur = ee;
  for (let depth = 0; depth < maxDepth; depth++) {
    const v = validity(cur, input.now);
    if (v) return { ok: false, code: v.code, subject: subjectText(cur), message: `certificate "${subjectText(cur)}" ${v.message}` };
    path.push(cur);
    const anchor = input.anchors.find((a) => issuedBy(cur, a));
    if (anchor) {
      const av = validity(anchor, input.now);
      if (av) return { ok: false, code: av.code, subject: subjectText(anchor), message: `trusted CA certificate "${subjectText(anchor)}" ${av.message}` };
      return { ok: true, endEntity: ee, path, anchor };
    }
    const byName = pool.filter((c) => c !== cur && c.subject === cur.issuer);
    const next = byName.find((c) => issuedBy(cur, c));
    if (!next) {
      if (byName.length) return { ok: false, code: 'BAD_SIGNATURE', subject: subjectText(cur), message: `signature of certificate "${subjectText(cur)}" does not verify with its issuer's key` };
      return { ok: false, code: 'UNTRUSTED', subject: subjectText(cur), message: `no trusted issuer found for certificate "${subjectText(cur)}" (issuer "${cur.issuer.replace(/\n/g, ', ')}")` };
    }
    // RFC 5280 6.1.4 (k): an issuer must be a CA.
    if (!next.ca) return { ok: false, code: 'NOT_CA', subject: subjectText(next), message: `issuer certificate "${subjectText(next)}" is not a CA` };
    if (path.includes(next)) break;
    cur = next;
  }
  return { ok: false, code: 'TOO_LONG', subject: subjectText(ee), message: `no path to a trusted CA within ${maxDepth} certificates` };
}

function ipBytes(text: string): Buffer | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(text)) return Buffer.from(text.split('.').map(Number));
  return undefined;
}

/** True when the IKE identity (ID payload type + data) is one the certificate vouches for. */
export function certificateMatchesIdentity(cert: X509Certificate, id: { readonly idType: number; readonly data: Uint8Array }): boolean {
  let pc: x509.X509Certificate;
  try {
    pc = new x509.X509Certificate(cert.raw);
  } catch {
    return false;
  }
  const text = Buffer.from(id.data).toString('utf8');
  if (id.idType === IdType.DER_ASN1_DN) {
    if (Buffer.from(pc.subjectName.toArrayBuffer()).equals(Buffer.from(id.data))) return true;
    try {
      return new x509.Name(Buffer.from(id.data)).toString() === pc.subject;
    } catch {
      return false;
    }
  }
  let names: readonly { type: string; value: string }[] = [];
  try {
    names = pc.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
  } catch {
    names = [];
  }
  switch (id.idType) {
    case IdType.FQDN:
      return names.some((n) => n.type === 'dns' && n.value.toLowerCase() === text.toLowerCase());
    case IdType.RFC822_ADDR:
      return names.some((n) => n.type === 'email' && n.value.toLowerCase() === text.toLowerCase());
    case IdType.IPV4_ADDR:
    case IdType.IPV6_ADDR:
      return names.some((n) => {
        if (n.type !== 'ip') return false;
        const b = ipBytes(n.value);
        if (b) return b.equals(Buffer.from(id.data));
        return id.idType === IdType.IPV6_ADDR && normalizeV6(n.value) === normalizeV6(id.data);
      });
    default:
      return false;
  }
}

function normalizeV6(v: string | Uint8Array): string {
  if (typeof v !== 'string') {
    const parts: string[] = [];
    for (let i = 0; i + 1 < v.length; i += 2) parts.push(((v[i]! << 8) | v[i + 1]!).toString(16));
    return parts.join(':');
  }
  const [h, t] = v.includes('::') ? (v.split('::') as [string, string]) : [v, ''];
  const hs = h ? h.split(':') : [];
  const ts = t ? t.split(':') : [];
  const groups = v.includes('::') ? [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts] : hs;
  return groups.map((g) => parseInt(g, 16).toString(16)).join(':');
}
