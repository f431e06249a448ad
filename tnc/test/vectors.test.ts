/**
 * Tier 1: byte vectors. Every batch captured from strongSwan 5.9.8 (PT-EAP and PT-TLS runs)
 * decodes to the messages decoded.txt lists, and encodeBatch(decodeBatch(x)) is x octet for octet.
 * Then the captures are replayed through our sessions: given the same PA messages, our server
 * builds strongSwan's SDATA and RESULT batches byte for byte, and our client its CDATA and CLOSE.
 * (RFC 5793 itself has no byte-level examples to use.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AccessRecommendation,
  AssessmentResult,
  PbBatchType,
  PbTncClientSession,
  PbTncServerSession,
  Pen,
  batchTypeName,
  decodeBatch,
  encodeBatch,
  encodedMessageSize,
  messageHeaderOf,
  messageName,
  type PbPaMessage,
  type PbTncMessage,
} from '../index.js';
import { capture, loadCaptures, loadDecoded, toHex } from './captures.js';

const captures = loadCaptures();
const decoded = loadDecoded();
const VENDOR_NAMES: Readonly<Record<string, number>> = { IETF: Pen.IETF, TCG: Pen.TCG, ITA: Pen.ITA };

describe('strongSwan 5.9.8 captures', () => {
  it('resolves the vectors beside the repository and finds all ten batches in decoded.txt', () => {
    assert.equal(captures.length, 10);
    for (const c of captures) assert.ok(decoded.has(c.file), `${c.file} in decoded.txt`);
  });

  for (const c of captures) {
    describe(c.file, () => {
      const expected = decoded.get(c.file);
      const batch = decodeBatch(c.bytes);

      it('decodes to the batch decoded.txt describes', () => {
        assert.ok(expected);
        assert.equal(batchTypeName(batch.batchType), expected.batchType);
        assert.equal(batch.director, expected.direction === 'C->S' ? 'client' : 'server');
        assert.equal(c.bytes.length, expected.length);
        assert.equal(c.file.includes('-rx-') ? 'client' : 'server', batch.director);
        assert.deepEqual(
          batch.messages.map((m) => ({ name: messageName(m), length: encodedMessageSize(m), noskip: messageHeaderOf(m).noskip, vendor: messageHeaderOf(m).vendorId })),
          expected.messages.map((m) => ({ name: m.name, length: m.length, noskip: m.noskip, vendor: VENDOR_NAMES[m.vendor] })),
        );
      });

      it('PB-PA messages carry the PA subtype, collector, validator, EXCL and PA-TNC message of the log', () => {
        assert.ok(expected);
        const pas = batch.messages.filter((m): m is PbPaMessage => m.kind === 'pa');
        const wanted = expected.messages.filter((m) => m.pa).map((m) => m.pa);
        assert.equal(pas.length, wanted.length);
        pas.forEach((pa, i) => {
          const w = wanted[i];
          assert.ok(w);
          assert.deepEqual(
            { vendorId: pa.paVendorId, subtype: pa.paSubtype, imc: pa.collectorId, imv: pa.validatorId, excl: pa.exclusive },
            { vendorId: w.vendorId, subtype: w.subtype, imc: w.imc, imv: w.imv, excl: w.excl },
          );
          // The body is the PA-TNC message: version 1, then the message identifier of the log.
          assert.equal(pa.body[0], 1);
          assert.equal(Buffer.from(pa.body).readUInt32BE(4), w.paTncId);
        });
      });

      it('encodeBatch(decodeBatch(x)) is x, octet for octet', () => {
        assert.equal(toHex(encodeBatch(batch)), c.hex);
      });
    });
  }

  it('reads the PB-TNC-level values strongSwan sent', () => {
    const cdata = decodeBatch(capture('alice-c1-01-rx-CDATA.hex').bytes);
    assert.deepEqual(cdata.messages[0], { kind: 'language-preference', language: 'en' });
    const sdata = decodeBatch(capture('alice-c1-02-tx-SDATA.hex').bytes);
    assert.deepEqual(sdata.messages[0], {
      kind: 'pdp-referral',
      identifier: { type: 'fqdn', protocol: 0, port: 271, fqdn: 'radius.strongswan.org' },
    });
    const result = decodeBatch(capture('alice-c1-04-tx-RESULT.hex').bytes);
    assert.deepEqual(result.messages.slice(2), [
      { kind: 'assessment-result', result: AssessmentResult.Compliant },
      { kind: 'access-recommendation', recommendation: AccessRecommendation.AccessAllowed },
    ]);
    assert.equal(decodeBatch(capture('alice-c1-05-rx-CLOSE.hex').bytes).messages.length, 0);
  });
});

const pas = (file: string): PbPaMessage[] =>
  decodeBatch(capture(file).bytes).messages.filter((m): m is PbPaMessage => m.kind === 'pa');
const others = (file: string): PbTncMessage[] => decodeBatch(capture(file).bytes).messages.filter((m) => m.kind !== 'pa');

for (const run of ['c1', 'cpt'] as const) {
  const file = (n: string, dir: string, type: string) => `alice-${run}-${n}-${dir}-${type}.hex`;

  describe(`replaying the ${run === 'c1' ? 'PT-EAP' : 'PT-TLS'} run`, () => {
    it('our server answers the captured client batches with strongSwan\'s bytes', async () => {
      const replies = [pas(file('02', 'tx', 'SDATA')), pas(file('04', 'tx', 'RESULT'))];
      const seen: number[] = [];
      const server = new PbTncServerSession({
        // strongSwan puts its PB-PDP-Referral first in the first SDATA over PT-EAP only.
        firstBatchMessages: others(file('02', 'tx', 'SDATA')),
        handler: {
          onClientBatch(input) {
            seen.push(input.paMessages.length);
            assert.equal(input.languagePreference, 'en');
            return input.roundTrip === 1
              ? { action: 'continue', paMessages: replies[0] ?? [] }
              : { action: 'decide', paMessages: replies[1] ?? [], assessmentResult: AssessmentResult.Compliant, accessRecommendation: AccessRecommendation.AccessAllowed };
          },
        },
      });
      const s1 = await server.receive(capture(file('01', 'rx', 'CDATA')).bytes);
      assert.equal(toHex(s1.reply ?? new Uint8Array()), capture(file('02', 'tx', 'SDATA')).hex);
      const s2 = await server.receive(capture(file('03', 'rx', 'CDATA')).bytes);
      assert.equal(toHex(s2.reply ?? new Uint8Array()), capture(file('04', 'tx', 'RESULT')).hex);
      assert.equal(s2.state, 'decided');
      const s3 = await server.receive(capture(file('05', 'rx', 'CLOSE')).bytes);
      assert.deepEqual([s3.reply, s3.state, s3.done], [undefined, 'end', true]);
      assert.deepEqual(seen, [3, 2]);
    });

    it('our client answers the captured server batches with strongSwan\'s bytes', async () => {
      const client = new PbTncClientSession({
        languagePreference: 'en',
        handler: { onServerBatch: () => ({ paMessages: pas(file('03', 'rx', 'CDATA')) }) },
      });
      const s0 = client.start(pas(file('01', 'rx', 'CDATA')));
      assert.equal(toHex(s0.reply ?? new Uint8Array()), capture(file('01', 'rx', 'CDATA')).hex);
      const s1 = await client.receive(capture(file('02', 'tx', 'SDATA')).bytes);
      assert.equal(toHex(s1.reply ?? new Uint8Array()), capture(file('03', 'rx', 'CDATA')).hex);
      const s2 = await client.receive(capture(file('04', 'tx', 'RESULT')).bytes);
      assert.equal(toHex(s2.reply ?? new Uint8Array()), capture(file('05', 'rx', 'CLOSE')).hex);
      assert.ok(s2.done);
      assert.deepEqual(
        s2.events.find((e) => e.type === 'result'),
        { type: 'result', assessmentResult: AssessmentResult.Compliant, accessRecommendation: AccessRecommendation.AccessAllowed },
      );
      assert.equal(s2.events.filter((e) => e.type === 'batch-sent').map((e) => 'batchType' in e && e.batchType)[0], PbBatchType.CLOSE);
    });
  });
}
