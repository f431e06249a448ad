/**
 * Traffic Selector Payloads (TSi and TSr), RFC 7296 section 3.13, and the Traffic Selector
 * substructure, section 3.13.1.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Number of TSs |                 RESERVED                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                       <Traffic Selectors>                     ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Traffic Selector:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   TS Type     |IP Protocol ID*|       Selector Length         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           Start Port*         |           End Port*           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                         Starting Address*                     ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                         Ending Address*                       ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * TS_IPV4_ADDR_RANGE selectors are 16 octets, TS_IPV6_ADDR_RANGE 40. A selector of another type
 * (e.g. RFC 9478 security labels) is kept with its octets for the responder to refuse. Start Port
 * 65535 with End Port 0 means OPAQUE ports (s3.13.1), so a start above the end is not an error.
 */
import { PayloadType, TsType } from '../constants.js';
import { IkeDecodeError, IkeEncodeError } from '../errors.js';
import { IKE_LIMITS } from '../limits.js';
import { checkRange, concat, Reader, u16 } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

export interface AddressRangeSelector {
  readonly tsType: typeof TsType.TS_IPV4_ADDR_RANGE | typeof TsType.TS_IPV6_ADDR_RANGE;
  /** IP protocol number; 0 for any. */
  readonly ipProtocol: number;
  readonly startPort: number;
  readonly endPort: number;
  /** 4 octets (IPv4) or 16 (IPv6). */
  readonly startAddress: Uint8Array;
  readonly endAddress: Uint8Array;
}

/** A selector of a type this codec does not interpret, kept as received. */
export interface OtherSelector {
  readonly tsType: number;
  readonly other: true;
  /** The octet after TS Type (IP Protocol ID in the address-range types). */
  readonly secondOctet: number;
  /** Everything after the 4-octet head (TS Type, second octet, Selector Length). */
  readonly data: Uint8Array;
}

export type TrafficSelector = AddressRangeSelector | OtherSelector;

export interface TrafficSelectorPayload {
  readonly type: typeof PayloadType.TSi | typeof PayloadType.TSr;
  readonly critical?: boolean;
  readonly selectors: readonly TrafficSelector[];
}

export function isAddressRange(ts: TrafficSelector): ts is AddressRangeSelector {
  return !('other' in ts);
}

function addressLength(tsType: number): number | undefined {
  return tsType === TsType.TS_IPV4_ADDR_RANGE ? 4 : tsType === TsType.TS_IPV6_ADDR_RANGE ? 16 : undefined;
}

function decodeSelector(r: Reader): TrafficSelector {
  const at = r.offset;
  const tsType = r.u8('TS Type');
  const second = r.u8('IP Protocol ID');
  const length = r.u16('Selector Length');
  if (length < 4 || length - 4 > r.remaining) {
    throw new IkeDecodeError('BAD_LENGTH', at + 2, `Selector Length ${length} outside 4..${r.remaining + 4}`);
  }
  const addrLen = addressLength(tsType);
  if (addrLen === undefined) return { tsType, other: true, secondOctet: second, data: r.bytesOf(length - 4, 'Selector') };
  if (length !== 8 + 2 * addrLen) {
    throw new IkeDecodeError('BAD_TRAFFIC_SELECTOR', at + 2, `Selector Length ${length} for TS Type ${tsType}, expected ${8 + 2 * addrLen}`);
  }
  const startPort = r.u16('Start Port');
  const endPort = r.u16('End Port');
  const startAddress = r.bytesOf(addrLen, 'Starting Address');
  const endAddress = r.bytesOf(addrLen, 'Ending Address');
  return { tsType: tsType as AddressRangeSelector['tsType'], ipProtocol: second, startPort, endPort, startAddress, endAddress };
}

export function decodeTrafficSelector(body: Uint8Array, offset: number, type: number): TrafficSelectorPayload {
  const r = new Reader(body, offset);
  const countAt = r.offset;
  const count = r.u8('Number of TSs');
  if (count > IKE_LIMITS.maxTrafficSelectors) {
    throw new IkeDecodeError('TOO_MANY_ITEMS', countAt, `${count} traffic selectors, at most ${IKE_LIMITS.maxTrafficSelectors}`);
  }
  r.skip(3, 'RESERVED');
  const selectors: TrafficSelector[] = [];
  for (let i = 0; i < count; i++) selectors.push(decodeSelector(r));
  if (r.remaining !== 0) {
    throw new IkeDecodeError('BAD_LENGTH', r.offset, `${r.remaining} octets after ${count} traffic selectors`);
  }
  return { type: type === PayloadType.TSr ? PayloadType.TSr : PayloadType.TSi, selectors };
}

function encodeSelector(ts: TrafficSelector): Buffer {
  checkRange(ts.tsType, 8, 'TS Type');
  if (!isAddressRange(ts)) {
    checkRange(ts.secondOctet, 8, 'IP Protocol ID');
    checkRange(4 + ts.data.length, 16, 'Selector Length');
    return concat([Buffer.from([ts.tsType, ts.secondOctet]), u16(4 + ts.data.length), ts.data]);
  }
  const addrLen = addressLength(ts.tsType);
  if (addrLen === undefined || ts.startAddress.length !== addrLen || ts.endAddress.length !== addrLen) {
    throw new IkeEncodeError('FIELD_RANGE', `TS Type ${ts.tsType} with addresses of ${ts.startAddress.length}/${ts.endAddress.length} octets`);
  }
  checkRange(ts.ipProtocol, 8, 'IP Protocol ID');
  checkRange(ts.startPort, 16, 'Start Port');
  checkRange(ts.endPort, 16, 'End Port');
  return concat([
    Buffer.from([ts.tsType, ts.ipProtocol]),
    u16(8 + 2 * addrLen),
    u16(ts.startPort),
    u16(ts.endPort),
    ts.startAddress,
    ts.endAddress,
  ]);
}

export function encodeTrafficSelector(p: TrafficSelectorPayload): Uint8Array {
  checkRange(p.selectors.length, 8, 'Number of TSs');
  return concat([Buffer.from([p.selectors.length, 0, 0, 0]), ...p.selectors.map(encodeSelector)]);
}

export const trafficSelectorCodec: PayloadCodec<TrafficSelectorPayload> = {
  types: [PayloadType.TSi, PayloadType.TSr],
  decode: decodeTrafficSelector,
  encode: encodeTrafficSelector,
};
