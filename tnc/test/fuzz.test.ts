/**
 * Property fuzzing of decodeBatch, every message decoder and the server session
 * (CONVENTIONS.md: "No other exception may escape a decoder"): random, structured and mutated
 * input only ever yields a value or a PbTncError with a sane offset; whatever decodes is a fixed
 * point of encode/decode (reserved bits are the only thing normalised, so the length is kept); and
 * generated messages and batches survive encode -> decode exactly. Every property runs under a
 * test timeout, so a hang fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ALL_BATCH_TYPES,
  MESSAGE_REGISTRY,
  PbBatchType,
  PbTncError,
  PbTncServerSession,
  Pen,
  decodeBatch,
  encodeBatch,
  encodeBatchHeader,
  encodeMessage,
  lookupMessageType,
  type PbBatchType as BatchType,
  type PbTncBatch,
  type PbTncMessage,
  type PbTncRole,
} from '../index.js';
import { loadCaptures } from './captures.js';

const RUNS = 300;
const TIMEOUT = { timeout: 20_000 };

/** Runs `fn`; a PbTncError with an offset inside the input is fine, anything else fails. */
function decodesOrRejects<T>(fn: () => T, inputLength: number): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof PbTncError)) throw e;
    assert.equal(typeof e.code, 'string');
    assert.ok(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= Math.max(inputLength, 8), `offset ${e.offset} of ${inputLength}`);
    assert.ok(e.pbErrorCode >= 0 && e.pbErrorCode <= 4);
    return undefined;
  }
}

// ------------------------------------------------------------------------------- arbitraries
const u16 = fc.integer({ min: 0, max: 0xffff });
const u24 = fc.integer({ min: 0, max: 0xfffffe }); // 0xffffff is reserved
const u32 = fc.integer({ min: 0, max: 0xfffffffe }); // 0xffffffff is reserved
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const text = (max: number) => fc.string({ unit: 'grapheme', maxLength: max });
const noNul = (max: number) => text(max).filter((s) => !s.includes('\0'));
const noTrailingNul = (max: number) => text(max).filter((s) => !s.endsWith('\0'));
const code = (max: number) => fc.string({ unit: 'grapheme-ascii', maxLength: max }).filter((s) => !s.endsWith('\0'));

