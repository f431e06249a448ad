/**
 * Error-Cause attribute values, RFC 5176 section 3.5 (IANA "Error-Cause Attribute Values").
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Type      |    Length     |             Value
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *              Value (cont)         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Type 101, Length 6, Value a 32-bit integer. 2xx: success (not an error), 4xx: the request was
 * wrong and resending it will not help, 5xx: the NAS could not do it (it may later).
 */
export const ErrorCause = {
  ResidualSessionContextRemoved: 201,
  InvalidEapPacket: 202,
  UnsupportedAttribute: 401,
  MissingAttribute: 402,
  NasIdentificationMismatch: 403,
  InvalidRequest: 404,
  UnsupportedService: 405,
  UnsupportedExtension: 406,
  InvalidAttributeValue: 407,
  AdministrativelyProhibited: 501,
  RequestNotRoutable: 502,
  SessionContextNotFound: 503,
  SessionContextNotRemovable: 504,
  OtherProxyProcessingError: 505,
  ResourcesUnavailable: 506,
  RequestInitiated: 507,
  MultipleSessionSelectionUnsupported: 508,
} as const;

const NAMES: ReadonlyMap<number, string> = new Map([
  [201, 'Residual Session Context Removed'],
  [202, 'Invalid EAP Packet (Ignored)'],
  [401, 'Unsupported Attribute'],
  [402, 'Missing Attribute'],
  [403, 'NAS Identification Mismatch'],
  [404, 'Invalid Request'],
  [405, 'Unsupported Service'],
  [406, 'Unsupported Extension'],
  [407, 'Invalid Attribute Value'],
  [501, 'Administratively Prohibited'],
  [502, 'Request Not Routable (Proxy)'],
  [503, 'Session Context Not Found'],
  [504, 'Session Context Not Removable'],
  [505, 'Other Proxy Processing Error'],
  [506, 'Resources Unavailable'],
  [507, 'Request Initiated'],
  [508, 'Multiple Session Selection Unsupported'],
]);

/** The RFC 5176 name of an Error-Cause value, or `Error-Cause N` for one the RFC does not list. */
export function errorCauseName(value: number): string {
  return NAMES.get(value) ?? `Error-Cause ${value}`;
}
