/**
 * The `ifmap` section of the PDP configuration (schemas/pdp-config.schema.json, definitions/ifmap)
 * after validation and defaults; absent = no IF-MAP publishing. File paths are absolute here.
 *
 *   ifmap:
 *     url: https://map.example:8443/
 *     auth: { basic: { user: pdp, password: secret } }     # or { certificate: { cert: c.pem, key: k.pem } }
 *     ca: map-ca.pem            # trust anchor for the MAP server (default: the system roots)
 *     renewSeconds: 150         # renewSession interval (strongSwan's tnc-ifmap default)
 *     queueLimit: 10000         # unsent publishes kept across outages and restarts
 */
import { readFileSync } from 'node:fs';
import { HttpsTransport, type IfmapAuth } from './https-transport.js';

export interface IfmapConfig {
  readonly url: string;
  readonly auth: { readonly basic: { readonly user: string; readonly password: string } } | { readonly certificate: { readonly cert: string; readonly key: string } };
  readonly ca?: string;
  readonly renewSeconds: number;
  readonly queueLimit: number;
  /** The PDP's device identifier in the MAP (default: pki.serverName). */
  readonly deviceName: string;
  readonly administrativeDomain?: string;
  readonly requestTimeoutSeconds: number;
}

/** Completes a schema-valid `ifmap` object: defaults, and paths resolved with `abs`. */
export function resolveIfmapConfig(d: Record<string, any>, abs: (p: string) => string, serverName: string): IfmapConfig {
  const auth = d['auth'].basic
    ? { basic: { user: String(d['auth'].basic.user), password: String(d['auth'].basic.password) } }
    : { certificate: { cert: abs(d['auth'].certificate.cert), key: abs(d['auth'].certificate.key) } };
  return {
    url: d['url'],
    auth,
    ...(d['ca'] ? { ca: abs(d['ca']) } : {}),
    renewSeconds: d['renewSeconds'] ?? 150,
    queueLimit: d['queueLimit'] ?? 10_000,
    deviceName: d['deviceName'] ?? serverName,
    ...(d['administrativeDomain'] ? { administrativeDomain: d['administrativeDomain'] } : {}),
    requestTimeoutSeconds: d['requestTimeoutSeconds'] ?? 10,
  };
}

/** The HTTPS transport for a configuration (reads the CA, certificate and key files). */
export function transportFor(c: IfmapConfig): HttpsTransport {
  const auth: IfmapAuth =
    'basic' in c.auth ? c.auth : { certificate: { certPem: readFileSync(c.auth.certificate.cert, 'utf8'), keyPem: readFileSync(c.auth.certificate.key, 'utf8') } };
  return new HttpsTransport({ url: c.url, auth, ...(c.ca ? { caPem: readFileSync(c.ca, 'utf8') } : {}), timeoutMs: c.requestTimeoutSeconds * 1000 });
}
