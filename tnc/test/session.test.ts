/**
 * The session engine: a client and a server session talk to each other through bytes; every
 * error the server finds turns into one CLOSE batch carrying a fatal PB-Error with the right code
 * and offset; the handler's failures become Local Errors; long exchanges work with the defaults.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AccessRecommendation,
  AssessmentResult,
  PbBatchType,
  PbErrorCode,
  PbTncClientSession,
  PbTncServerSession,
  decodeBatch,
  encodeBatch,
  encodeBatchHeader,
  encodeMessage,
  pbTncLimits,
  type PbErrorMessage,
  type PbPaMessage,
  type PbTncServerHandler,
  type PbTncStep,
  type ServerTurnInput,
} from '../index.js';
import { capture, hexBytes, toHex } from './captures.js';

const paMessage = (n: number, body = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, n)): PbPaMessage => ({
  kind: 'pa',
  exclusive: false,
  paVendorId: 0,
  paSubtype: 1,
  collectorId: 1,
  validatorId: 0xffff,
  body,
});

/** Decides after `rounds` client batches; records what it saw. */
function imvs(rounds: number, seen: ServerTurnInput[] = []): PbTncServerHandler {
  return {
    onClientBatch(input) {
      seen.push(input);
      if (input.roundTrip < rounds) return { action: 'continue', paMessages: [paMessage(input.roundTrip)] };
      return {
        action: 'decide',
        assessmentResult: AssessmentResult.MinorNonCompliance,
        accessRecommendation: AccessRecommendation.Quarantined,
        reasonStrings: [{ reason: 'outdated packages', language: 'en' }],
        remediation: [{ type: 'uri', uri: 'https://remediation.example/' }],
      };
    },
  };
}

/** The PB-Error inside a CLOSE batch the server sent. */
function closeError(step: PbTncStep): PbErrorMessage {
  assert.ok(step.reply, 'a reply');
  const b = decodeBatch(step.reply);
  assert.deepEqual([b.batchType, b.director, b.version], [PbBatchType.CLOSE, 'server', 2]);
  assert.equal(b.messages.length, 1);
  const m = b.messages[0];
  assert.ok(m && m.kind === 'error');
  assert.equal(step.state, 'end');
  assert.equal(step.done, true);
  assert.ok(step.events.some((e) => e.type === 'protocol-error'));
  return m;
}

const cdata = (...messages: Parameters<typeof encodeBatch>[0]['messages']) =>
  encodeBatch({ director: 'client', batchType: PbBatchType.CDATA, messages });

