/**
 * Property fuzzing of every decoder (CONVENTIONS.md: "No other exception may escape a decoder"):
 * random and mutated input only ever yields a value or a RadiusDecodeError, and valid packets
 * survive encode(decode(x)) unchanged. Each property is bounded by a test timeout, so a hang fails.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildRequest, signResponse, verifyRequest, verifyResponse } from '../builder.js';
import { joinEapMessage } from '../eap-message.js';
import { RadiusDecodeError } from '../errors.js';
import { verifyMessageAuthenticator } from '../message-authenticator.js';
import { decodePacket, encodePacket, type RadiusAttribute, type RadiusPacket } from '../packet.js';
import { decodeTunnelPassword, decryptSalted } from '../salt-encryption.js';
import { decodeTaggedInteger, decodeTaggedString } from '../tagged.js';
import { revealUserPassword } from '../user-password.js';
import { decodeVendorSpecific, encodeVendorSpecific } from '../vendor-specific.js';

const RUNS = 2000;
const TIMEOUT = { timeout: 20_000 };
const secret = 'fuzz-secret';

/** Runs `fn`; a thrown RadiusDecodeError is fine, anything else fails the property. */
function decodesOrRejects(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof RadiusDecodeError)) throw e;
    assert.equal(typeof e.code, 'string');
    assert.ok(Number.isInteger(e.offset) && e.offset >= 0, `offset ${e.offset}`);
  }
}

/** fast-check builds records without a prototype; compare as plain objects. */
const plain = (attrs: readonly { type: number; value: Buffer }[]) => attrs.map((a) => ({ type: a.type, value: a.value }));

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u));
const fixed = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((u) => Buffer.from(u));
const octet = fc.integer({ min: 0, max: 255 });

const attributeArb: fc.Arbitrary<RadiusAttribute> = fc.record({
  type: octet,
  value: fc.oneof(bytes(24), fc.uint8Array({ maxLength: 253, size: 'max' }).map((u) => Buffer.from(u))),
});

const packetArb: fc.Arbitrary<RadiusPacket> = fc.record({
  code: octet,
  identifier: octet,
  authenticator: fixed(16),
  attributes: fc.array(attributeArb, { maxLength: 15, size: 'medium' }),
});

/** A header that claims a plausible Length, so random bodies reach the attribute walk. */
const headerThenRandom = fc.tuple(octet, octet, fc.integer({ min: 0, max: 4200 }), bytes(16), bytes(400)).map(
  ([code, id, length, auth, rest]) => {
    const b = Buffer.alloc(4);
    b.writeUInt8(code, 0);
    b.writeUInt8(id, 1);
    b.writeUInt16BE(length, 2);
    return Buffer.concat([b, auth, rest]);
  },
);

/** Offsets of the attribute Length octets of an encoded packet. */
function attributeLengthOffsets(wire: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = 20; at + 1 < wire.length; at += wire[at + 1] ?? 2) offsets.push(at + 1);
  return offsets;
}

const mutation = fc.oneof(
  // Any octet, most often in the header and first attributes.
  fc.record({ kind: fc.constant('octet' as const), at: fc.oneof(fc.integer({ min: 0, max: 63 }), fc.nat()), value: octet }),
  // An attribute Length octet: small values, or anything.
  fc.record({ kind: fc.constant('length' as const), at: fc.nat(), value: fc.oneof(fc.integer({ min: 0, max: 3 }), octet) }),
);

/** A valid packet with a few octets overwritten, sometimes cut, sometimes followed by more octets. */
const mutatedPacket = fc
  .tuple(
    packetArb,
    fc.array(mutation, { minLength: 1, maxLength: 3 }),
    fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
    fc.oneof({ weight: 3, arbitrary: bytes(0) }, { weight: 1, arbitrary: bytes(8) }),
  )
  .map(([p, mutations, cut, tail]) => {
    const wire = encodePacket(p);
    const lengths = attributeLengthOffsets(wire);
    for (const m of mutations) {
      const at = m.kind === 'length' && lengths.length > 0 ? (lengths[m.at % lengths.length] ?? 0) : m.at % wire.length;
      wire[at] = m.value;
    }
    const cutAt = cut === null ? wire.length : cut % (wire.length + 1);
    return Buffer.concat([wire.subarray(0, cutAt), tail]);
  });

