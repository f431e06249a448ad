/**
 * ITA Command (strongSwan PEN 0x00902a, type 1): the Test IMC's and Test IMV's instruction, the
 * whole value being one string. Not an IETF attribute: strongSwan's
 * src/libimcv/ita/ita_attr_command.c is its definition. The Test IMC sends its configured
 * command (`libimcv.plugins.imc-test.command = allow | isolate | block | none`), the Test IMV
 * answers "repeat" to ask for another round (as in the captures).
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Command (Variable Length)                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { defineAttribute } from '../pa-tnc/attribute.js';
import { decodeUtf8, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

export const command = defineAttribute({
  vendorId: Pen.ITA,
  type: 1,
  name: 'ita-command',
  title: 'Command',
  encode: (v: string): Uint8Array => new FieldWriter(v.length).utf8(v, 'Command').finish(),
  decode: (value: Uint8Array): string => decodeUtf8(value, 0, 'Command'),
});
