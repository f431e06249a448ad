/**
 * Notify Payload, RFC 7296 section 3.10.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Protocol ID  |   SPI Size    |      Notify Message Type      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                Security Parameter Index (SPI)                 ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                       Notification Data                       ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "If the SPI field is empty, this field MUST be sent as zero and MUST be ignored on receipt"
 * (Protocol ID): the codec keeps whatever was received; `notify()` builds the usual SPI-less one.
 */
import { PayloadType } from '../constants.js';
import { IkeDecodeError } from '../errors.js';
import { checkLength, checkRange, concat, Reader, u16 } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

export interface NotifyPayload {
  readonly type: typeof PayloadType.Notify;
  readonly critical?: boolean;
  /** ProtocolId; 0 when there is no SPI. */
  readonly protocolId: number;
  /** Empty, or the 4-octet ESP/AH SPI (REKEY_SA, INVALID_SPI ...). */
  readonly spi: Uint8Array;
  /** NotifyType. */
  readonly notifyType: number;
  readonly data: Uint8Array;
}

/** A Notify without SPI (protocol 0), the usual shape for IKE SA notifications. */
export function notify(notifyType: number, data: Uint8Array = new Uint8Array(0)): NotifyPayload {
  return { type: PayloadType.Notify, protocolId: 0, spi: new Uint8Array(0), notifyType, data };
}

export function decodeNotify(body: Uint8Array, offset: number): NotifyPayload {
  const r = new Reader(body, offset);
  const protocolId = r.u8('Protocol ID');
  const spiSizeAt = r.offset;
  const spiSize = r.u8('SPI Size');
  const notifyType = r.u16('Notify Message Type');
  if (spiSize > r.remaining) {
    throw new IkeDecodeError('BAD_SPI_SIZE', spiSizeAt, `SPI Size ${spiSize} but ${r.remaining} octets left`);
  }
  const spi = r.bytesOf(spiSize, 'SPI');
  return { type: PayloadType.Notify, protocolId, spi, notifyType, data: r.rest() };
}

export function encodeNotify(p: NotifyPayload): Uint8Array {
  checkRange(p.protocolId, 8, 'Protocol ID');
  checkLength(p.spi, 0, 255, 'SPI');
  checkRange(p.notifyType, 16, 'Notify Message Type');
  return concat([Buffer.from([p.protocolId, p.spi.length]), u16(p.notifyType), p.spi, p.data]);
}

export const notifyCodec: PayloadCodec<NotifyPayload> = {
  types: [PayloadType.Notify],
  decode: (body, offset) => decodeNotify(body, offset),
  encode: encodeNotify,
};