describe('fuzz: decodePacket', () => {
  it('random bytes only decode or throw RadiusDecodeError', TIMEOUT, () => {
    fc.assert(fc.property(fc.oneof(bytes(64), bytes(600), headerThenRandom), (b) => decodesOrRejects(() => decodePacket(b))), {
      numRuns: RUNS,
    });
  });

  it('mutated valid packets only decode or throw RadiusDecodeError, and re-encode to their Length', TIMEOUT, () => {
    fc.assert(
      fc.property(mutatedPacket, (b) =>
        decodesOrRejects(() => {
          const p = decodePacket(b);
          assert.deepEqual(encodePacket(p), b.subarray(0, b.readUInt16BE(2)));
        }),
      ),
      { numRuns: RUNS },
    );
  });

  it('encode(decode(x)) is x for valid packets, padding ignored', TIMEOUT, () => {
    fc.assert(
      fc.property(packetArb, bytes(8), (p, padding) => {
        const wire = encodePacket(p);
        const decoded = decodePacket(Buffer.concat([wire, padding]));
        assert.deepEqual(encodePacket(decoded), wire);
        assert.equal(decoded.code, p.code);
        assert.equal(decoded.identifier, p.identifier);
        assert.deepEqual(decoded.authenticator, p.authenticator);
        assert.deepEqual(plain(decoded.attributes), plain(p.attributes));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: attribute decoders', () => {
  it('decodeVendorSpecific: random values decode or throw RadiusDecodeError', TIMEOUT, () => {
    const vsaLike = fc.tuple(fc.constantFrom(0, 0, 0, 1), bytes(3), bytes(60)).map(([hi, id, rest]) =>
      Buffer.concat([Buffer.from([hi]), id, rest]),
    );
    fc.assert(fc.property(fc.oneof(bytes(253), vsaLike), (v) => decodesOrRejects(() => decodeVendorSpecific(v))), {
      numRuns: RUNS,
    });
  });

  it('decodeVendorSpecific(encodeVendorSpecific(x)) is x', TIMEOUT, () => {
    const vs = fc.record({
      vendorId: fc.integer({ min: 0, max: 0xffffff }),
      attributes: fc.array(fc.record({ type: octet, value: bytes(40) }), { minLength: 1, maxLength: 5 }),
    });
    fc.assert(
      fc.property(vs, (v) => {
        const round = decodeVendorSpecific(encodeVendorSpecific(v));
        assert.equal(round.vendorId, v.vendorId);
        assert.deepEqual(plain(round.attributes), plain(v.attributes));
      }),
      { numRuns: RUNS },
    );
  });

  it('joinEapMessage: random attribute lists join or throw RadiusDecodeError', TIMEOUT, () => {
    const eapish = fc.record({ type: fc.constantFrom(79, 79, 79, 24, 80), value: fc.oneof(bytes(8), bytes(253)) });
    fc.assert(fc.property(fc.array(eapish, { maxLength: 8 }), (attrs) => decodesOrRejects(() => joinEapMessage(attrs))), {
      numRuns: RUNS,
    });
  });

  it('reveal and decrypt: random values reveal or throw RadiusDecodeError', TIMEOUT, () => {
    // Lengths near what the hiding schemes accept: 16n, 16n + 2 (salted), 16n + 3 (tagged salted).
    const blocky = fc
      .tuple(fc.integer({ min: 0, max: 9 }), fc.constantFrom(0, 2, 3))
      .chain(([n, extra]) => fixed(n * 16 + extra));
    fc.assert(
      fc.property(fc.oneof(bytes(300), blocky), fixed(16), (v, ra) => {
        decodesOrRejects(() => revealUserPassword(v, secret, ra));
        decodesOrRejects(() => decryptSalted(v, secret, ra));
        decodesOrRejects(() => decodeTunnelPassword(v, secret, ra));
        decodesOrRejects(() => decodeTaggedInteger(v));
        decodesOrRejects(() => decodeTaggedString(v));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: verifiers never throw', () => {
  it('verifyMessageAuthenticator, verifyRequest and verifyResponse on random and mutated input', TIMEOUT, () => {
    const signed = fc.tuple(octet, fc.array(attributeArb, { maxLength: 4 })).map(([id, attributes]) => {
      const attrs = attributes.filter((a) => a.type !== 80).map((a) => ({ type: a.type, value: a.value.subarray(0, 60) }));
      return id % 2 === 0
        ? buildRequest({ code: 1, identifier: id, secret, attributes: attrs })
        : signResponse({ code: 2, identifier: id, requestAuthenticator: Buffer.alloc(16), attributes: attrs, secret });
    });
    const input = fc.oneof(bytes(100), headerThenRandom, mutatedPacket, signed);
    fc.assert(
      fc.property(input, fixed(16), (b, ra) => {
        const ma = verifyMessageAuthenticator(b, secret, ra);
        assert.ok(['absent', 'valid', 'invalid'].includes(ma));
        verifyMessageAuthenticator(b, secret);
        assert.equal(typeof verifyRequest(b, secret).valid, 'boolean');
        assert.equal(typeof verifyResponse(b, ra, secret).valid, 'boolean');
      }),
      { numRuns: RUNS },
    );
  });
});
