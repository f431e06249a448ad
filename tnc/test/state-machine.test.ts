/**
 * The RFC 5793 section 3.2 state machine: every (state, role, direction, batch type) against a
 * table read off the diagram, the errors for forbidden batches, and a property: client and server
 * fed the same allowed batches stay in the same state.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ALL_BATCH_TYPES,
  PbBatchType,
  PbErrorCode,
  PbTncState,
  allowedBatchTypes,
  batchTypeName,
  transition,
  type PbTncRole,
} from '../index.js';

const { Init, ServerWorking, ClientWorking, Decided, End } = PbTncState;
const STATES = [Init, ServerWorking, ClientWorking, Decided, End] as const;

/** The diagram's arrows: state, batch, next state. */
const ARROWS: readonly [PbTncState, keyof typeof PbBatchType, PbTncState][] = [
  [Init, 'CDATA', ServerWorking],
  [Init, 'SDATA', ClientWorking],
  [Init, 'CLOSE', End],
  [ServerWorking, 'SDATA', ClientWorking],
  [ServerWorking, 'SRETRY', ClientWorking],
  [ServerWorking, 'RESULT', Decided],
  [ServerWorking, 'CRETRY', ServerWorking],
  [ServerWorking, 'CLOSE', End],
  [ClientWorking, 'CDATA', ServerWorking],
  [ClientWorking, 'CRETRY', ServerWorking],
  [ClientWorking, 'CLOSE', End],
  [Decided, 'CRETRY', ServerWorking],
  [Decided, 'SRETRY', ServerWorking],
  [Decided, 'CLOSE', End],
  [End, 'CLOSE', End],
];
const SENDER: Readonly<Record<keyof typeof PbBatchType, PbTncRole | 'either'>> = {
  CDATA: 'client',
  CRETRY: 'client',
  SDATA: 'server',
  RESULT: 'server',
  SRETRY: 'server',
  CLOSE: 'either',
};
const NAME = (t: number) => batchTypeName(t) as keyof typeof PbBatchType;
const other = (r: PbTncRole): PbTncRole => (r === 'client' ? 'server' : 'client');

describe('PB-TNC state machine (RFC 5793 section 3.2)', () => {
  for (const state of STATES) {
    for (const role of ['client', 'server'] as const) {
      for (const direction of ['sent', 'received'] as const) {
        it(`${role} in ${state}: ${direction} batches`, () => {
          const sender = direction === 'sent' ? role : other(role);
          const expected = ARROWS.filter(([s, b]) => s === state && (SENDER[b] === 'either' || SENDER[b] === sender)).map(([, b]) => PbBatchType[b]);
          assert.deepEqual(allowedBatchTypes(state, role, direction).sort(), expected.sort());
          for (const type of ALL_BATCH_TYPES) {
            const t = transition(state, role, direction === 'sent' ? { sent: type } : { received: type });
            const arrow = ARROWS.find(([s, b]) => s === state && b === NAME(type));
            if (expected.includes(type)) {
              assert.deepEqual(t, { state: arrow?.[2] });
            } else {
              assert.equal(t.state, state, 'a refused batch leaves the state alone');
              assert.ok(t.error);
              if (direction === 'received') {
                assert.equal(t.error.code, 'PB_UNEXPECTED_BATCH_TYPE');
                assert.equal(t.error.pbErrorCode, PbErrorCode.UnexpectedBatchType);
                assert.equal(t.error.fatal, true);
              } else {
                assert.equal(t.error.code, 'PB_SEND_NOT_ALLOWED');
                assert.equal(t.error.pbErrorCode, PbErrorCode.LocalError);
              }
            }
          }
        });
      }
    }
  }

  it('the exchange of the captures: CDATA, SDATA, CDATA, RESULT, CLOSE', () => {
    let server: PbTncState = Init;
    let client: PbTncState = Init;
    const trace: string[] = [];
    for (const [sender, type] of [
      ['client', PbBatchType.CDATA],
      ['server', PbBatchType.SDATA],
      ['client', PbBatchType.CDATA],
      ['server', PbBatchType.RESULT],
      ['client', PbBatchType.CLOSE],
    ] as const) {
      const s = transition(server, 'server', sender === 'server' ? { sent: type } : { received: type });
      const c = transition(client, 'client', sender === 'client' ? { sent: type } : { received: type });
      assert.equal(s.error, undefined);
      assert.equal(c.error, undefined);
      server = s.state;
      client = c.state;
      trace.push(server);
    }
    assert.deepEqual(trace, [ServerWorking, ClientWorking, ServerWorking, Decided, End]);
  });

  it('examples of forbidden batches', () => {
    assert.equal(transition(Init, 'server', { received: PbBatchType.CRETRY }).error?.code, 'PB_UNEXPECTED_BATCH_TYPE');
    assert.equal(transition(Decided, 'server', { received: PbBatchType.CDATA }).error?.code, 'PB_UNEXPECTED_BATCH_TYPE');
    assert.equal(transition(ServerWorking, 'server', { received: PbBatchType.CDATA }).error?.code, 'PB_UNEXPECTED_BATCH_TYPE');
    assert.equal(transition(ClientWorking, 'client', { received: PbBatchType.SRETRY }).error?.code, 'PB_UNEXPECTED_BATCH_TYPE');
    assert.equal(transition(End, 'client', { received: PbBatchType.SDATA }).error?.code, 'PB_UNEXPECTED_BATCH_TYPE');
    assert.equal(transition(ServerWorking, 'client', { sent: PbBatchType.SDATA }).error?.code, 'PB_SEND_NOT_ALLOWED');
  });

  it('property: client and server fed the same allowed batches are always in the same state', () => {
    const step = fc.record({ sender: fc.constantFrom<PbTncRole>('client', 'server'), type: fc.constantFrom(...ALL_BATCH_TYPES) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let client: PbTncState = Init;
        let server: PbTncState = Init;
        for (const { sender, type } of steps) {
          const bySender = transition(sender === 'client' ? client : server, sender, { sent: type });
          const byReceiver = transition(sender === 'client' ? server : client, other(sender), { received: type });
          // What a sender may send, its receiver must accept, and vice versa.
          assert.equal(bySender.error === undefined, byReceiver.error === undefined);
          if (bySender.error) continue;
          [client, server] = sender === 'client' ? [bySender.state, byReceiver.state] : [byReceiver.state, bySender.state];
          assert.equal(client, server);
        }
      }),
      { numRuns: 500 },
    );
  });
});
