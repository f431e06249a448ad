/**
 * What `tnc-pep status` shows, modelled on `swanctl --list-sas` (strongSwan 5.9
 * src/swanctl/commands/list_sas.c): one block per IKE_SA, its CHILD_SAs indented below.
 *
 *   rw-allow: #1, ESTABLISHED, IKEv2, 2b7c1bbd2e2c1a51_i 7b8da2a0e4c68d12_r*
 *     local  'moon.strongswan.org' @ 192.168.0.1[4500]
 *     remote 'carol@strongswan.org' @ 192.168.0.100[4500] EAP: 'carol@strongswan.org' [10.3.0.1]
 *     AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256
 *     established 5s ago
 *     rw-allow: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256
 *       installed 5s ago
 *       in  c1a2b3c4,    420 bytes,     5 packets
 *       out c5d6e7f8,    420 bytes,     5 packets
 *       local  10.1.0.0/16
 *       remote 10.3.0.1/32
 */
export interface ChildSaStatus {
  readonly name: string;
  readonly uniqueId: number;
  readonly reqid: number;
  readonly state: string;
  readonly encap: boolean;
  readonly protocol: 'ESP';
  readonly spiIn: string;
  readonly spiOut: string;
  /** e.g. "AES_GCM_16-256" or "AES_CBC-128/HMAC_SHA2_256_128". */
  readonly algorithms: string;
  readonly installedAt: number;
  readonly bytesIn: number;
  readonly packetsIn: number;
  readonly bytesOut: number;
  readonly packetsOut: number;
  readonly localTs: readonly string[];
  readonly remoteTs: readonly string[];
  /** How the SA reached the data path ('xfrm', 'userspace') or why it did not. */
  readonly dataPath: string;
}

export interface IkeSaStatus {
  readonly name: string;
  readonly uniqueId: number;
  readonly state: string;
  readonly spiI: string;
  readonly spiR: string;
  readonly localId: string;
  readonly localHost: string;
  readonly remoteId: string;
  readonly remoteHost: string;
  readonly eapId?: string;
  readonly vips: readonly string[];
  readonly groups: readonly string[];
  /** e.g. "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256". */
  readonly algorithms: string;
  readonly establishedAt?: number;
  readonly children: readonly ChildSaStatus[];
}

function ago(now: number, t: number): string {
  return `${Math.max(0, Math.round((now - t) / 1000))}s ago`;
}

export function formatSas(sas: readonly IkeSaStatus[], now: number): string {
  const out: string[] = [];
  for (const sa of sas) {
    out.push(`${sa.name}: #${sa.uniqueId}, ${sa.state}, IKEv2, ${sa.spiI}_i ${sa.spiR}_r*`);
    out.push(`  local  '${sa.localId}' @ ${sa.localHost}`);
    const eap = sa.eapId ? ` EAP: '${sa.eapId}'` : '';
    const vips = sa.vips.length ? ` [${sa.vips.join(' ')}]` : '';
    out.push(`  remote '${sa.remoteId}' @ ${sa.remoteHost}${eap}${vips}`);
    if (sa.groups.length) out.push(`  groups ${sa.groups.join(', ')}`);
    if (sa.algorithms) out.push(`  ${sa.algorithms}`);
    if (sa.establishedAt !== undefined) out.push(`  established ${ago(now, sa.establishedAt)}`);
    for (const c of sa.children) {
      out.push(`  ${c.name}: #${c.uniqueId}, reqid ${c.reqid}, ${c.state}, TUNNEL${c.encap ? '-in-UDP' : ''}, ${c.protocol}:${c.algorithms}`);
      out.push(`    installed ${ago(now, c.installedAt)} (${c.dataPath})`);
      out.push(`    in  ${c.spiIn}, ${String(c.bytesIn).padStart(6)} bytes, ${String(c.packetsIn).padStart(5)} packets`);
      out.push(`    out ${c.spiOut}, ${String(c.bytesOut).padStart(6)} bytes, ${String(c.packetsOut).padStart(5)} packets`);
      out.push(`    local  ${c.localTs.join(' ')}`);
      out.push(`    remote ${c.remoteTs.join(' ')}`);
    }
  }
  return out.join('\n') + (out.length ? '\n' : '');
}
