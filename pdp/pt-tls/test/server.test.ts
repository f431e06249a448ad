/**
 * The PT-TLS server over real TLS on loopback: full exchanges with our client and a
 * PbTncClientSession (no auth, SASL PLAIN, certificate), refused authentication, and hostile input
 * from a raw TLS client (garbage, oversized lengths, wrong order, unknown types, idle clients, too
 * many connections): always a PT-TLS Error and a close, typed events, posture sessions released.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:tls';
import { AccessRecommendation, PbTncClientSession } from '../../../tnc/index.js';
import {
  PtTlsClientError,
  PtTlsErrorCode,
  PtTlsFramer,
  PtTlsServer,
  decodeMessage,
  encodeMessage,
  encodeWithHeader,
  runPtTlsClient,
  type ClientAuth,
  type PtTlsServerEvents,
  type PtTlsServerOptions,
  type PtTlsValue,
} from '../index.js';
import { encodeSaslPlain } from '../sasl-plain.js';
import { fakePostureService, makePtTlsPki, once, testUsers, type FakePostureService, type PtTlsTestPki } from './helpers.js';

let pki: PtTlsTestPki;
before(async () => {
  pki = await makePtTlsPki();
});

interface Running {
  server: PtTlsServer;
  port: number;
  posture: FakePostureService;
  events: { name: string; ev: unknown }[];
}

const servers: PtTlsServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function start(clientAuth: ClientAuth, extra: Partial<PtTlsServerOptions> = {}, posture = fakePostureService('allow', 2)): Promise<Running> {
  const server = new PtTlsServer({
    address: '127.0.0.1',
    port: 0,
    identity: { certificatePem: pki.serverCertPem, privateKeyPem: pki.serverKeyPem, caPem: pki.caPem },
    clientAuth,
    users: testUsers(),
    postureService: posture,
    ...extra,
  });
  servers.push(server);
  const events: Running['events'] = [];
  for (const name of ['connection', 'authenticated', 'auth-failed', 'decision', 'peer-error', 'error', 'closed', 'rejected'] as const) {
    server.on(name, (ev: unknown) => events.push({ name, ev }));
  }
  const { port } = await server.listen();
  return { server, port, posture, events };
}

const pbClient = (): PbTncClientSession => new PbTncClientSession({ handler: { onServerBatch: () => ({}) }, languagePreference: 'en' });

const clientOptions = (port: number) => ({ host: '127.0.0.1', port, servername: pki.serverName, ca: pki.caPem });

/** A raw TLS client: sends `chunks`, collects every message until the server closes. */
async function raw(port: number, chunks: Uint8Array[], opts: { waitMs?: number } = {}): Promise<{ values: PtTlsValue[]; closed: boolean }> {
  const socket = connect({ host: '127.0.0.1', port, servername: pki.serverName, ca: pki.caPem });
  await once(socket, 'secureConnect');
  const framer = new PtTlsFramer(1 << 22);
  const values: PtTlsValue[] = [];
  socket.on('data', (c: Buffer) => {
    for (const f of framer.push(c)) values.push(decodeMessage(f.bytes).value);
  });
  socket.on('error', () => undefined);
  for (const c of chunks) socket.write(c);
  const closed = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), opts.waitMs ?? 3_000);
    socket.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
  socket.destroy();
  return { values, closed };
}

const msg = (value: PtTlsValue, identifier = 0): Uint8Array => encodeMessage({ identifier, value });
const versionRequest = msg({ kind: 'version-request', minVersion: 1, maxVersion: 1, preferredVersion: 1 });
const names = (r: Running): string[] => r.events.map((e) => e.name);
const event = <K extends keyof PtTlsServerEvents>(r: Running, name: K): PtTlsServerEvents[K][0] | undefined =>
  r.events.find((e) => e.name === name)?.ev as PtTlsServerEvents[K][0] | undefined;

