/**
 * Property tests of the IKEv2 codec: whatever the bytes (random, truncated or mutated captures of
 * Debian charon, garbage Length fields), decoders throw nothing but IkeDecodeError; and every
 * payload value the generators make survives encode -> decode unchanged.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  decodeIkeMessage,
  decodePayloadChain,
  encodeIkeMessage,
  encodePayloadChain,
  IkeDecodeError,
  PAYLOAD_CODECS,
  PayloadType,
  TsType,
  type IkePayload,
  type Proposal,
  type TrafficSelector,
} from '../ike/index.js';

const VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), 'vectors', 'ike');
const CAPTURED: readonly Buffer[] = readdirSync(VECTOR_DIR)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => (JSON.parse(readFileSync(join(VECTOR_DIR, f), 'utf8')) as { messages: { hex: string }[] }).messages)
  .map((m) => Buffer.from(m.hex, 'hex'));

/** Runs `fn`; anything thrown must be an IkeDecodeError with a sane offset. */
function onlyDecodeErrors(fn: () => unknown, length: number): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (!(err instanceof IkeDecodeError)) throw err;
    assert.ok(Number.isInteger(err.offset) && err.offset >= 0 && err.offset <= Math.max(length, 28), `offset ${err.offset} of ${length}`);
    return false;
  }
}

/** When a message decodes, it re-encodes to bytes that decode to the same thing. */
function stable(buf: Uint8Array): void {
  let decoded;
  try {
    decoded = decodeIkeMessage(buf);
  } catch (err) {
    if (err instanceof IkeDecodeError) return;
    throw err;
  }
  const again = decodeIkeMessage(encodeIkeMessage(decoded.header, decoded.payloads));
  assert.deepEqual(again.payloads, decoded.payloads);
}

function withLength(buf: Uint8Array): Buffer {
  const out = Buffer.from(buf);
  if (out.length >= 28) out.writeUInt32BE(out.length, 24);
  return out;
}

const PAYLOAD_TYPES = [...PAYLOAD_CODECS.keys()];

describe('IKE decoders throw only IkeDecodeError', () => {
  assert.ok(CAPTURED.length >= 10, 'captured vectors present');

  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => void onlyDecodeErrors(() => decodeIkeMessage(b), b.length)), { numRuns: 2000 });
  });

  it('random bytes behind a valid header (Length and version fixed up)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PAYLOAD_TYPES, 0, 99), fc.uint8Array({ maxLength: 600 }), (first, body) => {
        const buf = withLength(Buffer.concat([CAPTURED[0]!.subarray(0, 28), body]));
        buf[16] = first;
        stable(buf);
      }),
      { numRuns: 2000 },
    );
  });

  it('every payload decoder and the chain decoder on random bodies', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PAYLOAD_TYPES), fc.uint8Array({ maxLength: 300 }), (type, body) => {
        onlyDecodeErrors(() => PAYLOAD_CODECS.get(type)!.decode(body, 0, type), body.length);
        onlyDecodeErrors(() => decodePayloadChain(type, body, 0), body.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('every truncation of every captured message, as received and with the Length fixed up', () => {
    for (const msg of CAPTURED) {
      for (let n = 0; n < msg.length; n++) {
        const cut = msg.subarray(0, n);
        assert.equal(onlyDecodeErrors(() => decodeIkeMessage(cut), n), false, `truncated to ${n} must not decode`);
        stable(withLength(cut));
      }
    }
  });

  it('captured messages with random octets changed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CAPTURED), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (msg, edits) => {
        const buf = Buffer.from(msg);
        for (const [pos, value] of edits) buf[pos % buf.length] = value;
        stable(buf);
      }),
      { numRuns: 2000 },
    );
  });

  it('captured messages with garbage in a Payload / substructure Length field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CAPTURED), fc.nat(), fc.integer({ min: 0, max: 0xffff }), (msg, where, length) => {
        const buf = Buffer.from(msg);
        const pos = 28 + (where % Math.max(1, buf.length - 30));
        buf.writeUInt16BE(length, pos);
        stable(buf);
      }),
      { numRuns: 2000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Round trip

/** Records with Object.prototype, so deepStrictEqual compares them with decoded values. */
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: min, maxLength: max });
const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });

const proposal: fc.Arbitrary<Proposal> = rec({
  number: u8,
  protocolId: u8,
  spi: fc.oneof(bytes(0, 0), bytes(4, 4), bytes(8, 8)),
  transforms: fc.array(
    rec({
      type: u8,
      id: u16,
      attributes: fc.array(
        fc.oneof(
          rec({ format: fc.constant('tv' as const), type: fc.integer({ min: 0, max: 0x7fff }), value: u16 }),
          rec({ format: fc.constant('tlv' as const), type: fc.integer({ min: 0, max: 0x7fff }), value: bytes(0, 8) }),
        ),
        { maxLength: 3 },
      ),
    }),
    { maxLength: 6 },
  ),
});

