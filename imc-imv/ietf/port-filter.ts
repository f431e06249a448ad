/**
 * IETF Port Filter (type 6), RFC 5792 section 4.2.6: one 4-octet entry per filtered port.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Reserved  |B|    Protocol   |         Port Number           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Reserved  |B|    Protocol   |         Port Number           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * B set: the port is blocked; clear: allowed. Protocol is an IANA protocol number (6 TCP,
 * 17 UDP). strongSwan's Scanner IMC lists its open ports with B clear (udp/500, udp/4500).
 */
import { PaTncEncodeError, PaTncError } from '../errors.js';
import { defineAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

const ENTRY_LENGTH = 4;
const BLOCKED = 0x01;

export interface PortFilterEntry {
  readonly blocked: boolean;
  readonly protocol: number;
  readonly port: number;
  /** The 7 Reserved bits (0..127); 0 when omitted, as received when decoded. */
  readonly reserved?: number;
}

export const portFilter = defineAttribute({
  vendorId: Pen.IETF,
  type: 6,
  name: 'port-filter',
  title: 'Port Filter',
  encode(v: readonly PortFilterEntry[]): Uint8Array {
    const w = new FieldWriter(v.length * ENTRY_LENGTH);
    for (const e of v) {
      const reserved = e.reserved ?? 0;
      if (!Number.isInteger(reserved) || reserved < 0 || reserved > 0x7f) {
        throw new PaTncEncodeError('PA_TNC_FIELD_RANGE', `Reserved bits ${reserved} are not in 0..127`);
      }
      w.u8((reserved << 1) | (e.blocked ? BLOCKED : 0), 'Reserved|B').u8(e.protocol, 'Protocol').u16(e.port, 'Port Number');
    }
    return w.finish();
  },
  decode(value: Uint8Array): readonly PortFilterEntry[] {
    if (value.length % ENTRY_LENGTH !== 0) {
      throw new PaTncError('PA_TNC_VALUE_LENGTH', 0, `${value.length} octets is not a multiple of 4`);
    }
    const r = new FieldReader(value);
    const entries: PortFilterEntry[] = [];
    while (r.remaining > 0) {
      const first = r.u8('Reserved|B');
      entries.push({ blocked: (first & BLOCKED) !== 0, protocol: r.u8('Protocol'), port: r.u16('Port Number'), reserved: first >>> 1 });
    }
    return entries;
  },
});
