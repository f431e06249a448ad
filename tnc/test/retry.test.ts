/**
 * Retries (RFC 5793 sections 3.2 and 4.1): the server's SRETRY from Decided, answered by the
 * client's CRETRY with new measurements, then a second RESULT on the same session; the client's
 * own CRETRY from Decided; requestRetry refused outside Decided; and the TCG
 * PB-PDP-Referral option, compared byte for byte with strongSwan's captured SDATA.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AccessRecommendation,
  AssessmentResult,
  PbBatchType,
  PbErrorCode,
  PbTncClientSession,
  PbTncError,
  PbTncServerSession,
  decodeBatch,
  encodeBatch,
  type PbPaMessage,
  type PbTncServerHandler,
  type PbTncStep,
  type ServerTurnInput,
} from '../index.js';
import { capture, toHex } from './captures.js';

const pa = (n: number): PbPaMessage => ({
  kind: 'pa',
  exclusive: false,
  paVendorId: 0,
  paSubtype: 1,
  collectorId: 1,
  validatorId: 0xffff,
  body: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, n),
});

/** One SDATA round per handshake, then a RESULT whose recommendation comes from `verdicts`. */
function imvs(verdicts: AccessRecommendation[], seen: ServerTurnInput[]): PbTncServerHandler {
  let decisions = 0;
  return {
    onClientBatch(input) {
      seen.push(input);
      if (input.roundTrip < 2) return { action: 'continue', paMessages: [pa(10 + input.roundTrip)] };
      const rec = verdicts[decisions++] ?? AccessRecommendation.AccessDenied;
      return { action: 'decide', assessmentResult: rec === AccessRecommendation.AccessAllowed ? AssessmentResult.Compliant : AssessmentResult.MajorNonCompliance, accessRecommendation: rec };
    },
  };
}

const batchType = (step: PbTncStep): number | undefined => (step.reply ? decodeBatch(step.reply).batchType : undefined);

/** Client and server talk until neither has anything to send; returns the last client step. */
async function pump(client: PbTncClientSession, server: PbTncServerSession, first: PbTncStep, from: 'client' | 'server'): Promise<number[]> {
  const trace: number[] = [];
  let step = first;
  let sender = from;
  for (let i = 0; i < 20 && step.reply; i++) {
    trace.push(decodeBatch(step.reply).batchType);
    step = sender === 'client' ? await server.receive(step.reply) : await client.receive(step.reply);
    sender = sender === 'client' ? 'server' : 'client';
  }
  return trace;
}

describe('SRETRY: the server starts a new assessment after its RESULT', () => {
  it('Decided -> SRETRY -> CRETRY (new measurements) -> SDATA -> CDATA -> RESULT with the new verdict', async () => {
    const seen: ServerTurnInput[] = [];
    const server = new PbTncServerSession({ handler: imvs([AccessRecommendation.AccessAllowed, AccessRecommendation.Quarantined], seen) });
    const fromServer: number[] = [];
    let measurement = 1;
    const client = new PbTncClientSession({
      afterResult: 'stay',
      handler: {
        onServerBatch: (b) => {
          fromServer.push(b.batchType);
          // SRETRY: the IMCs measure again (IF-IMC HANDSHAKE), their messages go in the CRETRY.
          if (b.batchType === PbBatchType.SRETRY) measurement++;
          return { paMessages: [pa(measurement)] };
        },
      },
    });
    const first = await pump(client, server, client.start([pa(1)]), 'client');
    assert.deepEqual(first, [PbBatchType.CDATA, PbBatchType.SDATA, PbBatchType.CDATA, PbBatchType.RESULT]);
    assert.equal(server.state, 'decided');
    assert.equal(client.state, 'decided');

    const sretry = await server.requestRetry();
    assert.equal(toHex(sretry.reply ?? new Uint8Array()), '0280000500000008', 'an empty SRETRY batch, D bit set');
    assert.equal(sretry.state, 'server-working');
    assert.ok(sretry.events.some((e) => e.type === 'batch-sent' && e.batchType === PbBatchType.SRETRY));

    const answer = await client.receive(sretry.reply!);
    assert.equal(batchType(answer), PbBatchType.CRETRY, 'in Server Working the client may answer only with CRETRY');
    assert.equal(client.state, 'server-working');
    assert.deepEqual(decodeBatch(answer.reply!).messages, [pa(2)]);

    const second = await pump(client, server, answer, 'client');
    assert.deepEqual(second, [PbBatchType.CRETRY, PbBatchType.SDATA, PbBatchType.CDATA, PbBatchType.RESULT]);
    assert.deepEqual(fromServer, [PbBatchType.SDATA, PbBatchType.SRETRY, PbBatchType.SDATA]);
    // The handler saw the CRETRY as a new handshake: retry flag, round trips from 1 again.
    assert.deepEqual(seen.map((s) => [s.batchType, s.retry, s.roundTrip]), [
      [PbBatchType.CDATA, false, 1],
      [PbBatchType.CDATA, false, 2],
      [PbBatchType.CRETRY, true, 1],
      [PbBatchType.CDATA, false, 2],
    ]);
    assert.equal(server.state, 'decided');

    // The client ends the long-lived session with CLOSE; the server ends without a reply.
    const close = await client.close();
    assert.equal(batchType(close), PbBatchType.CLOSE);
    const end = await server.receive(close.reply!);
    assert.deepEqual([end.reply, end.state, end.done], [undefined, 'end', true]);
  });

  it('the second RESULT is reported as its own result event with the new recommendation', async () => {
    const server = new PbTncServerSession({ handler: imvs([AccessRecommendation.AccessAllowed, AccessRecommendation.AccessDenied], []) });
    const client = new PbTncClientSession({ afterResult: 'stay', handler: { onServerBatch: () => ({ paMessages: [pa(1)] }) } });
    const results: (number | undefined)[] = [];
    const collect = async (step: PbTncStep, from: 'client' | 'server') => {
      let s = step;
      let sender = from;
      while (s.reply) {
        s = sender === 'client' ? await server.receive(s.reply) : await client.receive(s.reply);
        for (const e of s.events) if (e.type === 'result' && sender === 'server') results.push(e.accessRecommendation);
        sender = sender === 'client' ? 'server' : 'client';
      }
    };
    await collect(client.start(), 'client');
    await collect(await server.requestRetry(), 'server');
    assert.deepEqual(results, [AccessRecommendation.AccessAllowed, AccessRecommendation.AccessDenied]);
  });

  it('requestRetry is refused (PB_SEND_NOT_ALLOWED, nothing sent, state kept) outside Decided', async () => {
    const server = new PbTncServerSession({ handler: imvs([AccessRecommendation.AccessAllowed], []) });
    const refused = async () => {
      const before = server.state;
      await assert.rejects(server.requestRetry(), (e: unknown) => e instanceof PbTncError && e.code === 'PB_SEND_NOT_ALLOWED' && e.pbErrorCode === PbErrorCode.LocalError);
      assert.equal(server.state, before);
    };
    await refused(); // Init
    await server.receive(encodeBatch({ director: 'client', batchType: PbBatchType.CDATA, messages: [] }));
    assert.equal(server.state, 'client-working');
    await refused(); // Client Working: the exchange is under way
    await server.receive(encodeBatch({ director: 'client', batchType: PbBatchType.CDATA, messages: [] }));
    assert.equal(server.state, 'decided');
    await server.receive(encodeBatch({ director: 'client', batchType: PbBatchType.CLOSE, messages: [] }));
    assert.equal(server.state, 'end');
    await refused(); // End
  });
});

