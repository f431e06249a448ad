/**
 * IKEv2 payload bodies (RFC 7296 section 3.3 .. 3.16, RFC 7383 section 2.5): byte tables written
 * from the RFC bit diagrams, decoded and encoded back, plus the checks each body makes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AuthMethod,
  certificateRequestAuthorities,
  CertEncoding,
  CfgAttribute,
  CfgType,
  decodeAuthentication,
  decodeCertificate,
  decodeCertificateRequest,
  decodeConfiguration,
  decodeDelete,
  decodeEap,
  decodeEncrypted,
  decodeEncryptedFragment,
  decodeIdentification,
  decodeKeyExchange,
  decodeNonce,
  decodeNotify,
  decodeSecurityAssociation,
  decodeTrafficSelector,
  decodeVendorId,
  DhGroup,
  encodeAuthentication,
  encodeCertificate,
  encodeCertificateRequest,
  encodeConfiguration,
  encodeDelete,
  encodeEap,
  encodeEncrypted,
  encodeEncryptedFragment,
  encodeIdentification,
  encodeKeyExchange,
  encodeNonce,
  encodeNotify,
  encodeSecurityAssociation,
  encodeTrafficSelector,
  encodeVendorId,
  EncrId,
  IdType,
  IkeDecodeError,
  IkeEncodeError,
  IntegId,
  notify,
  NotifyType,
  PayloadType,
  PrfId,
  ProtocolId,
  transform,
  transformKeyLength,
  TransformType,
  TsType,
} from '../ike/index.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function rejects(fn: () => unknown, code: string, offset?: number): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof IkeDecodeError, `expected IkeDecodeError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (offset !== undefined) assert.equal(err.offset, offset);
    return true;
  });
}

/** An IKE proposal: AES_CBC/256, PRF_HMAC_SHA2_256, AUTH_HMAC_SHA2_256_128, MODP_2048 (s3.3.1, s3.3.2, s3.3.5). */
const SA_IKE = `
  00 00 00 2c  01 01 00 04
  03 00 00 0c  01 00 00 0c  80 0e 01 00
  03 00 00 08  02 00 00 05
  03 00 00 08  03 00 00 0c
  00 00 00 08  04 00 00 0e`;
/** A second proposal, ESP with a 4-octet SPI: AES_GCM_16/128, no ESN. */
const SA_ESP = `
  00 00 00 20  02 03 04 02  c0 ff ee 01
  03 00 00 0c  01 00 00 14  80 0e 00 80
  00 00 00 08  05 00 00 00`;

