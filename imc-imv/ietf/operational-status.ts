/**
 * IETF Operational Status (type 5), RFC 5792 section 4.2.5.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Status     |     Result    |           Reserved            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   Last Use (20 octets) ...                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Last Use is an RFC 3339 UTC date and time of exactly 20 characters, "YYYY-MM-DDTHH:MM:SSZ"
 * ("0000-00-00T00:00:00Z" when unknown). Always 24 octets. strongSwan rejects a Status or
 * Result above 3 (offsets 0 and 1) and a Last Use it cannot scan (offset 4); so does this codec.
 */
import { PaTncEncodeError, PaTncError } from '../errors.js';
import { defineAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

const LENGTH = 24;
const LAST_USE_LENGTH = 20;
const LAST_USE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export const OperationalStatusCode = {
  Unknown: 0,
  NotInstalled: 1,
  InstalledNotOperational: 2,
  Operational: 3,
} as const;

export const OperationalResult = {
  Unknown: 0,
  SuccessfulUse: 1,
  SuccessfulUseWithErrors: 2,
  UnsuccessfulUse: 3,
} as const;

export interface OperationalStatus {
  readonly status: number;
  readonly result: number;
  /** The 16-bit Reserved field; 0 when omitted, as received when decoded. */
  readonly reserved?: number;
  /** "YYYY-MM-DDTHH:MM:SSZ". */
  readonly lastUse: string;
}

export const operationalStatus = defineAttribute({
  vendorId: Pen.IETF,
  type: 5,
  name: 'operational-status',
  title: 'Operational Status',
  encode(v: OperationalStatus): Uint8Array {
    if (!LAST_USE.test(v.lastUse)) {
      throw new PaTncEncodeError('PA_TNC_FIELD_RANGE', `Last Use '${v.lastUse}' is not YYYY-MM-DDTHH:MM:SSZ`);
    }
    return new FieldWriter(LENGTH)
      .u8(v.status, 'Status')
      .u8(v.result, 'Result')
      .u16(v.reserved ?? 0, 'Reserved')
      .utf8(v.lastUse, 'Last Use')
      .finish();
  },
  decode(value: Uint8Array): OperationalStatus {
    if (value.length !== LENGTH) throw new PaTncError('PA_TNC_VALUE_LENGTH', 0, `${value.length} octets, not 24`);
    const r = new FieldReader(value);
    const status = r.u8('Status');
    if (status > OperationalStatusCode.Operational) throw new PaTncError('PA_TNC_FIELD_INVALID', 0, `Status ${status}`);
    const result = r.u8('Result');
    if (result > OperationalResult.UnsuccessfulUse) throw new PaTncError('PA_TNC_FIELD_INVALID', 1, `Result ${result}`);
    const reserved = r.u16('Reserved');
    const lastUse = r.utf8(LAST_USE_LENGTH, 'Last Use');
    if (!LAST_USE.test(lastUse)) throw new PaTncError('PA_TNC_FIELD_INVALID', 4, 'Last Use is not YYYY-MM-DDTHH:MM:SSZ');
    return { status, result, reserved, lastUse };
  },
});
