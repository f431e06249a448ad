/**
 * Delete Payload, RFC 7296 section 3.11.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Protocol ID   |   SPI Size    |          Num of SPIs          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~               Security Parameter Index(es) (SPI)              ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "For an IKE SA, the SPI Size is zero ... the Num of SPIs field is zero" (deleting the IKE SA
 * the message is protected by); ESP and AH use 4-octet SPIs. The codec checks that
 * SPI Size x Num of SPIs fills the payload; the responder checks the sizes per protocol.
 */
import { PayloadType } from '../constants.js';
import { IkeDecodeError, IkeEncodeError } from '../errors.js';
import { IKE_LIMITS } from '../limits.js';
import { checkRange, concat, Reader, u16 } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

export interface DeletePayload {
  readonly type: typeof PayloadType.Delete;
  readonly critical?: boolean;
  /** ProtocolId (IKE, AH, ESP). */
  readonly protocolId: number;
  /** SPI Size in octets (0 for IKE, 4 for AH/ESP); kept because it is sent even with no SPIs. */
  readonly spiSize: number;
  readonly spis: readonly Uint8Array[];
}

export function decodeDelete(body: Uint8Array, offset: number): DeletePayload {
  const r = new Reader(body, offset);
  const protocolId = r.u8('Protocol ID');
  const spiSize = r.u8('SPI Size');
  const countAt = r.offset;
  const count = r.u16('Num of SPIs');
  if (count > IKE_LIMITS.maxDeleteSpis) {
    throw new IkeDecodeError('TOO_MANY_ITEMS', countAt, `${count} SPIs, at most ${IKE_LIMITS.maxDeleteSpis}`);
  }
  if (spiSize * count !== r.remaining) {
    throw new IkeDecodeError('BAD_SPI_SIZE', countAt - 1, `${count} SPIs of ${spiSize} octets in ${r.remaining} octets`);
  }
  const spis: Uint8Array[] = [];
  for (let i = 0; i < count; i++) spis.push(r.bytesOf(spiSize, 'SPI'));
  return { type: PayloadType.Delete, protocolId, spiSize, spis };
}

export function encodeDelete(p: DeletePayload): Uint8Array {
  checkRange(p.protocolId, 8, 'Protocol ID');
  checkRange(p.spiSize, 8, 'SPI Size');
  checkRange(p.spis.length, 16, 'Num of SPIs');
  for (const spi of p.spis) {
    if (spi.length !== p.spiSize) throw new IkeEncodeError('FIELD_RANGE', `SPI of ${spi.length} octets, SPI Size ${p.spiSize}`);
  }
  return concat([Buffer.from([p.protocolId, p.spiSize]), u16(p.spis.length), ...p.spis]);
}

export const deleteCodec: PayloadCodec<DeletePayload> = {
  types: [PayloadType.Delete],
  decode: (body, offset) => decodeDelete(body, offset),
  encode: encodeDelete,
};
