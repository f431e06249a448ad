/**
 * PT-TLS codecs: byte vectors for every message type (the layouts of RFC 6876 sections 3.5-3.9;
 * the SASL and version vectors are the bytes strongSwan 5.9.8's pt-tls-client sends and expects),
 * encode/decode round trips, truncation, and property fuzzing: any input only ever yields a value
 * or a PtTlsError with a sane offset; whatever decodes re-encodes to a message that decodes the same.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CODECS,
  MAX_ORIGINAL_COPY,
  PtTlsError,
  PtTlsErrorCode,
  PtTlsFramer,
  PtTlsFramerError,
  decodeMessage,
  encodeMessage,
  encodeWithHeader,
  errorMessageCodec,
  type PtTlsMessage,
  type PtTlsValue,
} from '../index.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** [name, message, wire bytes] */
const VECTORS: [string, PtTlsMessage, string][] = [
  ['Version Request 1..1 pref 1 (strongSwan client)', { identifier: 0, value: { kind: 'version-request', minVersion: 1, maxVersion: 1, preferredVersion: 1 } },
    '00000000 00000001 00000014 00000000 00010101'],
  ['Version Response 1', { identifier: 0, value: { kind: 'version-response', version: 1 } },
    '00000000 00000002 00000014 00000000 00000001'],
  ['SASL Mechanisms [PLAIN]', { identifier: 1, value: { kind: 'sasl-mechanisms', mechanisms: ['PLAIN'] } },
    '00000000 00000003 00000016 00000001 05 504c41494e'],
  ['SASL Mechanisms [] (end of authentication)', { identifier: 3, value: { kind: 'sasl-mechanisms', mechanisms: [] } },
    '00000000 00000003 00000010 00000003'],
  ['SASL Mechanisms [PLAIN, SCRAM-SHA-1]', { identifier: 1, value: { kind: 'sasl-mechanisms', mechanisms: ['PLAIN', 'SCRAM-SHA-1'] } },
    '00000000 00000003 00000022 00000001 05 504c41494e 0b 534352414d2d5348412d31'],
  ['SASL Mechanism Selection PLAIN + "\\0carol\\0Ar3etTnp" (strongSwan client)',
    { identifier: 1, value: { kind: 'sasl-mechanism-selection', mechanism: 'PLAIN', initialData: Uint8Array.from(Buffer.from('\0carol\0Ar3etTnp')) } },
    '00000000 00000004 00000025 00000001 05 504c41494e 00 6361726f6c 00 4172336574546e70'],
  ['SASL Mechanism Selection PLAIN without data', { identifier: 1, value: { kind: 'sasl-mechanism-selection', mechanism: 'PLAIN', initialData: undefined } },
    '00000000 00000004 00000016 00000001 05 504c41494e'],
  ['SASL Authentication Data', { identifier: 2, value: { kind: 'sasl-authentication-data', data: hex('0102') } },
    '00000000 00000005 00000012 00000002 0102'],
  ['SASL Result Success (16-bit code)', { identifier: 2, value: { kind: 'sasl-result', result: 0, data: new Uint8Array(0) } },
    '00000000 00000006 00000012 00000002 0000'],
  ['SASL Result Abort with data', { identifier: 2, value: { kind: 'sasl-result', result: 2, data: hex('ab') } },
    '00000000 00000006 00000013 00000002 0002 ab'],
  ['PB-TNC Batch (empty CLOSE from the client)', { identifier: 5, value: { kind: 'pb-tnc-batch', batch: hex('0200000600000008') } },
    '00000000 00000007 00000018 00000005 0200000600000008'],
  ['PT-TLS Error Invalid Message with a copy', { identifier: 7, value: { kind: 'error', errorVendorId: 0, errorCode: 4, originalMessage: hex('00000000 00000001') } },
    '00000000 00000008 00000020 00000007 00000000 00000004 0000000000000001'],
  ['a vendor-specific type (kept as unknown)', { identifier: 9, value: { kind: 'unknown', vendorId: 0x902a, messageType: 1, value: hex('010203') } },
    '0000902a 00000001 00000013 00000009 010203'],
];