const selector: fc.Arbitrary<TrafficSelector> = fc.oneof(
  rec({ tsType: fc.constant(TsType.TS_IPV4_ADDR_RANGE), ipProtocol: u8, startPort: u16, endPort: u16, startAddress: bytes(4, 4), endAddress: bytes(4, 4) }),
  rec({ tsType: fc.constant(TsType.TS_IPV6_ADDR_RANGE), ipProtocol: u8, startPort: u16, endPort: u16, startAddress: bytes(16, 16), endAddress: bytes(16, 16) }),
  rec({ tsType: fc.integer({ min: 9, max: 255 }), other: fc.constant(true as const), secondOctet: u8, data: bytes(0, 12) }),
);

const plainPayload: fc.Arbitrary<IkePayload> = fc.oneof(
  rec({ type: fc.constant(PayloadType.SA), proposals: fc.array(proposal, { minLength: 1, maxLength: 4 }) }),
  rec({ type: fc.constant(PayloadType.KE), dhGroup: u16, data: bytes(0, 64) }),
  rec({ type: fc.constantFrom(PayloadType.IDi, PayloadType.IDr), idType: u8, data: bytes(0, 32) }),
  rec({ type: fc.constant(PayloadType.CERT), encoding: u8, data: bytes(0, 32) }),
  rec({ type: fc.constant(PayloadType.CERTREQ), encoding: u8, data: bytes(0, 40) }),
  rec({ type: fc.constant(PayloadType.AUTH), method: u8, data: bytes(0, 32) }),
  rec({ type: fc.constant(PayloadType.Nonce), data: bytes(16, 256) }),
  rec({ type: fc.constant(PayloadType.Notify), protocolId: u8, spi: fc.oneof(bytes(0, 0), bytes(4, 4), bytes(8, 8)), notifyType: u16, data: bytes(0, 24) }),
  fc.integer({ min: 0, max: 8 }).chain((spiSize) =>
    rec({ type: fc.constant(PayloadType.Delete), protocolId: u8, spiSize: fc.constant(spiSize), spis: fc.array(bytes(spiSize, spiSize), { maxLength: spiSize === 0 ? 0 : 5 }) }),
  ),
  rec({ type: fc.constant(PayloadType.VendorID), data: bytes(0, 20) }),
  rec({ type: fc.constantFrom(PayloadType.TSi, PayloadType.TSr), selectors: fc.array(selector, { maxLength: 4 }) }),
  rec({ type: fc.constant(PayloadType.CP), cfgType: u8, attributes: fc.array(rec({ type: fc.integer({ min: 0, max: 0x7fff }), value: bytes(0, 16) }), { maxLength: 5 }) }),
  rec({ type: fc.constant(PayloadType.EAP), message: bytes(0, 40) }),
  rec({ type: fc.constant('unknown' as const), payloadType: fc.integer({ min: 54, max: 255 }), data: bytes(0, 16) }),
);

const lastPayload: fc.Arbitrary<IkePayload> = fc.oneof(
  rec({ type: fc.constant(PayloadType.SK), firstPayload: u8, body: bytes(0, 64) }),
  u16.chain((total) =>
    rec({
      type: fc.constant(PayloadType.SKF),
      firstPayload: u8,
      fragmentNumber: fc.integer({ min: 1, max: Math.max(1, total) }),
      totalFragments: fc.constant(Math.max(1, total)),
      body: bytes(0, 64),
    }),
  ),
);

const chain: fc.Arbitrary<IkePayload[]> = fc
  .tuple(fc.array(plainPayload, { maxLength: 8 }), fc.option(lastPayload), fc.boolean())
  .map(([plain, last, critical]) => {
    const all = last === null ? plain : [...plain, last];
    // the Critical bit on a known payload is kept (it "MUST be ignored", not dropped)
    return critical && all.length > 0 && all[0]!.type !== 'unknown' ? [{ ...all[0]!, critical: true }, ...all.slice(1)] : all;
  });

describe('IKE encode -> decode round trip', () => {
  it('payload chains of every kind', () => {
    fc.assert(
      fc.property(chain, (payloads) => {
        const encoded = encodePayloadChain(payloads);
        const first = payloads.length === 0 ? 0 : payloads[0]!.type === 'unknown' ? payloads[0]!.payloadType : payloads[0]!.type;
        assert.deepEqual(decodePayloadChain(first, encoded, 0), payloads);
      }),
      { numRuns: 1500 },
    );
  });

  it('whole messages', () => {
    fc.assert(
      fc.property(
        rec({
          initiatorSpi: bytes(8, 8),
          responderSpi: bytes(8, 8),
          exchangeType: u8,
          initiator: fc.boolean(),
          version: fc.boolean(),
          response: fc.boolean(),
          messageId: fc.integer({ min: 0, max: 0xffffffff }),
        }),
        chain,
        (header, payloads) => {
          const encoded = encodeIkeMessage(header, payloads);
          const m = decodeIkeMessage(encoded);
          assert.deepEqual(m.payloads, payloads);
          assert.deepEqual({ ...m.header }, { ...header, majorVersion: 2, minorVersion: 0, length: encoded.length, nextPayload: encoded[16] });
          assert.deepEqual(Buffer.from(m.raw), encoded);
        },
      ),
      { numRuns: 500 },
    );
  });
});
