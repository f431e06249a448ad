/**
 * ITA Settings (strongSwan PEN 0x00902a, type 4): name/value pairs an IMC reports, usually in
 * answer to ITA Get Settings (get-settings.ts). strongSwan's
 * src/libimcv/ita/ita_attr_settings.c is its definition.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                         Settings Count                        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        Name Length            |  Name (Variable Length)       ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                      Name (Variable Length)                   ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        Value Length           |  Value (Variable Length)      ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                      Value (Variable Length)                  ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *                            ... Count times
 *
 * strongSwan strips one trailing newline from each value when it reads them (values often come
 * from files under /proc); this codec keeps the value exactly, so re-encoding is exact, and
 * leaves trimming to the caller. Octets after the last pair are an error (strongSwan ignores
 * them). The 32-bit count is checked against the octets present before the walk.
 */
import { PaTncEncodeError, PaTncError } from '../errors.js';
import { defineAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

const MIN_ENTRY_LENGTH = 4;

export interface Setting {
  readonly name: string;
  readonly value: string;
}

export const settings = defineAttribute({
  vendorId: Pen.ITA,
  type: 4,
  name: 'ita-settings',
  title: 'Settings',
  encode(v: readonly Setting[]): Uint8Array {
    if (v.length > 0xffffffff) throw new PaTncEncodeError('PA_TNC_VALUE_TOO_LONG', 'too many settings');
    const w = new FieldWriter(4 + v.length * 32).u32(v.length, 'Settings Count');
    for (const s of v) w.string16(s.name, 'Name').string16(s.value, 'Value');
    return w.finish();
  },
  decode(value: Uint8Array): readonly Setting[] {
    const r = new FieldReader(value);
    const count = r.u32('Settings Count');
    if (count > r.remaining / MIN_ENTRY_LENGTH) {
      throw new PaTncError('PA_TNC_LIMIT_EXCEEDED', 0, `Settings Count ${count} cannot fit in ${r.remaining} octets`);
    }
    const entries: Setting[] = [];
    for (let i = 0; i < count; i++) entries.push({ name: r.string16('Name'), value: r.string16('Value') });
    r.end('last setting');
    return entries;
  },
});
