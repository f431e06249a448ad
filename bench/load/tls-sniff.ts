/**
 * What a TLS server negotiated, read from its first flight as carried in EAP-TTLS Requests
 * (RFC 5281 section 9.2.2: Flags L/M/S, then the optional 4-octet TLS Message Length, then TLS
 * records). Only the plaintext part before ChangeCipherSpec is parsed: ServerHello (cipher suite),
 * Certificate (chain length) and, for ECDHE, ServerKeyExchange (named group), RFC 5246 section 7.4.
 * An equivalence check of the two servers, not a decoder the product depends on: never throws.
 */

const CIPHERS: Record<number, string> = {
  0xc02f: 'ECDHE-RSA-AES128-GCM-SHA256',
  0xc030: 'ECDHE-RSA-AES256-GCM-SHA384',
  0xc02b: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  0xc02c: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  0xcca8: 'ECDHE-RSA-CHACHA20-POLY1305',
  0xcca9: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  0x009e: 'DHE-RSA-AES128-GCM-SHA256',
  0x009f: 'DHE-RSA-AES256-GCM-SHA384',
  0x1301: 'TLS_AES_128_GCM_SHA256',
  0x1302: 'TLS_AES_256_GCM_SHA384',
  0x1303: 'TLS_CHACHA20_POLY1305_SHA256',
};
const GROUPS: Record<number, string> = { 23: 'secp256r1', 24: 'secp384r1', 25: 'secp521r1', 29: 'x25519', 30: 'x448' };
const VERSIONS: Record<number, string> = { 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3' };

export interface TlsSniff {
  readonly version: string;
  readonly cipher: string;
  readonly group: string;
  readonly certChainLength: number;
}

/** Collects the TLS bytes of the server's EAP-TTLS Requests (EAP packets as received). */
export class TlsSniffer {
  readonly #chunks: Buffer[] = [];
  #bytes = 0;

  addEapRequest(eap: Buffer): void {
    if (eap.length < 6 || eap[0] !== 1 || eap[4] !== 21 || this.#bytes > 65536) return;
    const flags = eap[5] as number;
    const data = eap.subarray(flags & 0x80 ? 10 : 6);
    this.#chunks.push(data);
    this.#bytes += data.length;
  }

  result(): TlsSniff | undefined {
    try {
      return parseServerFlight(Buffer.concat(this.#chunks));
    } catch {
      return undefined;
    }
  }
}

function parseServerFlight(records: Buffer): TlsSniff | undefined {
  const hs: Buffer[] = [];
  for (let at = 0; at + 5 <= records.length; ) {
    const type = records[at] as number;
    const len = records.readUInt16BE(at + 3);
    if (type === 20) break; // ChangeCipherSpec: the rest is encrypted
    if (type === 22) hs.push(records.subarray(at + 5, at + 5 + len));
    at += 5 + len;
  }
  const msgs = Buffer.concat(hs);
  let version = '?';
  let cipher = '?';
  let group = '-';
  let certChainLength = 0;
  for (let at = 0; at + 4 <= msgs.length; ) {
    const type = msgs[at] as number;
    const len = msgs.readUIntBE(at + 1, 3);
    const body = msgs.subarray(at + 4, at + 4 + len);
    if (type === 2 && body.length >= 38) {
      const sidLen = body[34] as number;
      const suite = body.readUInt16BE(35 + sidLen);
      cipher = CIPHERS[suite] ?? `0x${suite.toString(16).padStart(4, '0')}`;
      version = VERSIONS[body.readUInt16BE(0)] ?? '?';
      let e = 35 + sidLen + 3 + 2;
      while (e + 4 <= body.length) {
        const extType = body.readUInt16BE(e);
        const extLen = body.readUInt16BE(e + 2);
        if (extType === 43 && extLen === 2) version = VERSIONS[body.readUInt16BE(e + 4)] ?? version;
        e += 4 + extLen;
      }
    } else if (type === 11 && body.length >= 3) {
      for (let c = 3; c + 3 <= body.length; c += 3 + body.readUIntBE(c, 3)) certChainLength++;
    } else if (type === 12 && body.length >= 3 && body[0] === 3) {
      const g = body.readUInt16BE(1);
      group = GROUPS[g] ?? `group ${g}`;
    }
    at += 4 + len;
  }
  return { version, cipher, group, certChainLength };
}
