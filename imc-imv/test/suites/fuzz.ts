/**
 * Property fuzzing of every decoder (CONVENTIONS.md: "No other exception may escape a decoder"):
 * random, generated and mutated input only ever yields a value or a PaTncError; whatever decodes
 * re-encodes to exactly the input; every generated value survives encode then decode. Each
 * property runs under a test timeout, so a hang fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  createStandardRegistry,
  encodeMessage,
  makeAttribute,
  NO_MESSAGE_SIZE_LIMIT,
  PaTncError,
  processMessage,
  Reassembler,
  SegmentFlag,
  splitAttribute,
  STANDARD_ATTRIBUTES,
  type AttributeCodec,
  type PaTncAttribute,
  type SegmentEnvelope,
} from '../../index.js';
import { hex, loadCaptures } from '../pb-batch.js';

/** Iterations per property; raise with PA_TNC_FUZZ_RUNS for a longer local run. */
const RUNS = Number(process.env['PA_TNC_FUZZ_RUNS'] ?? 100);
const TIMEOUT = { timeout: 20_000 };
const registry = createStandardRegistry();

/** Runs `fn`; a PaTncError is fine (with a sane offset), anything else fails the property. */
function decodesOrRejects(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof PaTncError)) throw e;
    assert.equal(typeof e.code, 'string');
    assert.ok(Number.isInteger(e.offset) && e.offset >= 0, `offset ${e.offset}`);
  }
}

/** fast-check records are built without Object.prototype; compare as plain objects. */
function rec<T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model).map((o) => ({ ...o }) as T);
}

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u24 = fc.integer({ min: 0, max: 0xffffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const octets = (max: number) => fc.uint8Array({ maxLength: max });
/** Well-formed strings; at most 60 code points, so at most 240 UTF-8 octets (fits 8-bit lengths). */
const str = fc.string({ unit: 'binary', maxLength: 60 });
const strNoNul = str.filter((s) => !s.includes('\0'));
const header8 = fc.uint8Array({ minLength: 8, maxLength: 8 });
const digits = (n: number) => fc.integer({ min: 0, max: 10 ** n - 1 }).map((x) => String(x).padStart(n, '0'));

const VALUES: Record<string, fc.Arbitrary<unknown>> = {
  testing: octets(64),
  'attribute-request': fc.array(rec({ reserved: u8, vendorId: u24, type: u32 }), { maxLength: 8 }),
  'product-information': rec({ productVendorId: u24, productId: u16, productName: strNoNul }).filter(
    (v) => !(v.productVendorId === 0 && v.productId !== 0),
  ),
  'numeric-version': rec({ majorVersion: u32, minorVersion: u32, buildNumber: u32, servicePackMajor: u16, servicePackMinor: u16 }),
  'string-version': rec({ productVersion: strNoNul, buildNumber: strNoNul, configurationVersion: strNoNul }),
  'operational-status': rec({
    status: fc.integer({ min: 0, max: 3 }),
    result: fc.integer({ min: 0, max: 3 }),
    reserved: u16,
    lastUse: fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2))
      .map(([y, mo, d, hh, mi, s]) => `${y}-${mo}-${d}T${hh}:${mi}:${s}Z`),
  }),
  'port-filter': fc.array(rec({ blocked: fc.boolean(), protocol: u8, port: u16, reserved: fc.integer({ min: 0, max: 127 }) }), { maxLength: 8 }),
  'installed-packages': rec({ reserved: u16, packages: fc.array(rec({ name: strNoNul, version: strNoNul }), { maxLength: 8 }) }),
  'pa-tnc-error': fc.oneof(
    rec({ reserved: u8, errorVendorId: fc.constant(0), errorCode: fc.constant(1), information: rec({ kind: fc.constant('invalid-parameter' as const), messageHeader: header8, offset: u32 }) }),
    rec({
      reserved: u8,
      errorVendorId: fc.constant(0),
      errorCode: fc.constant(2),
      information: rec({ kind: fc.constant('version-not-supported' as const), messageHeader: header8, maxVersion: u8, minVersion: u8, reserved: u16 }),
    }),
    rec({
      reserved: u8,
      errorVendorId: fc.constant(0),
      errorCode: fc.constant(3),
      information: rec({ kind: fc.constant('attribute-type-not-supported' as const), messageHeader: header8, attribute: rec({ flags: u8, vendorId: u24, type: u32 }) }),
    }),
    rec({
      reserved: u8,
      errorVendorId: fc.constant(0),
      errorCode: u32.filter((c) => c < 1 || c > 3),
      information: rec({ kind: fc.constant('ietf' as const), messageHeader: header8, data: octets(16) }),
    }),
    rec({ reserved: u8, errorVendorId: fc.integer({ min: 1, max: 0xffffff }), errorCode: u32, information: rec({ kind: fc.constant('vendor' as const), data: octets(24) }) }),
  ),
  'assessment-result': u32,
  'remediation-instructions': rec({
    reserved: u8,
    parameters: fc.oneof(
      rec({ kind: fc.constant('uri' as const), uri: str }),
      rec({ kind: fc.constant('string' as const), text: strNoNul, languageCode: str }),
      rec({ kind: fc.constant('other' as const), vendorId: u24, type: u32, data: octets(16) }).filter((p) => !(p.vendorId === 0 && (p.type === 1 || p.type === 2))),
    ),
  }),
  'forwarding-enabled': u32,
  'factory-default-password-enabled': u32,
  'ita-command': str,
  'ita-dummy': octets(64),
  'ita-get-settings': fc.array(str, { maxLength: 6 }),
  'ita-settings': fc.array(rec({ name: str, value: str }), { maxLength: 6 }),
  'ita-start-angel': fc.constant({}),
  'ita-stop-angel': fc.constant({}),
  'ita-device-id': str,
  'tcg-segmentation-contract-request': rec({ maxMessageSize: u32, maxSegmentSize: u32 }),
  'tcg-segmentation-contract-response': rec({ maxMessageSize: u32, maxSegmentSize: u32 }),
  'tcg-segment-envelope': rec({ flags: u8, baseMessageId: u24, segment: octets(40) }),
  'tcg-next-segment': rec({ flags: u8, baseMessageId: u24 }),
};

