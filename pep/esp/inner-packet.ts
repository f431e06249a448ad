/**
 * The inner IP packet of a tunnel-mode SA (RFC 4303 2.3: "In tunnel mode, ... the inner IP header
 * ... Payload Data" ; Next Header 4 = IPv4, 41 = IPv6). Only the fields the data path needs for the
 * policy lookup: version, protocol and the two addresses.
 *
 * IPv4 (RFC 791 3.1)                         IPv6 (RFC 8200 3)
 *  0       4       8              16    31    0    4        12                     31
 * +-------+-------+---------------+-----+    +----+--------+-----------------------+
 * |Version|  IHL  |Type of Service| Total Length| |Ver | TC     |      Flow Label       |
 * +-------+-------+---------------+-----+    +----+--------+-------+---------+-----+
 * |   Identification  |Flags|Fragment Offset| |  Payload Length  | Next Hdr|Hop L|
 * | TTL   |Protocol |  Header Checksum   |    | Source Address (16 octets)       |
 * |      Source Address (4 octets)      |    | Destination Address (16 octets)  |
 * |    Destination Address (4 octets)   |    +----------------------------------+
 */
import { EspError } from './esp-error.js';
import { NEXT_HEADER_IPV4, NEXT_HEADER_IPV6 } from './esp-packet.js';

export interface InnerPacketInfo {
  readonly version: 4 | 6;
  /** IPv4 Protocol or IPv6 Next Header. */
  readonly protocol: number;
  /** 4 or 16 octets (views into the packet). */
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  /** The ESP Next Header value for this packet: 4 or 41. */
  readonly nextHeader: number;
}

export function parseInnerPacket(packet: Uint8Array): InnerPacketInfo {
  if (packet.length < 1) throw new EspError('BAD_INNER_PACKET', 'empty inner packet', 0);
  const version = (packet[0] as number) >> 4;
  if (version === 4) {
    if (packet.length < 20) throw new EspError('BAD_INNER_PACKET', `IPv4 packet of ${packet.length} octets`, 0);
    const ihl = ((packet[0] as number) & 0x0f) * 4;
    const total = ((packet[2] as number) << 8) | (packet[3] as number);
    if (ihl < 20 || total < ihl || total > packet.length) {
      throw new EspError('BAD_INNER_PACKET', `IPv4 header length ${ihl}, total length ${total}, ${packet.length} octets`, 2);
    }
    return {
      version: 4,
      protocol: packet[9] as number,
      src: packet.subarray(12, 16),
      dst: packet.subarray(16, 20),
      nextHeader: NEXT_HEADER_IPV4,
    };
  }
  if (version === 6) {
    if (packet.length < 40) throw new EspError('BAD_INNER_PACKET', `IPv6 packet of ${packet.length} octets`, 0);
    const payloadLength = ((packet[4] as number) << 8) | (packet[5] as number);
    if (40 + payloadLength > packet.length) {
      throw new EspError('BAD_INNER_PACKET', `IPv6 payload length ${payloadLength}, ${packet.length} octets`, 4);
    }
    return {
      version: 6,
      protocol: packet[6] as number,
      src: packet.subarray(8, 24),
      dst: packet.subarray(24, 40),
      nextHeader: NEXT_HEADER_IPV6,
    };
  }
  throw new EspError('BAD_INNER_PACKET', `IP version ${version}`, 0);
}

/** Check that Next Header and the inner packet agree, then parse it (inbound, after decryption). */
export function parseInnerPacketFor(nextHeader: number, packet: Uint8Array): InnerPacketInfo {
  if (nextHeader !== NEXT_HEADER_IPV4 && nextHeader !== NEXT_HEADER_IPV6) {
    throw new EspError('BAD_NEXT_HEADER', `Next Header ${nextHeader} is not an inner IP packet`, 0);
  }
  const info = parseInnerPacket(packet);
  if (info.nextHeader !== nextHeader) {
    throw new EspError('BAD_NEXT_HEADER', `Next Header ${nextHeader} but an IPv${info.version} packet`, 0);
  }
  return info;
}
