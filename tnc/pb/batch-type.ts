/**
 * PB-TNC batch types (the B-Type field, RFC 5793 section 4.1) and the role that sends each.
 *
 *   1 CDATA   client -> server   may be empty
 *   2 SDATA   server -> client   may be empty
 *   3 RESULT  server -> client   carries PB-Assessment-Result (+ PB-Access-Recommendation)
 *   4 CRETRY  client -> server   client asks to restart the assessment
 *   5 SRETRY  server -> client   server asks to restart the assessment
 *   6 CLOSE   either             the sender is about to close the PT connection
 */

/** The Version field: "This field MUST be set to 2 when the batch conforms to this specification." */
export const PB_TNC_VERSION = 2;

export const PbBatchType = {
  CDATA: 1,
  SDATA: 2,
  RESULT: 3,
  CRETRY: 4,
  SRETRY: 5,
  CLOSE: 6,
} as const;
export type PbBatchType = (typeof PbBatchType)[keyof typeof PbBatchType];

export const ALL_BATCH_TYPES: readonly PbBatchType[] = [1, 2, 3, 4, 5, 6];

const NAMES: Readonly<Record<number, string>> = {
  1: 'CDATA',
  2: 'SDATA',
  3: 'RESULT',
  4: 'CRETRY',
  5: 'SRETRY',
  6: 'CLOSE',
};

export function batchTypeName(type: number): string {
  return NAMES[type] ?? `B-Type ${type}`;
}

export function isBatchType(value: number): value is PbBatchType {
  return Number.isInteger(value) && value >= 1 && value <= 6;
}

/** The PB-TNC roles: the Posture Broker Client (TNCC) and the Posture Broker Server (TNCS). */
export type PbTncRole = 'client' | 'server';

/** Who may send a batch type (RFC 5793 s4.1: "A Posture Broker Server MUST NOT send" CDATA ...). */
export function senderOf(type: PbBatchType): PbTncRole | 'either' {
  switch (type) {
    case PbBatchType.CDATA:
    case PbBatchType.CRETRY:
      return 'client';
    case PbBatchType.SDATA:
    case PbBatchType.RESULT:
    case PbBatchType.SRETRY:
      return 'server';
    case PbBatchType.CLOSE:
      return 'either';
  }
}