describe('IKE Security Association payload (RFC 7296 s3.3)', () => {
  it('decodes one IKE proposal with a Key Length TV attribute and encodes it back', () => {
    const sa = decodeSecurityAssociation(hex(SA_IKE), 0);
    assert.equal(sa.type, PayloadType.SA);
    assert.equal(sa.proposals.length, 1);
    const p = sa.proposals[0]!;
    assert.deepEqual([p.number, p.protocolId, p.spi.length], [1, ProtocolId.IKE, 0]);
    assert.deepEqual(p.transforms, [
      transform(TransformType.ENCR, EncrId.AES_CBC, 256),
      transform(TransformType.PRF, PrfId.HMAC_SHA2_256),
      transform(TransformType.INTEG, IntegId.HMAC_SHA2_256_128),
      transform(TransformType.DH, DhGroup.MODP_2048),
    ]);
    assert.equal(transformKeyLength(p.transforms[0]!), 256);
    assert.equal(transformKeyLength(p.transforms[1]!), undefined);
    assert.equal(toHex(encodeSecurityAssociation(sa)), toHex(hex(SA_IKE)));
  });

  it('chains proposals with Last Substruc 2 and keeps the SPI', () => {
    const bytes = hex(SA_IKE.replace(/^\s*00/, '02') + SA_ESP);
    const sa = decodeSecurityAssociation(bytes, 0);
    assert.equal(sa.proposals.length, 2);
    assert.equal(toHex(sa.proposals[1]!.spi), 'c0ffee01');
    assert.equal(sa.proposals[1]!.protocolId, ProtocolId.ESP);
    assert.equal(toHex(encodeSecurityAssociation(sa)), toHex(bytes));
  });

  it('keeps TLV attributes', () => {
    const sa = {
      type: PayloadType.SA,
      proposals: [{ number: 1, protocolId: 1, spi: new Uint8Array(0), transforms: [{ type: 1, id: 12, attributes: [{ format: 'tlv', type: 99, value: hex('0102') }] }] }],
    } as const;
    assert.deepEqual(decodeSecurityAssociation(encodeSecurityAssociation(sa), 0), sa);
  });

  it('rejects inconsistent Last Substruc, counts and lengths', () => {
    rejects(() => decodeSecurityAssociation(hex(SA_IKE.replace(/^\s*00/, '02')), 0), 'BAD_PROPOSAL', 0);
    rejects(() => decodeSecurityAssociation(hex(SA_IKE + SA_ESP), 0), 'BAD_PROPOSAL', 0);
    rejects(() => decodeSecurityAssociation(hex(SA_IKE.replace(/^\s*00/, '01')), 0), 'BAD_PROPOSAL', 0);
    // Num Transforms 3 while 4 are present
    rejects(() => decodeSecurityAssociation(hex(SA_IKE.replace('01 01 00 04', '01 01 00 03').replace('00 00 00 08  04', '03 00 00 08  04')), 0), 'BAD_PROPOSAL');
    // last transform with Last Substruc 3
    rejects(() => decodeSecurityAssociation(hex(SA_IKE.replace('00 00 00 08  04', '03 00 00 08  04')), 0), 'BAD_PROPOSAL', 36);
    // Proposal Length beyond the payload
    rejects(() => decodeSecurityAssociation(hex(SA_IKE.replace('00 00 00 2c', '00 00 00 2d')), 100), 'BAD_LENGTH', 102);
    // Transform Length below 8
    rejects(() => decodeSecurityAssociation(hex(SA_IKE.replace('03 00 00 08  02', '03 00 00 04  02')), 0), 'BAD_LENGTH', 22);
    // attribute value cut
    rejects(() => decodeSecurityAssociation(hex(SA_IKE.replace('03 00 00 0c  01 00 00 0c', '03 00 00 0a  01 00 00 0c').replace('00 00 00 2c', '00 00 00 2a').replace('80 0e 01 00', '80 0e')), 0), 'BAD_ATTRIBUTE');
    rejects(() => decodeSecurityAssociation(new Uint8Array(0), 7), 'TRUNCATED', 7);
  });

  it('refuses to encode what does not fit', () => {
    assert.throws(() => encodeSecurityAssociation({ type: PayloadType.SA, proposals: [] }), IkeEncodeError);
    assert.throws(
      () => encodeSecurityAssociation({ type: PayloadType.SA, proposals: [{ number: 256, protocolId: 1, spi: new Uint8Array(0), transforms: [] }] }),
      IkeEncodeError,
    );
  });
});

