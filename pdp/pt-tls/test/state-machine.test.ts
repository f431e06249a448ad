/**
 * The pure PT-TLS server state machine (state-machine.ts): each transition of the diagram, the
 * errors RFC 6876 asks for, and a property: whatever events arrive in whatever order, step() never
 * throws and never acts after 'closed'.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PtTlsError, PtTlsErrorCode, initialState, step, type ClientAuth, type PtTlsServerEvent, type PtTlsServerState, type PtTlsValue } from '../index.js';
import { encodeSaslPlain } from '../sasl-plain.js';

const raw = new Uint8Array(20);
const m = (value: PtTlsValue): PtTlsServerEvent => ({ type: 'message', message: { identifier: 0, value }, raw });
const versionRequest = m({ kind: 'version-request', minVersion: 1, maxVersion: 1, preferredVersion: 1 });
const batch = m({ kind: 'pb-tnc-batch', batch: new Uint8Array(8) });

function run(state: PtTlsServerState, ...events: PtTlsServerEvent[]) {
  const all = [];
  for (const e of events) {
    const s = step(state, e);
    state = s.state;
    all.push(...s.actions);
  }
  return { state, actions: all, types: all.map((a) => (a.type === 'send' ? `send:${a.value.kind}` : a.type === 'send-error' ? `error:${a.error.errorCode}` : a.type)) };
}
const init = (clientAuth: ClientAuth, certificateIdentity?: string) => initialState({ clientAuth, certificateIdentity });

describe('PT-TLS state machine', () => {
  it('none: Version Response, empty SASL Mechanisms, authenticated as anonymous, then batches', () => {
    const r = run(init('none'), versionRequest, batch);
    assert.deepEqual(r.types, ['send:version-response', 'send:sasl-mechanisms', 'authenticated', 'deliver-batch']);
    assert.equal(r.state.phase, 'transport');
    assert.deepEqual(r.actions[2], { type: 'authenticated', user: 'anonymous', method: 'none' });
  });

  it('certificate: with an identity it authenticates; without one it is a SASL Mechanism Error and a close', () => {
    assert.deepEqual(run(init('certificate', 'dave'), versionRequest).actions[2], { type: 'authenticated', user: 'dave', method: 'certificate' });
    const r = run(init('certificate'), versionRequest);
    assert.deepEqual(r.types, ['send:version-response', 'auth-failed', `error:${PtTlsErrorCode.SaslMechanismError}`, 'close']);
    assert.equal(r.state.phase, 'closed');
  });

  it('sasl-plain: offer, selection with data, verify, success, empty list', () => {
    const plain = encodeSaslPlain('carol', 'x');
    const r = run(init('sasl-plain'), versionRequest, m({ kind: 'sasl-mechanism-selection', mechanism: 'PLAIN', initialData: plain }));
    assert.deepEqual(r.types, ['send:version-response', 'send:sasl-mechanisms', 'verify-sasl-plain']);
    assert.equal(r.state.phase, 'sasl-verifying');
    const ok = run(r.state, { type: 'sasl-verified', outcome: { ok: true, user: 'carol', group: 'allow' } });
    assert.deepEqual(ok.types, ['send:sasl-result', 'send:sasl-mechanisms', 'authenticated']);
    assert.equal(ok.state.phase, 'transport');
  });

  it('sasl-plain: selection without data asks with an empty challenge', () => {
    const r = run(init('sasl-plain'), versionRequest, m({ kind: 'sasl-mechanism-selection', mechanism: 'PLAIN', initialData: undefined }), m({ kind: 'sasl-authentication-data', data: new Uint8Array(3) }));
    assert.deepEqual(r.types, ['send:version-response', 'send:sasl-mechanisms', 'send:sasl-authentication-data', 'verify-sasl-plain']);
  });

  it('sasl-plain failure: Abort and close by default; Failure and another try when attempts remain', () => {
    const sel = m({ kind: 'sasl-mechanism-selection', mechanism: 'PLAIN', initialData: new Uint8Array(3) });
    const bad = { type: 'sasl-verified', outcome: { ok: false, user: 'carol', reason: 'wrong-password' } } as const;
    const once = run(init('sasl-plain'), versionRequest, sel, bad);
    assert.deepEqual(once.types.slice(-3), ['auth-failed', 'send:sasl-result', 'close']);
    assert.deepEqual(once.actions.at(-2), { type: 'send', value: { kind: 'sasl-result', result: 2, data: new Uint8Array(0) } });
    const twice = run(initialState({ clientAuth: 'sasl-plain', maxSaslAttempts: 2 }), versionRequest, sel, bad);
    assert.equal(twice.state.phase, 'sasl-selection');
    assert.deepEqual(twice.actions.at(-1), { type: 'send', value: { kind: 'sasl-result', result: 1, data: new Uint8Array(0) } });
  });

  it('another mechanism: SASL Mechanism Error', () => {
    const r = run(init('sasl-plain'), versionRequest, m({ kind: 'sasl-mechanism-selection', mechanism: 'SCRAM-SHA-1', initialData: undefined }));
    assert.deepEqual(r.types.slice(-2), [`error:${PtTlsErrorCode.SaslMechanismError}`, 'close']);
  });

  it('Version Not Supported; Invalid Message for out-of-order and server-only types', () => {
    assert.deepEqual(run(init('none'), m({ kind: 'version-request', minVersion: 2, maxVersion: 2, preferredVersion: 2 })).types, [`error:${PtTlsErrorCode.VersionNotSupported}`, 'close']);
    assert.deepEqual(run(init('none'), batch).types, [`error:${PtTlsErrorCode.InvalidMessage}`, 'close']);
    assert.deepEqual(run(init('none'), versionRequest, versionRequest).types.slice(-2), [`error:${PtTlsErrorCode.InvalidMessage}`, 'close']);
    assert.deepEqual(run(init('none'), versionRequest, m({ kind: 'sasl-result', result: 0, data: new Uint8Array(0) })).types.slice(-2), [`error:${PtTlsErrorCode.InvalidMessage}`, 'close']);
  });

  it('unknown types: Type Not Supported, not fatal, up to maxIgnoredMessages', () => {
    const unknown = m({ kind: 'unknown', vendorId: 0x902a, messageType: 1, value: new Uint8Array(0) });
    const r = run(initialState({ clientAuth: 'none', maxIgnoredMessages: 2 }), unknown, versionRequest, unknown);
    assert.deepEqual(r.types, [`error:${PtTlsErrorCode.TypeNotSupported}`, 'send:version-response', 'send:sasl-mechanisms', 'authenticated', `error:${PtTlsErrorCode.TypeNotSupported}`]);
    assert.deepEqual(run(r.state, unknown).types, [`error:${PtTlsErrorCode.InvalidParameter}`, 'close']);
  });

  it('a PT-TLS Error from the client closes, except Type Not Supported', () => {
    const tns = m({ kind: 'error', errorVendorId: 0, errorCode: 3, originalMessage: new Uint8Array(0) });
    assert.deepEqual(run(init('none'), tns).types, ['peer-error']);
    assert.deepEqual(run(init('none'), m({ kind: 'error', errorVendorId: 0, errorCode: 1, originalMessage: new Uint8Array(0) })).types, ['peer-error', 'close']);
  });

  it('decode errors send the error; PB-TNC done closes', () => {
    const error = new PtTlsError('PTTLS_LENGTH_INVALID', PtTlsErrorCode.MalformedMessage, 8, 'x');
    assert.deepEqual(run(init('none'), { type: 'decode-error', error, raw }).types, [`error:${PtTlsErrorCode.MalformedMessage}`, 'close']);
    assert.deepEqual(run(init('none'), versionRequest, { type: 'pb-tnc-done' }).types.slice(-1), ['close']);
  });

  it('property: never throws, nothing after close', () => {
    const values: PtTlsValue[] = [
      { kind: 'version-request', minVersion: 1, maxVersion: 1, preferredVersion: 1 },
      { kind: 'version-request', minVersion: 0, maxVersion: 0, preferredVersion: 0 },
      { kind: 'version-response', version: 1 },
      { kind: 'sasl-mechanisms', mechanisms: [] },
      { kind: 'sasl-mechanism-selection', mechanism: 'PLAIN', initialData: new Uint8Array(2) },
      { kind: 'sasl-mechanism-selection', mechanism: 'PLAIN', initialData: undefined },
      { kind: 'sasl-authentication-data', data: new Uint8Array(1) },
      { kind: 'sasl-result', result: 0, data: new Uint8Array(0) },
      { kind: 'pb-tnc-batch', batch: new Uint8Array(8) },
      { kind: 'error', errorVendorId: 0, errorCode: 3, originalMessage: new Uint8Array(0) },
      { kind: 'unknown', vendorId: 1, messageType: 1, value: new Uint8Array(0) },
    ];
    const eventArb = fc.oneof(
      fc.constantFrom(...values).map(m),
      fc.boolean().map((ok): PtTlsServerEvent => ({ type: 'sasl-verified', outcome: ok ? { ok: true, user: 'u', group: 'g' } : { ok: false, user: 'u', reason: 'wrong-password' } })),
      fc.constant<PtTlsServerEvent>({ type: 'pb-tnc-done' }),
    );
    fc.assert(
      fc.property(fc.constantFrom<ClientAuth>('none', 'sasl-plain', 'certificate'), fc.option(fc.constant('id'), { nil: undefined }), fc.array(eventArb, { maxLength: 30 }), (auth, id, events) => {
        let state = init(auth, id);
        for (const e of events) {
          const wasClosed = state.phase === 'closed';
          const s = step(state, e);
          if (wasClosed) assert.equal(s.actions.length, 0);
          const closes = s.actions.filter((a) => a.type === 'close').length;
          assert.ok(closes <= 1);
          if (closes) assert.equal(s.state.phase, 'closed');
          state = s.state;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
