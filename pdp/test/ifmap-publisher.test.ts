/**
 * The IF-MAP publisher against a fake MAP server in this process (node:https with a test CA made
 * by openssl): basic and certificate authentication, newSession/purgePublisher/publish/
 * renewSession/endSession, errorResult and SOAP faults as typed errors with log lines, an outage
 * (server closed, then back on the same port) after which the queue delivers everything, the
 * queue surviving a restart, and the bound on the queue.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpsTransport, IfmapPublisher, type IfmapAuth, type IfmapError, type IfmapLog } from '../ifmap/index.js';
import { carol, dave } from './ifmap-fixtures.js';

let dir = '';
const pem: Record<string, string> = {};
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifmap-pub-'));
  const o = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  o('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=ifmap test CA', '-days', '2');
  for (const [name, ext] of [['server', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], ['client', 'extendedKeyUsage=clientAuth']] as const) {
    o('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'client' ? 'alice.strongswan.org' : 'localhost'}`);
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    o('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  }
  for (const f of ['ca.crt', 'server.crt', 'server.key', 'client.crt', 'client.key']) pem[f] = readFileSync(join(dir, f), 'utf8');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const SOAP = 'xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ifmap="http://www.trustedcomputinggroup.org/2010/IFMAP/2"';
const response = (inner: string): string => `<?xml version="1.0"?><env:Envelope ${SOAP}><env:Body><ifmap:response>${inner}</ifmap:response></env:Body></env:Envelope>`;
const fault = (code: string, text: string): string =>
  `<env:Envelope ${SOAP}><env:Body><env:Fault><env:Code><env:Value>env:${code}</env:Value></env:Code><env:Reason><env:Text xml:lang="en">${text}</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`;

type Reply = { status?: number; body: string } | 'default';

/** A fake MAP server: records requests, answers per request kind, can be told to misbehave once. */
class FakeMap {
  readonly requests: { kind: string; body: string; auth?: string; peerCn?: string }[] = [];
  readonly script: ((kind: string, body: string) => Reply)[] = [];
  #server: Server | undefined;
  #sessions = 0;
  port = 0;
  constructor(readonly opts: { clientCert?: boolean } = {}) {}

  async listen(port = 0): Promise<void> {
    const server = createServer({ cert: pem['server.crt'], key: pem['server.key'], ...(this.opts.clientCert ? { ca: pem['ca.crt'], requestCert: true, rejectUnauthorized: true } : {}) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const kind = /<ifmap:(\w+)/.exec(body)?.[1] ?? '?';
        const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate?.();
        this.requests.push({ kind, body, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), ...(peer?.subject?.CN ? { peerCn: String(peer.subject.CN) } : {}) });
        const scripted = this.script.shift()?.(kind, body) ?? 'default';
        const r: { status?: number; body: string } = scripted === 'default' ? this.#default(kind) : scripted;
        res.writeHead(r.status ?? 200, { 'content-type': 'application/soap+xml' }).end(r.body);
      });
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  #default(kind: string): { body: string } {
    switch (kind) {
      case 'newSession':
        return { body: response(`<newSessionResult session-id="S${++this.#sessions}" ifmap-publisher-id="pdp-pub" max-poll-result-size="5000000"/>`) };
      case 'purgePublisher':
        return { body: response('<purgePublisherReceived/>') };
      case 'renewSession':
        return { body: response('<renewSessionResult/>') };
      case 'endSession':
        return { body: response('<endSessionResult/>') };
      default:
        return { body: response('<publishReceived/>') };
    }
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** access-request names that reached the server in updates / deletes. */
  published(op: 'update' | 'delete'): string[] {
    // Each endpoint is several update (delete) elements: count it once per publish request.
    return this.requests
      .filter((r) => r.kind === 'publish')
      .flatMap((r) => [...new Set([...r.body.matchAll(new RegExp(`<${op}[ >](?:(?!</${op}>).)*?<access-request name="([^"]+)"`, 'g'))].map((m) => m[1]!))]);
  }
}

