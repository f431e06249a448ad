/**
 * UDP encapsulation of ESP, RFC 3948. On UDP port 4500 three kinds of datagrams share one socket:
 *
 * 2.1 UDP-Encapsulated ESP Header Format:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Source Port            |      Destination Port         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Length              |           Checksum            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      ESP header [RFC4303]                     |
 *  ~                                                               ~
 *
 * 2.2 IKE Header Format for Port 4500: the IKE message follows a Non-ESP Marker of four zero octets.
 *  |                      Non-ESP Marker (0)                       |
 *  |                      IKE header [RFC4306]                     |
 *
 * 2.3 NAT-Keepalive Packet Format: one octet 0xFF. "Ignored by the receiver."
 *
 * Node's dgram socket strips the UDP header, so these functions see the UDP payload only.
 */
import { ESP_HEADER_LENGTH } from './esp-packet.js';

export const NON_ESP_MARKER_LENGTH = 4;
export const NAT_KEEPALIVE = Buffer.from([0xff]);
export const NAT_T_PORT = 4500;

export type UdpEncapKind =
  /** An IKE message; `payload` is the message after the Non-ESP Marker. */
  | { readonly kind: 'ike'; readonly payload: Uint8Array }
  /** An ESP packet (SPI, Sequence Number, ...), `payload` is the whole UDP payload. */
  | { readonly kind: 'esp'; readonly payload: Uint8Array }
  | { readonly kind: 'keepalive' }
  /** Too short to be anything: silently dropped. */
  | { readonly kind: 'invalid'; readonly reason: string };

/** Classify one UDP payload received on port 4500. Never throws. */
export function classifyUdpEncap(datagram: Uint8Array): UdpEncapKind {
  // RFC 3948 2.3: "the sender MUST use a one-octet-long payload with the value 0xFF"; "the
  // receiver SHOULD ignore a received NAT-keepalive packet".
  if (datagram.length === 1 && datagram[0] === 0xff) return { kind: 'keepalive' };
  if (datagram.length < NON_ESP_MARKER_LENGTH) {
    return { kind: 'invalid', reason: `${datagram.length}-octet datagram` };
  }
  const marker = (datagram[0] as number) | (datagram[1] as number) | (datagram[2] as number) | (datagram[3] as number);
  // RFC 3948 2.2: the Non-ESP Marker is four zero octets, "the SPI field in the ESP header MUST
  // NOT be zero", so a zero first word tells an IKE message from ESP.
  if (marker === 0) return { kind: 'ike', payload: datagram.subarray(NON_ESP_MARKER_LENGTH) };
  if (datagram.length < ESP_HEADER_LENGTH) {
    return { kind: 'invalid', reason: `${datagram.length}-octet ESP packet is shorter than its header` };
  }
  return { kind: 'esp', payload: datagram };
}

/** Non-ESP Marker || IKE message, for sending IKE on port 4500. */
export function encodeNonEspMarker(ikeMessage: Uint8Array): Buffer {
  const out = Buffer.alloc(NON_ESP_MARKER_LENGTH + ikeMessage.length);
  out.set(ikeMessage, NON_ESP_MARKER_LENGTH);
  return out;
}