describe('IKE fixed-header payloads (RFC 7296 s3.4 .. s3.8, s3.12, s3.16)', () => {
  it('Key Exchange: group, two RESERVED octets, data', () => {
    const bytes = hex('0013 0000 0102030405');
    const ke = decodeKeyExchange(bytes, 0);
    assert.deepEqual(ke, { type: PayloadType.KE, dhGroup: DhGroup.ECP_256, data: hex('0102030405') });
    assert.equal(toHex(encodeKeyExchange(ke)), toHex(bytes));
    rejects(() => decodeKeyExchange(hex('0013 00'), 40), 'TRUNCATED', 42);
  });

  it('Identification: IDi and IDr share the body; encode gives RestOfInitIDPayload', () => {
    const bytes = hex(`03 000000 ${toHex(Buffer.from('carol@strongswan.org'))}`);
    const idi = decodeIdentification(bytes, 0, PayloadType.IDi);
    assert.deepEqual(idi, { type: PayloadType.IDi, idType: IdType.RFC822_ADDR, data: new Uint8Array(Buffer.from('carol@strongswan.org')) });
    assert.equal(decodeIdentification(bytes, 0, PayloadType.IDr).type, PayloadType.IDr);
    assert.equal(toHex(encodeIdentification(idi)), toHex(bytes));
    rejects(() => decodeIdentification(hex('0200'), 0, PayloadType.IDi), 'TRUNCATED', 1);
  });

  it('Certificate and Certificate Request: encoding octet, data; CA hashes of 20 octets', () => {
    const cert = decodeCertificate(hex('04 3082'), 0);
    assert.deepEqual(cert, { type: PayloadType.CERT, encoding: CertEncoding.X509_SIGNATURE, data: hex('3082') });
    assert.equal(toHex(encodeCertificate(cert)), '043082');
    const hashes = 'aa'.repeat(20) + 'bb'.repeat(20);
    const req = decodeCertificateRequest(hex(`04 ${hashes}`), 0);
    assert.equal(req.encoding, CertEncoding.X509_SIGNATURE);
    assert.deepEqual(certificateRequestAuthorities(req).map(toHex), ['aa'.repeat(20), 'bb'.repeat(20)]);
    assert.equal(toHex(encodeCertificateRequest(req)), `04${hashes}`);
    rejects(() => decodeCertificate(new Uint8Array(0), 9), 'TRUNCATED', 9);
    rejects(() => decodeCertificateRequest(new Uint8Array(0), 9), 'TRUNCATED', 9);
  });

  it('Authentication: method, three RESERVED octets, data', () => {
    const auth = decodeAuthentication(hex('02 000000 deadbeef'), 0);
    assert.deepEqual(auth, { type: PayloadType.AUTH, method: AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, data: hex('deadbeef') });
    assert.equal(toHex(encodeAuthentication(auth)), '02000000deadbeef');
    rejects(() => decodeAuthentication(hex('0e0000'), 0), 'TRUNCATED', 1);
  });

  it('Nonce: "MUST be between 16 and 256 octets, inclusive"', () => {
    for (const n of [16, 32, 256]) {
      const data = new Uint8Array(n).fill(7);
      const nonce = decodeNonce(data, 0);
      assert.equal(nonce.data.length, n);
      assert.deepEqual(encodeNonce(nonce), data);
    }
    rejects(() => decodeNonce(new Uint8Array(15), 32), 'BAD_NONCE_LENGTH', 32);
    rejects(() => decodeNonce(new Uint8Array(257), 32), 'BAD_NONCE_LENGTH', 32);
    assert.throws(() => encodeNonce({ type: PayloadType.Nonce, data: new Uint8Array(8) }), IkeEncodeError);
  });

  it('Vendor ID and EAP keep their octets', () => {
    assert.deepEqual(decodeVendorId(hex('882fe56d')), { type: PayloadType.VendorID, data: hex('882fe56d') });
    assert.equal(toHex(encodeVendorId({ type: PayloadType.VendorID, data: hex('882fe56d') })), '882fe56d');
    const eap = decodeEap(hex('01 05 0009 01 6361726f6c'));
    assert.equal(toHex(eap.message), '010500090163617' + '26f6c');
    assert.equal(toHex(encodeEap(eap)), toHex(eap.message));
  });

  it('decoded values never alias the input', () => {
    const bytes = hex('0013 0000 0102');
    const ke = decodeKeyExchange(bytes, 0);
    bytes[4] = 0xff;
    assert.equal(ke.data[0], 1);
  });
});

