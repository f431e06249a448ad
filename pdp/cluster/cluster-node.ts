/**
 * One PDP instance's end of the cluster channel (docs/cluster.md): a UDP socket, authenticated
 * hellos for liveness, forwarding a RADIUS datagram to the instance that owns its conversation
 * (`forward`), and serving the forwards of the others (`serve`, the local RADIUS pipeline).
 *
 * Every datagram received is checked in this order, and dropped with a `dropped` event otherwise:
 *   1. it decodes and its HMAC verifies with the cluster key (cluster-message.ts);
 *   2. it is addressed to this instance, from a configured peer, from that peer's configured
 *      address and port (so a reply never goes anywhere the configuration does not name);
 *   3. requests and hellos are fresh: Timestamp within the replay window, Message ID not seen
 *      (replay-guard.ts); a Forward-Reply must answer a forward still waiting for that peer.
 *
 * Bounds: at most `maxInFlight` forwards wait for answers, and at most as many forwarded requests
 * are served at once; each forward waits `forwardTimeoutMs`. A peer is down when nothing valid came
 * from it for `peerDeadAfterMs` (counted from this instance's start when it was never heard).
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import type { ClusterConfig, ClusterPeerConfig } from '../config/types.js';
import { ClusterDecodeError, ClusterMessageType, clusterKey, decodeClusterMessage, encodeClusterMessage, type ClusterMessage } from './cluster-message.js';
import { ReplayGuard } from './replay-guard.js';

export type ForwardOutcome =
  | { readonly kind: 'reply'; readonly wire: Buffer }
  /** The owner dropped the request (duplicate in progress, bad authenticator, overload ...). */
  | { readonly kind: 'no-reply' }
  /** No hello from the owner for peerDeadAfterMs: its conversations are gone. */
  | { readonly kind: 'owner-down' }
  | { readonly kind: 'timeout' }
  /** maxInFlight forwards are waiting already. */
  | { readonly kind: 'overloaded' };

export type ClusterDropReason = 'malformed' | 'bad-hmac' | 'not-for-us' | 'unknown-peer' | 'wrong-source' | 'stale' | 'replayed' | 'replay-cache-full' | 'unexpected-reply' | 'overloaded';

export interface ClusterDropEvent {
  readonly reason: ClusterDropReason;
  readonly address: string;
  readonly port: number;
  readonly sender?: number;
  readonly detail?: string;
}

export interface ClusterNodeEvents {
  listening: [{ address: string; port: number }];
  dropped: [ClusterDropEvent];
  'peer-up': [{ id: number }];
  'peer-down': [{ id: number }];
}

export interface ClusterNodeOptions {
  readonly config: ClusterConfig;
  /** Runs a datagram forwarded by instance `from` through the local RADIUS pipeline. */
  readonly serve: (datagram: Buffer, nas: { readonly address: string; readonly port: number }, from: number) => Promise<Buffer | null>;
  readonly now?: () => number;
}

interface Peer extends ClusterPeerConfig {
  lastHeard: number | undefined;
  up: boolean;
}

interface Waiting {
  readonly owner: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (o: ForwardOutcome) => void;
}

export class ClusterNode extends EventEmitter<ClusterNodeEvents> {
  readonly #config: ClusterConfig;
  readonly #key: Buffer;
  readonly #serve: ClusterNodeOptions['serve'];
  readonly #now: () => number;
  readonly #peers = new Map<number, Peer>();
  readonly #waiting = new Map<string, Waiting>();
  readonly #guard: ReplayGuard;
  #socket: dgram.Socket | undefined;
  #hello: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #serving = 0;

  constructor(options: ClusterNodeOptions) {
    super();
    this.#config = options.config;
    this.#key = clusterKey(options.config.secret);
    this.#serve = options.serve;
    this.#now = options.now ?? Date.now;
    this.#guard = new ReplayGuard({ windowMs: options.config.replayWindowMs, now: this.#now });
    for (const p of options.config.peers) this.#peers.set(p.id, { ...p, lastHeard: undefined, up: false });
  }

  get instanceId(): number {
    return this.#config.instanceId;
  }

  /** Forwards waiting for an answer. */
  get inFlight(): number {
    return this.#waiting.size;
  }

  knows(id: number): boolean {
    return this.#peers.has(id);
  }

  isUp(id: number): boolean {
    const p = this.#peers.get(id);
    return p !== undefined && this.#now() - (p.lastHeard ?? this.#startedAt) <= this.#config.peerDeadAfterMs;
  }