describe('PbTncServerSession with PbTncClientSession', () => {
  it('runs an assessment: CDATA, SDATA, CDATA, RESULT, CLOSE with typed events', async () => {
    const seen: ServerTurnInput[] = [];
    const server = new PbTncServerSession({ handler: imvs(2, seen) });
    const client = new PbTncClientSession({ languagePreference: 'de', handler: { onServerBatch: ({ paMessages }) => ({ paMessages: paMessages.map((_, i) => paMessage(100 + i)) }) } });
    let toServer = client.start([paMessage(7)]).reply;
    const types: string[] = [];
    for (let i = 0; toServer && i < 10; i++) {
      const s = await server.receive(toServer);
      types.push(...s.events.filter((e) => e.type === 'batch-sent').map((e) => ('batchType' in e ? String(e.batchType) : '')));
      if (!s.reply) break;
      const c = await client.receive(s.reply);
      if (c.events.some((e) => e.type === 'result')) {
        assert.deepEqual(c.events.find((e) => e.type === 'result'), { type: 'result', assessmentResult: 1, accessRecommendation: 3 });
      }
      toServer = c.reply;
    }
    assert.deepEqual(types, ['2', '3']); // SDATA then RESULT; the client's CLOSE ends it
    assert.equal(server.state, 'end');
    assert.equal(client.state, 'end');
    assert.deepEqual(seen.map((s) => [s.batchType, s.retry, s.paMessages.length, s.languagePreference, s.roundTrip]), [
      [PbBatchType.CDATA, false, 1, 'de', 1],
      [PbBatchType.CDATA, false, 1, 'de', 2],
    ]);
  });

  it('builds RESULT as strongSwan orders it: PA, Assessment-Result, Access-Recommendation, reasons, remediation', async () => {
    const server = new PbTncServerSession({ handler: imvs(1) });
    const s = await server.receive(cdata());
    assert.ok(s.reply);
    assert.deepEqual(decodeBatch(s.reply).messages.map((m) => m.kind), ['assessment-result', 'access-recommendation', 'reason-string', 'remediation-parameters']);
    assert.deepEqual(s.events.find((e) => e.type === 'result'), { type: 'result', assessmentResult: 1, accessRecommendation: 3 });
  });

  it('a client CRETRY after RESULT restarts the assessment (retry: true)', async () => {
    const seen: ServerTurnInput[] = [];
    const server = new PbTncServerSession({ handler: imvs(1, seen) });
    const client = new PbTncClientSession({ afterResult: 'stay', handler: { onServerBatch: () => ({}) } });
    const r1 = await server.receive(client.start().reply ?? new Uint8Array());
    assert.equal((await client.receive(r1.reply ?? new Uint8Array())).state, 'decided');
    const r2 = await server.receive(client.retry([paMessage(9)]).reply ?? new Uint8Array());
    assert.equal(decodeBatch(r2.reply ?? new Uint8Array()).batchType, PbBatchType.RESULT);
    assert.deepEqual(seen.map((s) => [s.batchType, s.retry]), [[PbBatchType.CDATA, false], [PbBatchType.CRETRY, true]]);
  });

  it('a long exchange of 300 round trips works with the default limits', async () => {
    const server = new PbTncServerSession({ handler: imvs(300) });
    const client = new PbTncClientSession({ handler: { onServerBatch: () => ({ paMessages: [paMessage(1)] }) } });
    let bytes = client.start().reply;
    let rounds = 0;
    while (bytes) {
      const s = await server.receive(bytes);
      rounds++;
      bytes = s.reply && (await client.receive(s.reply)).reply;
    }
    assert.equal(rounds, 301); // 300 CDATA and the final CLOSE
    assert.equal(server.state, 'end');
  });

  it('a peer that never stops hits maxRoundTrips: Local Error', async () => {
    const server = new PbTncServerSession({ handler: imvs(Infinity), limits: pbTncLimits({ maxRoundTrips: 3 }) });
    const client = new PbTncClientSession({ handler: { onServerBatch: () => ({}) } });
    let bytes = client.start().reply;
    let last: PbTncStep | undefined;
    for (let i = 0; i < 4 && bytes; i++) {
      last = await server.receive(bytes);
      bytes = last.reply && !last.done ? (await client.receive(last.reply)).reply : undefined;
    }
    assert.ok(last);
    assert.equal(closeError(last).errorCode, PbErrorCode.LocalError);
  });

  it('puts firstBatchMessages (a PB-PDP-Referral) first in the first batch only', async () => {
    const server = new PbTncServerSession({
      handler: imvs(3),
      firstBatchMessages: [{ kind: 'pdp-referral', identifier: { type: 'fqdn', protocol: 0, port: 271, fqdn: 'pdp.example' } }],
    });
    const s1 = await server.receive(cdata());
    assert.deepEqual(decodeBatch(s1.reply ?? new Uint8Array()).messages.map((m) => m.kind), ['pdp-referral', 'pa']);
    const s2 = await server.receive(cdata());
    assert.deepEqual(decodeBatch(s2.reply ?? new Uint8Array()).messages.map((m) => m.kind), ['pa']);
  });
});