describe('IKE Notify and Delete payloads (RFC 7296 s3.10, s3.11)', () => {
  it('Notify without SPI: NAT_DETECTION_SOURCE_IP (16388 = 0x4004)', () => {
    const data = '11'.repeat(20);
    const bytes = hex(`00 00 4004 ${data}`);
    const n = decodeNotify(bytes, 0);
    assert.deepEqual(n, notify(NotifyType.NAT_DETECTION_SOURCE_IP, hex(data)));
    assert.equal(toHex(encodeNotify(n)), toHex(bytes));
  });

  it('Notify with an ESP SPI: REKEY_SA', () => {
    const bytes = hex('03 04 4009 c0ffee01');
    const n = decodeNotify(bytes, 0);
    assert.deepEqual([n.protocolId, toHex(n.spi), n.notifyType, n.data.length], [ProtocolId.ESP, 'c0ffee01', NotifyType.REKEY_SA, 0]);
    assert.equal(toHex(encodeNotify(n)), toHex(bytes));
  });

  it('Notify rejects an SPI Size larger than the payload', () => {
    rejects(() => decodeNotify(hex('03 08 4009 c0ffee01'), 100), 'BAD_SPI_SIZE', 101);
    rejects(() => decodeNotify(hex('03 04 40'), 100), 'TRUNCATED', 102);
  });

  it('Delete: IKE (no SPIs) and ESP (two 4-octet SPIs)', () => {
    const ike = decodeDelete(hex('01 00 0000'), 0);
    assert.deepEqual(ike, { type: PayloadType.Delete, protocolId: ProtocolId.IKE, spiSize: 0, spis: [] });
    assert.equal(toHex(encodeDelete(ike)), '01000000');
    const bytes = hex('03 04 0002 c0ffee01 c0ffee02');
    const esp = decodeDelete(bytes, 0);
    assert.deepEqual(esp.spis.map(toHex), ['c0ffee01', 'c0ffee02']);
    assert.equal(toHex(encodeDelete(esp)), toHex(bytes));
  });

  it('Delete rejects SPI Size x Num of SPIs that does not fill the payload, and too many SPIs', () => {
    rejects(() => decodeDelete(hex('03 04 0003 c0ffee01 c0ffee02'), 10), 'BAD_SPI_SIZE', 11);
    rejects(() => decodeDelete(hex('03 04 0001 c0ffee01 00'), 10), 'BAD_SPI_SIZE');
    rejects(() => decodeDelete(hex('03 00 ffff'), 10), 'TOO_MANY_ITEMS', 12);
    assert.throws(() => encodeDelete({ type: PayloadType.Delete, protocolId: 3, spiSize: 4, spis: [hex('01')] }), IkeEncodeError);
  });
});

describe('IKE Traffic Selector payload (RFC 7296 s3.13)', () => {
  const V4 = '07 00 0010 0000 ffff 0a010000 0a01ffff';
  const V6 = `08 06 0028 0000 ffff ${'20010db8' + '00'.repeat(12)} ${'20010db8' + 'ff'.repeat(12)}`;

  it('decodes an IPv4 and an IPv6 range and encodes them back', () => {
    const bytes = hex(`02 000000 ${V4} ${V6}`);
    const ts = decodeTrafficSelector(bytes, 0, PayloadType.TSr);
    assert.equal(ts.type, PayloadType.TSr);
    assert.deepEqual(ts.selectors[0], {
      tsType: TsType.TS_IPV4_ADDR_RANGE,
      ipProtocol: 0,
      startPort: 0,
      endPort: 65535,
      startAddress: hex('0a010000'),
      endAddress: hex('0a01ffff'),
    });
    const v6 = ts.selectors[1]!;
    assert.ok(!('other' in v6));
    assert.deepEqual([v6.tsType, v6.ipProtocol, v6.startAddress.length], [TsType.TS_IPV6_ADDR_RANGE, 6, 16]);
    assert.equal(toHex(encodeTrafficSelector(ts)), toHex(bytes));
  });

  it('keeps a selector of an unknown TS Type, and accepts OPAQUE ports (65535..0)', () => {
    const bytes = hex('02 000000 0a 00 0008 01020304 07 11 0010 ffff 0000 0a010000 0a01ffff');
    const ts = decodeTrafficSelector(bytes, 0, PayloadType.TSi);
    assert.deepEqual(ts.selectors[0], { tsType: 10, other: true, secondOctet: 0, data: hex('01020304') });
    assert.equal(toHex(encodeTrafficSelector(ts)), toHex(bytes));
  });

  it('rejects bad Selector Length, count mismatches and trailing octets', () => {
    rejects(() => decodeTrafficSelector(hex(`01 000000 ${V4.replace('0010', '0014')} 00000000`), 0, PayloadType.TSi), 'BAD_TRAFFIC_SELECTOR', 6);
    rejects(() => decodeTrafficSelector(hex(`01 000000 ${V4.replace('0010', '0011')}`), 0, PayloadType.TSi), 'BAD_LENGTH', 6);
    rejects(() => decodeTrafficSelector(hex(`02 000000 ${V4}`), 0, PayloadType.TSi), 'TRUNCATED', 20);
    rejects(() => decodeTrafficSelector(hex(`01 000000 ${V4} 00`), 0, PayloadType.TSi), 'BAD_LENGTH', 20);
    rejects(() => decodeTrafficSelector(hex('ff 000000'), 0, PayloadType.TSi), 'TOO_MANY_ITEMS', 0);
  });
});

