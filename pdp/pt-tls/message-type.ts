/**
 * PT-TLS Message Types (RFC 6876 section 3.5, IANA registry "PT-TLS Message Types"), IETF
 * namespace (Message Type Vendor ID 0), and the protocol constants.
 */

export const PtTlsMessageType = {
  /** "Reserved for experimental use"; never sent by us, answered with Type Not Supported. */
  Experimental: 0,
  VersionRequest: 1,
  VersionResponse: 2,
  SaslMechanisms: 3,
  SaslMechanismSelection: 4,
  SaslAuthenticationData: 5,
  SaslResult: 6,
  /** "PB-TNC Batch": the Assessment Message of the data transport phase. */
  PbTncBatch: 7,
  Error: 8,
} as const;
export type PtTlsMessageType = (typeof PtTlsMessageType)[keyof typeof PtTlsMessageType];

const NAMES: Readonly<Record<number, string>> = {
  0: 'Experimental',
  1: 'Version Request',
  2: 'Version Response',
  3: 'SASL Mechanisms',
  4: 'SASL Mechanism Selection',
  5: 'SASL Authentication Data',
  6: 'SASL Result',
  7: 'PB-TNC Batch',
  8: 'PT-TLS Error',
};

export function ptTlsMessageTypeName(vendorId: number, type: number): string {
  return vendorId === 0 ? (NAMES[type] ?? `IETF type ${type}`) : `vendor 0x${vendorId.toString(16).padStart(6, '0')} type ${type}`;
}

/** IETF Private Enterprise Number (the Vendor ID of every standard message type). */
export const IETF_PEN = 0;
/** RFC 6876 section 3.5: Message Type 0xffffffff is reserved. */
export const RESERVED_MESSAGE_TYPE = 0xffffffff;
/** RFC 6876 section 3.6: the only version defined. */
export const PT_TLS_VERSION = 1;
/** RFC 6876 section 6.1: the IANA-assigned TCP port (strongSwan's PT_TLS_PORT). */
export const PT_TLS_DEFAULT_PORT = 271;
/** The message header (RFC 6876 section 3.5). */
export const PT_TLS_HEADER_SIZE = 16;