describe('PbTncServerSession: errors become a CLOSE batch with one fatal PB-Error', () => {
  const server = () => new PbTncServerSession({ handler: imvs(2) });

  it('Version Not Supported: CLOSE of version 2 with bad/max/min version', async () => {
    const m = closeError(await server().receive(hexBytes('0100000100000008')));
    assert.deepEqual(m, { kind: 'error', fatal: true, errorVendorId: 0, errorCode: 4, parameters: { type: 'version', badVersion: 1, maxVersion: 2, minVersion: 2 } });
  });

  it('a batch from a server (D bit set): Invalid Parameter at offset 1', async () => {
    const m = closeError(await server().receive(encodeBatch({ director: 'server', batchType: PbBatchType.SDATA, messages: [] })));
    assert.deepEqual([m.errorCode, m.parameters], [PbErrorCode.InvalidParameter, { type: 'offset', offset: 1 }]);
  });

  it('a batch type the state does not allow: Unexpected Batch Type', async () => {
    const s = server();
    const m = closeError(await s.receive(encodeBatchHeader('client', PbBatchType.RESULT, 8)));
    assert.deepEqual([m.errorCode, m.parameters], [PbErrorCode.UnexpectedBatchType, { type: 'offset', offset: 0 }]);
    // CDATA after RESULT (Decided) is unexpected too.
    const t = new PbTncServerSession({ handler: imvs(1) });
    await t.receive(cdata());
    assert.equal(closeError(await t.receive(cdata())).errorCode, PbErrorCode.UnexpectedBatchType);
  });

  it('an unknown NOSKIP message: Unsupported Mandatory Message with the message offset', async () => {
    const lang = { kind: 'language-preference', language: 'en' } as const;
    const m = closeError(await server().receive(cdata(lang, { kind: 'unknown', vendorId: 0x00902a, type: 99, noskip: true, value: new Uint8Array(0) })));
    assert.equal(encodeMessage(lang).length, 31);
    assert.deepEqual([m.errorCode, m.parameters], [PbErrorCode.UnsupportedMandatoryMessage, { type: 'offset', offset: 8 + 31 }]);
  });

  it('a malformed message: Invalid Parameter at its offset in the batch', async () => {
    // The first PB-PA (after the 31-octet PB-Language-Preference) gets the reserved PA Message
    // Vendor ID 0xffffff, at octets 1..3 of its value.
    const bytes = capture('alice-c1-01-rx-CDATA.hex').bytes.slice();
    bytes.fill(0xff, 8 + 31 + 12 + 1, 8 + 31 + 12 + 4);
    const m = closeError(await server().receive(bytes));
    assert.deepEqual([m.errorCode, m.parameters], [PbErrorCode.InvalidParameter, { type: 'offset', offset: 8 + 31 + 12 + 1 }]);
  });

  it('a truncated capture: Invalid Parameter at the Batch Length', async () => {
    const m = closeError(await server().receive(capture('alice-c1-03-rx-CDATA.hex').bytes.subarray(0, 1000)));
    assert.deepEqual([m.errorCode, m.parameters], [PbErrorCode.InvalidParameter, { type: 'offset', offset: 4 }]);
  });

  it('an oversized batch: Local Error without parameters, before parsing', async () => {
    const s = new PbTncServerSession({ handler: imvs(2), limits: pbTncLimits({ maxBatchSize: 1000 }) });
    const m = closeError(await s.receive(capture('alice-c1-03-rx-CDATA.hex').bytes));
    assert.deepEqual([m.errorCode, m.parameters], [PbErrorCode.LocalError, { type: 'raw', data: new Uint8Array(0) }]);
  });

  it('the handler throws, or answers more than a batch holds: Local Error', async () => {
    const throwing = new PbTncServerSession({ handler: { onClientBatch: () => Promise.reject(new Error('IMV crashed')) } });
    const s1 = await throwing.receive(cdata());
    assert.equal(closeError(s1).errorCode, PbErrorCode.LocalError);
    const e = s1.events.find((ev) => ev.type === 'protocol-error');
    assert.ok(e && e.type === 'protocol-error' && e.error.code === 'PB_LOCAL_ERROR' && e.error.message.includes('IMV crashed'));
    const big = new PbTncServerSession({ handler: { onClientBatch: () => ({ action: 'continue', paMessages: [paMessage(1, new Uint8Array(70000))] }) } });
    assert.equal(closeError(await big.receive(cdata())).errorCode, PbErrorCode.LocalError);
  });

  it('a fatal PB-Error from the client is answered with an empty CLOSE', async () => {
    const s = await server().receive(cdata({ kind: 'error', fatal: true, errorVendorId: 0, errorCode: 2, parameters: { type: 'raw', data: new Uint8Array(0) } }));
    assert.equal(toHex(s.reply ?? new Uint8Array()), '0280000600000008');
    assert.ok(s.done);
    assert.ok(s.events.some((e) => e.type === 'peer-error'));
  });

  it('CLOSE from the client ends the session without a reply; later batches are ignored', async () => {
    const s = server();
    const step = await s.receive(capture('alice-c1-05-rx-CLOSE.hex').bytes);
    assert.deepEqual([step.reply, step.done, step.events.map((e) => e.type)], [undefined, true, ['batch-received', 'closed']]);
    assert.deepEqual(await s.receive(cdata()), { reply: undefined, state: 'end', done: true, events: [] });
  });

  it('receive() calls are handled in order even when the handler is slow', async () => {
    const order: number[] = [];
    const s = new PbTncServerSession({
      handler: {
        async onClientBatch(input) {
          await new Promise((r) => setTimeout(r, input.roundTrip === 1 ? 20 : 0));
          order.push(input.roundTrip);
          return { action: 'continue' };
        },
      },
    });
    const [a, b] = await Promise.all([s.receive(cdata()), s.receive(cdata())]);
    assert.deepEqual(order, [1, 2]);
    assert.equal(decodeBatch(a.reply ?? new Uint8Array()).batchType, PbBatchType.SDATA);
    assert.equal(decodeBatch(b.reply ?? new Uint8Array()).batchType, PbBatchType.SDATA);
  });
});