function valuesOf(codec: AttributeCodec): fc.Arbitrary<unknown> {
  const arb = VALUES[codec.name];
  assert.ok(arb, `no arbitrary for ${codec.name}`);
  return arb;
}

/** Valid encodings with octets overwritten, cut or extended. */
function mutated(base: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(base, fc.array(fc.tuple(fc.nat(), u8), { maxLength: 3 }), fc.option(fc.nat()), octets(4))
    .map(([wire, edits, cut, tail]) => {
      const out = Uint8Array.from(wire);
      for (const [at, v] of edits) if (out.length > 0) out[at % out.length] = v;
      const end = cut === null ? out.length : cut % (out.length + 1);
      return Uint8Array.from([...out.subarray(0, end), ...(cut === null ? [] : tail)]);
    });
}

/** Decodes with `codec`; when it decodes, re-encoding gives back exactly the input. */
function exactOrRejected(codec: AttributeCodec, bytes: Uint8Array): void {
  decodesOrRejects(() => {
    const v = codec.decode(bytes);
    assert.equal(hex(codec.encode(v)), hex(bytes));
  });
}

describe('fuzz: attribute codecs', () => {
  for (const codec of STANDARD_ATTRIBUTES as readonly AttributeCodec[]) {
    describe(codec.name, () => {
      it('decode(encode(v)) is v', TIMEOUT, () => {
        fc.assert(
          fc.property(valuesOf(codec), (v) => {
            assert.deepEqual(codec.decode(codec.encode(v)), v);
          }),
          { numRuns: RUNS },
        );
      });

      it('random and mutated octets decode exactly or throw PaTncError', TIMEOUT, () => {
        const valid = valuesOf(codec).map((v) => codec.encode(v));
        fc.assert(
          fc.property(fc.oneof(octets(48), mutated(valid)), (b) => exactOrRejected(codec, b)),
          { numRuns: RUNS * 2 },
        );
      });
    });
  }
});

const anyAttribute: fc.Arbitrary<PaTncAttribute> = fc.oneof(
  ...STANDARD_ATTRIBUTES.map((c) => fc.tuple(valuesOf(c), fc.boolean()).map(([v, noskip]) => makeAttribute(c as AttributeCodec<string, unknown>, v, { noskip }))),
  rec({ name: fc.constant('unknown'), flags: fc.constantFrom(0, 0x01, 0x40), vendorId: fc.integer({ min: 0x100000, max: 0xfffffe }), type: u32.filter((t) => t !== 0xffffffff), value: octets(24) }),
);

