/**
 * IETF Installed Packages (type 7), RFC 5792 section 4.2.7.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Reserved             |         Package Count         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Pkg Name Len  |        Package Name (Variable Length)         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Version Len  |    Package Version Number (Variable Length)   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Package Count must equal the number of name/version pairs (strongSwan rejects a mismatch);
 * names and versions are UTF-8 without NUL. The count is bounded by its 16 bits and the walk by
 * the octets present (each entry takes at least 2). strongSwan's OS IMC sends all dpkg packages
 * here: 761 of them, about 19 KB, in the captures.
 */
import { PaTncEncodeError, PaTncError } from '../errors.js';
import { defineAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
}

export interface InstalledPackages {
  /** The 16-bit Reserved field; 0 when omitted, as received when decoded. */
  readonly reserved?: number;
  readonly packages: readonly InstalledPackage[];
}

const NO_NUL = { noNul: true } as const;
const MAX_COUNT = 0xffff;

export const installedPackages = defineAttribute({
  vendorId: Pen.IETF,
  type: 7,
  name: 'installed-packages',
  title: 'Installed Packages',
  encode(v: InstalledPackages): Uint8Array {
    if (v.packages.length > MAX_COUNT) {
      throw new PaTncEncodeError('PA_TNC_VALUE_TOO_LONG', `${v.packages.length} packages, Package Count holds ${MAX_COUNT}`);
    }
    const w = new FieldWriter(4 + v.packages.length * 24);
    w.u16(v.reserved ?? 0, 'Reserved').u16(v.packages.length, 'Package Count');
    for (const p of v.packages) w.string8(p.name, 'Package Name', NO_NUL).string8(p.version, 'Package Version Number', NO_NUL);
    return w.finish();
  },
  decode(value: Uint8Array): InstalledPackages {
    const r = new FieldReader(value);
    const reserved = r.u16('Reserved');
    const count = r.u16('Package Count');
    const packages: InstalledPackage[] = [];
    while (r.remaining > 0) {
      if (packages.length === count) {
        throw new PaTncError('PA_TNC_COUNT_MISMATCH', r.offset, `more than the ${count} packages the Package Count announces`);
      }
      packages.push({ name: r.string8('Package Name', NO_NUL), version: r.string8('Package Version Number', NO_NUL) });
    }
    if (packages.length !== count) {
      throw new PaTncError('PA_TNC_COUNT_MISMATCH', 2, `Package Count ${count} but ${packages.length} packages`);
    }
    return { reserved, packages };
  },
});
