/**
 * Property-based fuzzing of every decoder in pdp/eap: arbitrary input yields a value or an
 * EapDecodeError, nothing else; encode/decode round trips are exact. Plus the stateful consumers
 * (authenticator, TTLS phase 1 and phase 2) fed with garbage: they answer, never throw, never hang.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { EapAuthenticator } from '../authenticator.js';
import { EapDecodeError } from '../errors.js';
import { decodeIdentity } from '../identity.js';
import { decodeMd5Challenge } from '../md5-challenge.js';
import { decodeExpandedNak, decodeNak } from '../nak.js';
import { EapCode, EapType, decodeEapPacket, eapResponse, encodeEapPacket, type EapPacket } from '../packet.js';
import { decodeAvps, encodeAvps, type Avp } from '../ttls/avp.js';
import { decodeTtlsFrame, encodeTtlsFrame } from '../ttls/flags.js';
import { TtlsReassembler, fragmentMessage } from '../ttls/fragment.js';
import { TtlsPhase2 } from '../ttls/phase2.js';
import { ttlsMethod } from '../ttls/ttls-method.js';
import { makeTestPki, type TestPki } from './certs.js';
import { credentialStore } from './harness.js';

const bytes = (maxLength = 300) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));

function onlyTyped(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof EapDecodeError)) throw e;
    assert.equal(typeof e.code, 'string');
    assert.ok(Number.isInteger(e.offset) && e.offset >= 0);
  }
}

describe('decoder fuzzing: only typed errors', () => {
  const decoders: [string, (b: Buffer) => unknown][] = [
    ['EAP packet', decodeEapPacket],
    ['Nak', decodeNak],
    ['Expanded Nak', decodeExpandedNak],
    ['MD5-Challenge', decodeMd5Challenge],
    ['Identity', decodeIdentity],
    ['TTLS frame', decodeTtlsFrame],
    ['AVPs', decodeAvps],
  ];
  for (const [name, decode] of decoders) {
    it(name, () => {
      fc.assert(fc.property(bytes(), (b) => onlyTyped(() => decode(b))), { numRuns: 2000 });
    });
  }

  it('EAP packet: structured near-valid input', () => {
    const packet = fc.tuple(fc.integer({ min: 0, max: 6 }), fc.nat(255), fc.nat(80), fc.nat(255), bytes(60)).map(([code, id, len, type, rest]) =>
      Buffer.concat([Buffer.from([code, id, len >> 8, len & 0xff, type]), rest]),
    );
    fc.assert(fc.property(packet, (b) => onlyTyped(() => decodeEapPacket(b))), { numRuns: 2000 });
  });

  it('TTLS reassembler: arbitrary frame sequences', () => {
    const frame = fc.oneof(
      bytes(40),
      fc.tuple(fc.constantFrom(0x00, 0x40, 0x80, 0xc0), fc.nat(200), bytes(40)).map(([f, len, d]) => {
        const h = Buffer.alloc(f & 0x80 ? 5 : 1);
        h[0] = f;
        if (f & 0x80) h.writeUInt32BE(len, 1);
        return Buffer.concat([h, d]);
      }),
    );
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 12 }), (frames) => {
        const r = new TtlsReassembler(1000);
        for (const f of frames) onlyTyped(() => r.push(decodeTtlsFrame(f)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('round trips', () => {
  it('EAP packets', () => {
    const reqResp: fc.Arbitrary<EapPacket> = fc.record({
      code: fc.constantFrom(EapCode.Request, EapCode.Response),
      identifier: fc.nat(255),
      type: fc.nat(253),
      data: bytes(200),
    });
    const expanded: fc.Arbitrary<EapPacket> = fc.record({
      code: fc.constantFrom(EapCode.Request, EapCode.Response),
      identifier: fc.nat(255),
      type: fc.constant(254),
      expanded: fc.record({ vendorId: fc.nat(0xffffff), vendorType: fc.nat(0xffffffff) }),
      data: bytes(100),
    });
    const final: fc.Arbitrary<EapPacket> = fc.record({
      code: fc.constantFrom(EapCode.Success, EapCode.Failure),
      identifier: fc.nat(255),
      data: fc.constant(Buffer.alloc(0)),
    });
    fc.assert(
      fc.property(fc.oneof(reqResp, expanded, final), (record) => {
        const p: EapPacket = record.expanded ? { ...record, expanded: { ...record.expanded } } : { ...record };
        const wire = encodeEapPacket(p);
        assert.deepEqual(decodeEapPacket(wire), p);
        assert.deepEqual(encodeEapPacket(decodeEapPacket(wire)), wire);
      }),
      { numRuns: 1000 },
    );
  });

  it('AVP lists', () => {
    const avp: fc.Arbitrary<Avp> = fc.oneof(
      fc.record({ code: fc.nat(0xffffffff), mandatory: fc.boolean(), data: bytes(70) }),
      fc.record({ code: fc.nat(0xffffffff), vendorId: fc.nat(0xffffffff), mandatory: fc.boolean(), data: bytes(70) }),
    );
    fc.assert(
      fc.property(fc.array(avp, { maxLength: 10 }), (records) => {
        const avps = records.map((a) => ({ ...a }));
        const wire = encodeAvps(avps);
        assert.equal(wire.length % 4, 0);
        assert.deepEqual(decodeAvps(wire), avps);
      }),
      { numRuns: 1000 },
    );
  });

  it('TTLS frames', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.nat(7), fc.option(fc.nat(65536), { nil: undefined }), bytes(50), (more, start, version, len, data) => {
        const messageLength = len === undefined ? undefined : Math.max(len, data.length);
        const frame = { moreFragments: more, start, version, data, ...(messageLength === undefined ? {} : { messageLength }) };
        const decoded = decodeTtlsFrame(encodeTtlsFrame(frame));
        assert.deepEqual(decoded, { lengthIncluded: messageLength !== undefined, ...frame });
      }),
      { numRuns: 1000 },
    );
  });

  it('fragmentation and reassembly at any fragment size', () => {
    fc.assert(
      fc.property(bytes(5000), fc.integer({ min: 32, max: 1500 }), (message, size) => {
        const frames = fragmentMessage(message, size);
        assert.equal(frames.length, Math.max(1, Math.ceil(message.length / size)));
        const r = new TtlsReassembler();
        let out: Buffer | undefined;
        let acks = 0;
        for (const f of frames) {
          assert.ok(f.length <= size + 5);
          out = r.push(decodeTtlsFrame(f));
          if (out === undefined) acks++;
        }
        assert.equal(acks, frames.length - 1);
        assert.deepEqual(out, message);
      }),
      { numRuns: 300 },
    );
  });
});

describe('stateful consumers under garbage', () => {
  let pki: TestPki;
  before(async () => {
    pki = await makeTestPki();
  });
  const users = credentialStore({ alice: 'pw' });

  it('the authenticator answers arbitrary bytes with discard/reject/challenge, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bytes(80), { maxLength: 6 }), async (packets) => {
        const s = new EapAuthenticator({ credentials: users, methods: [ttlsMethodOnce(pki)] });
        await s.start(eapResponse(0, EapType.Identity, Buffer.from('alice')));
        for (const p of packets) {
          const step = await s.handle(p);
          assert.ok(['challenge', 'accept', 'reject', 'discard'].includes(step.kind));
        }
        s.abort();
      }),
      { numRuns: 200 },
    );
  });

  it('TTLS phase 1 ends cleanly on random TLS records', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bytes(200), { minLength: 1, maxLength: 4 }), fc.boolean(), async (records, tlsLike) => {
        const s = new EapAuthenticator({ credentials: users, methods: [ttlsMethodOnce(pki)] });
        let step = await s.start(eapResponse(0, EapType.Identity, Buffer.from('alice')));
        for (const r of records) {
          if (step.kind !== 'challenge') break;
          // Optionally dress the garbage as a TLS handshake record so it reaches OpenSSL's parser.
          const payload = tlsLike ? Buffer.concat([Buffer.from([0x16, 0x03, 0x01, r.length >> 8, r.length & 0xff]), r]) : r;
          step = await s.handle(eapResponse(step.eap[1]!, EapType.TTLS, Buffer.concat([Buffer.from([0]), payload])));
        }
        assert.ok(step.kind === 'reject' || step.kind === 'challenge', step.kind);
        s.abort();
      }),
      { numRuns: 60 },
    );
  });

  it('TTLS phase 2 answers arbitrary plaintext with send or failure', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bytes(120), { minLength: 1, maxLength: 4 }), async (blocks) => {
        const app = new TtlsPhase2(
          { outerIdentity: 'a', tlsVersion: 'TLSv1.2', credentials: users, randomBytes: (n) => Buffer.alloc(n), exportKeyingMaterial: (n) => Buffer.alloc(n) },
          {},
        );
        for (const b of blocks) {
          const out = await app.process(b);
          assert.ok('send' in out || out.done === 'failure' || out.done === 'success');
        }
        app.close();
      }),
      { numRuns: 500 },
    );
  });
});

const factories = new Map<TestPki, ReturnType<typeof ttlsMethod>>();
function ttlsMethodOnce(pki: TestPki): ReturnType<typeof ttlsMethod> {
  let f = factories.get(pki);
  if (!f) {
    f = ttlsMethod({ tls: { cert: pki.certPem, key: pki.keyPem } });
    factories.set(pki, f);
  }
  return f;
}
