/**
 * INFORMATIONAL exchanges as the responder, RFC 7296 sections 1.4 and 3.11.
 *
 *   HDR, SK {}                      -->  <--  HDR, SK {}                 liveness check (DPD)
 *   HDR, SK {D(IKE)}                -->  <--  HDR, SK {}                 the IKE_SA and its CHILD_SAs go
 *   HDR, SK {D(ESP, SPI...)}        -->  <--  HDR, SK {D(ESP, our SPIs)}
 *
 * 1.4.1: "the responder MUST delete ... and send a Delete payload for the paired SAs"; SPIs it
 * does not know are ignored ("it MUST NOT send ... INVALID_SPI"-style errors are not required).
 */
import { PayloadType, ProtocolId } from '../ike/constants.js';
import type { IkePayload } from './payload-types.js';
import { findAll } from './payload-types.js';
import type { IkeSa } from './ike-sa.js';
import type { IkeResponder } from './responder.js';

export function buildDeleteIke(): IkePayload[] {
  return [{ type: PayloadType.Delete, protocolId: ProtocolId.IKE, spiSize: 0, spis: [] }];
}

export async function handleInformational(r: IkeResponder, sa: IkeSa, payloads: IkePayload[]): Promise<IkePayload[]> {
  const deletes = findAll(payloads, PayloadType.Delete);
  if (deletes.some((d) => d.protocolId === ProtocolId.IKE)) {
    r.log.info({ event: 'ike.delete-received', sa: sa.label }, `received DELETE for IKE_SA ${sa.label}`);
    sa.state = 'DELETING';
    return [];
  }
  const ours: Uint8Array[] = [];
  for (const d of deletes) {
    if (d.protocolId !== ProtocolId.ESP) continue;
    for (const spi of d.spis) {
      if (spi.length !== 4) continue;
      const value = Buffer.from(spi).readUInt32BE(0);
      const child = sa.children.find((c) => c.spiOut === value && c.state !== 'DELETED');
      if (!child) continue;
      r.log.info({ event: 'child.delete-received', sa: sa.label, child: child.uniqueId }, `received DELETE for ESP CHILD_SA with SPI ${value.toString(16).padStart(8, '0')}`);
      if (child.state === 'INSTALLED') await r.o.installer?.uninstall(sa, child).catch(() => undefined);
      child.state = 'DELETED';
      const b = Buffer.alloc(4);
      b.writeUInt32BE(child.spiIn, 0);
      ours.push(b);
      sa.children.splice(sa.children.indexOf(child), 1);
    }
  }
  if (ours.length) return [{ type: PayloadType.Delete, protocolId: ProtocolId.ESP, spiSize: 4, spis: ours }];
  return [];
}