describe('PT-TLS byte vectors', () => {
  for (const [name, message, wire] of VECTORS) {
    it(`${name}: encodes to the vector and decodes back`, () => {
      assert.equal(toHex(encodeMessage(message)), toHex(hex(wire)));
      assert.deepEqual(decodeMessage(hex(wire)), message);
    });
  }

  it("strongSwan 5.9.8's 1-octet SASL Result is read as its code", () => {
    assert.deepEqual(decodeMessage(hex('00000000 00000006 00000011 00000002 00')).value, { kind: 'sasl-result', result: 0, data: new Uint8Array(0) });
    assert.deepEqual(decodeMessage(hex('00000000 00000006 00000011 00000002 02')).value, { kind: 'sasl-result', result: 2, data: new Uint8Array(0) });
  });

  it('the reserved octet and the reserved bits of Mech Len are ignored on reception', () => {
    const m = decodeMessage(hex('ff000000 00000003 00000016 00000001 e5 504c41494e'));
    assert.deepEqual(m.value, { kind: 'sasl-mechanisms', mechanisms: ['PLAIN'] });
  });

  it('the Error copy is cut to 1024 octets', () => {
    const v = errorMessageCodec.encode({ kind: 'error', errorVendorId: 0, errorCode: 1, originalMessage: new Uint8Array(5000) });
    assert.equal(v.length, 8 + MAX_ORIGINAL_COPY);
  });
});

function rejects(bytes: Uint8Array, code: string, errorCode?: number): void {
  assert.throws(() => decodeMessage(bytes), (e: unknown) => {
    assert.ok(e instanceof PtTlsError, String(e));
    assert.equal(e.code, code);
    if (errorCode !== undefined) assert.equal(e.errorCode, errorCode);
    return true;
  });
}

describe('PT-TLS malformed messages', () => {
  it('every vector truncated anywhere is a typed error (length mismatch or short header)', () => {
    for (const [, , wire] of VECTORS) {
      const bytes = hex(wire);
      for (let n = 0; n < bytes.length; n++) {
        assert.throws(() => decodeMessage(bytes.subarray(0, n)), PtTlsError);
      }
    }
  });

  it('short header, length below 16, length mismatch', () => {
    rejects(hex('000000000000000100'), 'PTTLS_HEADER_TRUNCATED', PtTlsErrorCode.MalformedMessage);
    rejects(hex('00000000 00000001 0000000f 00000000'), 'PTTLS_LENGTH_INVALID');
    rejects(hex('00000000 00000001 00000015 00000000 00010101'), 'PTTLS_LENGTH_INVALID');
  });

  it('value sizes and fields', () => {
    rejects(hex('00000000 00000001 00000013 00000000 000101'), 'PTTLS_VALUE_LENGTH_INVALID');
    rejects(hex('00000000 00000001 00000014 00000000 00020101'), 'PTTLS_VALUE_INVALID', PtTlsErrorCode.InvalidParameter);
    rejects(hex('00000000 00000002 00000015 00000000 0000000100'), 'PTTLS_VALUE_LENGTH_INVALID');
    rejects(hex('00000000 00000003 00000011 00000000 00'), 'PTTLS_VALUE_INVALID'); // empty name
    rejects(hex('00000000 00000003 00000013 00000000 05504c'), 'PTTLS_VALUE_LENGTH_INVALID'); // name runs past the end
    rejects(hex('00000000 00000003 00000016 00000000 05706c61696e'), 'PTTLS_VALUE_INVALID'); // lower case
    rejects(hex('00000000 00000004 00000010 00000000'), 'PTTLS_VALUE_LENGTH_INVALID'); // selection without name
    rejects(hex('00000000 00000006 00000010 00000000'), 'PTTLS_VALUE_LENGTH_INVALID'); // no result code
    rejects(hex('00000000 00000006 00000012 00000000 0004'), 'PTTLS_VALUE_INVALID'); // result code 4
    rejects(hex('00000000 00000008 00000017 00000000 00000000000001'), 'PTTLS_VALUE_LENGTH_INVALID'); // short error
  });

  it('offsets count from the start of the message', () => {
    try {
      decodeMessage(hex('00000000 00000006 00000012 00000000 0009'));
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof PtTlsError);
      assert.equal(e.offset, 16);
    }
  });
});

describe('PT-TLS framer', () => {
  const all = VECTORS.map(([, , w]) => hex(w));
  const stream = Buffer.concat(all);

  it('splits a stream cut at arbitrary points into the same messages', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 20 }), (cuts) => {
        const points = [...new Set([0, ...cuts, stream.length])].sort((a, b) => a - b);
        const framer = new PtTlsFramer(1 << 20);
        const got: string[] = [];
        for (let i = 1; i < points.length; i++) for (const f of framer.push(stream.subarray(points[i - 1], points[i]))) got.push(toHex(f.bytes));
        assert.deepEqual(got, all.map(toHex));
        assert.equal(framer.buffered, 0);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses an oversized Message Length as soon as the header is in', () => {
    const framer = new PtTlsFramer(1000);
    assert.throws(() => framer.push(hex('00000000 00000007 000003e9 00000000')), (e: unknown) => e instanceof PtTlsFramerError && e.error.code === 'PTTLS_MESSAGE_TOO_LARGE');
    // Per type: a Version Request longer than 20 octets is refused before its value arrives.
    assert.throws(() => new PtTlsFramer(1 << 20).push(hex('00000000 00000001 00001000 00000000')), PtTlsFramerError);
  });
});

