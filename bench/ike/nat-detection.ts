/**
 * NAT detection, RFC 7296 section 2.23:
 *
 *   NAT_DETECTION_SOURCE_IP / _DESTINATION_IP data = SHA-1(SPIs | IP address | Port)
 *
 * "the SPIs are in the order in which they appear in the header of the packet"; in the first
 * IKE_SA_INIT request the Responder's SPI is zero. "If none of the NAT_DETECTION_SOURCE_IP
 * payload(s) received matches the expected value of the source IP and port found from the IP
 * header of the packet containing the payload, it means that the system sending those payloads
 * is behind a NAT"; likewise for NAT_DETECTION_DESTINATION_IP and us.
 */
import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { findNotifies, NotifyType, type IkePayload } from '../../pep/ike/index.js';
import type { Endpoint } from './transport.js';

function addressOctets(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  // IPv6: expand '::' and write the eight groups.
  const [head, tail] = address.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), 2 * i));
  return out;
}

export function natDetectionHash(spiI: Uint8Array, spiR: Uint8Array, e: Endpoint): Buffer {
  const port = Buffer.alloc(2);
  port.writeUInt16BE(e.port);
  return createHash('sha1').update(spiI).update(spiR).update(addressOctets(e.address)).update(port).digest();
}

/**
 * True when the responder's NAT-D payloads show a NAT on either side. A responder that sends
 * none (NAT-T not supported) means no NAT handling: false.
 */
export function natDetected(payloads: readonly IkePayload[], spiI: Uint8Array, spiR: Uint8Array, local: Endpoint, remote: Endpoint): boolean {
  const src = findNotifies(payloads, NotifyType.NAT_DETECTION_SOURCE_IP);
  const dst = findNotifies(payloads, NotifyType.NAT_DETECTION_DESTINATION_IP);
  if (src.length === 0 || dst.length === 0) return false;
  const them = natDetectionHash(spiI, spiR, remote);
  const us = natDetectionHash(spiI, spiR, local);
  const remoteBehindNat = !src.some((n) => them.equals(Buffer.from(n.data)));
  const localBehindNat = !dst.some((n) => us.equals(Buffer.from(n.data)));
  return remoteBehindNat || localBehindNat;
}