describe('CRETRY: the client starts a new assessment after the RESULT', () => {
  it('Decided -> CRETRY with the IMC messages -> the handler sees retry, round trip 1', async () => {
    const seen: ServerTurnInput[] = [];
    const server = new PbTncServerSession({ handler: imvs([AccessRecommendation.AccessAllowed, AccessRecommendation.Quarantined], seen) });
    const client = new PbTncClientSession({ afterResult: 'stay', handler: { onServerBatch: () => ({ paMessages: [pa(5)] }) } });
    await pump(client, server, client.start([pa(1)]), 'client');
    const retry = client.retry([pa(7)]);
    assert.equal(batchType(retry), PbBatchType.CRETRY);
    const trace = await pump(client, server, retry, 'client');
    assert.deepEqual(trace, [PbBatchType.CRETRY, PbBatchType.SDATA, PbBatchType.CDATA, PbBatchType.RESULT]);
    assert.deepEqual(seen.slice(2).map((s) => [s.retry, s.roundTrip, s.paMessages.length]), [
      [true, 1, 1],
      [false, 2, 1],
    ]);
  });
});

describe('pdpReferral: the TCG PB-PDP-Referral as strongSwan sends it', () => {
  const sdata = capture('alice-c1-02-tx-SDATA.hex');
  const paOf = (bytes: Uint8Array) => decodeBatch(bytes).messages.filter((m): m is PbPaMessage => m.kind === 'pa');

  it("our first SDATA with pdpReferral {radius.strongswan.org, 271} is strongSwan's captured SDATA, octet for octet", async () => {
    const server = new PbTncServerSession({
      pdpReferral: { fqdn: 'radius.strongswan.org', port: 271 },
      handler: { onClientBatch: () => ({ action: 'continue', paMessages: paOf(sdata.bytes) }) },
    });
    const s1 = await server.receive(capture('alice-c1-01-rx-CDATA.hex').bytes);
    assert.equal(toHex(s1.reply ?? new Uint8Array()), sdata.hex);
    // The referral alone: flags 0 (no NOSKIP), TCG 0x005597 type 1, length 45; Reserved 0, PDP
    // Identifier Vendor TCG, type 0 (FQDN), Reserved 0, Protocol 0 (PT-TLS), Port 271, the name.
    assert.equal(
      sdata.hex.slice(16, 16 + 90),
      '00005597' + '00000001' + '0000002d' + '00005597' + '00000000' + '00' + '00' + '010f' + Buffer.from('radius.strongswan.org').toString('hex'),
    );
  });

  it('the port defaults to 271, and the referral goes out once: not again after SRETRY', async () => {
    const server = new PbTncServerSession({
      pdpReferral: { fqdn: 'pdp.example' },
      handler: imvs([AccessRecommendation.AccessAllowed, AccessRecommendation.AccessAllowed], []),
    });
    const client = new PbTncClientSession({ afterResult: 'stay', handler: { onServerBatch: () => ({}) } });
    const kinds: string[][] = [];
    let step: PbTncStep = client.start();
    let sender: 'client' | 'server' = 'client';
    const run = async () => {
      while (step.reply) {
        if (sender === 'server') kinds.push(decodeBatch(step.reply).messages.map((m) => m.kind));
        step = sender === 'client' ? await server.receive(step.reply) : await client.receive(step.reply);
        sender = sender === 'client' ? 'server' : 'client';
      }
    };
    await run();
    step = await server.requestRetry();
    sender = 'server';
    await run();
    assert.deepEqual(kinds, [['pdp-referral', 'pa'], ['assessment-result', 'access-recommendation'], [], ['pa'], ['assessment-result', 'access-recommendation']]);
  });
});
