/**
 * PA-TNC messages (RFC 5792 s4.1, s4.2): header, attribute walk, unknown attributes with and
 * without NOSKIP, reserved values, and the PA-TNC Error attribute each failure is answered with.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AttributeRegistry,
  command,
  createStandardRegistry,
  decodeMessage,
  deviceId,
  encodeMessage,
  isUnknownAttribute,
  makeAttribute,
  makeUnknownAttribute,
  operationalStatus,
  PaErrorCode,
  PaTncEncodeError,
  PaTncError,
  paTncError,
  processMessage,
  productInformation,
  defineAttribute,
  findAttribute,
  type PaTncAttribute,
  type PaTncErrorCode,
} from '../../index.js';
import { hex, loadCaptures } from '../pb-batch.js';

const registry = createStandardRegistry();
const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const HEADER = '01000000 b4b8ef83';
const PRODUCT = `00 000000 00000002 00000017 002572 0000 ${Buffer.from('Debian').toString('hex')}`; // 23 octets
const UNKNOWN_NOSKIP = '80 00902a 00000063 00000010 cafebabe'; // ITA type 99, NOSKIP, 16 octets
const UNKNOWN_SKIP = '00 123456 00000001 0000000e beef'; // vendor 0x123456, 14 octets
const DEVICE = `00 00902a 00000008 0000000f ${Buffer.from('abc').toString('hex')}`; // 15 octets

function fails(bytes: Uint8Array, code: PaTncErrorCode, offset: number): PaTncError {
  const r = processMessage(bytes, registry);
  assert.ok(!r.ok, 'decoded');
  assert.equal(r.error.code, code, r.error.message);
  assert.equal(r.error.offset, offset, r.error.message);
  assert.throws(() => decodeMessage(bytes, registry), PaTncError);
  return r.error;
}

function reply(bytes: Uint8Array): PaTncAttribute {
  const r = processMessage(bytes, registry);
  assert.ok(!r.ok && r.reply);
  // The reply goes on the wire: it must encode, and decode back to itself.
  const wire = registry.encodeAttribute(r.reply);
  const back = decodeMessage(encodeMessage({ identifier: 1, attributes: [r.reply] }, registry), registry).attributes[0];
  assert.deepEqual(back, r.reply);
  assert.ok(wire.length >= 12 + 8 + 8);
  return r.reply;
}

describe('PA-TNC message', () => {
  it('decodes a header-only message and keeps the Reserved field', () => {
    const m = decodeMessage(h('01 abcdef 00000007'), registry);
    assert.deepEqual(m, { version: 1, reserved: 0xabcdef, identifier: 7, attributes: [] });
    assert.equal(hex(encodeMessage(m, registry)), '01abcdef00000007');
    assert.equal(hex(encodeMessage({ identifier: 0xffffffff, attributes: [] }, registry)), '01000000ffffffff');
  });

  it('builds a message from attributes, with NOSKIP', () => {
    const wire = encodeMessage(
      {
        identifier: 0x7c2bde9c,
        attributes: [makeAttribute(command, 'allow', { noskip: true })],
      },
      registry,
    );
    // The Test IMC's message in alice-c1-01.
    assert.equal(hex(wire), '010000007c2bde9c8000902a0000000100000011616c6c6f77');
  });

  it('refuses a short header (no reply possible) and an unsupported version (Version Not Supported)', () => {
    fails(h('0100000000'), 'PA_TNC_TRUNCATED', 4);
    const r = processMessage(h('0100'), registry);
    assert.ok(!r.ok && r.reply === undefined);
    const err = fails(h(`02000000 00000001 ${PRODUCT}`), 'PA_TNC_VERSION_UNSUPPORTED', 0);
    assert.equal(err.paErrorCode, PaErrorCode.VersionNotSupported);
    const a = reply(h(`02000000 00000001 ${PRODUCT}`));
    assert.equal(hex(registry.encodeAttribute(a)), `00000000 00000008 00000020 00 000000 00000002 0200000000000001 01 01 0000`.replace(/ /g, ''));
  });

  it('keeps an unknown attribute without NOSKIP as octets and re-encodes it exactly', () => {
    const wire = h(`${HEADER} ${PRODUCT} ${UNKNOWN_SKIP} ${DEVICE}`);
    const m = decodeMessage(wire, registry);
    assert.deepEqual(
      m.attributes.map((a) => a.name),
      ['product-information', 'unknown', 'ita-device-id'],
    );
    const u = m.attributes[1];
    assert.ok(u && isUnknownAttribute(u));
    assert.deepEqual({ ...u, value: hex(u.value) }, { name: 'unknown', flags: 0, vendorId: 0x123456, type: 1, value: 'beef' });
    assert.equal(hex(encodeMessage(m, registry)), hex(wire));
  });

  it('answers an unknown NOSKIP attribute with Attribute Type Not Supported and processes nothing of the message', () => {
    const wire = h(`${HEADER} ${PRODUCT} ${UNKNOWN_NOSKIP} ${DEVICE}`);
    const err = fails(wire, 'PA_TNC_ATTRIBUTE_TYPE_UNSUPPORTED', 8 + 23);
    assert.equal(err.paErrorCode, PaErrorCode.AttributeTypeNotSupported);
    assert.deepEqual(err.unsupportedAttribute, { flags: 0x80, vendorId: 0x902a, type: 99 });
    const r = processMessage(wire, registry);
    assert.ok(!r.ok);
    assert.ok(!('message' in r), 'no attribute of the message is handed out');
    const a = reply(wire);
    // RFC 5792 s4.2.8: error code 3, the message header, then the offending attribute's
    // Flags, Vendor ID and Type.
    assert.equal(
      hex(registry.encodeAttribute(a)),
      `00 000000 00000008 00000024 00 000000 00000003 ${HEADER} 80 00902a 00000063`.replace(/ /g, ''),
    );
    // The same unknown type without NOSKIP is skipped.
    assert.ok(processMessage(h(`${HEADER} ${UNKNOWN_NOSKIP.replace(/^80/, '00')}`), registry).ok);
    // A registry that knows the type decodes it.
    const custom = createStandardRegistry().register(
      defineAttribute({ vendorId: 0x902a, type: 99, name: 'ita-test-99', title: 'Test', encode: (v: Uint8Array) => v, decode: (v: Uint8Array) => v }),
    );
    assert.equal(decodeMessage(wire, custom).attributes[1]?.name, 'ita-test-99');
  });

  it('answers reserved vendor ids, reserved types and bad lengths with Invalid Parameter at the field', () => {
    const at = 8 + 23;
    fails(h(`${HEADER} ${PRODUCT} 00 ffffff 00000001 0000000c`), 'PA_TNC_VENDOR_ID_RESERVED', at + 1);
    fails(h(`${HEADER} ${PRODUCT} 00 000000 ffffffff 0000000c`), 'PA_TNC_ATTRIBUTE_TYPE_RESERVED', at + 4);
    fails(h(`${HEADER} ${PRODUCT} 00 000000 00000001 0000000b`), 'PA_TNC_ATTRIBUTE_LENGTH_INVALID', at + 8);
    fails(h(`${HEADER} ${PRODUCT} 00 000000 00000001 0000000d`), 'PA_TNC_ATTRIBUTE_LENGTH_INVALID', at + 8);
    fails(h(`${HEADER} ${PRODUCT} 00 000000 00`), 'PA_TNC_TRUNCATED', at);
    const a = reply(h(`${HEADER} ${PRODUCT} 00 ffffff 00000001 0000000c`));
    assert.equal(hex(registry.encodeAttribute(a)), `00 000000 00000008 00000020 00 000000 00000001 ${HEADER} 00000020`.replace(/ /g, ''));
  });

  it('reports a value error at its offset in the message (header + 12 + offset in the value)', () => {
    const lastUse = Buffer.from('2026-11-23T19:32:52Z').toString('hex');
    const at = 8 + 23;
    fails(h(`${HEADER} ${PRODUCT} 00 000000 00000005 00000024 09 01 0000 ${lastUse}`), 'PA_TNC_FIELD_INVALID', at + 12);
    const err = fails(h(`${HEADER} ${PRODUCT} 00 000000 00000005 00000024 03 09 0000 ${lastUse}`), 'PA_TNC_FIELD_INVALID', at + 13);
    assert.deepEqual(err.attribute, { vendorId: 0, type: operationalStatus.type });
    const a = reply(h(`${HEADER} ${PRODUCT} 00 000000 00000005 00000024 03 09 0000 ${lastUse}`));
    assert.equal(a.value && (a.value as { information: { offset: number } }).information.offset, at + 13);
  });

  it('sends no PA-TNC Error in answer to a broken PA-TNC Error attribute', () => {
    const r = processMessage(h(`${HEADER} 00 000000 00000008 00000010 00000000`), registry);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'PA_TNC_TRUNCATED');
    assert.equal(r.reply, undefined);
    // A well-formed one decodes like any attribute.
    const err = makeAttribute(paTncError, {
      reserved: 0,
      errorVendorId: 0,
      errorCode: 1,
      information: { kind: 'invalid-parameter', messageHeader: h(HEADER), offset: 9 },
    });
    const m = decodeMessage(encodeMessage({ identifier: 2, attributes: [err] }, registry), registry);
    assert.deepEqual(findAttribute(m.attributes, paTncError)?.value, err.value);
  });

  it('refuses to encode attributes it has no codec for', () => {
    const empty = new AttributeRegistry();
    const p = makeAttribute(productInformation, { productVendorId: 1, productId: 0, productName: 'x' });
    assert.throws(() => encodeMessage({ identifier: 1, attributes: [p] }, empty), (e: unknown) => e instanceof PaTncEncodeError && e.code === 'PA_TNC_NO_CODEC');
    const wrong = { ...makeUnknownAttribute({ flags: 0, vendorId: 0, type: 2 }, h('00')), value: 'x' } as unknown as PaTncAttribute;
    assert.throws(() => registry.encodeAttribute(wrong), PaTncEncodeError);
    // An 'unknown' attribute of a type with a codec is still written as its raw octets.
    const raw = makeUnknownAttribute({ flags: 0, vendorId: 0x902a, type: deviceId.type }, h('616263'));
    assert.equal(hex(registry.encodeAttribute(raw)), '0000902a000000080000000f616263');
  });

  it('cut anywhere, a captured message is refused, or (at an attribute boundary) decodes to its first attributes', () => {
    const captured = loadCaptures().flatMap((c) => c.messages);
    for (const m of captured.filter((x) => x.bytes.length < 1000)) {
      const full = decodeMessage(m.bytes, registry);
      const boundaries = new Map<number, number>([[8, 0]]);
      let at = 8;
      full.attributes.forEach((a, i) => {
        at += registry.encodedLength(a);
        boundaries.set(at, i + 1);
      });
      for (let cut = 0; cut < m.bytes.length; cut++) {
        const r = processMessage(m.bytes.subarray(0, cut), registry);
        const count = boundaries.get(cut);
        if (count === undefined) {
          assert.ok(!r.ok, `${m.file} #${m.index} cut at ${cut} decoded`);
          assert.ok(r.error.offset <= cut);
        } else {
          assert.ok(r.ok, `${m.file} #${m.index} cut at boundary ${cut}`);
          assert.equal(r.message.attributes.length, count);
        }
      }
    }
  });
});
