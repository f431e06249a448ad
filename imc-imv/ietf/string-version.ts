/**
 * IETF String Version (type 4), RFC 5792 section 4.2.4: three length-prefixed UTF-8 strings,
 * none NUL terminated (strongSwan rejects a NUL in any of them at its offset).
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Version Len  |   Product Version Number (Variable Length)    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Build Num Len |   Internal Build Number (Variable Length)     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Config. Len  | Configuration Version Number (Variable Length)|
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { defineAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

export interface StringVersion {
  readonly productVersion: string;
  readonly buildNumber: string;
  readonly configurationVersion: string;
}

const NO_NUL = { noNul: true } as const;

export const stringVersion = defineAttribute({
  vendorId: Pen.IETF,
  type: 4,
  name: 'string-version',
  title: 'String Version',
  encode(v: StringVersion): Uint8Array {
    return new FieldWriter(3 + v.productVersion.length + v.buildNumber.length + v.configurationVersion.length)
      .string8(v.productVersion, 'Product Version Number', NO_NUL)
      .string8(v.buildNumber, 'Internal Build Number', NO_NUL)
      .string8(v.configurationVersion, 'Configuration Version Number', NO_NUL)
      .finish();
  },
  decode(value: Uint8Array): StringVersion {
    const r = new FieldReader(value);
    const v: StringVersion = {
      productVersion: r.string8('Product Version Number', NO_NUL),
      buildNumber: r.string8('Internal Build Number', NO_NUL),
      configurationVersion: r.string8('Configuration Version Number', NO_NUL),
    };
    r.end('Configuration Version Number');
    return v;
  },
});
