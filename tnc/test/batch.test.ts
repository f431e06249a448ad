/**
 * Batch and message headers (RFC 5793 sections 4.1, 4.2): every error carries the PB-TNC error
 * code and the batch offset its PB-Error reports; NOSKIP on an unknown type is Unsupported
 * Mandatory Message; the per-type rules of the registry; limits refused before anything is
 * buffered or parsed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_LIMITS,
  PbBatchType,
  PbErrorCode,
  PbTncEncodeError,
  PbTncError,
  decodeBatch,
  encodeBatch,
  encodeBatchHeader,
  encodeMessage,
  errorMessageFor,
  pbTncLimits,
  readBatchHeader,
  type PbTncMessage,
} from '../index.js';
import { capture, hexBytes, toHex } from './captures.js';

const hex = (...parts: string[]) => hexBytes(parts.join(''));
/** A message with a hand-made header. */
const raw = (flags: number, vendor: number, type: number, valueHex: string, length = 12 + valueHex.length / 2) =>
  toHex(Uint8Array.of(flags, vendor >>> 16, (vendor >>> 8) & 0xff, vendor & 0xff)) +
  type.toString(16).padStart(8, '0') +
  length.toString(16).padStart(8, '0') +
  valueHex;
/** A batch around hand-made messages, with the right Batch Length. */
const batch = (director: 'client' | 'server', type: number, ...messages: string[]) => {
  const body = messages.join('');
  return hexBytes(toHex(encodeBatchHeader(director, type, 8 + body.length / 2)) + body);
};
const lang = toHex(encodeMessage({ kind: 'language-preference', language: 'en' }));
const pa = toHex(encodeMessage({ kind: 'pa', exclusive: false, paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 0xffff, body: hexBytes('01') }));

function rejects(fn: () => unknown, code: string, pbErrorCode: number, offset: number): PbTncError {
  let caught: PbTncError | undefined;
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PbTncError, `expected PbTncError, got ${String(e)}`);
    assert.deepEqual({ code: e.code, pbErrorCode: e.pbErrorCode, offset: e.offset, fatal: e.fatal }, { code, pbErrorCode, offset, fatal: true });
    caught = e;
    return true;
  });
  assert.ok(caught);
  return caught;
}

describe('batch header (RFC 5793 section 4.1)', () => {
  it('fewer than 8 octets: Invalid Parameter at 0', () => {
    rejects(() => decodeBatch(hex('0200000100')), 'PB_BATCH_TRUNCATED', PbErrorCode.InvalidParameter, 0);
  });
  it('a version other than 2: Version Not Supported, whose PB-Error names the bad version', () => {
    const e = rejects(() => decodeBatch(hex('01000001', '00000008')), 'PB_VERSION_UNSUPPORTED', PbErrorCode.VersionNotSupported, 0);
    assert.equal(e.badVersion, 1);
    assert.deepEqual(errorMessageFor(e).parameters, { type: 'version', badVersion: 1, maxVersion: 2, minVersion: 2 });
  });
  it('B-Type 0 and 7..15: Invalid Parameter at 3', () => {
    for (const t of [0, 7, 15]) rejects(() => decodeBatch(hex('020000', t.toString(16).padStart(2, '0'), '00000008')), 'PB_BATCH_TYPE_INVALID', 1, 3);
  });
  it('Batch Length different from the octets: Invalid Parameter at 4', () => {
    rejects(() => decodeBatch(hex('02000001', '00000009')), 'PB_BATCH_LENGTH_MISMATCH', 1, 4);
    rejects(() => decodeBatch(hex('02000001', '00000008', '00')), 'PB_BATCH_LENGTH_MISMATCH', 1, 4);
    rejects(() => decodeBatch(hex('02000001', '00000004')), 'PB_BATCH_LENGTH_MISMATCH', 1, 4);
  });
  it('reads the D bit and ignores reserved bits (written back as 0)', () => {
    const b = decodeBatch(hex('02ff7ff3', '00000008'));
    assert.deepEqual(b, { version: 2, director: 'server', batchType: PbBatchType.RESULT, messages: [] });
    assert.equal(toHex(encodeBatch(b)), '0280000300000008');
  });
});