// ------------------------------------------------------------------------------------ properties
const name = fc.stringMatching(/^[A-Z0-9_-]{1,20}$/);
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const valueArb: fc.Arbitrary<PtTlsValue> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([a, b, p]): PtTlsValue => ({ kind: 'version-request', minVersion: Math.min(a, b), maxVersion: Math.max(a, b), preferredVersion: p })),
  fc.integer({ min: 0, max: 255 }).map((version): PtTlsValue => ({ kind: 'version-response', version })),
  fc.array(name, { maxLength: 5 }).map((mechanisms): PtTlsValue => ({ kind: 'sasl-mechanisms', mechanisms })),
  fc.tuple(name, fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { nil: undefined })).map(([mechanism, initialData]): PtTlsValue => ({ kind: 'sasl-mechanism-selection', mechanism, initialData })),
  bytes(64).map((data): PtTlsValue => ({ kind: 'sasl-authentication-data', data })),
  fc.tuple(fc.constantFrom(0, 1, 2, 3 as const), bytes(16)).map(([result, data]): PtTlsValue => ({ kind: 'sasl-result', result: result as 0, data })),
  bytes(128).map((batch): PtTlsValue => ({ kind: 'pb-tnc-batch', batch })),
  fc.tuple(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 0, max: 0xffffffff }), bytes(64)).map(([errorVendorId, errorCode, originalMessage]): PtTlsValue => ({ kind: 'error', errorVendorId, errorCode, originalMessage })),
  fc.tuple(fc.integer({ min: 1, max: 0xffffff }), fc.integer({ min: 0, max: 0xffffffff }), bytes(32)).map(([vendorId, messageType, value]): PtTlsValue => ({ kind: 'unknown', vendorId, messageType, value })),
);

function decodesOrRejects(input: Uint8Array): PtTlsMessage | undefined {
  try {
    return decodeMessage(input);
  } catch (e) {
    if (!(e instanceof PtTlsError)) throw e;
    assert.equal(typeof e.code, 'string');
    assert.ok(e.offset >= 0 && e.offset <= Math.max(input.length, 16), `offset ${e.offset} of ${input.length}`);
    assert.ok(e.errorCode >= 1 && e.errorCode <= 6);
    return undefined;
  }
}

describe('PT-TLS properties', () => {
  it('every generated message survives encode -> decode', () => {
    fc.assert(
      fc.property(valueArb, fc.integer({ min: 0, max: 0xffffffff }), (value, identifier) => {
        const message: PtTlsMessage = { identifier, value };
        const decoded = decodeMessage(encodeMessage(message));
        // A SASL Result with 1 octet of data re-reads as 2-octet code + data: compare the code.
        if (value.kind === 'sasl-result' && value.data.length === 0) assert.equal(decoded.value.kind === 'sasl-result' && decoded.value.data.length, 0);
        else assert.deepEqual(decoded, message);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes: only values or PtTlsErrors, and decoded values re-encode to a fixed point', () => {
    fc.assert(
      fc.property(bytes(64), (input) => {
        const m = decodesOrRejects(input);
        if (m) assert.deepEqual(decodeMessage(encodeMessage(m)), m);
      }),
      { numRuns: 1000 },
    );
  });

  it('structured fuzz: valid header with a random type and value, correct length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 12 }), bytes(48), (vendor, type, value) => {
        const m = decodesOrRejects(encodeWithHeader(vendor === 0 ? 0 : vendor, type, 1, value));
        if (m) assert.deepEqual(decodeMessage(encodeMessage(m)), m);
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated vectors: only values or PtTlsErrors', () => {
    const all = VECTORS.map(([, , w]) => hex(w));
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (v, flips) => {
        const b = Uint8Array.from(v);
        for (const [i, x] of flips) b[i % b.length] = x;
        decodesOrRejects(b);
      }),
      { numRuns: 2000 },
    );
  });

  it('every codec has a bounded maximum value length', () => {
    for (const c of CODECS) assert.ok(Number.isInteger(c.maxValueLength) && c.maxValueLength > 0 && c.maxValueLength <= 2 ** 21, c.kind);
  });
});
