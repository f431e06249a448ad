/**
 * TNC MAP export (IF-MAP 2.x over SOAP 1.2, issue 5 item 4; REFERENCE-SCENARIO step 8): our PDP
 * process (pdp/cli.ts) publishes to a MAP server over HTTPS with basic authentication, and keeps
 * authenticating whatever the MAP server does.
 *
 * Peers: eapol_test (EAP-TTLS/MD5 over RADIUS) and radclient (RFC 2866 accounting) on loopback;
 * the MAP server is lib/fake-map-server.ts (node:https, a test CA from openssl, session ids checked,
 * a restart forgets them). Asserted:
 *  - newSession + purgePublisher at start; carol's Access-Accept becomes a publish with
 *    authenticated-as (access-request + identity carol), capability "allow"; Accounting-Start with
 *    Framed-IP-Address adds access-request-ip; renewSession on the timer.
 *  - The MAP server answers SOAP 1.2 Receiver faults, then goes down: eapol_test still succeeds,
 *    the PDP logs ifmap.request-failed with the fault code and reason, then ECONNREFUSED; when the
 *    server is back (sessions forgotten: InvalidSessionID -> a new session) the queued publishes
 *    arrive, nothing dropped.
 *  - Accounting-Stop -> a delete publish for carol's access-request.
 *  - A SOAP Sender fault (the document is wrong): the publish is dropped with an error line
 *    (ifmap.publish-dropped), later publishes still arrive.
 *  - SIGTERM -> endSession; every document the server received validates with xmllint against the
 *    TCG schemas (../shared/ifmap-xsd); the password never reaches the PDP log.
 * Always our PDP (FreeRADIUS has no IF-MAP publisher).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { describeEapol, runEapolTest, writeEapolConfig } from './lib/eapol-test.js';
import { FakeMapServer, makeMapPki, publishElements, xmllintIfmap, type MapRequest } from './lib/fake-map-server.js';
import { makePdpConfig, REFERENCE_USERS, SERVER_NAME, type PdpConfig } from './lib/pdp-config.js';
import { freeUdpPorts } from './lib/ports.js';
import { Scope, type Json } from './lib/proc.js';
import { radclient, type RequestPairs } from './lib/radclient.js';
import type { RadiusServer } from './lib/radius-server.js';
import { assertPeers } from './lib/require-peers.js';
import { startServerUnderTest } from './lib/server-under-test.js';
import { makeTempDir } from './lib/tmp.js';

const SECRET = 'ifmap-Radius-Secret-4711';
const MAP_USER = 'tnc-pdp';
const MAP_PASSWORD = `map-${randomBytes(6).toString('hex')}`;
const LOOPBACK = '127.0.0.1';
const [carol, dave] = REFERENCE_USERS as [(typeof REFERENCE_USERS)[0], (typeof REFERENCE_USERS)[0]];
const CAROL_IP = '10.3.0.1';
const DAVE_IP = '10.4.0.2';

/** schemas/pdp-config.schema.json `ifmap` (lib/pdp-config.ts does not know it yet). */
interface IfmapSection {
  readonly url: string;
  readonly auth: { readonly basic: { readonly user: string; readonly password: string } };
  readonly ca: string;
  readonly renewSeconds?: number;
  readonly requestTimeoutSeconds?: number;
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const identityOf = (user: string): RegExp => new RegExp(`<identity [^>]*name="${esc(user)}"[^>]*type="username"|<identity [^>]*type="username"[^>]*name="${esc(user)}"`);
const accessRequestName = (el: string): string | undefined => /<access-request [^>]*name="([^"]+)"/.exec(el)?.[1];
const ipv4 = (ip: string): RegExp => new RegExp(`<ip-address [^>]*value="${esc(ip)}"[^>]*type="IPv4"|<ip-address [^>]*type="IPv4"[^>]*value="${esc(ip)}"`);

/** Elements of accepted publishes (from `since`) of one kind, with the request they came in. */
function elements(map: FakeMapServer, op: 'update' | 'delete', since = 0): { req: MapRequest; el: string }[] {
  return map.acceptedPublishes(since).flatMap((req) => publishElements(req.body, op).map((el) => ({ req, el })));
}

async function waitForElement(map: FakeMapServer, op: 'update' | 'delete', pred: (el: string) => boolean, since: number, timeoutMs: number, what: string): Promise<string> {
  const r = await map.waitFor((x) => x.kind === 'publish' && x.answer === 'ok' && publishElements(x.body, op).some(pred), { since, timeoutMs, what });
  return publishElements(r.body, op).find(pred)!;
}

