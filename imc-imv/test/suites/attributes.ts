/**
 * Tier 1, byte vectors per attribute: each value is built to the octets the RFC (or strongSwan)
 * lays out, parsed back, refused when truncated; then the specific errors and their offsets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assessmentResult,
  attributeRequest,
  command,
  createStandardRegistry,
  deviceId,
  dummy,
  factoryDefaultPasswordEnabled,
  forwardingEnabled,
  getSettings,
  installedPackages,
  nextSegment,
  numericVersion,
  operationalStatus,
  PaTncEncodeError,
  PaTncError,
  paTncError,
  portFilter,
  productInformation,
  remediationInstructions,
  segmentationContractRequest,
  segmentationContractResponse,
  segmentEnvelope,
  settings,
  startAngel,
  stopAngel,
  STANDARD_ATTRIBUTES,
  stringVersion,
  testing,
  cancelSegmentation,
  isCancel,
  type AttributeCodec,
  type PaTncErrorCode,
} from '../../index.js';
import { hex } from '../pb-batch.js';

const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const txt = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const HDR = '01000000b4b8ef83'; // a PA-TNC message header: version 1, reserved 0, id 0xb4b8ef83

interface Vector {
  readonly codec: AttributeCodec;
  readonly value: unknown;
  readonly wire: string;
  /** Every strict prefix is an error (formats whose every octet is defined). */
  readonly prefixesFail?: boolean;
}

const VECTORS: Vector[] = [
  { codec: testing, value: h('010203'), wire: '010203' },
  {
    codec: attributeRequest,
    value: [
      { reserved: 0, vendorId: 0, type: 7 },
      { reserved: 0, vendorId: 0x902a, type: 8 },
    ],
    wire: '00000000 00000007 0000902a 00000008',
  },
  { codec: productInformation, value: { productVendorId: 9586, productId: 0, productName: 'Debian' }, wire: `002572 0000 ${txt('Debian')}` },
  {
    codec: numericVersion,
    value: { majorVersion: 12, minorVersion: 1, buildNumber: 2, servicePackMajor: 3, servicePackMinor: 4 },
    wire: '0000000c 00000001 00000002 0003 0004',
    prefixesFail: true,
  },
  {
    codec: stringVersion,
    value: { productVersion: '12 x86_64', buildNumber: '', configurationVersion: '' },
    wire: `09 ${txt('12 x86_64')} 00 00`,
    prefixesFail: true,
  },
  {
    codec: operationalStatus,
    value: { status: 3, result: 1, reserved: 0, lastUse: '2026-11-23T19:32:52Z' },
    wire: `03 01 0000 ${txt('2026-11-23T19:32:52Z')}`,
    prefixesFail: true,
  },
  {
    codec: portFilter,
    value: [
      { blocked: false, protocol: 17, port: 500, reserved: 0 },
      { blocked: true, protocol: 6, port: 22, reserved: 0 },
    ],
    wire: '00 11 01f4 01 06 0016',
  },
  {
    codec: installedPackages,
    value: { reserved: 0, packages: [{ name: 'adduser', version: '3.134' }] },
    wire: `0000 0001 07 ${txt('adduser')} 05 ${txt('3.134')}`,
    prefixesFail: true,
  },
  {
    codec: paTncError,
    value: { reserved: 0, errorVendorId: 0, errorCode: 1, information: { kind: 'invalid-parameter', messageHeader: h(HDR), offset: 12 } },
    wire: `00 000000 00000001 ${HDR} 0000000c`,
    prefixesFail: true,
  },
  {
    codec: paTncError,
    value: {
      reserved: 0,
      errorVendorId: 0,
      errorCode: 2,
      information: { kind: 'version-not-supported', messageHeader: h(HDR), maxVersion: 1, minVersion: 1, reserved: 0 },
    },
    wire: `00 000000 00000002 ${HDR} 01 01 0000`,
    prefixesFail: true,
  },
  {
    codec: paTncError,
    value: {
      reserved: 0,
      errorVendorId: 0,
      errorCode: 3,
      information: { kind: 'attribute-type-not-supported', messageHeader: h(HDR), attribute: { flags: 0x80, vendorId: 0x902a, type: 99 } },
    },
    wire: `00 000000 00000003 ${HDR} 80 00902a 00000063`,
    prefixesFail: true,
  },
  {
    codec: paTncError,
    value: { reserved: 0, errorVendorId: 0, errorCode: 0x20, information: { kind: 'ietf', messageHeader: h(HDR), data: h('abcd') } },
    wire: `00 000000 00000020 ${HDR} abcd`,
  },
  {
    codec: paTncError,
    value: { reserved: 0, errorVendorId: 0x902a, errorCode: 1, information: { kind: 'vendor', data: h('abcd') } },
    wire: '00 00902a 00000001 abcd',
  },
  { codec: assessmentResult, value: 2, wire: '00000002', prefixesFail: true },
  {
    codec: remediationInstructions,
    value: { reserved: 0, parameters: { kind: 'uri', uri: 'https://remediation.example/fix?id=1' } },
    wire: `00 000000 00000001 ${txt('https://remediation.example/fix?id=1')}`,
  },
  {
    codec: remediationInstructions,
    value: { reserved: 0, parameters: { kind: 'string', text: 'Update now', languageCode: 'en' } },
    wire: `00 000000 00000002 0000000a ${txt('Update now')} 02 ${txt('en')}`,
    prefixesFail: true,
  },
  {
    codec: remediationInstructions,
    value: { reserved: 0, parameters: { kind: 'other', vendorId: 0x902a, type: 7, data: h('dead') } },
    wire: '00 00902a 00000007 dead',
  },
  { codec: forwardingEnabled, value: 1, wire: '00000001', prefixesFail: true },
  { codec: factoryDefaultPasswordEnabled, value: 0, wire: '00000000', prefixesFail: true },
  { codec: command, value: 'allow', wire: txt('allow') },
  { codec: dummy, value: new Uint8Array(4), wire: '00000000' },
  { codec: getSettings, value: ['a', 'bc'], wire: '00000002 0001 61 0002 6263', prefixesFail: true },
  { codec: settings, value: [{ name: 'x', value: '1\n' }], wire: '00000001 0001 78 0002 310a', prefixesFail: true },
  { codec: startAngel, value: {}, wire: '' },
  { codec: stopAngel, value: {}, wire: '' },
  { codec: deviceId, value: 'carol-device-0001', wire: txt('carol-device-0001') },
  { codec: segmentationContractRequest, value: { maxMessageSize: 0xffffffff, maxSegmentSize: 65466 }, wire: 'ffffffff 0000ffba', prefixesFail: true },
  { codec: segmentationContractResponse, value: { maxMessageSize: 1000, maxSegmentSize: 100 }, wire: '000003e8 00000064', prefixesFail: true },
  { codec: segmentEnvelope, value: { flags: 0xc0, baseMessageId: 1, segment: h('aabb') }, wire: 'c0 000001 aabb' },
  { codec: nextSegment, value: { flags: 0, baseMessageId: 5 }, wire: '00 000005', prefixesFail: true },
];

