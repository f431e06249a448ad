/**
 * The PT-TLS server's connection state machine (RFC 6876 section 3.3, "PT-TLS Message Flow"),
 * pure: `step(state, event) -> { state, actions }`, no I/O, no clock. connection.ts feeds it the
 * decoded messages and the outcomes of what it asked for (SASL verification, end of PB-TNC), and
 * carries out the actions (send, verify, deliver a batch to the PB-TNC session, close).
 *
 *        TLS setup (server.ts: certificate requested only in 'certificate' mode)
 *            |
 *            v
 *     +-------------+  Version Request, range holds 1    +---------------------------+
 *     |   version   | ---------------------------------> | Version Response          |
 *     +-------------+  (else Version Not Supported,      | then by clientAuth:       |
 *            |          close)                           +---------------------------+
 *            |             none / certificate present: SASL Mechanisms [] -------------------+
 *            |             certificate absent: SASL Mechanism Error, close                    |
 *            |             sasl-plain: SASL Mechanisms [PLAIN]                                |
 *            v                                                                                |
 *     +----------------+  Mechanism Selection PLAIN + data  +----------------+                |
 *     | sasl-selection | ---------------------------------> | sasl-verifying | <-+            |
 *     +----------------+                                    +----------------+   |            |
 *        |   ^  PLAIN without data: empty Authentication Data       |  |        | Auth Data |
 *        |   |  --------------------------------------> sasl-data --+--|--------+           |
 *        |   |                                                         |                     |
 *        |   +-- failure, attempts left: SASL Result Failure <---------+                     |
 *        |       failure, none left: SASL Result Abort, close <--------+                     |
 *        |       success: SASL Result Success, SASL Mechanisms [] -----+---------------------+
 *        |                                                                                   |
 *        | other mechanism: SASL Mechanism Error, close                                      v
 *                                                                             +-----------+
 *                                     PB-TNC Batch -> deliver to PB-TNC  <--- | transport | --> closed
 *                                                                             +-----------+   (PB-TNC
 *                                                                                              done)
 *
 * In every state: a message of a type we do not implement (Experimental, another vendor's,
 * unassigned) is answered with Type Not Supported and ignored ("it MUST send back this error,
 * ignore the message, and proceed"), up to `maxIgnoredMessages`; a message the client may not send
 * now (a second Version Request, a server-only type, SASL after authentication ...) is answered with
 * Invalid Message and the connection closes; a PT-TLS Error from the client closes it, except Type
 * Not Supported, which is informational.
 */
import { PtTlsError, PtTlsErrorCode } from './errors.js';
import { PT_TLS_VERSION } from './message-type.js';
import type { PtTlsErrorMessage } from './error-message.js';
import type { PtTlsMessage, PtTlsValue } from './registry.js';
import { SaslResultCode } from './sasl-result.js';
import { SASL_PLAIN, type SaslPlainOutcome } from './sasl-plain.js';

export type ClientAuth = 'none' | 'sasl-plain' | 'certificate';
export type AuthMethod = ClientAuth;

export type PtTlsPhase = 'version' | 'sasl-selection' | 'sasl-data' | 'sasl-verifying' | 'transport' | 'closed';

export interface PtTlsServerState {
  readonly phase: PtTlsPhase;
  readonly clientAuth: ClientAuth;
  /** Identity from the verified TLS client certificate, if the client sent one. */
  readonly certificateIdentity: string | undefined;
  readonly saslFailures: number;
  readonly ignoredMessages: number;
  readonly maxSaslAttempts: number;
  readonly maxIgnoredMessages: number;
}

export type PtTlsServerEvent =
  | { readonly type: 'message'; readonly message: PtTlsMessage; readonly raw: Uint8Array }
  /** The framer or a decoder refused the received bytes. */
  | { readonly type: 'decode-error'; readonly error: PtTlsError; readonly raw: Uint8Array }
  | { readonly type: 'sasl-verified'; readonly outcome: SaslPlainOutcome }
  /** The PB-TNC session reached End (its last batch, if any, is sent). */
  | { readonly type: 'pb-tnc-done' };

