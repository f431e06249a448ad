/**
 * ITA Start Angel (type 5) and Stop Angel (type 6), strongSwan PEN 0x00902a: markers with an
 * empty value that bracket a sequence of messages an IMC/IMV pair exchanges in one go
 * (src/libimcv/ita/ita_attr_angel.c). strongSwan ignores any value octets; a non-empty value is
 * refused here (there is nothing to keep it in, so re-encoding would change it).
 *
 *   (no Attribute Value)
 */
import { PaTncError } from '../errors.js';
import { defineAttribute, type AttributeCodec } from '../pa-tnc/attribute.js';
import { Pen } from '../pa-tnc/vendors.js';

/** The value of an attribute that carries none. */
export type EmptyValue = Readonly<Record<string, never>>;
const EMPTY: EmptyValue = Object.freeze({});

function angel<const N extends string>(type: number, name: N, title: string): AttributeCodec<N, EmptyValue> {
  return defineAttribute({
    vendorId: Pen.ITA,
    type,
    name,
    title,
    encode: (): Uint8Array => new Uint8Array(0),
    decode(value: Uint8Array): EmptyValue {
      if (value.length !== 0) throw new PaTncError('PA_TNC_VALUE_LENGTH', 0, `${title} carries ${value.length} octets, none expected`);
      return EMPTY;
    },
  });
}

export const startAngel = angel(5, 'ita-start-angel', 'Start Angel');
export const stopAngel = angel(6, 'ita-stop-angel', 'Stop Angel');
