/**
 * Bad input against the running PDP, as a broken or hostile NAS would send it to alice:
 * REFERENCE-SCENARIO step 2 (moon's RADIUS transport to alice: framing, client check,
 * Message-Authenticator, State) and step 3 (the EAP-TTLS server behind it: EAP framing, EAP types,
 * TLS records, conversation limits), ending with step 2-3-6 working as normal afterwards (PAP, and
 * eapol_test EAP-TTLS/MD5 with MPPE keys).
 *
 * Always OUR PDP (pdp/cli.ts), whatever PDP_UNDER_TEST says: the assertions are about our PDP's
 * `radius.dropped` / `eap.discarded` / `conversation.finished` log events, its conversation cap
 * (`eap.maxConversations`) and its memory, which FreeRADIUS does not share. The suite title says so.
 *
 * Sent with node:dgram and the independent encoder in lib/radius-wire.ts (not radius/: a test peer
 * must not share the code under test) from 127.0.0.1, the only configured client, and from
 * 127.0.0.2 for the unknown-client case. The client has requireMessageAuthenticator = false so the
 * RFC 3579 rule for EAP-Message (not the per-client BlastRADIUS switch) is what drops an EAP request
 * without Message-Authenticator; radclient.test.ts covers the switch.
 *
 * What the RFCs prescribe and the tests expect:
 * - silent discard (no reply) + `radius.dropped` with the reason for: datagrams shorter than 20
 *   octets, a Length field larger than the datagram or above 4096, attributes with Length < 2 or
 *   running past the packet (RFC 2865 section 3: "silently discarded"; RFC 2865 section 5: Length
 *   includes Type and Length), unknown Codes (RFC 2865 section 3), unknown clients (RFC 2865
 *   section 3), EAP-Message without Message-Authenticator and a wrong Message-Authenticator
 *   (RFC 3579 section 3.2). Octets beyond Length are padding (RFC 2865 section 3): such a packet
 *   is answered.
 * - EAP-Message attributes that do not form one EAP packet of the length its header says: silent
 *   discard (RFC 3748 section 4: a Length larger than the octets received "MUST be silently
 *   discarded"; the PDP also discards the opposite mismatch, more octets than the EAP Length, the
 *   conservative reading: RFC 3748 would also allow ignoring them as padding) + `eap.discarded`.
 * - an EAP-Response of a Type the conversation is not running: silently discarded (RFC 4137
 *   section 5, the authenticator's RECEIVED -> DISCARD transition), and the conversation carries on.
 * - an unknown State: RFC 2865 section 5.24 and RFC 3579 leave the answer open; the PDP answers an
 *   EAP-Response with Access-Reject + EAP-Failure (pdp/eap-service/local-eap-service.ts, after
 *   FreeRADIUS), which ends the peer's attempt at once instead of leaving the NAS to retransmit into
 *   silence; anything else with an unknown State is discarded. Both are acceptable; the tests pin them.
 * - garbage TLS records in EAP-TTLS: the TLS handshake fails, so Access-Reject carrying EAP-Failure
 *   (RFC 3579 section 2.6.3) with a valid Response Authenticator and Message-Authenticator.
 * - a flood of new conversations beyond `eap.maxConversations`: the extra ones are refused without
 *   reply (the NAS retransmits later), memory stays bounded, the process stays up.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeEapol, runEapolTest, writeEapolConfig } from './lib/eapol-test.js';
import { makePdpConfig, REFERENCE_USERS, SERVER_NAME } from './lib/pdp-config.js';
import { startOurPdp } from './lib/pdp.js';
import { freeUdpPorts } from './lib/ports.js';
import { parseJsonLine, Scope } from './lib/proc.js';
import { serverKindFromEnv, type RadiusServer } from './lib/radius-server.js';
import { RadiusSocket } from './lib/radius-socket.js';
import { ATTR, attrValue, CODE, decodePacket, eapMessageAttrs, encodeAccessRequest, encodeEap, encodeRequest, responseAuthenticatorValid } from './lib/radius-wire.js';
import { EAP_CODE, EAP_TYPE, RawNas } from './lib/raw-nas.js';
import { assertPeers } from './lib/require-peers.js';
import { makeTempDir } from './lib/tmp.js';

const SECRET = 'bad-input-Secret-7';
const LOOPBACK = '127.0.0.1';
/** Not a client: Linux routes all of 127/8 to lo, so binding it needs no setup. */
const STRANGER = '127.0.0.2';
const MAX_CONVERSATIONS = 500;
const FLOOD = 3000;
const FLOOD_BATCH = 100;
const RSS_LIMIT_MB = 300;
/** ConversationTable's minIdleForEvictionMs: a full table evicts only conversations idle this long. */
const EVICTION_IDLE_MS = 5000;
const [carol] = REFERENCE_USERS as [(typeof REFERENCE_USERS)[0]];
const { identityResponse, ttlsResponse } = RawNas;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, `no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) / 1024;
}

/** Process state letter from /proc/PID/stat (R, S, D, Z ...), or undefined when it is gone. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

const suiteTitle =
  'bad input against our PDP on loopback (REFERENCE-SCENARIO steps 2-3; always our PDP' +
  (serverKindFromEnv() === 'ours' ? ')' : `, NOT ${process.env['PDP_UNDER_TEST']} as PDP_UNDER_TEST asks)`);

describe(suiteTitle, { timeout: 120_000 }, () => {
  const scope = new Scope();
  let dir = '';
  let server: RadiusServer;
  /** The NAS: 127.0.0.1, the configured client. */
  let nas: RawNas;

  before(async () => {
    assertPeers();
    dir = makeTempDir(scope, 'bad-input');
    const [auth, acct] = (await freeUdpPorts(2, LOOPBACK)) as [number, number];
    const config = makePdpConfig({
      stateDir: join(dir, 'state'),
      auth: { address: LOOPBACK, port: auth },
      accounting: { address: LOOPBACK, port: acct },
      clients: [{ name: 'moon', address: `${LOOPBACK}/32`, secret: SECRET, requireMessageAuthenticator: false }],
      maxConversations: MAX_CONVERSATIONS,
    });
    server = await startOurPdp(scope, config);
    nas = new RawNas(server, await RadiusSocket.open(scope, LOOPBACK), SECRET);
  });
  after(() => scope.close());

  // --- the cases. The flood comes early so that its conversations age while the datagram cases run;
  // drop reasons are interleaved so the PDP's per-second log rate limit costs few waits. -----------

  /** When the flood began (no conversation of it is older) and when its first challenge arrived. */
  let floodStartedAt = 0;
  let firstFloodChallengeAt = 0;

  /** Waits until the oldest flood conversation has been idle long enough to be evicted. */
  async function untilEvictable(): Promise<void> {
    const wait = firstFloodChallengeAt + EVICTION_IDLE_MS + 300 - Date.now();
    if (wait > 0) await sleep(wait);
  }

  it('baseline: PAP is answered with and without Message-Authenticator (this client does not require it)', { timeout: 10_000 }, async () => {
    for (const ma of ['valid', 'absent'] as const) {
      const req = nas.pap(carol.name, carol.password, ma);
      const raw = await nas.exchange(req);
      assert.ok(raw, `no reply to PAP (Message-Authenticator ${ma})`);
      const p = decodePacket(raw);
      assert.equal(p.code, CODE.AccessAccept);
      assert.equal(attrValue(p, ATTR.FilterId)?.toString(), 'allow');
    }
  });



  it(`a flood of ${FLOOD} new conversations with eap.maxConversations ${MAX_CONVERSATIONS}: ${MAX_CONVERSATIONS} challenged, the rest refused, RSS < ${RSS_LIMIT_MB} MB`, { timeout: 60_000 }, async (t) => {
    const pid = server.proc.pid;
    const rssBefore = rssMb(pid);
    const flood = await RadiusSocket.open(scope, LOOPBACK);
    let challenges = 0;
    let otherReplies = 0;
    let refused = 0;
    const stopReplies = flood.onMessage((r) => {
      if (r.data[0] === CODE.AccessChallenge) {
        if (challenges++ === 0) firstFloodChallengeAt = r.at;
      } else otherReplies++;
    });
    const stopLines = server.proc.onLine((line) => {
      if (!line.includes('eap.discarded')) return;
      const o = parseJsonLine(line);
      if (o?.['event'] === 'eap.discarded' && o['reason'] === 'too many conversations in progress') refused++;
    });
    const since = server.mark();
    const started = Date.now();
    floodStartedAt = started;
    try {
      for (let sent = 0; sent < FLOOD; ) {
        for (const end = Math.min(FLOOD, sent + FLOOD_BATCH); sent < end; sent++) {
          const name = `flood-${String(sent).padStart(4, '0')}@strongswan.org`;
          await flood.send(nas.eapRequest(identityResponse(name), { userName: name }), server.auth);
        }
        // Pace by the PDP's own progress, so the kernel's socket buffers never drop the flood.
        const deadline = Date.now() + 10_000;
        while (challenges + refused + otherReplies < sent && Date.now() < deadline) await sleep(5);
        assert.equal(challenges + refused + otherReplies, sent, `PDP stalled: ${sent} sent, ${challenges} challenged, ${refused} refused\n${server.proc.tail(5)}`);
      }
    } finally {
      stopReplies();
      stopLines();
    }
    const elapsed = Date.now() - started;
    const rssAfter = rssMb(pid);
    t.diagnostic(`flood: ${FLOOD} conversations in ${elapsed} ms: ${challenges} challenged, ${refused} refused; PDP VmRSS ${rssBefore.toFixed(0)} MB before, ${rssAfter.toFixed(0)} MB after`);

    assert.equal(otherReplies, 0, 'only Access-Challenge replies');
    assert.equal(challenges + refused, FLOOD);
    if (elapsed < EVICTION_IDLE_MS) {
      // Every flood conversation was added after `started`, so none could be idle long enough to be
      // evicted during the flood: exactly the cap.
      assert.equal(challenges, MAX_CONVERSATIONS, `${challenges} conversations accepted with a cap of ${MAX_CONVERSATIONS}`);
    } else {
      t.diagnostic(`flood took ${elapsed} ms: idle conversations became evictable, ${challenges} challenged`);
      assert.ok(challenges >= MAX_CONVERSATIONS && challenges < FLOOD);
    }
    // The refused ones are dropped, and the drop is logged (rate-limited: at least one line).
    await server.proc.waitForJson((o) => o['event'] === 'radius.dropped' && o['reason'] === 'handler-declined' && o['port'] === flood.port, {
      since,
      timeoutMs: 2000,
      what: 'radius.dropped handler-declined for the flood',
    });
    nas.noteDrop('handler-declined', LOOPBACK); // its radius.dropped lines count against the rate limit
    assert.equal(server.proc.exitInfo, undefined, `PDP exited during the flood:\n${server.proc.tail()}`);
    assert.ok(rssAfter < RSS_LIMIT_MB, `PDP VmRSS ${rssAfter.toFixed(0)} MB after the flood (limit ${RSS_LIMIT_MB} MB)`);
  });


  it('while the table is full of fresh conversations: a new EAP conversation is refused without reply, PAP is still answered', { timeout: 10_000 }, async (t) => {
    // ConversationTable's documented policy: when full, a newcomer may evict only a conversation idle
    // for EVICTION_IDLE_MS; until then it is refused (eap.discarded) and the NAS retransmits later.
    assert.ok(firstFloodChallengeAt > 0, 'the flood test ran');
    // No flood conversation is older than floodStartedAt, so none is evictable before this.
    if (Date.now() - floodStartedAt < EVICTION_IDLE_MS - 300) {
      const since = server.mark();
      await nas.expectSilence(nas.eapRequest(identityResponse(carol.name), { userName: carol.name }), 'handler-declined');
      await nas.waitForDiscarded('too many conversations in progress', since);
    } else {
      t.diagnostic(`NOT CHECKED: the flood took so long that its first conversations are already evictable`);
    }
    const raw = await nas.exchange(nas.pap(carol.name, carol.password));
    assert.ok(raw, 'no reply to PAP while the EAP table is full');
    assert.equal(decodePacket(raw).code, CODE.AccessAccept);
  });

  // The datagram cases below create no EAP conversation, so they run while the flood's conversations
  // age; the EAP cases after them wait (untilEvictable) until a new conversation can evict one.

  it('datagrams shorter than the 20-octet header: silently dropped, radius.dropped malformed (RFC 2865 s3)', { timeout: 15_000 }, async () => {
    const valid = nas.pap(carol.name, carol.password);
    await nas.expectDropped(valid.subarray(0, 19), 'malformed', { detail: /RADIUS_TRUNCATED/ });
    await nas.expectSilence(Buffer.alloc(0), 'malformed');
    await nas.expectSilence(valid.subarray(0, 1), 'malformed');
    await nas.expectSilence(valid.subarray(0, 4), 'malformed');
  });

  it('unknown packet Codes: silently dropped, radius.dropped unexpected-code (RFC 2865 s3)', { timeout: 15_000 }, async () => {
    const req = (code: number): Buffer => encodeRequest({ code, id: nas.nextId(), secret: SECRET, attributes: [[ATTR.UserName, Buffer.from(carol.name)]] });
    await nas.expectDropped(req(99), 'unexpected-code');
    for (const code of [0, 255, CODE.AccessAccept, CODE.AccessChallenge, CODE.AccountingRequest, 40 /* Disconnect-Request */]) {
      await nas.expectSilence(req(code), 'unexpected-code');
    }
  });

  it('a Length field larger than the datagram: silently dropped (RFC 2865 s3 "MUST be silently discarded")', { timeout: 15_000 }, async () => {
    const longer = nas.pap(carol.name, carol.password);
    longer.writeUInt16BE(longer.length + 10, 2);
    await nas.expectDropped(longer, 'malformed', { detail: /RADIUS_LENGTH_MISMATCH/ });
    const belowMinimum = nas.pap(carol.name, carol.password);
    belowMinimum.writeUInt16BE(19, 2);
    await nas.expectSilence(belowMinimum, 'malformed');
  });

  it('Access-Request with EAP-Message and no Message-Authenticator: silently dropped (RFC 3579 s3.2)', { timeout: 15_000 }, async () => {
    const req = nas.eapRequest(identityResponse('no-ma@strongswan.org'), { userName: 'no-ma@strongswan.org', ma: 'absent' });
    await nas.expectDropped(req, 'missing-message-authenticator');
  });

  it('attributes with Length 0 and 1: silently dropped, radius.dropped malformed (RFC 2865 s5: Length >= 2)', { timeout: 15_000 }, async () => {
    for (const len of [0, 1]) {
      const pkt = Buffer.concat([Buffer.from([CODE.AccessRequest, nas.nextId(), 0, 0]), randomBytes(16), Buffer.from([ATTR.UserName, len, 0x41, 0x41])]);
      pkt.writeUInt16BE(pkt.length, 2);
      await nas.expectDropped(pkt, 'malformed', { detail: /RADIUS_ATTRIBUTE_TOO_SHORT/ });
    }
  });

  it('a wrong Message-Authenticator: silently dropped, radius.dropped bad-message-authenticator (RFC 3579 s3.2)', { timeout: 15_000 }, async () => {
    await nas.expectDropped(nas.pap(carol.name, carol.password, 'wrong-secret'), 'bad-message-authenticator');
    await nas.expectSilence(nas.eapRequest(identityResponse('bad-ma@strongswan.org'), { ma: 'wrong-secret' }), 'bad-message-authenticator');
    // A Message-Authenticator of the wrong size (RFC 3579 s3.3: 16 octets) is no better.
    const short = encodeRequest({
      id: nas.nextId(),
      secret: SECRET,
      messageAuthenticator: 'absent',
      attributes: [...eapMessageAttrs(identityResponse('short-ma@strongswan.org')), [ATTR.MessageAuthenticator, randomBytes(10)]],
    });
    await nas.expectSilence(short, 'bad-message-authenticator');
  });

  it('a request from an address that is not a client (127.0.0.2): silently dropped, radius.dropped unknown-client (RFC 2865 s3)', { timeout: 15_000 }, async () => {
    const stranger = await RadiusSocket.open(scope, STRANGER);
    const ev = await nas.expectDropped(encodeAccessRequest({ id: nas.nextId(), secret: SECRET, userName: carol.name, password: carol.password }), 'unknown-client', {
      sock: stranger,
    });
    assert.equal(ev['client'], undefined, 'no client name for an unknown address');
  });

  it('an attribute running past the end of the packet: silently dropped, radius.dropped malformed', { timeout: 15_000 }, async () => {
    const overrun = Buffer.concat([Buffer.from([CODE.AccessRequest, nas.nextId(), 0, 0]), randomBytes(16), Buffer.from([ATTR.UserName, 50, 0x61, 0x62, 0x63])]);
    overrun.writeUInt16BE(overrun.length, 2);
    await nas.expectDropped(overrun, 'malformed', { detail: /RADIUS_ATTRIBUTE_OVERFLOW/ });
    // Only a Type octet left where an attribute header should be.
    const lone = Buffer.concat([nas.pap(carol.name, carol.password).subarray(0, 20), Buffer.from([ATTR.UserName])]);
    lone.writeUInt16BE(lone.length, 2);
    await nas.expectSilence(lone, 'malformed');
  });

  it('EAP-Message attributes whose joined length disagrees with the EAP Length: silently discarded, eap.discarded', { timeout: 15_000 }, async () => {
    // 300-octet identity: two EAP-Message attributes (253 + 56 octets).
    const identity = `${'x'.repeat(280)}@strongswan.org`;
    const eap = identityResponse(identity);
    const claimsMore = Buffer.from(eap);
    claimsMore.writeUInt16BE(eap.length + 50, 2);
    let since = server.mark();
    await nas.expectDropped(nas.eapRequest(claimsMore), 'handler-declined');
    await nas.waitForDiscarded(/RADIUS_EAP_LENGTH_MISMATCH/, since);

    const claimsLess = Buffer.from(eap);
    claimsLess.writeUInt16BE(eap.length - 10, 2);
    since = server.mark();
    await nas.expectSilence(nas.eapRequest(claimsLess), 'handler-declined');
    await nas.waitForDiscarded(/RADIUS_EAP_LENGTH_MISMATCH/, since);

    since = server.mark();
    await nas.expectSilence(nas.eapRequest(Buffer.alloc(0), { eapAttrs: [[ATTR.EapMessage, Buffer.from([EAP_CODE.Response, 0])]] }), 'handler-declined');
    await nas.waitForDiscarded(/RADIUS_EAP_TRUNCATED/, since);
  });

  it('a 5000-octet datagram: Length 5000 dropped (max 4096); a valid packet padded to 5000 octets answered (RFC 2865 s3 padding)', { timeout: 15_000 }, async () => {
    const big = Buffer.concat([nas.pap(carol.name, carol.password), Buffer.alloc(5000)]).subarray(0, 5000);
    big.writeUInt16BE(5000, 2);
    await nas.expectDropped(big, 'malformed', { detail: /RADIUS_PACKET_TOO_LARGE/ });

    const req = nas.pap(carol.name, carol.password);
    const padded = Buffer.concat([req, Buffer.alloc(5000 - req.length)]);
    const raw = await nas.exchange(padded);
    assert.ok(raw, 'no reply to a valid packet followed by padding');
    assert.equal(decodePacket(raw).code, CODE.AccessAccept);
    assert.ok(responseAuthenticatorValid(raw, req.subarray(4, 20), SECRET));
  });


  it('an unknown State: Access-Reject with EAP-Failure for an EAP-Response, silence for anything else', { timeout: 15_000 }, async () => {
    const since = server.mark();
    const state = randomBytes(16);
    state[0] = 0; // the PDP's shard octet: the State looks like one of its own
    await nas.expectEapFailure(nas.eapRequest(ttlsResponse(7, Buffer.alloc(0)), { state, userName: 'stale@strongswan.org' }), 7);
    const c = await server.waitForConversation((x) => x.outcome === 'reject' && x.user === 'stale@strongswan.org', since, 3000);
    assert.ok(c);
    // An EAP-Request (from a NAS, never valid) with an unknown State gets nothing.
    const before = server.mark();
    await nas.expectSilence(nas.eapRequest(encodeEap(EAP_CODE.Request, 8, EAP_TYPE.Identity), { state }), 'handler-declined');
    await nas.waitForDiscarded(/unknown or expired State/, before);
  });

  it('an EAP-Response of an unknown Type inside a conversation: silently discarded, and the conversation goes on', { timeout: 15_000 }, async () => {
    await untilEvictable();
    const { state, eapId } = await nas.ttlsStart('unknown-type@strongswan.org');
    const since = server.mark();
    await nas.expectDropped(
      nas.eapRequest(encodeEap(EAP_CODE.Response, eapId, 200, Buffer.from('what is this')), { state }),
      'handler-declined',
    );
    await nas.waitForDiscarded('unexpected-type', since);
    // The same State still names the conversation: a TTLS Response is processed (and fails on garbage).
    await nas.expectEapFailure(nas.eapRequest(ttlsResponse(eapId, randomBytes(64)), { state }), eapId);
  });

  it('garbage TLS records after the TTLS Start: Access-Reject with EAP-Failure, conversation.finished reject', { timeout: 20_000 }, async () => {
    await untilEvictable();
    const recordPromisingMore = Buffer.concat([Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]), randomBytes(200)]);
    const payloads = [randomBytes(100), randomBytes(600), randomBytes(1000), recordPromisingMore];
    for (const [i, data] of payloads.entries()) {
      const user = `garbage-${i}@strongswan.org`;
      const { state, eapId } = await nas.ttlsStart(user);
      const since = server.mark();
      await nas.expectEapFailure(nas.eapRequest(ttlsResponse(eapId, data), { state }), eapId);
      const c = await server.waitForConversation((x) => x.user === user, since, 3000);
      assert.equal(c?.outcome, 'reject');
      const finished = server.proc.jsonLines(since).find((o) => o['event'] === 'conversation.finished' && o['user'] === user);
      assert.match(String(finished?.['reason']), /tls/i, JSON.stringify(finished));
    }
  });


  it(`after all of it: the PDP is alive, RSS < ${RSS_LIMIT_MB} MB, PAP works, eapol_test EAP-TTLS/MD5 succeeds with MPPE keys`, { timeout: 40_000 }, async (t) => {
    const pid = server.proc.pid;
    assert.equal(server.proc.exitInfo, undefined, `PDP exited:\n${server.proc.tail()}`);
    assert.ok(['R', 'S', 'D'].includes(procState(pid) ?? '?'), `PDP process state ${procState(pid)}`);

    const rss = rssMb(pid);
    t.diagnostic(`PDP VmRSS at the end: ${rss.toFixed(0)} MB`);
    assert.ok(rss < RSS_LIMIT_MB, `PDP VmRSS ${rss.toFixed(0)} MB (limit ${RSS_LIMIT_MB} MB)`);

    const req = nas.pap(carol.name, carol.password);
    const raw = await nas.exchange(req);
    assert.ok(raw, 'no reply to PAP after the flood');
    assert.equal(decodePacket(raw).code, CODE.AccessAccept);

    await untilEvictable();
    const conf = writeEapolConfig(dir, 'ttls-md5', {
      identity: carol.name,
      password: carol.password,
      inner: 'md5',
      caCertPath: server.caCertPath,
      tls: 'any',
      serverName: SERVER_NAME,
    });
    const since = server.mark();
    const r = await runEapolTest(conf, { server: server.auth, secret: SECRET, timeoutSec: 10 });
    t.diagnostic(`eapol_test after all of it: ${r.durationMs} ms, ${r.accessRequests} Access-Requests`);
    assert.ok(r.success, describeEapol(r));
    assert.ok(r.mppeOk, describeEapol(r));
    const c = await server.waitForConversation((x) => x.user === carol.name && x.method.startsWith('ttls'), since, 3000);
    assert.equal(c?.outcome, 'accept');
    assert.equal(c?.group, 'allow');
  });


  it('throughout: no error-level log line, no handler-error drop, nothing on stderr', { timeout: 5_000 }, () => {
    const bad = server.proc.jsonLines().filter((o) => Number(o['level']) >= 50 || o['reason'] === 'handler-error');
    assert.deepEqual(bad, [], 'error-level log lines or handler errors');
    const stderr = server.proc.lines.filter((_, i) => server.proc.streams[i] === 'err');
    assert.deepEqual(stderr, [], 'PDP wrote to stderr');
    assert.equal(server.proc.exitInfo, undefined);
  });
});