function memoryLog(): IfmapLog & { lines: { level: string; event?: string; msg: string }[] } {
  const lines: { level: string; event?: string; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, event: (obj as { event?: string }).event, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

const basic: IfmapAuth = { basic: { user: 'pdp', password: 's3cret' } };
function publisher(map: FakeMap, sub: string, o: { auth?: IfmapAuth; queueLimit?: number; renewSeconds?: number; port?: number } = {}) {
  const log = memoryLog();
  const p = new IfmapPublisher({
    transport: new HttpsTransport({ url: `https://localhost:${o.port ?? map.port}/`, auth: o.auth ?? basic, caPem: pem['ca.crt']!, timeoutMs: 2000 }),
    dir: join(dir, sub),
    queueLimit: o.queueLimit ?? 100,
    renewSeconds: o.renewSeconds ?? 3600,
    pdpDevice: 'alice',
    backoffMs: { initial: 20, max: 100 },
    log,
  });
  return { p, log };
}

test('basic auth: newSession, purgePublisher, publish update and delete, endSession', async () => {
  const map = new FakeMap();
  await map.listen();
  const { p, log } = publisher(map, 'basic');
  const sessions: string[] = [];
  p.on('session', (s) => sessions.push(s.sessionId));
  p.start();
  p.publish('update', carol);
  p.publish('delete', carol);
  await p.idle();
  await p.stop();
  await map.close();
  assert.deepEqual(sessions, ['S1']);
  assert.deepEqual(map.requests.map((r) => r.kind).filter((k) => k !== 'publish'), ['newSession', 'purgePublisher', 'endSession']);
  assert.ok(map.requests.every((r) => r.auth === `Basic ${Buffer.from('pdp:s3cret').toString('base64')}`));
  assert.match(map.requests[1]!.body, /<ifmap:purgePublisher session-id="S1" ifmap-publisher-id="pdp-pub"\/>/);
  assert.ok(map.published('update').includes('alice:s1'));
  assert.ok(map.published('delete').includes('alice:s1'));
  assert.ok(map.requests.filter((r) => r.kind === 'publish').every((r) => r.body.includes('session-id="S1"') && r.body.includes("[@ifmap-publisher-id='pdp-pub']")));
  assert.ok(log.lines.some((l) => l.event === 'ifmap.session-ended'));
  assert.ok(!log.lines.some((l) => l.msg.includes('s3cret')), 'the password never reaches a log line');
});

test('client certificate authentication', async () => {
  const map = new FakeMap({ clientCert: true });
  await map.listen();
  const refused = publisher(map, 'cert-refused');
  const failures: IfmapError[] = [];
  refused.p.on('failed', (f) => failures.push(f.error));
  refused.p.start();
  await new Promise((r) => setTimeout(r, 150));
  await refused.p.stop();
  assert.ok(refused.log.lines.some((l) => l.event === 'ifmap.unavailable'), 'without a client certificate: unavailable, logged');
  const { p } = publisher(map, 'cert', { auth: { certificate: { certPem: pem['client.crt']!, keyPem: pem['client.key']! } } });
  p.start();
  p.publish('update', dave);
  await p.idle();
  await p.stop();
  await map.close();
  assert.ok(map.requests.length >= 3 && map.requests.every((r) => r.peerCn === 'alice.strongswan.org' && r.auth === undefined));
  assert.deepEqual(map.published('update').filter((n) => n === 'alice:s2').length > 0, true);
});

test('outage: the server goes down and comes back; the queue delivers everything, in order', async () => {
  const map = new FakeMap();
  await map.listen();
  const port = map.port;
  await map.close(); // down before the PDP even connects
  const { p, log } = publisher(map, 'outage', { port });
  p.start();
  const keys = Array.from({ length: 25 }, (_, i) => `k${i}`);
  for (const k of keys) p.publish('update', { ...carol, sessionKey: k });
  p.publish('delete', { ...carol, sessionKey: 'k0' });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(p.queued, 26);
  assert.ok(log.lines.some((l) => l.level === 'warn' && l.event === 'ifmap.unavailable' && /ECONNREFUSED/.test(l.msg)));
  await map.listen(port);
  await p.idle();
  assert.deepEqual(map.published('update').filter((n) => n.startsWith('alice:k')), keys.map((k) => `alice:${k}`));
  assert.deepEqual(map.published('delete').filter((n) => n.startsWith('alice:k')).slice(-1), ['alice:k0']);
  await p.stop();
  await map.close();
});

test('the queue survives a restart of the PDP and is bounded (oldest dropped, logged)', async () => {
  const map = new FakeMap();
  await map.listen();
  const port = map.port;
  await map.close();
  const first = publisher(map, 'restart', { port, queueLimit: 3 });
  first.p.start();
  for (const k of ['a', 'b', 'c', 'd', 'e']) first.p.publish('update', { ...dave, sessionKey: k });
  await first.p.stop(); // the MAP server is down: nothing sent, the queue is on disk
  assert.equal(first.log.lines.filter((l) => l.event === 'ifmap.queue-dropped').length, 2);
  await map.listen(port);
  const second = publisher(map, 'restart', { port, queueLimit: 3 });
  assert.equal(second.p.queued, 3);
  assert.ok(second.log.lines.some((l) => l.event === 'ifmap.queue-loaded'));
  second.p.start();
  await second.p.idle();
  await second.p.stop();
  await map.close();
  assert.deepEqual(map.published('update').filter((n) => /^alice:[a-e]$/.test(n)), ['alice:c', 'alice:d', 'alice:e']);
  assert.deepEqual(map.requests.slice(0, 2).map((r) => r.kind), ['newSession', 'purgePublisher']);
});

test('errorResult and SOAP faults: typed errors, log lines, retry or drop, new session', async () => {
  const map = new FakeMap();
  await map.listen();
  const { p, log } = publisher(map, 'errors');
  const failed: IfmapError[] = [];
  const dropped: string[] = [];
  p.on('failed', (f) => failed.push(f.error));
  p.on('dropped', (d) => dropped.push(d.sessionKey));
  p.start();
  await p.idle();
  // e1: the session expired on the server, then overloaded (Receiver fault, HTTP 500), then accepted;
  // e2+e3: a Sender fault on the batch narrows it to one per request: e2 refused for good
  // (InvalidMetadata, dropped), e3 hits an HTTP 503 without SOAP and is retried.
  const errorResult = (code: string) => (): Reply => ({ body: response(`<errorResult errorCode="${code}"><errorString>${code} &amp; more</errorString></errorResult>`) });
  map.script.push(errorResult('InvalidSessionID'));
  map.script.push(() => 'default'); // newSession
  map.script.push(() => ({ status: 500, body: fault('Receiver', 'database busy') }));
  map.script.push(() => 'default'); // e1 retried: accepted
  map.script.push(() => ({ status: 400, body: fault('Sender', 'malformed') })); // batch of 3 refused: narrowed
  map.script.push(errorResult('InvalidMetadata')); // first alone: dropped
  map.script.push(() => ({ status: 503, body: 'Service Unavailable' })); // second: HTTP error, retried
  p.publish('update', { ...carol, sessionKey: 'e1' });
  await p.idle();
  p.publish('update', { ...carol, sessionKey: 'e2' });
  p.publish('update', { ...carol, sessionKey: 'e3' });
  await p.idle();
  await p.stop();
  await map.close();
  assert.deepEqual(
    failed.map((e) => [e.code, e.errorCode ?? e.faultCode ?? e.status]),
    [
      ['IFMAP_ERROR_RESULT', 'InvalidSessionID'],
      ['IFMAP_SOAP_FAULT', 'env:Receiver'],
      ['IFMAP_SOAP_FAULT', 'env:Sender'],
      ['IFMAP_ERROR_RESULT', 'InvalidMetadata'],
      ['IFMAP_HTTP', 503],
    ],
  );
  assert.ok(map.requests.filter((r) => r.kind === 'newSession').length >= 2, 'a new session after InvalidSessionID');
  assert.ok(map.published('update').includes('alice:e1'));
  assert.deepEqual(dropped, ['e2']);
  assert.ok(map.published('update').includes('alice:e3'));
  assert.ok(log.lines.some((l) => l.level === 'error' && l.event === 'ifmap.publish-dropped' && /InvalidMetadata & more/.test(l.msg)));
  assert.ok(log.lines.some((l) => l.event === 'ifmap.request-failed' && /database busy/.test(l.msg)));
});

test('renewSession on the timer; a failed renew starts a new session and republishes the live endpoints', async () => {
  const map = new FakeMap();
  await map.listen();
  const { p } = publisher(map, 'renew', { renewSeconds: 1 });
  p.start();
  p.publish('update', { ...carol, sessionKey: 'live' });
  await p.idle();
  map.script.push(() => ({ body: response('<errorResult errorCode="InvalidSessionID"><errorString/></errorResult>') }));
  await new Promise((r) => setTimeout(r, 1300));
  await p.idle();
  await p.stop();
  await map.close();
  const kinds = map.requests.map((r) => r.kind);
  assert.ok(kinds.includes('renewSession'));
  assert.equal(kinds.filter((k) => k === 'newSession').length, 2);
  assert.equal(kinds.filter((k) => k === 'purgePublisher').length, 1, 'purge only once per start');
  assert.equal(map.published('update').filter((n) => n === 'alice:live').length, 2);
});
