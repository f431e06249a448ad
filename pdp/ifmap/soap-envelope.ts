/**
 * SOAP 1.2 envelope (W3C SOAP 1.2 Part 1, section 5) and the IF-MAP 2.x session requests
 * (Binding for SOAP 2.2, section 3.7.4-3.7.8: newSession, renewSession, endSession,
 * purgePublisher).
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"
 *                 xmlns:ifmap="http://www.trustedcomputinggroup.org/2010/IFMAP/2"
 *                 xmlns:meta="http://www.trustedcomputinggroup.org/2010/IFMAP-METADATA/2">
 *     <env:Body> <ifmap:newSession/> </env:Body>
 *   </env:Envelope>
 *
 * Prefixes only, never a default namespace: the IF-MAP children (update, access-request, ...) are
 * unqualified and must stay in no namespace. The body holds exactly one IF-MAP request.
 */
import { IFMAP_META_NS, IFMAP_NS, SOAP_ENV_NS } from './identifiers.js';
import { el, serializeDocument, type XmlElement } from './xml-writer.js';

export function envelope(request: XmlElement): XmlElement {
  return el('env:Envelope', { 'xmlns:env': SOAP_ENV_NS, 'xmlns:ifmap': IFMAP_NS, 'xmlns:meta': IFMAP_META_NS }, el('env:Body', undefined, request));
}

/** newSession; max-poll-result-size only matters for poll (we never poll). */
export function newSessionRequest(maxPollResultSize?: number): string {
  return serializeDocument(envelope(el('ifmap:newSession', { 'max-poll-result-size': maxPollResultSize })));
}

/** renewSession keeps the session alive (the server ends idle sessions after its timeout). */
export function renewSessionRequest(sessionId: string): string {
  return serializeDocument(envelope(el('ifmap:renewSession', { 'session-id': sessionId })));
}

export function endSessionRequest(sessionId: string): string {
  return serializeDocument(envelope(el('ifmap:endSession', { 'session-id': sessionId })));
}

/** Removes everything this publisher published before (a restarted PDP starts clean). */
export function purgePublisherRequest(sessionId: string, publisherId?: string): string {
  return serializeDocument(envelope(el('ifmap:purgePublisher', { 'session-id': sessionId, 'ifmap-publisher-id': publisherId })));
}

export function publishRequestDocument(publish: XmlElement): string {
  return serializeDocument(envelope(publish));
}
