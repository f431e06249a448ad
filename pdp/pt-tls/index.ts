/**
 * PT-TLS (RFC 6876): PB-TNC over TLS on TCP port 271, the PDP's second posture transport next to
 * PT-EAP. Codecs (one file per message type), a pure connection state machine, the socket-free
 * connection driver, the TLS server and a small client.
 *
 * `startPtTls` is what the PDP calls: it starts the server when the configuration has a `ptTls`
 * section and logs its events (`pttls.*`; SASL passwords never reach a log line).
 */
import type { UserEntry } from '../config/types.js';
import type { Logger } from '../logging.js';
import type { PostureService } from '../posture/posture-service.js';
import { ConfigUserDirectory } from '../users.js';
import { PtTlsServer, type PtTlsServerIdentity, type PtTlsServerOptions } from './server.js';
import type { ClientAuth } from './state-machine.js';

export { PtTlsEncodeError, PtTlsError, PtTlsErrorCode, ptTlsErrorCodeName } from './errors.js';
export type { PtTlsDecodeErrorCode, PtTlsEncodeErrorCode } from './errors.js';
export { IETF_PEN, PT_TLS_DEFAULT_PORT, PT_TLS_HEADER_SIZE, PT_TLS_VERSION, PtTlsMessageType, ptTlsMessageTypeName } from './message-type.js';
export { encodeWithHeader, readHeader } from './message-header.js';
export type { PtTlsHeader } from './message-header.js';
export type { PtTlsValueCodec } from './codec.js';
export { versionRequestCodec } from './version-request.js';
export type { VersionRequest } from './version-request.js';
export { versionResponseCodec } from './version-response.js';
export type { VersionResponse } from './version-response.js';
export { assessmentMessageCodec } from './assessment-message.js';
export type { AssessmentMessage } from './assessment-message.js';
export { MAX_ORIGINAL_COPY, errorMessageCodec, errorMessageFor } from './error-message.js';
export type { PtTlsErrorMessage } from './error-message.js';
export { MAX_MECHANISMS, saslMechanismsCodec } from './sasl-mechanisms.js';
export type { SaslMechanisms } from './sasl-mechanisms.js';
export { MAX_SASL_DATA, saslMechanismSelectionCodec } from './sasl-mechanism-selection.js';
export type { SaslMechanismSelection } from './sasl-mechanism-selection.js';
export { saslAuthenticationDataCodec } from './sasl-authentication-data.js';
export type { SaslAuthenticationData } from './sasl-authentication-data.js';
export { SaslResultCode, saslResultCodec } from './sasl-result.js';
export type { SaslResult } from './sasl-result.js';
export { CODECS, MAX_UNKNOWN_VALUE, codecFor, decodeMessage, encodeMessage, maxValueLength } from './registry.js';
export type { PtTlsKnownValue, PtTlsMessage, PtTlsValue, UnknownPtTlsValue } from './registry.js';
export { PtTlsFramer, PtTlsFramerError } from './framer.js';
export type { PtTlsFrame } from './framer.js';
export { SASL_PLAIN, encodeSaslPlain, parseSaslPlain, verifySaslPlain } from './sasl-plain.js';
export type { SaslPlainOutcome } from './sasl-plain.js';
export { ANONYMOUS, initialState, step } from './state-machine.js';
export type { AuthMethod, ClientAuth, PtTlsPhase, PtTlsServerAction, PtTlsServerEvent, PtTlsServerState, PtTlsStep } from './state-machine.js';
export { DEFAULT_CONNECTION_LIMITS, PtTlsConnection, PtTlsReassessError } from './connection.js';
export type { PtTlsConnectionEvent, PtTlsConnectionIo, PtTlsConnectionLimits, PtTlsConnectionOptions, PtTlsDecision } from './connection.js';
export { PtTlsServer } from './server.js';
export type { PtTlsConnectionInfo, PtTlsReassessment, PtTlsServerEvents, PtTlsServerIdentity, PtTlsServerOptions } from './server.js';
export { PtTlsClientError, runPtTlsClient } from './client.js';
export type { PtTlsClientErrorCode, PtTlsClientOptions, PtTlsClientResult } from './client.js';

/** The `ptTls` configuration section (schemas/pdp-config.schema.json); absent = disabled. */
export interface PtTlsConfig {
  readonly address: string;
  readonly port: number;
  readonly clientAuth: ClientAuth;
}

/** What startPtTls needs of the PDP configuration (PdpConfig satisfies it). */
export interface PtTlsPdpConfig {
  readonly ptTls?: PtTlsConfig | undefined;
  readonly users: readonly UserEntry[];
}

/**
 * Starts the PT-TLS server if `config.ptTls` is set (else resolves undefined), with the PDP's TLS
 * identity, its users (SASL PLAIN) and the posture service, and logs what happens. `overrides`
 * (timeouts, limits, connection cap) are for tests and embedding.
 */
export async function startPtTls(
  config: PtTlsPdpConfig,
  identity: PtTlsServerIdentity,
  postureService: PostureService,
  logger: Logger,
  overrides: Partial<Omit<PtTlsServerOptions, 'identity' | 'users' | 'postureService'>> = {},
): Promise<PtTlsServer | undefined> {
  const section = config.ptTls;
  if (section === undefined) return undefined;
  const server = new PtTlsServer({
    address: section.address,
    port: section.port,
    clientAuth: section.clientAuth,
    ...overrides,
    identity,
    users: new ConfigUserDirectory(config.users),
    postureService,
  });
  const log = logger.child({ component: 'pt-tls' });
  server.on('listening', (ev) => log.info({ event: 'pttls.listening', ...ev, clientAuth: section.clientAuth }, `PT-TLS listening on ${ev.address}:${ev.port}/tcp`));
  server.on('connection', (ev) => log.debug({ event: 'pttls.connection', ...ev }, `PT-TLS connection from ${ev.remoteAddress}:${ev.remotePort}`));
  server.on('authenticated', (ev) => log.info({ event: 'pttls.authenticated', ...ev }, `PT-TLS client '${ev.user}' authenticated (${ev.method})`));
  server.on('auth-failed', (ev) => log.warn({ event: 'pttls.auth-failed', ...ev }, `PT-TLS authentication failed for '${ev.user ?? '?'}': ${ev.reason}`));
  server.on('decision', (ev) =>
    log.info(
      { event: 'pttls.decision', id: ev.id, remoteAddress: ev.remoteAddress, user: ev.user, recommendation: ev.decision?.recommendation, accessRecommendation: ev.accessRecommendation, assessmentResult: ev.assessmentResult },
      `PT-TLS assessment of '${ev.user}': ${ev.decision?.recommendation ?? 'no decision'}`,
    ),
  );
  server.on('peer-error', (ev) => log.warn({ event: 'pttls.peer-error', id: ev.id, remoteAddress: ev.remoteAddress, errorCode: ev.error.errorCode, errorVendorId: ev.error.errorVendorId }, 'PT-TLS Error from the client'));
  server.on('error', (ev) => log.warn({ event: 'pttls.error', id: ev.id, remoteAddress: ev.remoteAddress, code: ev.code, fatal: ev.fatal, detail: ev.error.message }, `PT-TLS ${ev.code}: ${ev.error.message}`));
  server.on('closed', (ev) => log.debug({ event: 'pttls.closed', ...ev }, `PT-TLS connection ${ev.id} closed: ${ev.reason}`));
  server.on('rejected', (ev) => log.warn({ event: 'pttls.rejected', ...ev }, `PT-TLS connection from ${ev.remoteAddress ?? '?'} refused: ${ev.reason}`));
  await server.listen();
  return server;
}
