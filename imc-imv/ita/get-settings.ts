/**
 * ITA Get Settings (strongSwan PEN 0x00902a, type 3): the names of the settings an IMV asks an
 * IMC for; the IMC answers with ITA Settings (settings.ts). strongSwan's
 * src/libimcv/ita/ita_attr_get_settings.c is its definition.
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
 *                            ... Count times
 *
 * The 32-bit count is checked against the octets present (each name takes at least 2) before
 * the walk. strongSwan ignores octets after the last name; they are an error here, so that
 * re-encoding is exact.
 */
import { PaTncEncodeError, PaTncError } from '../errors.js';
import { defineAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

const MIN_ENTRY_LENGTH = 2;

export const getSettings = defineAttribute({
  vendorId: Pen.ITA,
  type: 3,
  name: 'ita-get-settings',
  title: 'Get Settings',
  encode(v: readonly string[]): Uint8Array {
    if (v.length > 0xffffffff) throw new PaTncEncodeError('PA_TNC_VALUE_TOO_LONG', 'too many settings');
    const w = new FieldWriter(4 + v.length * 16).u32(v.length, 'Settings Count');
    for (const name of v) w.string16(name, 'Name');
    return w.finish();
  },
  decode(value: Uint8Array): readonly string[] {
    const r = new FieldReader(value);
    const count = r.u32('Settings Count');
    if (count > r.remaining / MIN_ENTRY_LENGTH) {
      throw new PaTncError('PA_TNC_LIMIT_EXCEEDED', 0, `Settings Count ${count} cannot fit in ${r.remaining} octets`);
    }
    const names: string[] = [];
    for (let i = 0; i < count; i++) names.push(r.string16('Name'));
    r.end('last setting name');
    return names;
  },
});
