/** An IKE_SA as `tnc-pep status` shows it (sa-status.ts formats it like `swanctl --list-sas`). */
import { dhGroupName, encrIdName, integIdName, prfIdName } from '../ike/constants.js';
import type { IkeSa } from '../responder/ike-sa.js';
import { childAlgorithms } from '../responder/child-sa.js';
import { tsToText } from '../responder/ts-narrowing.js';
import type { ChildInstaller } from '../responder/responder.js';
import type { IkeSaStatus } from './sa-status.js';

const spi = (n: number): string => n.toString(16).padStart(8, '0');

export async function saStatus(sa: IkeSa, installer: ChildInstaller | undefined): Promise<IkeSaStatus> {
  const p = sa.proposal;
  const algorithms = p
    ? [`${encrIdName(p.encr.id)}-${p.encr.keyBits}`, p.integ !== undefined ? integIdName(p.integ) : undefined, p.prf !== undefined ? `PRF_${prfIdName(p.prf)}` : undefined, p.dh !== undefined ? dhGroupName(p.dh) : undefined]
        .filter(Boolean)
        .join('/')
    : '';
  const children = await Promise.all(
    sa.children.map(async (c) => {
      const u = (await installer?.usage?.(c).catch(() => undefined)) ?? { bytesIn: 0, packetsIn: 0, bytesOut: 0, packetsOut: 0 };
      return {
        name: c.name,
        uniqueId: c.uniqueId,
        reqid: c.reqid,
        state: c.state,
        encap: c.encap,
        protocol: 'ESP' as const,
        spiIn: spi(c.spiIn),
        spiOut: spi(c.spiOut),
        algorithms: childAlgorithms(c.proposal),
        installedAt: c.installedAt ?? c.createdAt,
        ...u,
        localTs: c.localTs.map(tsToText),
        remoteTs: c.remoteTs.map(tsToText),
        dataPath: c.dataPath,
      };
    }),
  );
  return {
    name: sa.name,
    uniqueId: sa.uniqueId,
    state: sa.state,
    spiI: sa.spiI.toString('hex'),
    spiR: sa.spiR.toString('hex'),
    localId: sa.localId ?? sa.local.address,
    localHost: `${sa.local.address}[${sa.local.port}]`,
    remoteId: sa.remoteId ?? sa.remote.address,
    remoteHost: `${sa.remote.address}[${sa.remote.port}]`,
    ...(sa.eapIdentity ? { eapId: sa.eapIdentity } : {}),
    vips: sa.vips,
    groups: sa.groups,
    algorithms,
    ...(sa.establishedAt !== undefined ? { establishedAt: sa.establishedAt } : {}),
    children,
  };
}
