/**
 * IKE fragmentation (RFC 7383) in the responder: reassembly of the SKF fragments Debian's charon
 * 5.9.8 sent in a captured IKE_AUTH (pep/test/vectors/ike/pubkey-aes128-sha256-ecp256.json,
 * decrypted with the logged keys), in order, out of order, with duplicates, a missing fragment, a
 * forged ICV and over the bounds; and our own fragmentation (fragmentMessage) round-tripping
 * through the same reassembly with AES-CBC+HMAC and AES-GCM, every fragment within the size.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { AuthMethod, CertEncoding, ExchangeType, PayloadType } from '../ike/constants.js';
import { decodeIkeHeader } from '../ike/header.js';
import { createCipher, type SealedCipher } from '../crypto/cipher.js';
import {
  DEFAULT_FRAGMENT_LIMITS, fragmentMessage, FragmentReassembly, maxMessageLength, readFragment, type FragmentLimits,
} from '../responder/ike-fragmentation.js';
import { encodeChain, type IkePayload } from '../responder/payload-types.js';

interface Vector {
  keys: Record<string, string>;
  messages: { exchange: string; response: boolean; messageId: number; hex: string }[];
}
const V = JSON.parse(readFileSync(join(import.meta.dirname, 'vectors', 'ike', 'pubkey-aes128-sha256-ecp256.json'), 'utf8')) as Vector;
const k = (n: string) => Buffer.from(V.keys[n]!, 'hex');
const fromCarol = () => createCipher({ encr: 'aes-cbc', keyBits: 128, key: k('sk_ei'), integ: 'hmac-sha2-256-128', integKey: k('sk_ai') });
const fromMoon = () => createCipher({ encr: 'aes-cbc', keyBits: 128, key: k('sk_er'), integ: 'hmac-sha2-256-128', integKey: k('sk_ar') });
const authMessages = (response: boolean) => V.messages.filter((m) => m.exchange === 'IKE_AUTH' && m.response === response).map((m) => Buffer.from(m.hex, 'hex'));

function frag(raw: Buffer) {
  const h = decodeIkeHeader(raw);
  const f = readFragment(raw, h.nextPayload, h.messageId);
  assert.ok(f, 'an SKF fragment');
  return f;
}

function feed(raws: readonly Buffer[], cipher: SealedCipher, limits: FragmentLimits = DEFAULT_FRAGMENT_LIMITS, times: readonly number[] = []) {
  const re = new FragmentReassembly(frag(raws[0]!).messageId, limits, 0);
  return raws.map((raw, i) => re.add(frag(raw), cipher, times[i] ?? 0));
}

const types = (p: readonly IkePayload[]) => p.map((x) => x.type);

describe('RFC 7383 reassembly of charon\'s fragmented IKE_AUTH (captured vector)', () => {
  const request = authMessages(false);
  const response = authMessages(true);

  it('the capture holds two SKF fragments each way, at most 1248 octets (fragment_size 1280 - IP - UDP - marker)', () => {
    assert.equal(request.length, 2);
    assert.equal(response.length, 2);
    for (const m of [...request, ...response]) assert.ok(m.length <= maxMessageLength(1280, false, true), `${m.length}`);
    assert.deepEqual(request.map((m) => [frag(m).fragmentNumber, frag(m).totalFragments]), [[1, 2], [2, 2]]);
    assert.equal(frag(request[0]!).firstPayload, PayloadType.IDi);
    assert.equal(frag(request[1]!).firstPayload, 0);
  });

  it('in order: incomplete, then the whole request (IDi, CERT, CERTREQ, AUTH with RFC 7427, SA, TS)', () => {
    const [a, b] = feed(request, fromCarol()) as [unknown, ReturnType<FragmentReassembly['add']>];
    assert.deepEqual(a, { kind: 'incomplete', received: 1, total: 2 });
    assert.equal(b.kind, 'complete');
    if (b.kind !== 'complete') return;
    for (const t of [PayloadType.IDi, PayloadType.CERT, PayloadType.AUTH, PayloadType.SA, PayloadType.TSi, PayloadType.TSr]) assert.ok(types(b.payloads).includes(t), `payload ${t}`);
    const idi = b.payloads.find((p) => p.type === PayloadType.IDi) as { data: Uint8Array };
    assert.equal(Buffer.from(idi.data).toString(), 'carol@strongswan.org');
    const cert = b.payloads.find((p) => p.type === PayloadType.CERT) as { encoding: number; data: Uint8Array };
    assert.equal(cert.encoding, CertEncoding.X509_SIGNATURE);
    const auth = b.payloads.find((p) => p.type === PayloadType.AUTH) as { method: number };
    assert.equal(auth.method, AuthMethod.DIGITAL_SIGNATURE);
    assert.equal(b.size, encodeChain(b.payloads).length);
  });

  it('out of order (fragment 2 first) reassembles to the same payloads', () => {
    const inOrder = feed(request, fromCarol())[1]!;
    const reversed = feed([request[1]!, request[0]!], fromCarol());
    assert.equal(reversed[0]!.kind, 'incomplete');
    assert.deepEqual(reversed[1], inOrder);
  });

  it('our responder-direction keys open moon\'s fragmented response too (IDr, CERT, AUTH, SA, TS)', () => {
    const r = feed(response, fromMoon())[1]!;
    assert.equal(r.kind, 'complete');
    if (r.kind === 'complete') for (const t of [PayloadType.IDr, PayloadType.CERT, PayloadType.AUTH, PayloadType.SA]) assert.ok(types(r.payloads).includes(t));
  });

  it('a duplicate fragment is dropped and does not complete the message; a missing one leaves it incomplete', () => {
    const [a, dup] = feed([request[0]!, request[0]!], fromCarol());
    assert.equal(a!.kind, 'incomplete');
    assert.equal(dup!.kind, 'dropped');
    assert.match((dup as { reason: string }).reason, /duplicate fragment #1/);
  });

  it('a fragment with a bad ICV is dropped (integrity) and the genuine one still completes the message', () => {
    const forged = Buffer.from(request[1]!);
    forged[forged.length - 30]! ^= 0x01;
    const [a, bad, good] = feed([request[0]!, forged, request[1]!], fromCarol());
    assert.equal(a!.kind, 'incomplete');
    assert.deepEqual([bad!.kind, (bad as { integrity?: boolean }).integrity], ['dropped', true]);
    assert.equal(good!.kind, 'complete');
  });

  it('wrong keys: every fragment fails the integrity check', () => {
    const r = feed(request, fromMoon());
    assert.deepEqual(r.map((x) => x.kind), ['dropped', 'dropped']);
  });

  it('bounds: Total Fragments above the limit, a reassembled size above the limit, and the timeout', () => {
    const few = feed(request, fromCarol(), { ...DEFAULT_FRAGMENT_LIMITS, maxFragments: 1 });
    assert.match((few[0] as { reason: string }).reason, /Total Fragments 2 above the limit of 1/);
    const small = feed(request, fromCarol(), { ...DEFAULT_FRAGMENT_LIMITS, maxSize: 1200 });
    assert.equal(small[0]!.kind, 'incomplete');
    assert.match((small[1] as { reason: string }).reason, /exceed 1200 octets/);
    const slow = feed(request, fromCarol(), { ...DEFAULT_FRAGMENT_LIMITS, timeoutMs: 1000 }, [0, 1001]);
    assert.match((slow[1] as { reason: string }).reason, /timed out/);
  });

  it('a fragment of another Message ID is not mixed in', () => {
    const re = new FragmentReassembly(7, DEFAULT_FRAGMENT_LIMITS, 0);
    assert.match((re.add(frag(request[0]!), fromCarol(), 0) as { reason: string }).reason, /message 1 while reassembling 7/);
  });

  it('readFragment refuses Fragment Number 0, a number above Total, and an SKF that is not last', () => {
    const m = Buffer.from(request[0]!);
    const h = decodeIkeHeader(m);
    const zero = Buffer.from(m);
    zero.writeUInt16BE(0, 28 + 4);
    assert.equal(readFragment(zero, h.nextPayload, 1), undefined);
    const above = Buffer.from(m);
    above.writeUInt16BE(3, 28 + 4);
    assert.equal(readFragment(above, h.nextPayload, 1), undefined);
    assert.equal(readFragment(Buffer.concat([m, Buffer.alloc(4)]), h.nextPayload, 1), undefined);
  });
});

describe('RFC 7383 fragmentation of our messages', () => {
  const header = { initiatorSpi: Buffer.alloc(8, 1), responderSpi: Buffer.alloc(8, 2), exchangeType: ExchangeType.IKE_AUTH, initiator: false, response: true, messageId: 1 };
  const key = Buffer.alloc(16, 7);
  const ciphers = {
    'aes-cbc + hmac-sha2-256': () => createCipher({ encr: 'aes-cbc', keyBits: 128, key, integ: 'hmac-sha2-256-128', integKey: Buffer.alloc(32, 9) }),
    'aes-gcm-16': () => createCipher({ encr: 'aes-gcm-16', keyBits: 128, key: Buffer.alloc(20, 7) }),
  };
  for (const [name, make] of Object.entries(ciphers)) {
    it(`${name}: any payloads and size split into fragments that fit and reassemble to the same chain`, () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 3000 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 300, max: 1500 }), fc.boolean(), (certs, size, shuffle) => {
          const payloads: IkePayload[] = [{ type: PayloadType.IDr, idType: 2, data: Buffer.from('moon.strongswan.org') }, ...certs.map((data) => ({ type: PayloadType.CERT, encoding: 4, data }) as IkePayload)];
          const max = maxMessageLength(size, false, true);
          const out = fragmentMessage(header, payloads, make(), max);
          for (const f of out) assert.ok(f.length <= max, `${f.length} > ${max}`);
          const order = shuffle ? [...out].reverse() : out;
          const results = feed(order, make(), { ...DEFAULT_FRAGMENT_LIMITS, maxFragments: 1000 });
          const last = results[results.length - 1]!;
          assert.equal(last.kind, 'complete');
          if (last.kind === 'complete') assert.deepEqual(encodeChain(last.payloads), encodeChain(payloads));
        }),
        { numRuns: 40 },
      );
    });
  }

  it('fragment 1 carries the first inner payload type, the others zero; all share the Message ID', () => {
    const out = fragmentMessage(header, [{ type: PayloadType.CERT, encoding: 4, data: Buffer.alloc(3000, 1) }], ciphers['aes-cbc + hmac-sha2-256'](), 1248);
    assert.equal(out.length, 3);
    assert.deepEqual(out.map((m) => frag(m).firstPayload), [PayloadType.CERT, 0, 0]);
    assert.deepEqual(out.map((m) => decodeIkeHeader(m).messageId), [1, 1, 1]);
  });
});