describe('PT-TLS server: full exchanges with our client', () => {
  it('no client authentication: version, empty SASL list, CDATA/SDATA/CDATA/RESULT/CLOSE, decision allow', async () => {
    const r = await start('none');
    const closed = once(r.server, 'closed');
    const result = await runPtTlsClient(clientOptions(r.port), pbClient());
    assert.equal(result.accessRecommendation, AccessRecommendation.AccessAllowed);
    assert.equal(result.saslMechanism, undefined);
    assert.equal(result.tlsProtocol, 'TLSv1.3');
    await closed;
    assert.deepEqual(r.posture.contexts, [{ user: 'anonymous', via: 'pt-tls', transport: 'pt-tls' }]);
    assert.equal(r.posture.sessions[0]?.batches, 2);
    assert.equal(r.posture.sessions[0]?.closed, 1);
    assert.deepEqual(names(r), ['connection', 'authenticated', 'decision', 'closed']);
    assert.equal(event(r, 'decision')?.decision?.recommendation, 'allow');
    assert.equal(event(r, 'closed')?.reason, 'pb-tnc-done');
  });

  it('TLS 1.2 works too', async () => {
    const r = await start('none');
    const result = await runPtTlsClient({ ...clientOptions(r.port), maxVersion: 'TLSv1.2' }, pbClient());
    assert.equal(result.tlsProtocol, 'TLSv1.2');
    assert.equal(result.accessRecommendation, AccessRecommendation.AccessAllowed);
  });

  it('SASL PLAIN against the PDP users: the posture session gets the user; isolate is reported', async () => {
    const r = await start('sasl-plain', {}, fakePostureService('isolate'));
    const result = await runPtTlsClient({ ...clientOptions(r.port), sasl: { user: 'dave', password: 'W7R0g3do' } }, pbClient());
    assert.equal(result.saslMechanism, 'PLAIN');
    assert.equal(result.accessRecommendation, AccessRecommendation.Quarantined);
    assert.equal(r.posture.contexts[0]?.user, 'dave');
    const auth = event(r, 'authenticated');
    assert.equal(auth?.user, 'dave');
    assert.equal(auth?.method, 'sasl-plain');
  });

  it('SASL PLAIN with a wrong password: SASL Result Abort, auth-failed event, no posture session', async () => {
    const r = await start('sasl-plain');
    const closed = once(r.server, 'closed');
    await assert.rejects(runPtTlsClient({ ...clientOptions(r.port), sasl: { user: 'carol', password: 'Gu3ssW0rd' } }, pbClient()), (e: unknown) => {
      assert.ok(e instanceof PtTlsClientError);
      assert.equal(e.code, 'PTTLS_CLIENT_AUTH_FAILED');
      return true;
    });
    assert.equal((await closed as { reason: string }).reason, 'sasl-failed');
    assert.equal(r.posture.contexts.length, 0);
    const failed = event(r, 'auth-failed');
    assert.equal(failed?.user, 'carol');
    assert.equal(failed?.reason, 'wrong-password');
    assert.ok(!JSON.stringify(r.events).includes('Gu3ssW0rd'), 'the password is in no event');
  });

  it('SASL PLAIN without credentials: the client refuses the mechanism list', async () => {
    const r = await start('sasl-plain');
    await assert.rejects(runPtTlsClient(clientOptions(r.port), pbClient()), /PTTLS_CLIENT_AUTH_FAILED/);
  });

  it('SASL PLAIN in two steps (selection without data, empty challenge, Authentication Data)', async () => {
    const r = await start('sasl-plain');
    const { values } = await raw(
      r.port,
      [
        versionRequest,
        msg({ kind: 'sasl-mechanism-selection', mechanism: 'PLAIN', initialData: undefined }, 1),
        msg({ kind: 'sasl-authentication-data', data: encodeSaslPlain('carol', 'Ar3etTnp') }, 2),
      ],
      { waitMs: 500 },
    );
    assert.deepEqual(
      values.map((v) => v.kind),
      ['version-response', 'sasl-mechanisms', 'sasl-authentication-data', 'sasl-result', 'sasl-mechanisms'],
    );
    assert.deepEqual(values[4], { kind: 'sasl-mechanisms', mechanisms: [] });
    assert.equal(event(r, 'authenticated')?.user, 'carol');
  });

  it('certificate mode: the verified client certificate CN is the user', async () => {
    const r = await start('certificate');
    const result = await runPtTlsClient({ ...clientOptions(r.port), cert: pki.clientCertPem, key: pki.clientKeyPem }, pbClient());
    assert.equal(result.accessRecommendation, AccessRecommendation.AccessAllowed);
    assert.equal(event(r, 'authenticated')?.user, 'carol@pt-tls.test');
    assert.equal(event(r, 'authenticated')?.method, 'certificate');
  });

  it('certificate mode: no certificate, or one from another CA, fails the TLS handshake', async () => {
    const r = await start('certificate');
    await assert.rejects(runPtTlsClient(clientOptions(r.port), pbClient()), PtTlsClientError);
    await assert.rejects(runPtTlsClient({ ...clientOptions(r.port), cert: pki.otherClientCertPem, key: pki.otherClientKeyPem }, pbClient()), PtTlsClientError);
    assert.equal(r.posture.contexts.length, 0);
  });
});