describe('IKE Configuration payload (RFC 7296 s3.15)', () => {
  it('a CFG_REQUEST with empty INTERNAL_IP4_ADDRESS and INTERNAL_IP4_DNS, and a CFG_REPLY', () => {
    const request = hex('01 000000 0001 0000 0003 0000');
    const cp = decodeConfiguration(request, 0);
    assert.deepEqual(cp, {
      type: PayloadType.CP,
      cfgType: CfgType.CFG_REQUEST,
      attributes: [
        { type: CfgAttribute.INTERNAL_IP4_ADDRESS, value: new Uint8Array(0) },
        { type: CfgAttribute.INTERNAL_IP4_DNS, value: new Uint8Array(0) },
      ],
    });
    assert.equal(toHex(encodeConfiguration(cp)), toHex(request));
    const reply = hex('02 000000 0001 0004 0a030001');
    assert.equal(toHex(encodeConfiguration(decodeConfiguration(reply, 0))), toHex(reply));
  });

  it('ignores the R bit and rejects a Length past the payload', () => {
    assert.equal(decodeConfiguration(hex('01 000000 8001 0000'), 0).attributes[0]!.type, 1);
    rejects(() => decodeConfiguration(hex('01 000000 0001 0005 0a030001'), 0), 'BAD_LENGTH', 6);
    rejects(() => decodeConfiguration(hex('01 000000 0001 00'), 0), 'TRUNCATED', 6);
  });
});

describe('IKE SK and SKF payloads (RFC 7296 s3.14, RFC 7383 s2.5)', () => {
  it('SK keeps the first inner payload type and the opaque body', () => {
    const sk = decodeEncrypted(hex('00112233'), 0, PayloadType.IDi);
    assert.deepEqual(sk, { type: PayloadType.SK, firstPayload: PayloadType.IDi, body: hex('00112233') });
    assert.equal(toHex(encodeEncrypted(sk)), '00112233');
  });

  it('SKF: Fragment Number, Total Fragments, body', () => {
    const bytes = hex('0002 0003 aabbcc');
    const skf = decodeEncryptedFragment(bytes, 0, 0);
    assert.deepEqual(skf, { type: PayloadType.SKF, firstPayload: 0, fragmentNumber: 2, totalFragments: 3, body: hex('aabbcc') });
    assert.equal(toHex(encodeEncryptedFragment(skf)), toHex(bytes));
  });

  it('SKF: "starting from 1 ... MUST be less than or equal to" Total Fragments', () => {
    rejects(() => decodeEncryptedFragment(hex('0000 0003'), 50, 0), 'BAD_FRAGMENT', 50);
    rejects(() => decodeEncryptedFragment(hex('0004 0003'), 50, 0), 'BAD_FRAGMENT', 50);
    rejects(() => decodeEncryptedFragment(hex('0001 00'), 50, 0), 'TRUNCATED', 52);
  });
});