describe('message header (RFC 5793 section 4.2) and the registry rules', () => {
  it('a message header cut short: Invalid Parameter at the message', () => {
    rejects(() => decodeBatch(batch('client', 1, lang, '0000000000')), 'PB_MESSAGE_TRUNCATED', 1, 8 + lang.length / 2);
  });
  it('Message Length past the batch, or below 12: Invalid Parameter at the length field', () => {
    rejects(() => decodeBatch(batch('client', 1, raw(0, 0, 6, '', 13))), 'PB_MESSAGE_LENGTH_INVALID', 1, 16);
    rejects(() => decodeBatch(batch('client', 1, raw(0, 0x1234, 1, '', 4))), 'PB_MESSAGE_LENGTH_INVALID', 1, 16);
  });
  it('a known type below its minimum length: Invalid Parameter at the message', () => {
    rejects(() => decodeBatch(batch('client', 1, raw(0x80, 0, 1, '00000000', 16))), 'PB_MESSAGE_SIZE_INVALID', 1, 8);
    rejects(() => decodeBatch(batch('client', 1, raw(0, 0, 6, '', 0))), 'PB_MESSAGE_SIZE_INVALID', 1, 8);
    rejects(() => decodeBatch(batch('server', 3, raw(0x80, 0, 2, '0000000000000000'))), 'PB_MESSAGE_SIZE_INVALID', 1, 8);
  });
  it('reserved Vendor ID 0xffffff and Message Type 0xffffffff', () => {
    rejects(() => decodeBatch(batch('client', 1, raw(0, 0xffffff, 1, ''))), 'PB_VENDOR_ID_RESERVED', 1, 9);
    rejects(() => decodeBatch(batch('client', 1, raw(0, 0, 0xffffffff, ''))), 'PB_MESSAGE_TYPE_RESERVED', 1, 12);
  });
  it('an unknown type with NOSKIP: Unsupported Mandatory Message at the message, as PB-Error', () => {
    const at = 8 + lang.length / 2;
    const e = rejects(() => decodeBatch(batch('client', 1, lang, raw(0x80, 0x00902a, 77, 'cafe'))), 'PB_UNSUPPORTED_MANDATORY_MESSAGE', PbErrorCode.UnsupportedMandatoryMessage, at);
    assert.equal(toHex(encodeMessage(errorMessageFor(e))), raw(0x80, 0, 5, '80000000' + '00030000' + at.toString(16).padStart(8, '0')));
    // IETF types beyond 7 are unknown too, and so is a NOSKIP PB-Experimental (we run no experiment).
    rejects(() => decodeBatch(batch('client', 1, raw(0x80, 0, 8, ''))), 'PB_UNSUPPORTED_MANDATORY_MESSAGE', 3, 8);
    rejects(() => decodeBatch(batch('client', 1, raw(0x80, 0, 0, 'ff'))), 'PB_UNSUPPORTED_MANDATORY_MESSAGE', 3, 8);
  });
  it('an unknown type without NOSKIP decodes to "unknown", keeps its value, and round-trips', () => {
    const bytes = batch('client', 1, raw(0, 0x00902a, 1, '0001'), lang, raw(0, 0, 0, 'ab'));
    const b = decodeBatch(bytes);
    assert.deepEqual(b.messages, [
      { kind: 'unknown', vendorId: 0x00902a, type: 1, noskip: false, value: hexBytes('0001') },
      { kind: 'language-preference', language: 'en' },
      { kind: 'experimental', value: hexBytes('ab') },
    ]);
    assert.equal(toHex(encodeBatch(b)), toHex(bytes));
  });
  it('NOSKIP must be set on PB-PA, PB-Assessment-Result, PB-Error and clear on the others', () => {
    rejects(() => decodeBatch(batch('client', 1, raw(0, 0, 1, '000000000000000100010001'))), 'PB_NOSKIP_INVALID', 1, 8);
    rejects(() => decodeBatch(batch('server', 3, raw(0x80, 0, 3, '00000001'))), 'PB_NOSKIP_INVALID', 1, 8);
    rejects(() => decodeBatch(batch('client', 1, raw(0, 0, 5, '0000000000010000'))), 'PB_NOSKIP_INVALID', 1, 8);
    rejects(() => decodeBatch(batch('client', 1, raw(0x80, 0, 6, toHex(hexBytes(lang)).slice(24)))), 'PB_NOSKIP_INVALID', 1, 8);
  });
  it('result-only types outside a RESULT batch: Invalid Parameter at the message', () => {
    const at = 8 + pa.length / 2;
    rejects(() => decodeBatch(batch('client', 1, pa, raw(0x80, 0, 2, '00000000'))), 'PB_MESSAGE_NOT_ALLOWED', 1, at);
    rejects(() => decodeBatch(batch('server', 2, raw(0, 0, 7, '0000000000'))), 'PB_MESSAGE_NOT_ALLOWED', 1, 8);
  });
  it('a value error is reported at its offset in the batch', () => {
    // Access Recommendation Code 9 in the second message: 8 + 25 (PB-PA) + 12 (header) + 2.
    rejects(() => decodeBatch(batch('server', 3, pa, raw(0, 0, 3, '00000009'))), 'PB_VALUE_INVALID', 1, 8 + 25 + 12 + 2);
    // A reserved PA Message Vendor ID: 8 + 12 + 1 (strongSwan reports 8 + 1: it adds the value
    // offset to the message start, not to the value start).
    rejects(() => decodeBatch(batch('client', 1, raw(0x80, 0, 1, '00ffffff000000010001ffff'))), 'PB_VALUE_INVALID', 1, 21);
  });
});