describe('PT-TLS server: hostile input becomes a PT-TLS Error and a close', () => {
  it('garbage instead of a header (Message Length < 16): Malformed Message', async () => {
    const r = await start('none');
    const { values, closed } = await raw(r.port, [new Uint8Array(16).fill(0)]);
    assert.ok(closed);
    assert.deepEqual(values.map((v) => v.kind), ['error']);
    assert.equal(values[0]?.kind === 'error' && values[0].errorCode, PtTlsErrorCode.MalformedMessage);
    assert.equal(event(r, 'error')?.code, 'PTTLS_LENGTH_INVALID');
  });

  it('a Message Length of 4 GiB is refused from the header, before buffering', async () => {
    const r = await start('none');
    const header = encodeWithHeader(0, 7, 0, new Uint8Array(0));
    new DataView(header.buffer).setUint32(8, 0xffffffff);
    const { values, closed } = await raw(r.port, [header]);
    assert.ok(closed);
    assert.equal(values[0]?.kind === 'error' && values[0].errorCode, PtTlsErrorCode.InvalidParameter);
    assert.equal(event(r, 'error')?.code, 'PTTLS_MESSAGE_TOO_LARGE');
  });

  it('a SASL message larger than its bound is refused even though batches may be 2 MiB', async () => {
    const r = await start('sasl-plain');
    const { values } = await raw(r.port, [versionRequest, encodeWithHeader(0, 4, 1, new Uint8Array(100_000))]);
    assert.equal(values.at(-1)?.kind === 'error' && values.at(-1)?.kind, 'error');
    assert.equal(event(r, 'error')?.code, 'PTTLS_MESSAGE_TOO_LARGE');
  });

  it('version range without 1: Version Not Supported', async () => {
    const r = await start('none');
    const { values, closed } = await raw(r.port, [msg({ kind: 'version-request', minVersion: 2, maxVersion: 3, preferredVersion: 2 })]);
    assert.ok(closed);
    assert.equal(values[0]?.kind === 'error' && values[0].errorCode, PtTlsErrorCode.VersionNotSupported);
    assert.equal(r.posture.contexts.length, 0);
  });

  it('a PB-TNC batch before version negotiation: Invalid Message', async () => {
    const r = await start('none');
    const { values, closed } = await raw(r.port, [msg({ kind: 'pb-tnc-batch', batch: new Uint8Array(8) })]);
    assert.ok(closed);
    assert.equal(values[0]?.kind === 'error' && values[0].errorCode, PtTlsErrorCode.InvalidMessage);
    // The copy of the original message is the message we sent.
    assert.equal(values[0]?.kind === 'error' && values[0].originalMessage.length, 24);
  });

  it('an unknown vendor type gets Type Not Supported and the exchange proceeds', async () => {
    const r = await start('none');
    const { values } = await raw(r.port, [encodeWithHeader(0x902a, 1, 0, Uint8Array.of(1, 2, 3)), versionRequest], { waitMs: 500 });
    assert.deepEqual(values.map((v) => v.kind), ['error', 'version-response', 'sasl-mechanisms']);
    assert.equal(values[0]?.kind === 'error' && values[0].errorCode, PtTlsErrorCode.TypeNotSupported);
  });

  it('a malformed PB-TNC batch is answered by PB-TNC (CLOSE with PB-Error) inside PT-TLS, then the connection closes', async () => {
    const r = await start('none');
    const { values, closed } = await raw(r.port, [versionRequest, msg({ kind: 'pb-tnc-batch', batch: Uint8Array.of(2, 0x80, 0, 1, 0, 0, 0, 8) }, 1)]);
    assert.ok(closed);
    assert.deepEqual(values.map((v) => v.kind), ['version-response', 'sasl-mechanisms', 'pb-tnc-batch']);
    assert.equal(r.posture.sessions[0]?.closed, 1);
  });

  it('an idle client is disconnected and its posture session released', async () => {
    const r = await start('none', { idleTimeoutMs: 300 });
    const { closed } = await raw(r.port, [versionRequest], { waitMs: 3_000 });
    assert.ok(closed);
    assert.equal(event(r, 'closed')?.reason, 'idle-timeout');
    assert.equal(r.posture.sessions[0]?.closed, 1);
  });

  it('connections beyond maxConnections are dropped', async () => {
    const r = await start('none', { maxConnections: 1, idleTimeoutMs: 2_000 });
    const first = connect({ host: '127.0.0.1', port: r.port, servername: pki.serverName, ca: pki.caPem });
    await once(first, 'secureConnect');
    const second = connect({ host: '127.0.0.1', port: r.port, servername: pki.serverName, ca: pki.caPem });
    second.on('error', () => undefined);
    await once(second, 'close');
    first.destroy();
    assert.ok(r.events.some((e) => e.name === 'rejected'));
  });

  it('random bytes from many clients never crash the server; it still serves afterwards', async () => {
    const r = await start('sasl-plain');
    for (let i = 0; i < 20; i++) {
      const junk = new Uint8Array(16 + ((i * 37) % 200));
      for (let j = 0; j < junk.length; j++) junk[j] = (i * 131 + j * 17) & 0xff;
      if (i % 2 === 0) new DataView(junk.buffer).setUint32(8, junk.length); // a plausible length
      await raw(r.port, [i % 3 === 0 ? versionRequest : new Uint8Array(0), junk], { waitMs: 200 });
    }
    const result = await runPtTlsClient({ ...clientOptions(r.port), sasl: { user: 'carol', password: 'Ar3etTnp' } }, pbClient());
    assert.equal(result.accessRecommendation, AccessRecommendation.AccessAllowed);
    assert.ok(r.events.filter((e) => e.name === 'error').every((e) => typeof (e.ev as { code: string }).code === 'string'));
  });
});
