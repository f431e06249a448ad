/**
 * The PDP wiring: the `ptTls` config section (absent = disabled, defaults, schema errors) and
 * startPtTls (server up with the PDP's users, log lines with `event`, no password logged); and the
 * socket-free connection driver's own limits.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { AccessRecommendation, PbTncClientSession } from '../../../tnc/index.js';
import { buildConfig, ConfigError } from '../../config/load.js';
import { PtTlsConnection, PtTlsErrorCode, decodeMessage, encodeMessage, runPtTlsClient, startPtTls, type PtTlsConnectionEvent, type PtTlsServer } from '../index.js';
import { fakePostureService, makePtTlsPki, testUsers } from './helpers.js';

const base = { radius: { clients: [{ name: 'l', address: '127.0.0.1', secret: 's' }] }, users: [{ name: 'carol', password: 'Ar3etTnp', group: 'allow' }] };

describe('ptTls configuration', () => {
  it('absent = disabled; present = defaults filled in', () => {
    assert.equal(buildConfig(base, 't', '/').ptTls, undefined);
    assert.deepEqual(buildConfig({ ...base, ptTls: {} }, 't', '/').ptTls, { address: '127.0.0.1', port: 271, clientAuth: 'sasl-plain' });
    assert.deepEqual(buildConfig({ ...base, ptTls: { address: '10.1.0.10', port: 2710, clientAuth: 'certificate' } }, 't', '/').ptTls, {
      address: '10.1.0.10',
      port: 2710,
      clientAuth: 'certificate',
    });
  });

  it('errors name the field', () => {
    assert.throws(() => buildConfig({ ...base, ptTls: { clientAuth: 'kerberos' } }, 't', '/'), (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith('ptTls.clientAuth')));
    assert.throws(() => buildConfig({ ...base, ptTls: { port: 70000 } }, 't', '/'), ConfigError);
  });
});

describe('startPtTls', () => {
  const servers: PtTlsServer[] = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  it('resolves undefined without a ptTls section', async () => {
    const logger = pino({ level: 'silent' });
    assert.equal(await startPtTls({ users: [] }, { certificatePem: '', privateKeyPem: '', caPem: '' }, fakePostureService(), logger), undefined);
  });

  it('serves SASL PLAIN against the configured users and logs events without the password', async () => {
    const pki = await makePtTlsPki();
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    const config = buildConfig({ ...base, ptTls: { port: 0, clientAuth: 'sasl-plain' } }, 't', '/');
    const server = await startPtTls(config, { certificatePem: pki.serverCertPem, privateKeyPem: pki.serverKeyPem, caPem: pki.caPem }, fakePostureService(), logger);
    assert.ok(server);
    servers.push(server);
    const port = lines.find((l) => l['event'] === 'pttls.listening')?.['port'] as number;
    assert.ok(port > 0);
    const closed = new Promise((r) => server.once('closed', r));
    const result = await runPtTlsClient(
      { host: '127.0.0.1', port, servername: pki.serverName, ca: pki.caPem, sasl: { user: 'carol', password: 'Ar3etTnp' } },
      new PbTncClientSession({ handler: { onServerBatch: () => ({}) } }),
    );
    assert.equal(result.accessRecommendation, AccessRecommendation.AccessAllowed);
    await closed;
    const events = lines.map((l) => l['event']);
    for (const e of ['pttls.listening', 'pttls.connection', 'pttls.authenticated', 'pttls.decision', 'pttls.closed']) assert.ok(events.includes(e), `${e} in ${events.join(',')}`);
    assert.ok(!JSON.stringify(lines).includes('Ar3etTnp'));
  });
});

describe('PtTlsConnection without sockets', () => {
  function connection() {
    const out: Uint8Array[] = [];
    const events: PtTlsConnectionEvent[] = [];
    let ended = 0;
    const posture = fakePostureService();
    const conn = new PtTlsConnection({
      io: { write: (b) => out.push(b), end: () => ended++ },
      clientAuth: 'none',
      users: testUsers(),
      postureService: posture,
      limits: { maxPendingMessages: 2 },
      onEvent: (e) => events.push(e),
    });
    return { conn, out, events, posture, ended: () => ended };
  }
  const versionRequest = encodeMessage({ identifier: 0, value: { kind: 'version-request', minVersion: 1, maxVersion: 1, preferredVersion: 1 } });

  it('a byte at a time works', async () => {
    const c = connection();
    for (const b of versionRequest) c.conn.receive(Uint8Array.of(b));
    await c.conn.idle();
    assert.deepEqual(c.out.map((b) => decodeMessage(b).value.kind), ['version-response', 'sasl-mechanisms']);
    assert.deepEqual(c.out.map((b) => decodeMessage(b).identifier), [0, 1]);
  });

  it('too many pipelined messages: Invalid Parameter and a close', async () => {
    const c = connection();
    const batch = encodeMessage({ identifier: 1, value: { kind: 'pb-tnc-batch', batch: new Uint8Array(8) } });
    c.conn.receive(Buffer.concat([versionRequest, batch, batch, batch, batch]));
    await c.conn.idle();
    const last = decodeMessage(c.out.at(-1) as Uint8Array).value;
    assert.equal(last.kind === 'error' && last.errorCode, PtTlsErrorCode.InvalidParameter);
    assert.equal(c.ended(), 1);
    assert.ok(c.conn.closed);
  });

  it('terminate() releases the posture session once; later input is ignored', async () => {
    const c = connection();
    c.conn.receive(versionRequest);
    await c.conn.idle();
    c.conn.terminate('peer-closed');
    c.conn.terminate('again');
    c.conn.receive(versionRequest);
    await c.conn.idle();
    assert.equal(c.posture.sessions[0]?.closed, 1);
    assert.equal(c.events.filter((e) => e.type === 'closed').length, 1);
    assert.equal(c.ended(), 0);
  });
});
