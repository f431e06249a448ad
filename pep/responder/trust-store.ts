/**
 * The CA certificates the gateway trusts for rightauth=pubkey (strongSwan's ipsec.d/cacerts), and
 * the Certification Authority field of our CERTREQ payloads (RFC 7296 3.7):
 *
 *   "The Certification Authority value is a concatenated list of SHA-1 hashes of the public keys
 *   of trusted Certification Authorities (CAs). Each is encoded as the SHA-1 hash of the Subject
 *   Public Key Info element (see section 4.1.2.7 of [PKIX]) from each Trust Anchor certificate."
 *
 * `fromDirectory` reads PEM (one or more certificates a file) or DER files. A file that is not a
 * certificate is reported to `onSkip`, never thrown: one bad file must not stop the gateway.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export class TrustStore {
  readonly certs: readonly X509Certificate[];

  constructor(certs: readonly (X509Certificate | Uint8Array | string)[] = []) {
    this.certs = certs.map((c) => (c instanceof X509Certificate ? c : new X509Certificate(typeof c === 'string' ? c : Buffer.from(c))));
  }

  get size(): number {
    return this.certs.length;
  }

  /** SHA-1 of each CA's SubjectPublicKeyInfo (DER). */
  keyIds(): Buffer[] {
    return this.certs.map((c) => spkiSha1(c));
  }

  /** The CERTREQ Certification Authority field: the concatenated hashes. */
  certreqData(): Buffer {
    return Buffer.concat(this.keyIds());
  }

  static fromDirectory(dir: string, onSkip?: (file: string, reason: string) => void): TrustStore {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      onSkip?.(dir, (e as NodeJS.ErrnoException).code ?? 'unreadable');
      return new TrustStore();
    }
    const certs: X509Certificate[] = [];
    for (const name of names) {
      const path = join(dir, name);
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (e) {
        onSkip?.(path, (e as NodeJS.ErrnoException).code ?? 'unreadable');
        continue;
      }
      try {
        const pems = bytes.toString('latin1').match(PEM_CERT);
        if (pems) for (const pem of pems) certs.push(new X509Certificate(pem));
        else certs.push(new X509Certificate(bytes));
      } catch {
        onSkip?.(path, 'not an X.509 certificate');
      }
    }
    return new TrustStore(certs);
  }
}

export function spkiSha1(cert: X509Certificate): Buffer {
  return createHash('sha1').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest();
}
