/**
 * NAT detection, RFC 7296 section 2.23:
 *
 *   NAT_DETECTION_SOURCE_IP / _DESTINATION_IP data = SHA-1(SPIi | SPIr | IP address | Port)
 *
 * "In the IKE_SA_INIT request the SPIr is zero." When the received NAT_DETECTION_SOURCE_IP
 * hashes do not match the packet's source, the peer is behind a NAT; when the
 * NAT_DETECTION_DESTINATION_IP hash does not match our address, we are. Either way IKE moves to
 * port 4500 and ESP is UDP-encapsulated (RFC 3948). strongSwan's `encap = yes` fakes a
 * non-matching source hash to force that.
 */
import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { Endpoint } from '../daemon/udp-transport.js';

function addressBytes(a: string): Buffer {
  if (isIPv4(a)) return Buffer.from(a.split('.').map(Number));
  const [h, t] = a.includes('::') ? (a.split('::') as [string, string]) : [a, ''];
  const hs = h ? h.split(':') : [];
  const ts = t ? t.split(':') : [];
  const groups = a.includes('::') ? [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts] : hs;
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

export function natHash(spiI: Uint8Array, spiR: Uint8Array, ep: Endpoint): Buffer {
  const port = Buffer.alloc(2);
  port.writeUInt16BE(ep.port, 0);
  return createHash('sha1').update(spiI).update(spiR).update(addressBytes(ep.address)).update(port).digest();
}

/** Does any of the received hashes match `ep`? */
export function natMatches(hashes: readonly Uint8Array[], spiI: Uint8Array, spiR: Uint8Array, ep: Endpoint): boolean {
  const want = natHash(spiI, spiR, ep);
  return hashes.some((h) => Buffer.compare(Buffer.from(h), want) === 0);
}