const messageArb: fc.Arbitrary<PbTncMessage> = fc.oneof(
  bytes(40).map((value): PbTncMessage => ({ kind: 'experimental', value })),
  fc.tuple(fc.boolean(), u24, u32, u16, u16, bytes(64)).map(([exclusive, paVendorId, paSubtype, collectorId, validatorId, body]): PbTncMessage => ({
    kind: 'pa', exclusive, paVendorId, paSubtype, collectorId, validatorId, body,
  })),
  fc.constantFrom(0, 1, 2, 3, 4).map((result): PbTncMessage => ({ kind: 'assessment-result', result: result as 0 })),
  fc.constantFrom(1, 2, 3).map((recommendation): PbTncMessage => ({ kind: 'access-recommendation', recommendation: recommendation as 1 })),
  fc.oneof(
    text(40).map((uri): PbTncMessage => ({ kind: 'remediation-parameters', parameters: { type: 'uri', uri } })),
    fc.tuple(noNul(40), noNul(20).filter((s) => Buffer.byteLength(s) <= 255)).map(([t, language]): PbTncMessage => ({
      kind: 'remediation-parameters', parameters: { type: 'string', text: t, language },
    })),
    fc.tuple(u24.filter((v) => v !== 0), u32, bytes(20)).map(([vendorId, parametersType, data]): PbTncMessage => ({
      kind: 'remediation-parameters', parameters: { type: 'other', vendorId, parametersType, data },
    })),
  ),
  fc.tuple(fc.boolean(), fc.constantFrom(0, 1, 3), u32).map(([fatal, errorCode, offset]): PbTncMessage => ({
    kind: 'error', fatal, errorVendorId: 0, errorCode, parameters: { type: 'offset', offset },
  })),
  fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(
    ([fatal, badVersion, maxVersion, minVersion]): PbTncMessage => ({
      kind: 'error', fatal, errorVendorId: 0, errorCode: 4, parameters: { type: 'version', badVersion, maxVersion, minVersion },
    }),
  ),
  fc.tuple(fc.boolean(), u24, u16, bytes(12)).filter(([, v, , d]) => v !== 0 || d.length !== 4).map(([fatal, errorVendorId, errorCode, data]): PbTncMessage => ({
    kind: 'error', fatal, errorVendorId, errorCode, parameters: { type: 'raw', data },
  })),
  noTrailingNul(30).map((language): PbTncMessage => ({ kind: 'language-preference', language })),
  fc.tuple(noTrailingNul(60), code(20)).map(([reason, language]): PbTncMessage => ({ kind: 'reason-string', reason, language })),
  fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 255 }), u16, noNul(30).filter((s) => s.length > 0)).map(([protocol, port, fqdn]): PbTncMessage => ({
      kind: 'pdp-referral', identifier: { type: 'fqdn', protocol, port, fqdn },
    })),
    fc.tuple(fc.integer({ min: 0, max: 255 }), u16, fc.boolean()).chain(([protocol, port, v6]) =>
      fc.uint8Array({ minLength: v6 ? 16 : 4, maxLength: v6 ? 16 : 4 }).map((address): PbTncMessage => ({
        kind: 'pdp-referral', identifier: { type: v6 ? 'ipv6' : 'ipv4', protocol, port, address },
      })),
    ),
    fc.tuple(u24, u32, bytes(20)).filter(([v, t]) => v !== Pen.TCG || t > 2).map(([vendorId, identifierType, data]): PbTncMessage => ({
      kind: 'pdp-referral', identifier: { type: 'other', vendorId, identifierType, data },
    })),
  ),
  fc.tuple(u24, u32, bytes(30)).filter(([v, t]) => lookupMessageType(v, t) === undefined).map(([vendorId, type, value]): PbTncMessage => ({
    kind: 'unknown', vendorId, type, noskip: false, value,
  })),
);

const RESULT_ONLY = new Set(['assessment-result', 'access-recommendation', 'remediation-parameters', 'reason-string']);
const batchArb: fc.Arbitrary<PbTncBatch> = fc
  .tuple(fc.constantFrom<PbTncRole>('client', 'server'), fc.constantFrom(...ALL_BATCH_TYPES), fc.array(messageArb, { maxLength: 8 }))
  .map(([director, batchType, messages]) => ({
    version: 2,
    director,
    batchType,
    messages: messages.filter((m) => batchType === PbBatchType.RESULT || !RESULT_ONLY.has(m.kind)),
  }));

/** A valid header (any batch type) with the right length around random message octets. */
const headerThenRandom = fc.tuple(fc.constantFrom<PbTncRole>('client', 'server'), fc.integer({ min: 1, max: 6 }), bytes(300)).map(([d, t, body]) => {
  const out = new Uint8Array(8 + body.length);
  out.set(encodeBatchHeader(d, t, out.length));
  out.set(body, 8);
  return out;
});
/** Random messages with plausible headers: vendor/type mostly known, lengths mostly right. */
const plausibleMessages = fc
  .array(
    fc.tuple(fc.constantFrom(0, 0x80), fc.constantFrom(...MESSAGE_REGISTRY.map((e) => [e.codec.vendorId, e.codec.type] as const), [0x902a, 1] as const), bytes(40), fc.integer({ min: -2, max: 2 })),
    { maxLength: 6 },
  )
  .chain((msgs) =>
    fc.tuple(fc.constantFrom<PbTncRole>('client', 'server'), fc.integer({ min: 1, max: 6 })).map(([d, t]) => {
      const parts = msgs.map(([flags, [vendor, type], value, skew]) => {
        const m = new Uint8Array(12 + value.length);
        const dv = new DataView(m.buffer);
        dv.setUint32(0, ((flags << 24) | vendor) >>> 0);
        dv.setUint32(4, type);
        dv.setUint32(8, Math.max(0, m.length + skew));
        m.set(value, 12);
        return m;
      });
      const length = 8 + parts.reduce((n, p) => n + p.length, 0);
      const out = new Uint8Array(length);
      out.set(encodeBatchHeader(d, t, length));
      let at = 8;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    }),
  );

