/**
 * IETF Numeric Version (type 3), RFC 5792 section 4.2.3.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      Major Version Number                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      Minor Version Number                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                          Build Number                         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |      Service Pack Major       |      Service Pack Minor       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Always 16 octets.
 */
import { PaTncError } from '../errors.js';
import { defineAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

const LENGTH = 16;

export interface NumericVersion {
  readonly majorVersion: number;
  readonly minorVersion: number;
  readonly buildNumber: number;
  readonly servicePackMajor: number;
  readonly servicePackMinor: number;
}

export const numericVersion = defineAttribute({
  vendorId: Pen.IETF,
  type: 3,
  name: 'numeric-version',
  title: 'Numeric Version',
  encode(v: NumericVersion): Uint8Array {
    return new FieldWriter(LENGTH)
      .u32(v.majorVersion, 'Major Version Number')
      .u32(v.minorVersion, 'Minor Version Number')
      .u32(v.buildNumber, 'Build Number')
      .u16(v.servicePackMajor, 'Service Pack Major')
      .u16(v.servicePackMinor, 'Service Pack Minor')
      .finish();
  },
  decode(value: Uint8Array): NumericVersion {
    if (value.length !== LENGTH) throw new PaTncError('PA_TNC_VALUE_LENGTH', 0, `${value.length} octets, not 16`);
    const r = new FieldReader(value);
    return {
      majorVersion: r.u32('Major Version Number'),
      minorVersion: r.u32('Minor Version Number'),
      buildNumber: r.u32('Build Number'),
      servicePackMajor: r.u16('Service Pack Major'),
      servicePackMinor: r.u16('Service Pack Minor'),
    };
  },
});
