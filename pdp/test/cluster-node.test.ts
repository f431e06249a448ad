/** The cluster channel end (pdp/cluster/cluster-node.ts) and the State format, against a scripted peer socket. */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { ClusterConfig } from '../config/types.js';
import { ClusterMessageType, clusterKey, decodeClusterMessage, encodeClusterMessage } from '../cluster/cluster-message.js';
import { ClusterNode, type ClusterDropEvent } from '../cluster/cluster-node.js';
import { newConversationState, stateOwner } from '../eap-service/conversation-state.js';
import { ConversationTable } from '../eap-service/conversation-table.js';

const SECRET = 'node test cluster secret 0123456789';
const KEY = clusterKey(SECRET);
const DATAGRAM = Buffer.concat([Buffer.from([1, 9, 0, 20]), Buffer.alloc(16, 1)]);

async function bound(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

describe('cluster node', () => {
  let peer: dgram.Socket;
  let node: ClusterNode;
  const drops: ClusterDropEvent[] = [];
  const served: Buffer[] = [];
  const inbox: Buffer[] = [];
  let nodePort = 0;
  let release: (() => void) | undefined;

  before(async () => {
    peer = await bound();
    peer.on('message', (m) => inbox.push(m));
    const probe = await bound();
    nodePort = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    const config: ClusterConfig = {
      instanceId: 1,
      listen: { address: '127.0.0.1', port: nodePort },
      peers: [{ id: 2, address: '127.0.0.1', port: peer.address().port }],
      secret: SECRET,
      forwardTimeoutMs: 200,
      maxInFlight: 1,
      helloIntervalMs: 50,
      peerDeadAfterMs: 300,
      replayWindowMs: 5000,
    };
    node = new ClusterNode({
      config,
      serve: async (d) => {
        served.push(d);
        if (d[1] === 0x77) await new Promise<void>((r) => (release = r));
        return Buffer.concat([Buffer.from([11, d[1]!, 0, 20]), Buffer.alloc(16, 2)]);
      },
    });
    node.on('dropped', (e) => drops.push(e));
    await node.start();
  });
  after(async () => {
    await node.close();
    peer.close();
  });

  const forwardFromPeer = (messageId: string, timestamp = Date.now(), datagram = DATAGRAM) =>
    encodeClusterMessage({ type: ClusterMessageType.ForwardRequest, sender: 2, receiver: 1, messageId, timestamp, nas: { address: '127.0.0.1', port: 5555 }, datagram }, KEY);
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('sends authenticated hellos to its peers', async () => {
    await wait(120);
    const hellos = inbox.map((m) => decodeClusterMessage(m, KEY)).filter((m) => m.type === ClusterMessageType.Hello);
    assert.ok(hellos.length >= 1);
    assert.equal(hellos[0]!.sender, 1);
    assert.equal(hellos[0]!.receiver, 2);
  });

  it('serves a forward once; the same message again is a replay and is dropped', async () => {
    inbox.length = 0;
    const msg = forwardFromPeer('00000000000000a1');
    peer.send(msg, nodePort, '127.0.0.1');
    await wait(100);
    assert.equal(served.length, 1);
    const reply = inbox.map((m) => decodeClusterMessage(m, KEY)).find((m) => m.type === ClusterMessageType.ForwardReply);
    assert.ok(reply && reply.type === ClusterMessageType.ForwardReply);
    assert.equal(reply.messageId, '00000000000000a1');
    assert.equal(reply.reply?.[0], 11);
    peer.send(msg, nodePort, '127.0.0.1');
    await wait(100);
    assert.equal(served.length, 1, 'not served twice');
    assert.equal(drops.at(-1)?.reason, 'replayed');
  });

  it('drops stale, forged, misaddressed and wrong-source messages', async () => {
    peer.send(forwardFromPeer('00000000000000a2', Date.now() - 60_000), nodePort, '127.0.0.1');
    await wait(50);
    assert.equal(drops.at(-1)?.reason, 'stale');
    const forged = forwardFromPeer('00000000000000a3');
    forged[40]! ^= 1;
    peer.send(forged, nodePort, '127.0.0.1');
    await wait(50);
    assert.equal(drops.at(-1)?.reason, 'bad-hmac');
    peer.send(encodeClusterMessage({ type: ClusterMessageType.Hello, sender: 2, receiver: 3, messageId: '00000000000000a4', timestamp: Date.now() }, KEY), nodePort, '127.0.0.1');
    await wait(50);
    assert.equal(drops.at(-1)?.reason, 'not-for-us');
    const other = await bound();
    other.send(forwardFromPeer('00000000000000a5'), nodePort, '127.0.0.1');
    await wait(50);
    other.close();
    assert.equal(drops.at(-1)?.reason, 'wrong-source');
    peer.send(encodeClusterMessage({ type: ClusterMessageType.ForwardReply, sender: 2, receiver: 1, messageId: '00000000000000a6', timestamp: Date.now(), reply: null }, KEY), nodePort, '127.0.0.1');
    await wait(50);
    assert.equal(drops.at(-1)?.reason, 'unexpected-reply');
    assert.equal(served.length, 1);
  });

  it('answers "no reply" to forwards beyond maxInFlight', async () => {
    inbox.length = 0;
    peer.send(forwardFromPeer('00000000000000b1', Date.now(), Buffer.concat([Buffer.from([1, 0x77, 0, 20]), Buffer.alloc(16)])), nodePort, '127.0.0.1');
    await wait(50);
    peer.send(forwardFromPeer('00000000000000b2'), nodePort, '127.0.0.1');
    await wait(50);
    const replies = inbox.map((m) => decodeClusterMessage(m, KEY)).filter((m) => m.type === ClusterMessageType.ForwardReply);
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.type === ClusterMessageType.ForwardReply && replies[0]!.reply, null);
    assert.equal(drops.at(-1)?.reason, 'overloaded');
    release?.();
    await wait(50);
  });

  it('forwards to a live peer: its answer, a timeout, the in-flight bound, then owner-down', async () => {
    peer.send(encodeClusterMessage({ type: ClusterMessageType.Hello, sender: 2, receiver: 1, messageId: '00000000000000c1', timestamp: Date.now() }, KEY), nodePort, '127.0.0.1');
    await wait(30);
    assert.ok(node.isUp(2));
    // The scripted peer answers the next forward it gets.
    inbox.length = 0;
    const answered = node.forward(2, DATAGRAM, { address: '127.0.0.1', port: 4444 });
    await wait(30);
    const req = inbox.map((m) => decodeClusterMessage(m, KEY)).find((m) => m.type === ClusterMessageType.ForwardRequest);
    assert.ok(req && req.type === ClusterMessageType.ForwardRequest);
    assert.deepEqual(req.nas, { address: '127.0.0.1', port: 4444 });
    assert.deepEqual(req.datagram, DATAGRAM);
    const signed = Buffer.concat([Buffer.from([2, 9, 0, 20]), Buffer.alloc(16, 3)]);
    peer.send(encodeClusterMessage({ type: ClusterMessageType.ForwardReply, sender: 2, receiver: 1, messageId: req.messageId, timestamp: Date.now(), reply: signed }, KEY), nodePort, '127.0.0.1');
    assert.deepEqual(await answered, { kind: 'reply', wire: signed });
    // No answer: timeout; meanwhile a second forward exceeds maxInFlight 1.
    const t0 = Date.now();
    const silent = node.forward(2, DATAGRAM, { address: '127.0.0.1', port: 4444 });
    assert.deepEqual(await node.forward(2, DATAGRAM, { address: '127.0.0.1', port: 4444 }), { kind: 'overloaded' });
    assert.deepEqual(await silent, { kind: 'timeout' });
    assert.ok(Date.now() - t0 >= 190);
    // Nothing from the peer for peerDeadAfterMs: down, answered at once.
    await wait(350);
    assert.equal(node.isUp(2), false);
    assert.deepEqual(await node.forward(2, DATAGRAM, { address: '127.0.0.1', port: 4444 }), { kind: 'owner-down' });
    assert.deepEqual(await node.forward(9, DATAGRAM, { address: '127.0.0.1', port: 4444 }), { kind: 'owner-down' });
  });
});

describe('conversation State format', () => {
  it('carries shard and instance in octets 0 and 1, random elsewhere (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 255 }), (shard, instance) => {
        const s = newConversationState({ shard, instance });
        assert.equal(s.length, 16);
        assert.deepEqual(stateOwner(s), { shard, instance });
        assert.notDeepEqual(s.subarray(2), newConversationState({ shard, instance }).subarray(2));
      }),
    );
  });

  it('keeps octet 1 random without a cluster, and refuses ids that do not fit', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(newConversationState({ shard: 0 })[1]!);
    assert.ok(seen.size > 50);
    assert.throws(() => newConversationState({ shard: 0, instance: 0 }), RangeError);
    assert.throws(() => newConversationState({ shard: 0, instance: 256 }), RangeError);
    assert.throws(() => newConversationState({ shard: 256 }), RangeError);
    assert.equal(stateOwner(Buffer.alloc(15)), undefined);
    assert.equal(stateOwner(Buffer.alloc(17)), undefined);
  });

  it('is what the conversation table issues', () => {
    const t = new ConversationTable<string>({ idleTimeoutMs: 1000, maxConversations: 10, shard: 3, instance: 7 });
    assert.deepEqual(stateOwner(t.newState()), { shard: 3, instance: 7 });
  });
});
