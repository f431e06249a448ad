/**
 * Per-message codecs: byte tables built, compared and parsed back; every truncation of a
 * fixed-size value refused; invalid field values refused with the offset of the field; encoder
 * refusals. Offsets here are relative to the message value (batch.test.ts checks the rebasing).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  PbErrorCode,
  PbTncEncodeError,
  PbTncError,
  accessRecommendationCodec,
  assessmentResultCodec,
  errorCodec,
  errorMessageFor,
  experimentalCodec,
  languagePreferenceCodec,
  paCodec,
  pdpReferralCodec,
  reasonStringCodec,
  remediationParametersCodec,
  type PbKnownMessage,
  type PbTncMessageCodec,
} from '../index.js';
import { hexBytes, toHex } from './captures.js';

const ascii = (s: string) => Buffer.from(s, 'utf8').toString('hex');

interface Row {
  readonly name: string;
  readonly codec: PbTncMessageCodec<PbKnownMessage>;
  readonly message: PbKnownMessage;
  readonly hex: string;
  /** The value is fixed-size: every shorter prefix must be refused. */
  readonly fixed?: boolean;
}

const c = <M extends PbKnownMessage>(codec: PbTncMessageCodec<M>) => codec as unknown as PbTncMessageCodec<PbKnownMessage>;

const ROWS: readonly Row[] = [
  { name: 'PB-Experimental', codec: c(experimentalCodec), message: { kind: 'experimental', value: hexBytes('deadbeef') }, hex: 'deadbeef' },
  {
    name: 'PB-PA with EXCL',
    codec: c(paCodec),
    message: { kind: 'pa', exclusive: true, paVendorId: 0x00902a, paSubtype: 1, collectorId: 3, validatorId: 3, body: hexBytes('0100000042') },
    hex: '8000902a' + '00000001' + '0003' + '0003' + '0100000042',
    fixed: false,
  },
  {
    name: 'PB-PA to any validator, empty body',
    codec: c(paCodec),
    message: { kind: 'pa', exclusive: false, paVendorId: 0, paSubtype: 5, collectorId: 2, validatorId: 0xffff, body: new Uint8Array(0) },
    hex: '00000000' + '00000005' + '0002ffff',
    fixed: true,
  },
  { name: 'PB-Assessment-Result', codec: c(assessmentResultCodec), message: { kind: 'assessment-result', result: 2 }, hex: '00000002', fixed: true },
  { name: 'PB-Access-Recommendation', codec: c(accessRecommendationCodec), message: { kind: 'access-recommendation', recommendation: 3 }, hex: '00000003', fixed: true },
  {
    name: 'PB-Remediation-Parameters URI',
    codec: c(remediationParametersCodec),
    message: { kind: 'remediation-parameters', parameters: { type: 'uri', uri: 'https://fix.example/' } },
    hex: '00000000' + '00000001' + ascii('https://fix.example/'),
  },
  {
    name: 'PB-Remediation-Parameters string',
    codec: c(remediationParametersCodec),
    message: { kind: 'remediation-parameters', parameters: { type: 'string', text: 'Update now', language: 'en' } },
    hex: '00000000' + '00000002' + '0000000a' + ascii('Update now') + '02' + ascii('en'),
  },
  {
    name: 'PB-Remediation-Parameters of another vendor',
    codec: c(remediationParametersCodec),
    message: { kind: 'remediation-parameters', parameters: { type: 'other', vendorId: 0x902a, parametersType: 9, data: hexBytes('0102') } },
    hex: '0000902a' + '00000009' + '0102',
  },
  {
    name: 'PB-Error Invalid Parameter with offset',
    codec: c(errorCodec),
    message: { kind: 'error', fatal: true, errorVendorId: 0, errorCode: PbErrorCode.InvalidParameter, parameters: { type: 'offset', offset: 0x1c } },
    hex: '80000000' + '00010000' + '0000001c',
  },
  {
    name: 'PB-Error Version Not Supported',
    codec: c(errorCodec),
    message: { kind: 'error', fatal: true, errorVendorId: 0, errorCode: 4, parameters: { type: 'version', badVersion: 1, maxVersion: 2, minVersion: 2 } },
    hex: '80000000' + '00040000' + '01020200',
  },
  {
    name: 'PB-Error Local Error without parameters',
    codec: c(errorCodec),
    message: { kind: 'error', fatal: false, errorVendorId: 0, errorCode: 2, parameters: { type: 'raw', data: new Uint8Array(0) } },
    hex: '00000000' + '00020000',
  },
  {
    name: 'PB-Error of another vendor',
    codec: c(errorCodec),
    message: { kind: 'error', fatal: true, errorVendorId: 0x5597, errorCode: 7, parameters: { type: 'raw', data: hexBytes('00000001') } },
    hex: '80005597' + '00070000' + '00000001',
  },
  {
    name: 'PB-Language-Preference',
    codec: c(languagePreferenceCodec),
    message: { kind: 'language-preference', language: 'de, en;q=0.5' },
    hex: ascii('Accept-Language: de, en;q=0.5'),
  },
  {
    name: 'PB-Reason-String',
    codec: c(reasonStringCodec),
    message: { kind: 'reason-string', reason: 'Pakete veraltet: ü', language: 'de' },
    hex: '00000013' + ascii('Pakete veraltet: ü') + '02' + ascii('de'),
  },
  {
    name: 'PB-PDP-Referral FQDN (the capture)',
    codec: c(pdpReferralCodec),
    message: { kind: 'pdp-referral', identifier: { type: 'fqdn', protocol: 0, port: 271, fqdn: 'radius.strongswan.org' } },
    hex: '00005597' + '00000000' + '0000010f' + ascii('radius.strongswan.org'),
  },
  {
    name: 'PB-PDP-Referral IPv4',
    codec: c(pdpReferralCodec),
    message: { kind: 'pdp-referral', identifier: { type: 'ipv4', protocol: 0, port: 271, address: hexBytes('0a01000a') } },
    hex: '00005597' + '00000001' + '0000010f' + '0a01000a',
    fixed: true,
  },
  {
    name: 'PB-PDP-Referral IPv6',
    codec: c(pdpReferralCodec),
    message: { kind: 'pdp-referral', identifier: { type: 'ipv6', protocol: 1, port: 4433, address: hexBytes('20010db8000000000000000000000001') } },
    hex: '00005597' + '00000002' + '00011151' + '20010db8000000000000000000000001',
    fixed: true,
  },
];