describe('limits: refused from the headers, before anything is buffered or parsed', () => {
  it('the defaults are strongSwan\'s PT-EAP sizes and a generous message count', () => {
    assert.deepEqual(DEFAULT_LIMITS, { maxBatchSize: 65522, maxMessageSize: 65490, maxMessageCount: 10000, maxRoundTrips: 1000 });
  });
  it('readBatchHeader refuses an oversized Batch Length from the first 8 octets alone', () => {
    const header = hex('02000001', '00010000'); // 65536 > 65522; the rest never arrived
    rejects(() => readBatchHeader(header), 'PB_BATCH_TOO_LARGE', PbErrorCode.LocalError, 4);
    assert.deepEqual(readBatchHeader(hex('02000001', '0000fff2')), { version: 2, director: 'client', batchType: 1, length: 65522 });
  });
  it('decodeBatch refuses oversized input before looking at its header', () => {
    rejects(() => decodeBatch(new Uint8Array(70000)), 'PB_BATCH_TOO_LARGE', PbErrorCode.LocalError, 4);
  });
  it('too many messages: Local Error at the first message over the limit', () => {
    const limits = pbTncLimits({ maxMessageCount: 3 });
    const ok = batch('client', 1, lang, lang, lang);
    assert.equal(decodeBatch(ok, limits).messages.length, 3);
    rejects(() => decodeBatch(batch('client', 1, lang, lang, lang, 'ffff'), limits), 'PB_TOO_MANY_MESSAGES', PbErrorCode.LocalError, 8 + 3 * 31);
  });
  it('a PA-TNC message above maxMessageSize is refused from its header, before its value is read', () => {
    const limits = pbTncLimits({ maxMessageSize: 4 });
    // 5-octet body, and a reserved PA vendor id that would be an Invalid Parameter if it were parsed.
    rejects(() => decodeBatch(batch('client', 1, raw(0x80, 0, 1, '00ffffff000000010001ffff' + '0102030405')), limits), 'PB_MESSAGE_TOO_LARGE', PbErrorCode.LocalError, 16);
    assert.equal(decodeBatch(batch('client', 1, raw(0x80, 0, 1, '00000000000000010001ffff' + '01020304')), limits).messages.length, 1);
  });
  it('a long exchange needs no tuning: the 19545-octet capture and a full 65522-octet batch of 5459 messages decode', () => {
    assert.equal(decodeBatch(capture('alice-c1-03-rx-CDATA.hex').bytes).messages.length, 2);
    const many = Array.from({ length: 5458 }, () => raw(0, 0x00902a, 1, ''));
    const full = batch('client', 1, ...many, raw(0, 0x00902a, 1, '000000000000'));
    assert.equal(full.length, 65522);
    assert.equal(decodeBatch(full).messages.length, 5459);
  });
});

describe('encodeBatch never builds what the decoder would refuse', () => {
  const refuses = (fn: () => unknown, code: string) => assert.throws(fn, (e: unknown) => e instanceof PbTncEncodeError && e.code === code);
  const assessment: PbTncMessage = { kind: 'assessment-result', result: 0 };

  it('a result-only message outside RESULT', () => {
    refuses(() => encodeBatch({ director: 'server', batchType: PbBatchType.SDATA, messages: [assessment] }), 'PB_MESSAGE_UNSUPPORTED');
    assert.equal(encodeBatch({ director: 'server', batchType: PbBatchType.RESULT, messages: [assessment] }).length, 24);
  });
  it('a batch above maxBatchSize, a PA-TNC message above maxMessageSize', () => {
    const body = new Uint8Array(100);
    const m: PbTncMessage = { kind: 'pa', exclusive: false, paVendorId: 0, paSubtype: 1, collectorId: 1, validatorId: 1, body };
    refuses(() => encodeBatch({ director: 'client', batchType: 1, messages: [m] }, pbTncLimits({ maxBatchSize: 100 })), 'PB_TOO_LONG');
    refuses(() => encodeBatch({ director: 'client', batchType: 1, messages: [m] }, pbTncLimits({ maxMessageSize: 99 })), 'PB_TOO_LONG');
  });
});
