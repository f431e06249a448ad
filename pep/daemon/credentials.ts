/**
 * The gateway's signing credential per peer config (leftauth=pubkey): leftcert from ipsec.d/certs
 * and the private key from ipsec.secrets (": RSA moonKey.pem"), matched by public key.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { PeerConfig } from '../config/peer-config.js';
import type { IpsecSecrets } from '../config/ipsec-secrets.js';
import { loadCertificate, loadPrivateKeys } from '../config/credentials.js';
import type { LocalCredential } from '../responder/responder.js';

function keyType(key: KeyObject): LocalCredential['keyType'] | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'rsa';
  if (key.asymmetricKeyType !== 'ec') return undefined;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === 'prime256v1' ? 'ecdsa-256' : curve === 'secp384r1' ? 'ecdsa-384' : curve === 'secp521r1' ? 'ecdsa-521' : undefined;
}

export function loadCredentials(peers: readonly PeerConfig[], secrets: IpsecSecrets, log: Logger): Map<string, LocalCredential> {
  const out = new Map<string, LocalCredential>();
  const wanted = peers.filter((p) => p.local.auth.class === 'pubkey' && p.local.cert);
  if (!wanted.length) return out;
  const keys = loadPrivateKeys(secrets);
  for (const p of wanted) {
    const cert = loadCertificate(p.local.cert!);
    const pub = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
    const spki = pub.export({ format: 'der', type: 'spki' });
    const key = keys.find((k) => createPublicKey(k.key).export({ format: 'der', type: 'spki' }).equals(spki));
    const type = key ? keyType(key.key) : undefined;
    if (!key || !type) {
      log.warn({ event: 'config.no-key', conn: p.name }, `conn ${p.name}: no private key in ipsec.secrets for leftcert ${p.local.cert}`);
      continue;
    }
    out.set(p.name, { certs: [Buffer.from(cert.rawData)], privateKey: key.key, keyType: type });
  }
  return out;
}
