/**
 * EAP-TTLS keying material.
 *
 * TLS 1.2 and earlier, RFC 5281 section 8:
 *   EAP-TTLS_KM = PRF-128(SecurityParameters.master_secret, "ttls keying material",
 *                         SecurityParameters.client_random + SecurityParameters.server_random)
 *   MSK = EAP-TTLS_KM[0..63], EMSK = EAP-TTLS_KM[64..127]
 * which is exactly the RFC 5705 exporter *without* a context value (RFC 5705 section 4: with no
 * context, the seed is client_random + server_random only). Node's exportKeyingMaterial passes "no
 * context" when its context argument is undefined (an empty Buffer would be a zero-length context,
 * a different value under TLS 1.2).
 *
 * TLS 1.3, RFC 9427 section 2.1 (as hostapd/wpa_supplicant implement it):
 *   Key_Material = TLS-Exporter("EXPORTER_EAP_TLS_Key_Material", Type-Code, 128)
 *   MSK = Key_Material(0, 63), EMSK = Key_Material(64, 127), Type-Code = 0x15 for TTLS.
 * The TLS 1.3 exporter encodes the requested length, so the 128 octets must be exported at once:
 * the first 64 of a 64-octet export differ.
 *
 * 'legacy-tls13' keeps the pre-RFC 9427 behaviour of FreeRADIUS 3.0.x and strongSwan's libtls
 * (derive_app_keys: TLS 1.3 exporter, label "ttls keying material", empty context, 128 octets), for
 * interoperability only. wpa_supplicant 2.10 uses the RFC 9427 form (checked with eapol_test).
 * Since a server cannot tell which form a TLS 1.3 peer uses, TLS 1.3 stays off by default
 * (tls-tunnel.ts DEFAULT_TLS_MAX_VERSION).
 */
import { EapType } from '../packet.js';

export const TTLS_KEY_LABEL = 'ttls keying material';
export const TLS13_KEY_LABEL = 'EXPORTER_EAP_TLS_Key_Material';
export const KEY_MATERIAL_LENGTH = 128;
export const MSK_LENGTH = 64;

export type Tls13KeyDerivation = 'rfc9427' | 'legacy-tls13';

export interface KeyExporter {
  exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer;
}

export interface TtlsKeys {
  readonly msk: Buffer;
  readonly emsk: Buffer;
}

export function deriveTtlsKeys(exporter: KeyExporter, tlsVersion: string, tls13: Tls13KeyDerivation = 'rfc9427'): TtlsKeys {
  const km = tlsVersion === 'TLSv1.3' && tls13 === 'rfc9427'
    ? exporter.exportKeyingMaterial(KEY_MATERIAL_LENGTH, TLS13_KEY_LABEL, Buffer.from([EapType.TTLS]))
    : exporter.exportKeyingMaterial(KEY_MATERIAL_LENGTH, TTLS_KEY_LABEL, undefined);
  if (km.length !== KEY_MATERIAL_LENGTH) throw new Error('exporter returned a short key');
  return { msk: Buffer.from(km.subarray(0, MSK_LENGTH)), emsk: Buffer.from(km.subarray(MSK_LENGTH)) };
}
