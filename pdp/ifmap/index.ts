/**
 * TNC MAP export (IF-MAP 2.x over SOAP 1.2): the public API.
 *
 * For the admin API (the XML of one endpoint or all, not sent anywhere):
 *   buildPublishRequest(snapshots, { pdpDevice?, operation?: 'update' | 'delete', sessionId? }) -> string
 *   fromStore(session, device?, activeFacts?, roles?) -> EndpointSnapshot
 *
 * For the PDP: startIfmap(...) returns the exporter (fed with 'finished' and 'accounting' events)
 * and the publisher (newSession / publish / renewSession / endSession against the MAP server).
 */
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import { transportFor, type IfmapConfig } from './config.js';
import { IfmapExporter } from './exporter.js';
import type { IfmapTransport } from './https-transport.js';
import { IfmapPublisher, type IfmapLog } from './publisher.js';

export { buildPublishRequest, publishItems, publishElement, deleteFilter, type BuildPublishOptions, type PublishContext, type PublishOperation } from './publish-request.js';
export { fromStore, osFromProduct, userIdentity, type EndpointSnapshot, type EndpointDevice, type PolicyViolation, type ActiveSessionFacts } from './endpoint-snapshot.js';
export { newSessionRequest, renewSessionRequest, endSessionRequest, purgePublisherRequest, publishRequestDocument, envelope } from './soap-envelope.js';
export { parseResponse, parseNewSessionResult, type NewSessionResult, type ResultName } from './soap-response.js';
export { IfmapError, type IfmapClientErrorCode, type IfmapErrorCode } from './errors.js';
export { IfmapPublisher, type IfmapPublisherOptions, type IfmapLog, type PublisherEvents } from './publisher.js';
export { IfmapExporter, type IfmapExporterOptions, type SnapshotSink } from './exporter.js';
export { HttpsTransport, type IfmapTransport, type IfmapAuth, type HttpResponse } from './https-transport.js';
export { resolveIfmapConfig, transportFor, type IfmapConfig } from './config.js';
export { IFMAP_NS, IFMAP_META_NS, SOAP_ENV_NS } from './identifiers.js';

export interface StartIfmapOptions {
  readonly config: IfmapConfig;
  readonly stateDir: string;
  readonly log: IfmapLog;
  readonly store?: Store;
  readonly roles?: (user: string) => readonly string[];
  /** Tests: another transport than HTTPS from the config. */
  readonly transport?: IfmapTransport;
  readonly backoffMs?: { readonly initial: number; readonly max: number };
}

export interface RunningIfmap {
  readonly exporter: IfmapExporter;
  readonly publisher: IfmapPublisher;
  stop(): Promise<void>;
}

/** Creates the publisher (queue under stateDir/ifmap) and the exporter, and starts publishing. */
export function startIfmap(o: StartIfmapOptions): RunningIfmap {
  const publisher = new IfmapPublisher({
    transport: o.transport ?? transportFor(o.config),
    dir: join(o.stateDir, 'ifmap'),
    queueLimit: o.config.queueLimit,
    renewSeconds: o.config.renewSeconds,
    pdpDevice: o.config.deviceName,
    ...(o.config.administrativeDomain ? { administrativeDomain: o.config.administrativeDomain } : {}),
    ...(o.backoffMs ? { backoffMs: o.backoffMs } : {}),
    log: o.log,
  });
  const exporter = new IfmapExporter({ sink: publisher, ...(o.store ? { store: o.store } : {}), ...(o.roles ? { roles: o.roles } : {}) });
  publisher.start();
  o.log.info({ event: 'ifmap.started', url: o.config.url, device: o.config.deviceName, queued: publisher.queued }, `IF-MAP publishing to ${o.config.url}`);
  return { exporter, publisher, stop: () => publisher.stop() };
}