  async start(): Promise<{ address: string; port: number }> {
    const { address, port } = this.#config.listen;
    const socket = dgram.createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    this.#socket = socket;
    socket.on('message', (msg, rinfo) => this.#receive(msg, rinfo.address, rinfo.port));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => {
        socket.off('error', reject);
        // ICMP errors (a peer that is down) must not crash the process.
        socket.on('error', () => undefined);
        resolve();
      });
    });
    this.#startedAt = this.#now();
    this.#hello = setInterval(() => this.#tick(), this.#config.helloIntervalMs);
    this.#hello.unref();
    this.#tick();
    const bound = socket.address();
    this.emit('listening', { address: bound.address, port: bound.port });
    return { address: bound.address, port: bound.port };
  }

  /** Sends `datagram` (from the NAS at `nas`) to instance `owner` and waits for its answer. */
  forward(owner: number, datagram: Buffer, nas: { readonly address: string; readonly port: number }): Promise<ForwardOutcome> {
    const peer = this.#peers.get(owner);
    if (!peer || !this.isUp(owner)) return Promise.resolve({ kind: 'owner-down' });
    if (this.#waiting.size >= this.#config.maxInFlight) return Promise.resolve({ kind: 'overloaded' });
    const messageId = randomBytes(8).toString('hex');
    const wire = encodeClusterMessage(
      { type: ClusterMessageType.ForwardRequest, sender: this.#config.instanceId, receiver: owner, messageId, timestamp: this.#now(), nas, datagram },
      this.#key,
    );
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(messageId);
        resolve({ kind: 'timeout' });
      }, this.#config.forwardTimeoutMs);
      this.#waiting.set(messageId, { owner, timer, resolve });
      this.#send(wire, peer);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#hello);
    for (const [id, w] of this.#waiting) {
      clearTimeout(w.timer);
      this.#waiting.delete(id);
      w.resolve({ kind: 'timeout' });
    }
    const s = this.#socket;
    this.#socket = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  #tick(): void {
    for (const p of this.#peers.values()) {
      const up = this.isUp(p.id);
      if (p.up && !up) {
        p.up = false;
        this.emit('peer-down', { id: p.id });
      }
      this.#send(encodeClusterMessage({ type: ClusterMessageType.Hello, sender: this.#config.instanceId, receiver: p.id, messageId: randomBytes(8).toString('hex'), timestamp: this.#now() }, this.#key), p);
    }
  }

  #send(wire: Buffer, peer: ClusterPeerConfig): void {
    this.#socket?.send(wire, peer.port, peer.address);
  }

  #drop(ev: ClusterDropEvent): void {
    this.emit('dropped', ev);
  }

  #receive(raw: Buffer, address: string, port: number): void {
    let m: ClusterMessage;
    try {
      m = decodeClusterMessage(raw, this.#key);
    } catch (e) {
      const bad = e instanceof ClusterDecodeError && e.code === 'CLUSTER_BAD_HMAC';
      return this.#drop({ reason: bad ? 'bad-hmac' : 'malformed', address, port, detail: e instanceof Error ? e.message : String(e) });
    }
    const base = { address, port, sender: m.sender };
    if (m.receiver !== this.#config.instanceId) return this.#drop({ ...base, reason: 'not-for-us', detail: `addressed to instance ${m.receiver}` });
    const peer = this.#peers.get(m.sender);
    if (!peer) return this.#drop({ ...base, reason: 'unknown-peer' });
    if (peer.address !== address || peer.port !== port) return this.#drop({ ...base, reason: 'wrong-source', detail: `instance ${m.sender} is configured at ${peer.address}:${peer.port}` });

    if (m.type === ClusterMessageType.ForwardReply) {
      const w = this.#waiting.get(m.messageId);
      if (!w || w.owner !== m.sender) return this.#drop({ ...base, reason: 'unexpected-reply', detail: 'answers no forward waiting here (late, or replayed)' });
      this.#heard(peer);
      this.#waiting.delete(m.messageId);
      clearTimeout(w.timer);
      w.resolve(m.reply ? { kind: 'reply', wire: m.reply } : { kind: 'no-reply' });
      return;
    }
    const verdict = this.#guard.check(m.sender, m.messageId, m.timestamp);
    if (verdict !== 'fresh') {
      const reason = verdict === 'full' ? 'replay-cache-full' : verdict;
      return this.#drop({ ...base, reason, ...(verdict === 'stale' ? { detail: `timestamp ${m.timestamp - this.#now()} ms off (clocks in sync?)` } : {}) });
    }
    this.#heard(peer);
    if (m.type === ClusterMessageType.Hello) return;

    // Forward-Request: run it through the local RADIUS pipeline, answer with its signed reply.
    const answer = (reply: Buffer | null): void =>
      this.#send(encodeClusterMessage({ type: ClusterMessageType.ForwardReply, sender: this.#config.instanceId, receiver: m.sender, messageId: m.messageId, timestamp: this.#now(), reply }, this.#key), peer);
    if (this.#serving >= this.#config.maxInFlight) {
      this.#drop({ ...base, reason: 'overloaded' });
      return answer(null);
    }
    this.#serving++;
    this.#serve(m.datagram, m.nas, m.sender)
      .catch(() => null)
      .then((reply) => {
        this.#serving--;
        answer(reply);
      });
  }

  #heard(peer: Peer): void {
    peer.lastHeard = this.#now();
    if (!peer.up) {
      peer.up = true;
      this.emit('peer-up', { id: peer.id });
    }
  }
}