export type PtTlsServerAction =
  | { readonly type: 'send'; readonly value: PtTlsValue }
  /** Send a PT-TLS Error about `original` (a `close` follows when the error is fatal). */
  | { readonly type: 'send-error'; readonly error: PtTlsError; readonly original: Uint8Array }
  | { readonly type: 'verify-sasl-plain'; readonly data: Uint8Array }
  | { readonly type: 'authenticated'; readonly user: string; readonly method: AuthMethod }
  | { readonly type: 'auth-failed'; readonly user: string | undefined; readonly reason: string }
  | { readonly type: 'deliver-batch'; readonly batch: Uint8Array }
  | { readonly type: 'peer-error'; readonly error: PtTlsErrorMessage }
  | { readonly type: 'close'; readonly reason: string };

export interface PtTlsStep {
  readonly state: PtTlsServerState;
  readonly actions: readonly PtTlsServerAction[];
}

/** The user label of a connection nobody authenticated ('none' mode without a certificate). */
export const ANONYMOUS = 'anonymous';

export function initialState(options: {
  clientAuth: ClientAuth;
  certificateIdentity?: string | undefined;
  maxSaslAttempts?: number;
  maxIgnoredMessages?: number;
}): PtTlsServerState {
  return {
    phase: 'version',
    clientAuth: options.clientAuth,
    certificateIdentity: options.certificateIdentity,
    saslFailures: 0,
    ignoredMessages: 0,
    // strongSwan answers the first failure with Abort ("does not allow the client to retry").
    maxSaslAttempts: options.maxSaslAttempts ?? 1,
    maxIgnoredMessages: options.maxIgnoredMessages ?? 16,
  };
}

const closed = (state: PtTlsServerState, reason: string, actions: PtTlsServerAction[] = []): PtTlsStep => ({
  state: { ...state, phase: 'closed' },
  actions: [...actions, { type: 'close', reason }],
});

const fail = (state: PtTlsServerState, error: PtTlsError, original: Uint8Array): PtTlsStep =>
  error.fatal
    ? closed(state, error.code, [{ type: 'send-error', error, original }])
    : { state, actions: [{ type: 'send-error', error, original }] };

const unexpected = (state: PtTlsServerState, what: string, raw: Uint8Array): PtTlsStep =>
  fail(state, new PtTlsError('PTTLS_UNEXPECTED_MESSAGE', PtTlsErrorCode.InvalidMessage, 0, `${what} not allowed in phase ${state.phase}`), raw);

/** After the Version Response: the authentication phase, or straight to transport. */
function startAuthentication(state: PtTlsServerState, raw: Uint8Array): PtTlsStep {
  const sent: PtTlsServerAction = { type: 'send', value: { kind: 'version-response', version: PT_TLS_VERSION } };
  if (state.clientAuth === 'sasl-plain') {
    return { state: { ...state, phase: 'sasl-selection' }, actions: [sent, { type: 'send', value: { kind: 'sasl-mechanisms', mechanisms: [SASL_PLAIN] } }] };
  }
  if (state.clientAuth === 'certificate' && state.certificateIdentity === undefined) {
    const error = new PtTlsError('PTTLS_AUTHENTICATION_FAILED', PtTlsErrorCode.SaslMechanismError, 0, 'a TLS client certificate is required');
    return closed(state, error.code, [sent, { type: 'auth-failed', user: undefined, reason: 'no client certificate' }, { type: 'send-error', error, original: raw }]);
  }
  const method: AuthMethod = state.clientAuth === 'certificate' ? 'certificate' : 'none';
  return {
    state: { ...state, phase: 'transport' },
    actions: [
      sent,
      // "an empty SASL Mechanisms list": no (further) client authentication is needed.
      { type: 'send', value: { kind: 'sasl-mechanisms', mechanisms: [] } },
      { type: 'authenticated', user: state.certificateIdentity ?? ANONYMOUS, method },
    ],
  };
}

function onVerified(state: PtTlsServerState, outcome: SaslPlainOutcome): PtTlsStep {
  if (state.phase !== 'sasl-verifying') return { state, actions: [] };
  if (outcome.ok) {
    return {
      state: { ...state, phase: 'transport' },
      actions: [
        { type: 'send', value: { kind: 'sasl-result', result: SaslResultCode.Success, data: new Uint8Array(0) } },
        { type: 'send', value: { kind: 'sasl-mechanisms', mechanisms: [] } },
        { type: 'authenticated', user: outcome.user, method: 'sasl-plain' },
      ],
    };
  }
  const failures = state.saslFailures + 1;
  const failed: PtTlsServerAction = { type: 'auth-failed', user: outcome.user, reason: outcome.reason };
  if (failures < state.maxSaslAttempts) {
    return {
      state: { ...state, phase: 'sasl-selection', saslFailures: failures },
      actions: [failed, { type: 'send', value: { kind: 'sasl-result', result: SaslResultCode.Failure, data: new Uint8Array(0) } }],
    };
  }
  return closed({ ...state, saslFailures: failures }, 'sasl-failed', [
    failed,
    { type: 'send', value: { kind: 'sasl-result', result: SaslResultCode.Abort, data: new Uint8Array(0) } },
  ]);
}

