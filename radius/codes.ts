/**
 * RADIUS packet type codes: RFC 2865 section 3 (Access-*), RFC 2866 section 3 (Accounting-*),
 * RFC 5997 (Status-Server), RFC 5176 section 2.3 (Disconnect-* and CoA-*).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Code      |  Identifier   |            Length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "Packets received with an invalid Code field MUST be silently discarded" (RFC 2865 section 3):
 * the decoder keeps any code so that the server can apply that rule with `isKnownPacketCode`.
 */

export const PacketCode = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  StatusClient: 13,
  DisconnectRequest: 40,
  DisconnectACK: 41,
  DisconnectNAK: 42,
  CoARequest: 43,
  CoAACK: 44,
  CoANAK: 45,
} as const;

export type PacketCode = (typeof PacketCode)[keyof typeof PacketCode];

const names: ReadonlyMap<number, string> = new Map<number, string>([
  [PacketCode.AccessRequest, 'Access-Request'],
  [PacketCode.AccessAccept, 'Access-Accept'],
  [PacketCode.AccessReject, 'Access-Reject'],
  [PacketCode.AccountingRequest, 'Accounting-Request'],
  [PacketCode.AccountingResponse, 'Accounting-Response'],
  [PacketCode.AccessChallenge, 'Access-Challenge'],
  [PacketCode.StatusServer, 'Status-Server'],
  [PacketCode.StatusClient, 'Status-Client'],
  [PacketCode.DisconnectRequest, 'Disconnect-Request'],
  [PacketCode.DisconnectACK, 'Disconnect-ACK'],
  [PacketCode.DisconnectNAK, 'Disconnect-NAK'],
  [PacketCode.CoARequest, 'CoA-Request'],
  [PacketCode.CoAACK, 'CoA-ACK'],
  [PacketCode.CoANAK, 'CoA-NAK'],
]);

/** The RFC name of a code ("Access-Request"), or undefined for a code this table does not know. */
export function packetCodeName(code: number): string | undefined {
  return names.get(code);
}

export function isKnownPacketCode(code: number): code is PacketCode {
  return names.has(code);
}

/**
 * Requests whose Request Authenticator is an MD5 over the packet (RFC 2866 section 3,
 * RFC 5176 section 2.3) instead of 16 random octets (RFC 2865 section 3).
 */
export function hasComputedRequestAuthenticator(code: number): boolean {
  return (
    code === PacketCode.AccountingRequest ||
    code === PacketCode.DisconnectRequest ||
    code === PacketCode.CoARequest
  );
}

/** Requests whose authenticator is 16 random octets: Access-Request and Status-Server (RFC 5997). */
export function hasRandomRequestAuthenticator(code: number): boolean {
  return code === PacketCode.AccessRequest || code === PacketCode.StatusServer;
}