function throwsPa(fn: () => unknown, code: PaTncErrorCode, offset?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PaTncError, String(e));
    assert.equal(e.code, code, e.message);
    if (offset !== undefined) assert.equal(e.offset, offset, e.message);
    return true;
  });
}

function throwsEncode(fn: () => unknown, code: PaTncEncodeError['code']): void {
  assert.throws(fn, (e: unknown) => e instanceof PaTncEncodeError && e.code === code);
}

describe('attribute vectors', () => {
  it('every standard codec has a vector', () => {
    for (const c of STANDARD_ATTRIBUTES) assert.ok(VECTORS.some((v) => v.codec === c), c.name);
  });

  for (const v of VECTORS) {
    it(`${v.codec.name}: ${v.wire.slice(0, 40) || '(empty)'}`, () => {
      const wire = h(v.wire);
      assert.equal(hex(v.codec.encode(v.value)), hex(wire));
      assert.deepEqual(v.codec.decode(wire), v.value);
      // Truncation: a strict prefix is refused, or (formats where a prefix can be a value)
      // decodes to something that re-encodes to exactly that prefix.
      for (let cut = 0; cut < wire.length; cut++) {
        const prefix = wire.subarray(0, cut);
        let decoded: unknown;
        try {
          decoded = v.codec.decode(prefix);
        } catch (e) {
          assert.ok(e instanceof PaTncError, String(e));
          assert.ok(e.offset >= 0 && e.offset <= cut, `${e.message} for a ${cut}-octet prefix`);
          continue;
        }
        assert.ok(!v.prefixesFail, `${cut}-octet prefix decoded`);
        assert.equal(hex(v.codec.encode(decoded)), hex(prefix));
      }
    });
  }

  it('the registry holds every codec once, keyed by (vendor, type)', () => {
    const registry = createStandardRegistry();
    assert.equal(registry.codecs().length, STANDARD_ATTRIBUTES.length);
    for (const c of STANDARD_ATTRIBUTES) assert.equal(registry.get(c.vendorId, c.type), c);
    assert.throws(() => registry.register(testing), TypeError);
    assert.throws(() => registry.register({ ...testing, type: 1234, name: 'unknown' }), TypeError);
  });
});