describe('IF-MAP publish to a MAP server over HTTPS, through SOAP faults and an outage (issue 5 item 4)', { timeout: 120_000 }, () => {
  const scope = new Scope();
  let dir = '';
  let map: FakeMapServer;
  let server: RadiusServer;
  let carolAr = '';

  const eapol = async (user: typeof carol): Promise<void> => {
    const conf = writeEapolConfig(dir, `eapol-${user.name.split('@')[0]}`, { identity: user.name, password: user.password, inner: 'md5', caCertPath: server.caCertPath, tls: 'any' });
    const r = await runEapolTest(conf, { server: server.auth, secret: SECRET, timeoutSec: 8 });
    assert.ok(r.success && r.mppeOk, `eapol_test ${user.name}: ${describeEapol(r)}\n--- pdp ---\n${server.proc.tail(30)}`);
  };

  const accounting = async (status: 'Start' | 'Stop', user: string, ip: string, session: string): Promise<void> => {
    const pairs: RequestPairs = [
      ['Acct-Status-Type', { raw: status }],
      ['User-Name', user],
      ['Acct-Session-Id', session],
      ['NAS-IP-Address', { raw: '10.1.0.1' }],
      ['Framed-IP-Address', { raw: ip }],
      ...(status === 'Stop' ? ([['Acct-Session-Time', 30], ['Acct-Terminate-Cause', { raw: 'User-Request' }]] as RequestPairs) : []),
    ];
    const r = await radclient({ server: server.accounting, command: 'acct', secret: SECRET, dir, requests: [pairs], retries: 2, timeoutSec: 2 });
    assert.equal(r.replies[0]?.code, 'Accounting-Response', `radclient acct ${status}: exit=${r.exitCode}\n${r.stdout}\n${r.stderr}`);
  };

  const waitLog = (pred: (o: Json) => boolean, since: number, timeoutMs: number, what: string): Promise<Json> =>
    server.proc.waitForJson(pred, { since, timeoutMs, what }).catch((e: Error) => assert.fail(`${e.message}\n--- pdp ---\n${server.proc.tail(40)}`));

  before(async () => {
    assertPeers();
    dir = makeTempDir(scope, 'ifmap');
    const pki = makeMapPki(dir);
    map = await FakeMapServer.start(scope, { pki, user: MAP_USER, password: MAP_PASSWORD });
    const [auth, acct] = (await freeUdpPorts(2, LOOPBACK)) as [number, number];
    const ifmap: IfmapSection = { url: map.url, auth: { basic: { user: MAP_USER, password: MAP_PASSWORD } }, ca: pki.caPath, renewSeconds: 2, requestTimeoutSeconds: 3 };
    const config: PdpConfig & { readonly ifmap: IfmapSection } = {
      ...makePdpConfig({
        stateDir: `${dir}/state`,
        auth: { address: LOOPBACK, port: auth },
        accounting: { address: LOOPBACK, port: acct },
        clients: [{ name: 'moon', address: '127.0.0.1/32', secret: SECRET, requireMessageAuthenticator: true }],
      }),
      ifmap,
    };
    server = await startServerUnderTest(scope, config, { kind: 'ours' });
    await waitLog((o) => o['event'] === 'ifmap.started', 0, 5000, 'ifmap.started');
  });
  after(() => scope.close());

  it('newSession and purgePublisher; carol authenticates: authenticated-as, capability, then access-request-ip from Accounting-Start', { timeout: 30_000 }, async () => {
    await map.waitFor((r) => r.kind === 'purgePublisher' && r.answer === 'ok', { timeoutMs: 10_000, what: 'purgePublisher' });
    assert.deepEqual(map.requests.slice(0, 2).map((r) => `${r.kind}:${r.answer}`), ['newSession:ok', 'purgePublisher:ok']);
    assert.match(map.requests[1]!.body, new RegExp(`<ifmap:purgePublisher [^>]*ifmap-publisher-id="${map.publisherId}"`));
    await waitLog((o) => o['event'] === 'ifmap.session', 0, 5000, 'ifmap.session');

    const since = map.requests.length;
    await eapol(carol);
    const asCarol = (el: string): boolean => identityOf(carol.name).test(el) && /<meta:authenticated-as /.test(el);
    const authAs = await waitForElement(map, 'update', asCarol, since, 10_000, "publish with carol's authenticated-as");
    carolAr = accessRequestName(authAs) ?? '';
    assert.match(carolAr, new RegExp(`^${esc(SERVER_NAME)}:.+`), 'access-request named <PDP device>:<session>');
    assert.match(authAs, /<meta:authenticated-as [^>]*ifmap-cardinality="singleValue"/);
    const carolUpdates = elements(map, 'update', since).filter((x) => accessRequestName(x.el) === carolAr);
    const cap = carolUpdates.find((x) => /<meta:capability /.test(x.el));
    assert.ok(cap, `capability for ${carolAr}; updates:\n${carolUpdates.map((x) => x.el).join('\n')}`);
    assert.match(cap.el, /<meta:capability [^>]*>\s*<name>allow<\/name>/, 'capability = carol\'s group (Filter-Id allow)');
    assert.ok(carolUpdates.some((x) => /<meta:authenticated-by /.test(x.el) && new RegExp(`<device>\\s*<name>${esc(SERVER_NAME)}</name>`).test(x.el)), 'authenticated-by the PDP device');
    assert.ok(map.requests.slice(since).every((r) => r.answer !== 'denied'), 'basic authentication accepted');

    const reqAcct = map.requests.length;
    await accounting('Start', carol.name, CAROL_IP, 'ifmap-carol-1');
    const arIp = await waitForElement(map, 'update', (el) => /<meta:access-request-ip /.test(el) && ipv4(CAROL_IP).test(el), reqAcct, 10_000, `access-request-ip ${CAROL_IP}`);
    assert.equal(accessRequestName(arIp), carolAr, 'access-request-ip links the same access-request');
  });

  it('renewSession on the timer (renewSeconds 2)', { timeout: 10_000 }, async () => {
    const r = await map.waitFor((x) => x.kind === 'renewSession', { timeoutMs: 6000, what: 'renewSession' });
    assert.equal(r.answer, 'ok');
    assert.equal(r.sessionId, map.requests.find((x) => x.kind === 'purgePublisher')?.sessionId, 'renews the session it opened');
  });

  it('SOAP faults, then the MAP server down: eapol_test still succeeds, the PDP logs the errors, the queue arrives when it is back', { timeout: 50_000 }, async () => {
    // 1. Receiver faults (HTTP 500): retryable, the publish stays queued.
    const logFault = server.proc.mark();
    const reqFault = map.requests.length;
    map.failWith = { code: 'Receiver', reason: 'MAP database busy' };
    await eapol(dave);
    const fault = await waitLog((o) => (o['event'] === 'ifmap.request-failed' || o['event'] === 'ifmap.unavailable') && /SOAP fault env:Receiver: MAP database busy/.test(String(o['msg'])), logFault, 10_000, 'ifmap error line for the SOAP fault');
    assert.equal(fault['code'], 'IFMAP_SOAP_FAULT', JSON.stringify(fault));
    if (fault['event'] === 'ifmap.request-failed') assert.equal(fault['faultCode'], 'env:Receiver', JSON.stringify(fault));
    assert.ok(map.requests.slice(reqFault).some((r) => r.answer === 'fault'), 'the MAP server answered with a fault');

    // 2. Down (connection refused); authentication and accounting go on.
    const logDown = server.proc.mark();
    await map.stop();
    map.failWith = undefined;
    await eapol(carol);
    await accounting('Start', dave.name, DAVE_IP, 'ifmap-dave-1');
    const down = await waitLog((o) => /^ifmap\./.test(String(o['event'])) && /ECONNREFUSED/.test(String(o['msg'])), logDown, 20_000, 'ifmap error line with ECONNREFUSED');
    assert.ok(['warn', 40, 'error', 50].includes(down['level'] as string | number), `logged as warn/error: ${JSON.stringify(down)}`);
    const conversations = (server.conversations(logFault) ?? []).filter((c) => c.outcome === 'accept');
    assert.deepEqual(conversations.map((c) => c.user).sort(), [carol.name, dave.name].sort(), 'the PDP kept authenticating');

    // 3. Back on the same port, sessions forgotten: InvalidSessionID -> newSession -> the queue.
    const reqBack = map.requests.length;
    await map.listen();
    const isDave = (el: string): boolean => identityOf(dave.name).test(el) && /<meta:authenticated-as /.test(el);
    const daveAuth = await waitForElement(map, 'update', isDave, reqBack, 30_000, "dave's authenticated-as after the outage");
    const daveAr = accessRequestName(daveAuth)!;
    await waitForElement(map, 'update', (el) => accessRequestName(el) === daveAr && /<meta:capability [^>]*>\s*<name>isolate<\/name>/.test(el), reqBack, 10_000, "dave's capability isolate");
    await waitForElement(map, 'update', (el) => accessRequestName(el) === daveAr && /<meta:access-request-ip /.test(el) && ipv4(DAVE_IP).test(el), reqBack, 10_000, `dave's access-request-ip ${DAVE_IP}`);
    // carol's second decision: her first access-request is deleted, the new one published.
    const carol2 = await waitForElement(map, 'update', (el) => identityOf(carol.name).test(el) && /<meta:authenticated-as /.test(el) && accessRequestName(el) !== carolAr, reqBack, 10_000, "carol's second access-request");
    await waitForElement(map, 'delete', (el) => accessRequestName(el) === carolAr, reqBack, 10_000, `delete of ${carolAr}`);
    carolAr = accessRequestName(carol2)!;
    const back = map.requests.slice(reqBack);
    const newSession = back.find((r) => r.kind === 'newSession' && r.answer === 'ok');
    assert.ok(newSession, `a new session after the restart: ${back.map((r) => `${r.kind}(${r.answer})`).join(' ')}`);
    const sid = server.proc.jsonLines(logFault).filter((o) => o['event'] === 'ifmap.session').at(-1)?.['sessionId'];
    assert.ok(typeof sid === 'string' && sid !== map.requests.find((r) => r.kind === 'purgePublisher')?.sessionId, `ifmap.session logged a new session id: ${String(sid)}`);
    assert.ok(map.acceptedPublishes(reqBack).every((r) => r.sessionId === sid), `queued publishes sent in the new session ${sid}`);
    assert.ok(!server.proc.jsonLines(logFault).some((o) => o['event'] === 'ifmap.publish-dropped' || o['event'] === 'ifmap.queue-dropped'), 'nothing dropped');
  });

  it('Accounting-Stop -> a delete publish for carol', { timeout: 20_000 }, async () => {
    const since = map.requests.length;
    await accounting('Stop', carol.name, CAROL_IP, 'ifmap-carol-2');
    const del = await waitForElement(map, 'delete', (el) => accessRequestName(el) === carolAr && /filter="[^"]*meta:authenticated-as/.test(el), since, 15_000, `delete for ${carolAr}`);
    assert.match(del, new RegExp(`meta:authenticated-as\\[@ifmap-publisher-id='${esc(map.publisherId)}'\\]`), 'the filter names our own metadata only');
    assert.ok(elements(map, 'delete', since).some((x) => accessRequestName(x.el) === carolAr && /meta:capability/.test(x.el)), 'capability deleted too');
  });

  it('a SOAP Sender fault refuses a publish for good: logged as ifmap.publish-dropped, the queue behind it still flows', { timeout: 30_000 }, async () => {
    const logSince = server.proc.mark();
    const reqSince = map.requests.length;
    map.failWith = { code: 'Sender', reason: 'metadata refused by policy', only: ['publish'] };
    await eapol(dave); // a new decision for dave: delete of the old access-request + update
    const dropped = await waitLog((o) => o['event'] === 'ifmap.publish-dropped', logSince, 15_000, 'ifmap.publish-dropped');
    assert.equal(dropped['level'], 'error', JSON.stringify(dropped));
    assert.match(String(dropped['msg']), /SOAP fault env:Sender: metadata refused by policy/);
    const failed = server.proc.jsonLines(logSince).find((o) => o['event'] === 'ifmap.request-failed' && o['faultCode'] === 'env:Sender');
    assert.ok(failed && failed['retryable'] === false, `request-failed with faultCode env:Sender, retryable false: ${JSON.stringify(failed)}`);
    map.failWith = undefined;
    const reqOk = map.requests.length;
    await eapol(carol);
    await waitForElement(map, 'update', (el) => identityOf(carol.name).test(el) && /<meta:authenticated-as /.test(el) && accessRequestName(el) !== carolAr, reqOk, 15_000, "carol's update after the refused publishes");
    assert.ok(map.requests.slice(reqSince).filter((r) => r.kind === 'publish' && r.answer === 'fault').length >= 1);
  });

  it('SIGTERM ends the session; every document received validates with xmllint against the TCG schemas', { timeout: 30_000 }, async () => {
    const since = map.requests.length;
    await server.stop();
    const end = map.requests.slice(since).find((r) => r.kind === 'endSession');
    assert.ok(end, `endSession on stop: ${map.requests.slice(since).map((r) => r.kind).join(' ')}`);
    assert.equal(end.answer, 'ok');
    const log = server.proc.lines.join('\n');
    assert.ok(!log.includes(MAP_PASSWORD), 'the MAP password never reaches the log');
    const documents = map.requests.map((r, i) => ({ name: `${r.kind}-${i}`, xml: r.body }));
    const kinds = new Set(map.requests.map((r) => r.kind));
    for (const k of ['newSession', 'purgePublisher', 'publish', 'renewSession', 'endSession']) assert.ok(kinds.has(k), `received ${k}`);
    assert.ok(!kinds.has('?'), 'every request names an IF-MAP operation');
    const { files, stderr } = await xmllintIfmap(dir, documents);
    for (const f of files) assert.match(stderr, new RegExp(`${esc(f)} validates`), stderr);
    // The validation can fail here too: a received publish with a capability lacking its cardinality.
    const pub = documents.find((d) => d.xml.includes('<meta:capability '))!;
    const broken = pub.xml.replace(/<meta:capability [^>]*>/, '<meta:capability>');
    assert.notEqual(broken, pub.xml);
    await assert.rejects(xmllintIfmap(dir, [{ name: 'broken', xml: broken }]), /xmllint refused/);
  });
});
