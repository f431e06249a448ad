/**
 * The admin API started and stopped with the PDP (pdp.ts): a TTLS authentication through the
 * PDP's RADIUS port shows up as an active session and as a live session event; the accounting
 * Start from the NAS adds the virtual IP; a burst of bad GraphQL (malformed, too deep, unknown
 * fields, wrong types, no token) is answered with errors while the PDP keeps authenticating.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AttributeType, PacketCode } from '../../radius/index.js';
import { RadiusUdpClient } from '../../radius/client.js';
import { ConfigError, buildConfig, embeddedDefault } from '../config/load.js';
import { Pdp } from '../pdp.js';
import { memoryLog } from './admin-helpers.js';
import { authenticateTtls } from './nas.js';

const SECRET = 'pdp-admin-secret';
const TOKEN = 'pdp-admin-token-0123456789abcdef';

describe('admin API inside the PDP', () => {
  let dir: string;
  let pdp: Pdp;
  let client: RadiusUdpClient;
  let acct: RadiusUdpClient;
  let url: string;
  const logged = memoryLog();

  const gql = async (query: string, token: string | null = TOKEN) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query }) });
    return { status: res.status, body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
  };
  const authenticate = () => authenticateTtls({ client, secret: SECRET, user: 'carol', password: 'Ar3etTnp', ca: pdp.tlsIdentity!.caPem, serverName: 'pdp.test', phase2: 'pap' });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pdp-admin-'));
    const config = buildConfig(
      {
        stateDir: dir,
        radius: { auth: { address: '127.0.0.1', port: 0 }, accounting: { address: '127.0.0.1', port: 0 }, clients: [{ name: 'nas', address: '127.0.0.1/32', secret: SECRET }] },
        pki: { serverName: 'pdp.test' },
        users: [{ name: 'carol', password: 'Ar3etTnp', group: 'allow' }],
        admin: { listen: { address: '127.0.0.1', port: 0 }, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] },
      },
      'test',
      dir,
    );
    pdp = new Pdp({ config, logger: logged.log });
    const bound = await pdp.start();
    client = new RadiusUdpClient({ server: bound.auth, secret: SECRET, timeoutMs: 1000, tries: 2 });
    acct = new RadiusUdpClient({ server: bound.accounting!, secret: SECRET, timeoutMs: 1000, tries: 2 });
    url = `http://127.0.0.1:${pdp.admin!.address!.port}/graphql`;
  });
  after(async () => {
    client.close();
    acct.close();
    await pdp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an Access-Accept opens an active session, streamed as a session event; Accounting-Start adds the virtual IP', async () => {
    const ctl = new AbortController();
    const sse = await fetch(`${url}?query=${encodeURIComponent('subscription { sessionEvents { kind user nas filterGroup } }')}`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${TOKEN}` }, signal: ctl.signal });
    const reader = sse.body!.getReader();
    let text = '';
    const first = (async () => {
      while (!text.includes('access-accept')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    })();
    await new Promise((r) => setTimeout(r, 200)); // the subscription is registered
    const r = await authenticate();
    assert.equal(r.final.code, PacketCode.AccessAccept);
    await first;
    ctl.abort();
    assert.match(text, /"kind":"access-accept","user":"carol","nas":"nas","filterGroup":"allow"/);

    const u32 = (type: number, v: number) => ({ type, value: Buffer.from([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]) });
    const start = await acct.request(PacketCode.AccountingRequest, [
      { type: AttributeType.UserName, value: Buffer.from('anonymous') },
      u32(AttributeType.AcctStatusType, 1),
      { type: AttributeType.AcctSessionId, value: Buffer.from('S-1') },
      { type: AttributeType.FramedIPAddress, value: Buffer.from([10, 3, 0, 7]) },
    ]);
    assert.equal(start.packet.code, PacketCode.AccountingResponse);
    const a = await gql('{ activeSessions { edges { node { user nas nasAddress filterGroup framedIp acctSessionId state } } } }');
    assert.deepEqual(a.body.data.activeSessions.edges.map((e: { node: unknown }) => e.node), [
      { user: 'anonymous', nas: 'nas', nasAddress: '127.0.0.1', filterGroup: 'allow', framedIp: '10.3.0.7', acctSessionId: 'S-1', state: 'ACTIVE' },
    ]);
  });

  it('bad requests get clear errors and log lines while the PDP keeps authenticating', async () => {
    const bad = await Promise.all([
      gql('{ me { name '),
      gql('{ me { name } }', null),
      gql('{ me { nickname } }'),
      gql('{ sessions(first: true) { pageInfo { hasNextPage } } }'),
      gql('{ a: sessions { edges { node { endpoint { latestSession { endpoint { latestSession { endpoint { latestSession { endpoint { latestSession { id } } } } } } } } } } } }'),
    ]);
    assert.equal(bad[1]!.status, 401);
    assert.ok(bad.every((b) => b.body.errors?.length), 'each has an error');
    assert.equal(bad[4]!.body.errors?.[0]?.extensions?.['code'], 'QUERY_TOO_DEEP');
    const r = await authenticate();
    assert.equal(r.final.code, PacketCode.AccessAccept);
    const events = logged.lines.map((l) => l['event']);
    assert.ok(events.includes('admin.request-error') && events.includes('admin.unauthenticated') && events.includes('admin.listening'));
  });

  it('config: admin errors name the field; absent = disabled; the demo gets one fresh admin token', () => {
    const base = { radius: { clients: [{ name: 'nas', address: '127.0.0.1', secret: 's' }] }, users: [] };
    try {
      buildConfig({ ...base, admin: { tokens: [{ name: 'a', token: 'short', role: 'root' }, { name: 'a', token: 'x'.repeat(20), role: 'admin' }] } }, 'test', dir);
      assert.fail('accepted');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      const text = e.problems.join('\n');
      assert.match(text, /admin\.tokens\.0\.token: must NOT have fewer than 16 characters/);
      assert.match(text, /admin\.tokens\.0\.role: must be one of \["read-only","admin"\]/);
    }
    try {
      buildConfig({ ...base, admin: { tokens: [{ name: 'a', token: 'x'.repeat(20), role: 'admin' }, { name: 'a', token: 'x'.repeat(20), role: 'read-only' }] } }, 'test', dir);
      assert.fail('accepted');
    } catch (e) {
      assert.match((e as ConfigError).problems.join('\n'), /admin\.tokens\.1\.name: duplicate token name 'a'[\s\S]*admin\.tokens\.1\.token: the same token/);
    }
    assert.equal(buildConfig(base, 'test', dir).admin, undefined);
    const [d1, d2] = [embeddedDefault(dir), embeddedDefault(dir)];
    assert.equal(d1.admin?.tokens[0]?.role, 'admin');
    assert.notEqual(d1.admin?.tokens[0]?.token, d2.admin?.tokens[0]?.token, 'a fresh token per start');
    assert.deepEqual(d1.admin?.listen, { address: '127.0.0.1', port: 8080 });
  });
});
