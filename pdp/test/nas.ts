/** Test helper: a NAS relaying an in-process EAP peer to a PDP over real UDP RADIUS. */
import { AttributeType, PacketCode, getAttribute, joinEapMessage, splitEapMessage, decodeMppeKeys, type RadiusPacket } from '../../radius/index.js';
import { RadiusUdpClient } from '../../radius/client.js';
import { EapPeer, ttlsPeerMethod, type PeerStep } from '../eap/index.js';

export interface NasResult {
  readonly final: RadiusPacket;
  readonly raw: Buffer;
  readonly peer: PeerStep | undefined;
  readonly rounds: number;
  readonly mppe?: { recvKey: Buffer; sendKey: Buffer };
}

export async function authenticateTtls(opts: {
  client: RadiusUdpClient;
  secret: string;
  user: string;
  password: string;
  ca: string;
  serverName: string;
  phase2?: 'eap' | 'pap';
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  tamper?: (eap: Buffer, round: number) => Buffer;
}): Promise<NasResult> {
  const peer = new EapPeer({
    identity: 'anonymous',
    methods: [
      ttlsPeerMethod({
        tls: { ca: opts.ca, serverName: opts.serverName, ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}) },
        innerIdentity: opts.user,
        password: opts.password,
        phase2: opts.phase2 ?? 'eap',
      }),
    ],
  });
  let eap = peer.identityResponse(1);
  let state: Buffer | undefined;
  let peerStep: PeerStep | undefined;
  for (let round = 1; round <= 60; round++) {
    const attrs = [
      { type: AttributeType.UserName, value: Buffer.from('anonymous') },
      ...splitEapMessage(opts.tamper ? opts.tamper(eap, round) : eap),
      ...(state ? [{ type: AttributeType.State, value: state }] : []),
    ];
    const { packet, raw, requestAuthenticator } = await opts.client.request(PacketCode.AccessRequest, attrs);
    const reply = joinEapMessage(packet.attributes);
    if (packet.code !== PacketCode.AccessChallenge) {
      peerStep = reply ? await peer.receive(reply) : undefined;
      const keys = packet.code === PacketCode.AccessAccept ? decodeMppeKeys(packet, opts.secret, requestAuthenticator) : undefined;
      return { final: packet, raw, peer: peerStep, rounds: round, ...(keys ? { mppe: keys } : {}) };
    }
    state = getAttribute(packet, AttributeType.State);
    if (!reply) throw new Error('Access-Challenge without EAP-Message');
    peerStep = await peer.receive(reply);
    if (peerStep.kind !== 'response') throw new Error(`peer stopped: ${JSON.stringify(peerStep)}`);
    eap = peerStep.eap;
  }
  throw new Error('conversation did not end in 60 rounds');
}