const captures = loadCaptures().filter((c) => c.bytes.length < 1000);
const mutatedCapture = fc
  .tuple(fc.constantFrom(...captures), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.option(fc.nat()))
  .map(([c, flips, cut]) => {
    const b = c.bytes.slice();
    for (const [at, v] of flips) b[at % b.length] = v;
    return cut === null ? b : b.subarray(0, cut % (b.length + 1));
  });

// ---------------------------------------------------------------------------------- properties
/** Whatever decodes is a fixed point: same length, same value after encode -> decode. */
function checkFixedPoint(input: Uint8Array): void {
  const batch = decodesOrRejects(() => decodeBatch(input), input.length);
  if (!batch) return;
  const again = encodeBatch(batch);
  assert.equal(again.length, input.length);
  assert.deepEqual(decodeBatch(again), batch);
}

describe('fuzz: decodeBatch', () => {
  it('random octets: a batch or a PbTncError', TIMEOUT, () => {
    fc.assert(fc.property(bytes(200), checkFixedPoint), { numRuns: RUNS });
  });
  it('a valid header around random octets', TIMEOUT, () => {
    fc.assert(fc.property(headerThenRandom, checkFixedPoint), { numRuns: RUNS });
  });
  it('plausible message headers with random values and skewed lengths', TIMEOUT, () => {
    fc.assert(fc.property(plausibleMessages, checkFixedPoint), { numRuns: RUNS * 2 });
  });
  it('mutated and truncated captures', TIMEOUT, () => {
    fc.assert(fc.property(mutatedCapture, checkFixedPoint), { numRuns: RUNS });
  });
  it('generated batches survive encode -> decode exactly, and encode is stable', TIMEOUT, () => {
    fc.assert(
      fc.property(batchArb, (batch) => {
        const bytesOut = encodeBatch(batch);
        const decoded = decodeBatch(bytesOut);
        assert.deepEqual(decoded, batch);
        assert.deepEqual(encodeBatch(decoded), bytesOut);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: every message decoder', () => {
  for (const { codec } of MESSAGE_REGISTRY) {
    it(`${codec.name}: random values decode or throw PbTncError; decoded values are fixed points`, TIMEOUT, () => {
      fc.assert(
        fc.property(bytes(64), (value) => {
          const m = decodesOrRejects(() => codec.decode(value), value.length);
          if (m) assert.deepEqual(codec.decode(codec.encode(m)), m);
        }),
        { numRuns: RUNS },
      );
    });
  }
  it('generated messages survive encode -> decode exactly, in a batch that may carry them', TIMEOUT, () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        const batchType: BatchType = RESULT_ONLY.has(m.kind) ? PbBatchType.RESULT : PbBatchType.CDATA;
        const b = decodeBatch(encodeBatch({ director: 'client', batchType, messages: [m] }));
        assert.deepEqual(b.messages, [m]);
        assert.equal(encodeMessage(m).length, encodeBatch({ director: 'client', batchType, messages: [m] }).length - 8);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe('fuzz: the server session never throws', () => {
  it('any input resolves to a step whose reply is a server batch', TIMEOUT, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(bytes(120), headerThenRandom, plausibleMessages, mutatedCapture), async (input) => {
        const session = new PbTncServerSession({ handler: { onClientBatch: () => ({ action: 'continue' }) } });
        const step = await session.receive(input);
        if (step.reply) assert.equal(decodeBatch(step.reply).director, 'server');
        else assert.ok(step.done);
      }),
      { numRuns: RUNS },
    );
  });
});