describe('fuzz: PA-TNC messages', () => {
  it('encode then decode gives the attributes back, and the octets', TIMEOUT, () => {
    fc.assert(
      fc.property(u32, u24, fc.array(anyAttribute, { maxLength: 6 }), (identifier, reserved, attributes) => {
        const wire = encodeMessage({ identifier, reserved, attributes }, registry);
        const r = processMessage(wire, registry);
        assert.ok(r.ok, r.ok ? '' : r.error.message);
        assert.deepEqual(r.message, { version: 1, reserved, identifier, attributes });
        assert.equal(hex(encodeMessage(r.message, registry)), hex(wire));
      }),
      { numRuns: RUNS },
    );
  });

  it('random, generated-then-mutated and mutated captured messages decode exactly or yield a PA-TNC Error reply', TIMEOUT, () => {
    const captured = loadCaptures()
      .flatMap((c) => c.messages)
      .filter((m) => m.bytes.length < 2000)
      .map((m) => m.bytes);
    const generated = fc.tuple(u32, fc.array(anyAttribute, { maxLength: 4 })).map(([identifier, attributes]) => encodeMessage({ identifier, attributes }, registry));
    const headerThenRandom = fc.tuple(u32, octets(80)).map(([id, rest]) => encodeMessageHeaderThen(id, rest));
    fc.assert(
      fc.property(fc.oneof(octets(40), headerThenRandom, mutated(generated), mutated(fc.constantFrom(...captured))), (b) => {
        const r = processMessage(b, registry); // never throws
        if (r.ok) {
          assert.equal(hex(encodeMessage(r.message, registry)), hex(b));
        } else {
          assert.ok(r.error instanceof PaTncError);
          assert.ok(r.error.offset <= b.length, r.error.message);
          if (r.reply) {
            const back = processMessage(encodeMessage({ identifier: 1, attributes: [r.reply] }, registry), registry);
            assert.ok(back.ok && back.message.attributes.length === 1);
          } else {
            assert.ok(b.length < 8 || r.error.attribute?.type === 8);
          }
        }
      }),
      { numRuns: RUNS * 6 },
    );
  });
});

function encodeMessageHeaderThen(identifier: number, rest: Uint8Array): Uint8Array {
  const head = encodeMessage({ identifier, attributes: [] }, registry);
  return Uint8Array.from([...head, ...rest]);
}

describe('fuzz: reassembly', () => {
  it('any sequence of envelopes only reassembles, waits or throws PaTncError, within its bounds', TIMEOUT, () => {
    const contract = { maxMessageSize: NO_MESSAGE_SIZE_LIMIT, maxSegmentSize: 64 };
    const envelope: fc.Arbitrary<SegmentEnvelope> = fc.oneof(
      rec({ flags: fc.constantFrom(0, SegmentFlag.MORE, SegmentFlag.START, SegmentFlag.START | SegmentFlag.MORE), baseMessageId: fc.integer({ min: 0, max: 3 }), segment: octets(80) }),
      fc.tuple(anyAttribute, fc.integer({ min: 12, max: 40 }), fc.integer({ min: 0, max: 3 })).chain(([a, size, id]) => {
        const wire = registry.encodeAttribute(a);
        return wire.length > size ? fc.constantFrom(...splitAttribute(wire, size, id)) : fc.constant({ flags: 0xc0, baseMessageId: id, segment: wire });
      }),
    );
    fc.assert(
      fc.property(fc.array(envelope, { maxLength: 12 }), (envs) => {
        const r = new Reassembler(contract, registry, { maxPending: 2, maxAttributeSize: 4096 });
        for (const e of envs) {
          decodesOrRejects(() => {
            const res = r.add(e);
            if (res.status === 'complete') assert.equal(hex(registry.encodeAttribute(res.attribute)), hex(res.encoded));
          });
          assert.ok(r.pending <= 2);
        }
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('every attribute cut under any contract reassembles to itself', TIMEOUT, () => {
    fc.assert(
      fc.property(anyAttribute, fc.integer({ min: 12, max: 64 }), fc.integer({ min: 0, max: 0xffffff }), (a, size, id) => {
        const wire = registry.encodeAttribute(a);
        fc.pre(wire.length > size);
        const r = new Reassembler({ maxMessageSize: NO_MESSAGE_SIZE_LIMIT, maxSegmentSize: size }, registry);
        const envs = splitAttribute(wire, size, id);
        const results = envs.map((e) => r.add(e));
        const last = results.at(-1);
        assert.ok(last?.status === 'complete');
        assert.deepEqual(last.attribute, a);
        assert.ok(results.slice(0, -1).every((x) => x.status === 'more'));
      }),
      { numRuns: RUNS },
    );
  });
});