function onMessage(state: PtTlsServerState, message: PtTlsMessage, raw: Uint8Array): PtTlsStep {
  const v = message.value;
  if (v.kind === 'unknown') {
    const ignored = state.ignoredMessages + 1;
    if (ignored > state.maxIgnoredMessages) {
      return fail(state, new PtTlsError('PTTLS_LIMIT_EXCEEDED', PtTlsErrorCode.InvalidParameter, 0, `more than ${state.maxIgnoredMessages} unsupported messages`), raw);
    }
    const error = new PtTlsError('PTTLS_TYPE_UNSUPPORTED', PtTlsErrorCode.TypeNotSupported, 4, `message type ${v.vendorId}/${v.messageType} not supported`, { fatal: false });
    return fail({ ...state, ignoredMessages: ignored }, error, raw);
  }
  if (v.kind === 'error') {
    // Type Not Supported is informational ("ignore the message, and proceed"); anything else ends it.
    if (v.errorVendorId === 0 && v.errorCode === PtTlsErrorCode.TypeNotSupported) return { state, actions: [{ type: 'peer-error', error: v }] };
    return closed(state, 'peer-error', [{ type: 'peer-error', error: v }]);
  }
  switch (state.phase) {
    case 'version':
      if (v.kind !== 'version-request') return unexpected(state, v.kind, raw);
      if (v.minVersion > PT_TLS_VERSION || v.maxVersion < PT_TLS_VERSION) {
        return fail(state, new PtTlsError('PTTLS_VERSION_UNSUPPORTED', PtTlsErrorCode.VersionNotSupported, 17, `versions ${v.minVersion}..${v.maxVersion} exclude ${PT_TLS_VERSION}`), raw);
      }
      return startAuthentication(state, raw);
    case 'sasl-selection':
      if (v.kind !== 'sasl-mechanism-selection') return unexpected(state, v.kind, raw);
      if (v.mechanism !== SASL_PLAIN) {
        return fail(state, new PtTlsError('PTTLS_SASL_MECHANISM', PtTlsErrorCode.SaslMechanismError, 17, `mechanism ${v.mechanism} was not offered`), raw);
      }
      if (v.initialData === undefined) {
        // PLAIN is client-first: an empty challenge asks for the response.
        return { state: { ...state, phase: 'sasl-data' }, actions: [{ type: 'send', value: { kind: 'sasl-authentication-data', data: new Uint8Array(0) } }] };
      }
      return { state: { ...state, phase: 'sasl-verifying' }, actions: [{ type: 'verify-sasl-plain', data: v.initialData }] };
    case 'sasl-data':
      if (v.kind !== 'sasl-authentication-data') return unexpected(state, v.kind, raw);
      return { state: { ...state, phase: 'sasl-verifying' }, actions: [{ type: 'verify-sasl-plain', data: v.data }] };
    case 'sasl-verifying':
      return unexpected(state, v.kind, raw);
    case 'transport':
      if (v.kind !== 'pb-tnc-batch') return unexpected(state, v.kind, raw);
      return { state, actions: [{ type: 'deliver-batch', batch: v.batch }] };
    case 'closed':
      return { state, actions: [] };
  }
}

/** One step of the machine. Never throws. */
export function step(state: PtTlsServerState, event: PtTlsServerEvent): PtTlsStep {
  if (state.phase === 'closed') return { state, actions: [] };
  switch (event.type) {
    case 'message':
      return onMessage(state, event.message, event.raw);
    case 'decode-error':
      return fail(state, event.error, event.raw);
    case 'sasl-verified':
      return onVerified(state, event.outcome);
    case 'pb-tnc-done':
      return closed(state, 'pb-tnc-done');
  }
}
