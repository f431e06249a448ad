/**
 * EAP-TTLS/MD5 load: one full authentication per operation with the in-process supplicant
 * (pdp/eap EapPeer + ttlsPeerMethod, inner EAP-MD5), carried over RADIUS as a NAS would
 * (RFC 3579): Access-Request with User-Name, EAP-Message, State (from the previous
 * Access-Challenge) and Message-Authenticator; every reply must carry a valid
 * Message-Authenticator. Success = Access-Accept whose EAP-Success the peer accepts and whose
 * MS-MPPE-Recv-Key / MS-MPPE-Send-Key (RFC 2548 section 2.4) decrypt to the peer's MSK
 * (first / second 32 octets). Anything else counts as a failure with its reason.
 */
import {
  AttributeType,
  PacketCode,
  buildRequest,
  decodeMppeKeys,
  getAttribute,
  joinEapMessage,
  splitEapMessage,
  type RadiusAttribute,
} from '../../radius/index.js';
import { EapPeer, ttlsPeerMethod, type PeerMethodFactory } from '../../pdp/eap/index.js';
import type { BenchUser } from '../users.js';
import type { OpOutcome } from './closed-loop.js';
import type { RadiusMux } from './mux.js';
import { TlsSniffer, type TlsSniff } from './tls-sniff.js';

export interface TtlsLoadOptions {
  readonly secret: string;
  readonly caPem: string;
  readonly serverName: string;
  readonly fragmentSize: number;
  /** Upper bound on RADIUS round trips per authentication. */
  readonly maxRounds: number;
}

export interface TtlsOperation {
  readonly op: (user: number) => Promise<OpOutcome>;
  /** The negotiated TLS parameters, from the first authentication. */
  readonly sniffed: () => TlsSniff | undefined;
}

export function ttlsOperation(mux: RadiusMux, users: readonly BenchUser[], o: TtlsLoadOptions): TtlsOperation {
  const methods = new Map<number, PeerMethodFactory>();
  let sniffer: TlsSniffer | undefined = new TlsSniffer();
  let sniffed: TlsSniff | undefined;

  const op = async (index: number): Promise<OpOutcome> => {
    const user = users[index] as BenchUser;
    let method = methods.get(index);
    if (!method) {
      method = ttlsPeerMethod({
        tls: { ca: o.caPem, serverName: o.serverName, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
        password: user.password,
        fragmentSize: o.fragmentSize,
      });
      methods.set(index, method);
    }
    const peer = new EapPeer({ identity: user.name, methods: [method] });
    const mySniffer = sniffer;
    sniffer = undefined; // only the first authentication is sniffed
    const name = Buffer.from(user.name, 'utf8');
    let eap = peer.identityResponse(0);
    let state: Buffer | undefined;
    let rounds = 0;
    const fail = (reason: string): OpOutcome => ({ kind: 'failed', reason, roundTrips: rounds });
    try {
      while (rounds < o.maxRounds) {
        rounds++;
        const attributes: RadiusAttribute[] = [{ type: AttributeType.UserName, value: name }, ...splitEapMessage(eap)];
        if (state) attributes.push({ type: AttributeType.State, value: state });
        const reply = await mux.request(
          (identifier) => buildRequest({ code: PacketCode.AccessRequest, identifier, attributes, secret: o.secret }),
          true,
        );
        if (reply.kind === 'timeout') return { kind: 'timeout', roundTrips: rounds };
        const { packet } = reply;
        let eapIn: Buffer | undefined;
        try {
          eapIn = joinEapMessage(packet.attributes);
        } catch (e) {
          return fail(`bad EAP-Message: ${(e as Error).message}`);
        }
        if (packet.code === PacketCode.AccessReject) return fail('Access-Reject');
        if (!eapIn) return fail(`code ${packet.code} without EAP-Message`);
        if (packet.code === PacketCode.AccessChallenge) {
          mySniffer?.addEapRequest(eapIn);
          state = getAttribute(packet, AttributeType.State);
          const step = await peer.receive(eapIn);
          if (step.kind !== 'response') return fail(`peer ${step.kind}${'reason' in step ? `: ${step.reason}` : ''}`);
          eap = step.eap;
          continue;
        }
        if (packet.code !== PacketCode.AccessAccept) return fail(`code ${packet.code}`);
        const step = await peer.receive(eapIn);
        if (step.kind !== 'success' || !step.keys) return fail(`Access-Accept but peer ${step.kind}`);
        const mppe = decodeMppeKeys(packet, o.secret, reply.requestAuthenticator);
        if (!mppe) return fail('Access-Accept without MS-MPPE keys');
        const msk = step.keys.msk;
        if (!mppe.recvKey.equals(msk.subarray(0, 32)) || !mppe.sendKey.equals(msk.subarray(32, 64))) return fail('MS-MPPE keys != MSK');
        if (mySniffer) sniffed = mySniffer.result();
        return { kind: 'ok', roundTrips: rounds };
      }
      return fail('too many round trips');
    } finally {
      peer.close();
    }
  };
  return { op, sniffed: () => sniffed };
}
