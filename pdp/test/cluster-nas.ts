/**
 * Test helper: a NAS that sends the Access-Requests of one EAP conversation to several RADIUS
 * servers (PDP instances) from ONE socket, as a NAS with a server list does, so a test can spread a
 * conversation over a cluster. Supplicants: the in-process EAP peer with TTLS + MD5, optionally
 * followed by PT-EAP with an IMC manager (tnc-client's pieces).
 */
import dgram from 'node:dgram';
import { AttributeType, PacketCode, buildRequest, decodeMppeKeys, decodePacket, getAttribute, joinEapMessage, splitEapMessage, verifyResponse, type RadiusAttribute, type RadiusPacket } from '../../radius/index.js';
import { EapPeer, md5ChallengePeer, peerSequence, ttlsPeerMethod, type PeerKeys, type PeerStep } from '../eap/index.js';
import type { ImcManager } from '../tnc-client/imc-manager.js';
import { ptEapClient } from '../tnc-client/pt-eap-client.js';

export interface Target {
  readonly address: string;
  readonly port: number;
}

export interface Exchange {
  readonly wire: Buffer;
  readonly target: Target;
  readonly packet: RadiusPacket;
  readonly raw: Buffer;
  readonly requestAuthenticator: Buffer;
}

export class MultiServerNas {
  readonly #socket = dgram.createSocket('udp4');
  readonly #secret: string;
  readonly #ready: Promise<void>;
  #id = 0;
  readonly #waiting = new Map<string, (raw: Buffer) => void>();

  constructor(secret: string) {
    this.#secret = secret;
    this.#socket.on('message', (raw, r) => this.#waiting.get(`${r.address}:${r.port}:${raw[1]}`)?.(raw));
    this.#ready = new Promise((resolve) => this.#socket.bind(0, '127.0.0.1', () => resolve()));
  }

  /** Sends an Access-Request to `target`, retransmitting the same bytes; resolves with the verified reply. */
  async request(target: Target, attributes: readonly RadiusAttribute[], opts: { timeoutMs?: number; tries?: number } = {}): Promise<Exchange> {
    await this.#ready;
    this.#id = (this.#id + 1) & 0xff;
    const wire = buildRequest({ code: PacketCode.AccessRequest, identifier: this.#id, attributes, secret: this.#secret });
    return this.send(wire, target, opts);
  }

  /** Sends (and retransmits) exactly these bytes to `target`. */
  async send(wire: Buffer, target: Target, opts: { timeoutMs?: number; tries?: number } = {}): Promise<Exchange> {
    await this.#ready;
    const requestAuthenticator = Buffer.from(wire.subarray(4, 20));
    const key = `${target.address}:${target.port}:${wire[1]}`;
    const timeoutMs = opts.timeoutMs ?? 3000;
    let tries = opts.tries ?? 2;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const fire = () => {
        if (tries-- <= 0) {
          this.#waiting.delete(key);
          reject(new Error(`no reply from ${key} after retransmissions`));
          return;
        }
        this.#socket.send(wire, target.port, target.address);
        timer = setTimeout(fire, timeoutMs);
      };
      this.#waiting.set(key, (raw) => {
        if (!verifyResponse(raw, requestAuthenticator, this.#secret).valid) return;
        clearTimeout(timer);
        this.#waiting.delete(key);
        resolve({ wire, target, packet: decodePacket(raw), raw, requestAuthenticator });
      });
      fire();
    });
  }

  close(): void {
    this.#socket.close();
  }
}

export interface ConversationResult {
  readonly final: RadiusPacket;
  readonly rounds: number;
  readonly peerStep: PeerStep | undefined;
  /** The supplicant's keys (MSK) and the MS-MPPE keys the NAS received. */
  readonly peerKeys: PeerKeys | undefined;
  readonly mppe?: { recvKey: Buffer; sendKey: Buffer };
  /** Which target answered each round. */
  readonly targets: readonly Target[];
  readonly exchanges: readonly Exchange[];
}

/**
 * One EAP-TTLS conversation (inner MD5, then PT-EAP with `posture` when given) whose round `n`
 * goes to `route(n)`. `stopAfter` ends it after that many rounds (for tests that break in).
 */
export async function runConversation(o: {
  nas: MultiServerNas;
  secret: string;
  route: (round: number) => Target;
  user: string;
  password: string;
  ca: string;
  serverName: string;
  posture?: { manager: ImcManager; first: Parameters<typeof ptEapClient>[0]['firstMessages'] };
  stopAfter?: number;
  requestOptions?: { timeoutMs?: number; tries?: number };
}): Promise<ConversationResult & { next?: { attributes: RadiusAttribute[] } }> {
  const inner = o.posture
    ? [peerSequence([md5ChallengePeer(o.password), ptEapClient({ session: o.posture.manager.createSession(), firstMessages: o.posture.first })])]
    : undefined;
  const peer = new EapPeer({
    identity: 'anonymous',
    maxRounds: 1000,
    methods: [
      ttlsPeerMethod({
        tls: { ca: o.ca, serverName: o.serverName },
        innerIdentity: o.user,
        password: o.password,
        phase2: 'eap',
        ...(inner ? { innerMethods: inner, maxMessageLength: 4 * (16384 + 2048) } : {}),
      }),
    ],
  });
  let eap = peer.identityResponse(1);
  let state: Buffer | undefined;
  const targets: Target[] = [];
  const exchanges: Exchange[] = [];
  for (let round = 1; round <= 1000; round++) {
    const attributes: RadiusAttribute[] = [
      { type: AttributeType.UserName, value: Buffer.from('anonymous') },
      ...splitEapMessage(eap),
      ...(state ? [{ type: AttributeType.State, value: state }] : []),
    ];
    if (o.stopAfter !== undefined && round > o.stopAfter) {
      return { final: exchanges.at(-1)!.packet, rounds: round - 1, peerStep: undefined, peerKeys: undefined, targets, exchanges, next: { attributes } };
    }
    const target = o.route(round);
    const ex = await o.nas.request(target, attributes, o.requestOptions);
    targets.push(target);
    exchanges.push(ex);
    const reply = joinEapMessage(ex.packet.attributes);
    if (ex.packet.code !== PacketCode.AccessChallenge) {
      const peerStep = reply ? await peer.receive(reply) : undefined;
      const mppe = ex.packet.code === PacketCode.AccessAccept ? decodeMppeKeys(ex.packet, o.secret, ex.requestAuthenticator) : undefined;
      return { final: ex.packet, rounds: round, peerStep, peerKeys: peer.keys, targets, exchanges, ...(mppe ? { mppe } : {}) };
    }
    state = getAttribute(ex.packet, AttributeType.State);
    if (!reply) throw new Error('Access-Challenge without EAP-Message');
    const step = await peer.receive(reply);
    if (step.kind !== 'response') throw new Error(`peer stopped in round ${round}: ${JSON.stringify(step)}`);
    eap = step.eap;
  }
  throw new Error('conversation did not end in 1000 rounds');
}