describe('attribute errors and their offsets', () => {
  it('Attribute Request: not a multiple of 8', () => throwsPa(() => attributeRequest.decode(h('00000000 000000')), 'PA_TNC_VALUE_LENGTH'));

  it('Product Information: vendor 0 with a product id (offset 3), NUL, bad UTF-8', () => {
    throwsPa(() => productInformation.decode(h('000000 0001 41')), 'PA_TNC_FIELD_INVALID', 3);
    throwsPa(() => productInformation.decode(h(`002572 0000 ${txt('Deb')}00`)), 'PA_TNC_STRING_INVALID', 8);
    throwsPa(() => productInformation.decode(h('002572 0000 41ff42')), 'PA_TNC_STRING_INVALID', 5);
    throwsPa(() => productInformation.decode(h('0025')), 'PA_TNC_TRUNCATED', 0);
  });

  it('Numeric Version: 15 or 17 octets', () => {
    throwsPa(() => numericVersion.decode(new Uint8Array(15)), 'PA_TNC_VALUE_LENGTH', 0);
    throwsPa(() => numericVersion.decode(new Uint8Array(17)), 'PA_TNC_VALUE_LENGTH', 0);
  });

  it('String Version: trailing octets, NUL, a length past the end', () => {
    throwsPa(() => stringVersion.decode(h('00 00 00 ff')), 'PA_TNC_TRAILING_DATA', 3);
    throwsPa(() => stringVersion.decode(h('02 3100 00 00')), 'PA_TNC_STRING_INVALID', 2);
    throwsPa(() => stringVersion.decode(h('05 3132')), 'PA_TNC_TRUNCATED', 1);
  });

  it('Operational Status: Status (0), Result (1), Last Use (4), size', () => {
    const lastUse = txt('2026-11-23T19:32:52Z');
    throwsPa(() => operationalStatus.decode(h(`04 01 0000 ${lastUse}`)), 'PA_TNC_FIELD_INVALID', 0);
    throwsPa(() => operationalStatus.decode(h(`03 04 0000 ${lastUse}`)), 'PA_TNC_FIELD_INVALID', 1);
    throwsPa(() => operationalStatus.decode(h(`03 01 0000 ${txt('2026-11-23 19:32:52Z')}`)), 'PA_TNC_FIELD_INVALID', 4);
    throwsPa(() => operationalStatus.decode(h(`03 01 0000 ${lastUse} 00`)), 'PA_TNC_VALUE_LENGTH', 0);
    assert.deepEqual(operationalStatus.decode(h(`00 00 abcd ${txt('0000-00-00T00:00:00Z')}`)), {
      status: 0,
      result: 0,
      reserved: 0xabcd,
      lastUse: '0000-00-00T00:00:00Z',
    });
    throwsEncode(() => operationalStatus.encode({ status: 0, result: 0, lastUse: 'yesterday' }), 'PA_TNC_FIELD_RANGE');
  });

  it('Port Filter: not a multiple of 4; reserved bits kept', () => {
    throwsPa(() => portFilter.decode(h('0011 01f4 00')), 'PA_TNC_VALUE_LENGTH');
    const v = portFilter.decode(h('ff 06 0050'));
    assert.deepEqual(v, [{ blocked: true, protocol: 6, port: 80, reserved: 0x7f }]);
    assert.equal(hex(portFilter.encode(v)), 'ff060050');
    throwsEncode(() => portFilter.encode([{ blocked: false, protocol: 6, port: 80, reserved: 128 }]), 'PA_TNC_FIELD_RANGE');
  });

  it('Installed Packages: Package Count above and below the entries present', () => {
    throwsPa(() => installedPackages.decode(h(`0000 0002 01 61 01 31`)), 'PA_TNC_COUNT_MISMATCH', 2);
    throwsPa(() => installedPackages.decode(h(`0000 0000 01 61 01 31`)), 'PA_TNC_COUNT_MISMATCH', 4);
    throwsPa(() => installedPackages.decode(h(`0000 0001 01 00 01 31`)), 'PA_TNC_STRING_INVALID', 5);
    throwsEncode(() => installedPackages.encode({ packages: [{ name: 'x'.repeat(256), version: '1' }] }), 'PA_TNC_VALUE_TOO_LONG');
  });

  it('PA-TNC Error: short header copy, trailing octets, information of the wrong kind', () => {
    throwsPa(() => paTncError.decode(h('00 000000 00000001 0100')), 'PA_TNC_TRUNCATED', 8);
    throwsPa(() => paTncError.decode(h(`00 000000 00000001 ${HDR} 0000000c ff`)), 'PA_TNC_TRAILING_DATA', 20);
    throwsPa(() => paTncError.decode(h(`00 000000 00000003 ${HDR} 80 00902a`)), 'PA_TNC_TRUNCATED', 20);
    throwsEncode(
      () => paTncError.encode({ reserved: 0, errorVendorId: 0, errorCode: 2, information: { kind: 'invalid-parameter', messageHeader: h(HDR), offset: 0 } }),
      'PA_TNC_FIELD_RANGE',
    );
    throwsEncode(
      () => paTncError.encode({ reserved: 0, errorVendorId: 0, errorCode: 1, information: { kind: 'invalid-parameter', messageHeader: h('01'), offset: 0 } }),
      'PA_TNC_FIELD_RANGE',
    );
  });

  it('Remediation Instructions: string with trailing octets or NUL; IETF types must use their kinds', () => {
    throwsPa(() => remediationInstructions.decode(h(`00 000000 00000002 00000001 41 00 ff`)), 'PA_TNC_TRAILING_DATA', 14);
    throwsPa(() => remediationInstructions.decode(h(`00 000000 00000002 00000002 4100 00`)), 'PA_TNC_STRING_INVALID', 13);
    throwsPa(() => remediationInstructions.decode(h(`00 000000 00000002 00000009 41`)), 'PA_TNC_TRUNCATED', 12);
    throwsEncode(
      () => remediationInstructions.encode({ parameters: { kind: 'other', vendorId: 0, type: 1, data: new Uint8Array() } }),
      'PA_TNC_FIELD_RANGE',
    );
  });

  it('ITA Settings and Get Settings: counts that cannot fit, trailing octets', () => {
    throwsPa(() => settings.decode(h('ffffffff 0001 78')), 'PA_TNC_LIMIT_EXCEEDED', 0);
    throwsPa(() => getSettings.decode(h('00000003 0001 78')), 'PA_TNC_LIMIT_EXCEEDED', 0);
    throwsPa(() => settings.decode(h('00000001 0001 78 0000 ff')), 'PA_TNC_TRAILING_DATA', 9);
    throwsPa(() => getSettings.decode(h('00000001 0001 78 00')), 'PA_TNC_TRAILING_DATA', 7);
    assert.deepEqual(settings.decode(h('00000000')), []);
  });

  it('ITA Start/Stop Angel carry nothing', () => {
    throwsPa(() => startAngel.decode(h('00')), 'PA_TNC_VALUE_LENGTH', 0);
  });

  it('TCG attributes: sizes; Next Segment cancel in either bit', () => {
    throwsPa(() => segmentationContractRequest.decode(new Uint8Array(7)), 'PA_TNC_VALUE_LENGTH');
    throwsPa(() => segmentationContractResponse.decode(new Uint8Array(9)), 'PA_TNC_VALUE_LENGTH');
    throwsPa(() => nextSegment.decode(new Uint8Array(5)), 'PA_TNC_VALUE_LENGTH');
    throwsPa(() => segmentEnvelope.decode(h('c00000')), 'PA_TNC_TRUNCATED', 1);
    assert.equal(isCancel(nextSegment.decode(h('01000005'))), true); // strongSwan's encoding
    assert.equal(isCancel(nextSegment.decode(h('80000005'))), true); // the diagram's
    assert.equal(isCancel(nextSegment.decode(h('00000005'))), false);
    assert.equal(hex(nextSegment.encode(cancelSegmentation(5))), '81000005');
  });

  it('encoders refuse what cannot go on the wire', () => {
    throwsEncode(() => productInformation.encode({ productVendorId: 0x1000000, productId: 0, productName: '' }), 'PA_TNC_FIELD_RANGE');
    throwsEncode(() => productInformation.encode({ productVendorId: 1, productId: 0, productName: 'a\0' }), 'PA_TNC_STRING_INVALID');
    throwsEncode(() => command.encode('\ud800'), 'PA_TNC_STRING_INVALID');
    throwsEncode(() => stringVersion.encode({ productVersion: 'é'.repeat(128), buildNumber: '', configurationVersion: '' }), 'PA_TNC_VALUE_TOO_LONG');
    throwsEncode(() => assessmentResult.encode(-1), 'PA_TNC_FIELD_RANGE');
    throwsEncode(() => assessmentResult.encode(1.5), 'PA_TNC_FIELD_RANGE');
    throwsEncode(() => segmentEnvelope.encode({ flags: 0, baseMessageId: 0x1000000, segment: new Uint8Array() }), 'PA_TNC_FIELD_RANGE');
  });
});