function rejects(fn: () => unknown, code: string, offset?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PbTncError, `expected PbTncError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (offset !== undefined) assert.equal(e.offset, offset);
    return true;
  });
}

describe('message codecs: byte tables', () => {
  for (const row of ROWS) {
    it(`${row.name}: encodes to the table, decodes back`, () => {
      assert.equal(toHex(row.codec.encode(row.message)), row.hex);
      assert.deepEqual(row.codec.decode(hexBytes(row.hex)), row.message);
    });
    if (row.fixed) {
      it(`${row.name}: every truncation is refused with a PbTncError`, () => {
        const full = hexBytes(row.hex);
        for (let n = 0; n < full.length; n++) assert.throws(() => row.codec.decode(full.subarray(0, n)), PbTncError, `length ${n}`);
      });
    }
  }

  it('truncated variable-size values are refused or decode to a different value, never crash', () => {
    for (const row of ROWS.filter((r) => !r.fixed)) {
      const full = hexBytes(row.hex);
      for (let n = 0; n < full.length; n++) {
        try {
          assert.notDeepEqual(row.codec.decode(full.subarray(0, n)), row.message, `${row.name} length ${n}`);
        } catch (e) {
          assert.ok(e instanceof PbTncError, `${row.name} length ${n}: ${String(e)}`);
        }
      }
    }
  });

  it('decoded values do not alias the input buffer', () => {
    const bytes = hexBytes('8000902a' + '00000001' + '00030003' + '01');
    const m = paCodec.decode(bytes);
    bytes[12] = 9;
    assert.equal(m.body[0], 1);
  });
});

describe('message codecs: invalid values carry the offset of the field', () => {
  it('PB-PA: reserved PA vendor id and subtype (strongSwan: Invalid Parameter)', () => {
    rejects(() => paCodec.decode(hexBytes('00ffffff' + '00000001' + '00010001')), 'PB_VALUE_INVALID', 1);
    rejects(() => paCodec.decode(hexBytes('00000000' + 'ffffffff' + '00010001')), 'PB_VALUE_INVALID', 4);
  });
  it('PB-Assessment-Result outside 0..4, PB-Access-Recommendation outside 1..3', () => {
    rejects(() => assessmentResultCodec.decode(hexBytes('00000005')), 'PB_VALUE_INVALID', 0);
    rejects(() => accessRecommendationCodec.decode(hexBytes('00000000')), 'PB_VALUE_INVALID', 2);
    rejects(() => accessRecommendationCodec.decode(hexBytes('00000004')), 'PB_VALUE_INVALID', 2);
    // Reserved is ignored on receipt.
    assert.deepEqual(accessRecommendationCodec.decode(hexBytes('ffff0001')), { kind: 'access-recommendation', recommendation: 1 });
  });
  it('PB-Language-Preference: the Accept-Language prefix is required, no NUL terminator', () => {
    rejects(() => languagePreferenceCodec.decode(hexBytes(ascii('en'))), 'PB_VALUE_INVALID', 0);
    rejects(() => languagePreferenceCodec.decode(hexBytes(ascii('Accept-Language: en') + '00')), 'PB_STRING_INVALID', 19);
    rejects(() => languagePreferenceCodec.decode(hexBytes(ascii('Accept-Language: ') + 'ff')), 'PB_STRING_INVALID', 17);
  });
  it('PB-Reason-String: lengths past the end, NUL terminator, trailing octets', () => {
    rejects(() => reasonStringCodec.decode(hexBytes('00000010' + ascii('short') + '00')), 'PB_VALUE_TRUNCATED', 0);
    rejects(() => reasonStringCodec.decode(hexBytes('00000002' + ascii('ok') + '05' + ascii('en'))), 'PB_VALUE_TRUNCATED', 6);
    rejects(() => reasonStringCodec.decode(hexBytes('00000003' + ascii('ok') + '00' + '00')), 'PB_STRING_INVALID', 6);
    rejects(() => reasonStringCodec.decode(hexBytes('00000002' + ascii('ok') + '02' + ascii('en') + '00')), 'PB_VALUE_INVALID', 9);
    rejects(() => reasonStringCodec.decode(hexBytes('00000002' + ascii('ok'))), 'PB_VALUE_TRUNCATED', 6);
  });
  it('PB-Remediation-Parameters string: offsets count from the message value', () => {
    rejects(() => remediationParametersCodec.decode(hexBytes('00000000' + '00000002' + '00000003' + '610062' + '00')), 'PB_STRING_INVALID', 13);
    rejects(() => remediationParametersCodec.decode(hexBytes('00000000' + '00000002' + '000000ff' + '61')), 'PB_VALUE_TRUNCATED', 8);
    rejects(() => remediationParametersCodec.decode(hexBytes('00000000' + '00000002' + '00000001' + '61')), 'PB_VALUE_TRUNCATED', 13);
  });
  it('PB-PDP-Referral: empty FQDN and wrong address lengths', () => {
    rejects(() => pdpReferralCodec.decode(hexBytes('00005597' + '00000000' + '0000010f')), 'PB_VALUE_INVALID', 12);
    rejects(() => pdpReferralCodec.decode(hexBytes('00005597' + '00000001' + '0000010f' + '0a0100')), 'PB_VALUE_INVALID', 12);
    assert.deepEqual(pdpReferralCodec.decode(hexBytes('00005597' + '00000007' + 'abcd')).identifier, {
      type: 'other',
      vendorId: 0x5597,
      identifierType: 7,
      data: hexBytes('abcd'),
    });
  });
  it('PB-Error: 4-octet IETF parameters are read by error code, others kept raw', () => {
    assert.deepEqual(errorCodec.decode(hexBytes('80000000' + '00000000' + '00000000')).parameters, { type: 'offset', offset: 0 });
    assert.deepEqual(errorCodec.decode(hexBytes('00000000' + '00010000' + '0000')).parameters, { type: 'raw', data: hexBytes('0000') });
  });
});

describe('errorMessageFor: a PbTncError becomes the PB-Error RFC 5793 section 4.9 describes', () => {
  it('Invalid Parameter, Unexpected Batch Type, Unsupported Mandatory Message carry the offset', () => {
    for (const code of [PbErrorCode.InvalidParameter, PbErrorCode.UnexpectedBatchType, PbErrorCode.UnsupportedMandatoryMessage]) {
      const m = errorMessageFor(new PbTncError('PB_VALUE_INVALID', code, 42, 'x'));
      assert.deepEqual(m, { kind: 'error', fatal: true, errorVendorId: 0, errorCode: code, parameters: { type: 'offset', offset: 42 } });
    }
  });
  it('Version Not Supported carries bad, max and min version; Local Error has no parameters', () => {
    const v = errorMessageFor(new PbTncError('PB_VERSION_UNSUPPORTED', PbErrorCode.VersionNotSupported, 0, 'x', { badVersion: 1 }));
    assert.deepEqual(v.parameters, { type: 'version', badVersion: 1, maxVersion: 2, minVersion: 2 });
    assert.equal(toHex(errorCodec.encode(v)), '80000000' + '00040000' + '01020200');
    const l = errorMessageFor(new PbTncError('PB_LOCAL_ERROR', PbErrorCode.LocalError, 7, 'x'));
    assert.equal(toHex(errorCodec.encode(l)), '80000000' + '00020000');
  });
});

describe('message encoders refuse what cannot go on the wire', () => {
  const refuses = (fn: () => unknown, code: string) =>
    assert.throws(fn, (e: unknown) => e instanceof PbTncEncodeError && e.code === code);

  it('fields out of range', () => {
    refuses(() => paCodec.encode({ kind: 'pa', exclusive: false, paVendorId: 0x1000000, paSubtype: 1, collectorId: 1, validatorId: 1, body: new Uint8Array(0) }), 'PB_FIELD_RANGE');
    refuses(() => paCodec.encode({ kind: 'pa', exclusive: false, paVendorId: 0, paSubtype: 1, collectorId: 0x10000, validatorId: 1, body: new Uint8Array(0) }), 'PB_FIELD_RANGE');
    refuses(() => reasonStringCodec.encode({ kind: 'reason-string', reason: 'r', language: 'x'.repeat(256) }), 'PB_FIELD_RANGE');
    refuses(() => pdpReferralCodec.encode({ kind: 'pdp-referral', identifier: { type: 'fqdn', protocol: 0, port: 70000, fqdn: 'a' } }), 'PB_FIELD_RANGE');
    refuses(() => pdpReferralCodec.encode({ kind: 'pdp-referral', identifier: { type: 'ipv4', protocol: 0, port: 1, address: new Uint8Array(16) } }), 'PB_FIELD_RANGE');
  });
  it('NUL terminators', () => {
    refuses(() => reasonStringCodec.encode({ kind: 'reason-string', reason: 'r\0', language: '' }), 'PB_STRING_INVALID');
    refuses(() => languagePreferenceCodec.encode({ kind: 'language-preference', language: 'en\0' }), 'PB_STRING_INVALID');
    refuses(() => remediationParametersCodec.encode({ kind: 'remediation-parameters', parameters: { type: 'string', text: 'a\0b', language: '' } }), 'PB_STRING_INVALID');
  });
});
