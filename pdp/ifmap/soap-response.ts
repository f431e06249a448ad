/**
 * The MAP server's answers (IF-MAP Binding for SOAP 2.2, section 3.7; ifmap-base-2.0v17.xsd
 * ResponseType): a SOAP 1.2 envelope whose Body holds either <ifmap:response> with exactly one
 * result element, or a SOAP Fault (SOAP 1.2 Part 1, section 5.4).
 *
 *   <env:Body><ifmap:response><newSessionResult session-id="..." ifmap-publisher-id="..."
 *       max-poll-result-size="..."/></ifmap:response></env:Body>
 *   <env:Body><ifmap:response><errorResult errorCode="InvalidSessionID">
 *       <errorString>...</errorString></errorResult></ifmap:response></env:Body>
 *   <env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code>
 *       <env:Reason><env:Text xml:lang="en">...</env:Text></env:Reason></env:Fault></env:Body>
 *
 * The result elements are unqualified (no elementFormDefault), but some servers qualify them;
 * both are accepted. Every failure is an IfmapError.
 */
import { IfmapError } from './errors.js';
import { IFMAP_NS, SOAP_ENV_NS } from './identifiers.js';
import { readXml, type ParsedElement } from './xml-reader.js';

export type ResultName = 'newSessionResult' | 'renewSessionResult' | 'endSessionResult' | 'publishReceived' | 'purgePublisherReceived';

export interface NewSessionResult {
  readonly sessionId: string;
  readonly publisherId: string;
  readonly maxPollResultSize?: number;
}

const MAX_TEXT = 1024;
const clip = (t: string): string => (t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT)}...` : t).trim();

function fault(f: ParsedElement): IfmapError {
  const child = (e: ParsedElement | undefined, local: string): ParsedElement | undefined => e?.children.find((c) => c.local === local && c.ns === SOAP_ENV_NS);
  const value = child(child(f, 'Code'), 'Value');
  let faultCode = value?.text.trim() ?? '';
  try {
    const q = value ? value.resolve(faultCode) : undefined;
    if (q && q.ns === SOAP_ENV_NS) faultCode = `env:${q.local}`;
  } catch {
    /* an undeclared prefix: keep the text as it is */
  }
  const reason = child(child(f, 'Reason'), 'Text')?.text ?? '';
  return new IfmapError('IFMAP_SOAP_FAULT', `SOAP fault ${faultCode || '(no code)'}: ${clip(reason) || '(no reason)'}`, { faultCode: faultCode || 'unknown' });
}

/**
 * The single result element of the response, after turning errorResult and Fault into errors.
 * `expected` is the result the request asks for; another one is IFMAP_BAD_RESPONSE.
 */
export function parseResponse(body: string | Uint8Array, expected: ResultName): ParsedElement {
  const env = readXml(body);
  if (env.local !== 'Envelope' || env.ns !== SOAP_ENV_NS) {
    throw new IfmapError('IFMAP_BAD_RESPONSE', `expected a SOAP 1.2 Envelope, got {${env.ns}}${env.local}`);
  }
  const b = env.children.find((c) => c.local === 'Body' && c.ns === SOAP_ENV_NS);
  if (!b) throw new IfmapError('IFMAP_BAD_RESPONSE', 'SOAP envelope without Body');
  const [first] = b.children;
  if (!first) throw new IfmapError('IFMAP_BAD_RESPONSE', 'empty SOAP Body');
  if (first.local === 'Fault' && first.ns === SOAP_ENV_NS) throw fault(first);
  if (first.local !== 'response' || first.ns !== IFMAP_NS) {
    throw new IfmapError('IFMAP_BAD_RESPONSE', `expected ifmap:response, got {${first.ns}}${first.local}`);
  }
  const result = first.children.find((c) => c.ns === '' || c.ns === IFMAP_NS);
  if (!result) throw new IfmapError('IFMAP_BAD_RESPONSE', 'ifmap:response without a result');
  if (result.local === 'errorResult') {
    const errorCode = result.attrs['errorCode'] ?? 'unknown';
    const text = result.children.find((c) => c.local === 'errorString')?.text ?? '';
    throw new IfmapError('IFMAP_ERROR_RESULT', `MAP server errorResult ${errorCode}${text.trim() ? `: ${clip(text)}` : ''}`, { errorCode });
  }
  if (result.local !== expected) throw new IfmapError('IFMAP_BAD_RESPONSE', `expected ${expected}, got ${result.local}`);
  return result;
}

export function parseNewSessionResult(body: string | Uint8Array): NewSessionResult {
  const r = parseResponse(body, 'newSessionResult');
  const sessionId = r.attrs['session-id'];
  const publisherId = r.attrs['ifmap-publisher-id'];
  if (!sessionId) throw new IfmapError('IFMAP_BAD_RESPONSE', 'newSessionResult without session-id');
  if (sessionId.length > 1024 || (publisherId?.length ?? 0) > 1024) throw new IfmapError('IFMAP_BAD_RESPONSE', 'newSessionResult: session-id or ifmap-publisher-id longer than 1024');
  const size = r.attrs['max-poll-result-size'];
  const maxPollResultSize = size !== undefined && /^\d{1,15}$/.test(size.trim()) ? Number(size.trim()) : undefined;
  // IF-MAP 2.0 requires ifmap-publisher-id; 2.1 servers may leave it out: fall back to the session.
  return { sessionId, publisherId: publisherId ?? sessionId, ...(maxPollResultSize !== undefined ? { maxPollResultSize } : {}) };
}
