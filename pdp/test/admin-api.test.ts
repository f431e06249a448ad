/**
 * The admin API over real HTTP on loopback (pdp/admin/server.ts, schemas/admin.graphql): every
 * query and mutation, 401 / FORBIDDEN, field-named input errors, depth and cost limits, malformed
 * GraphQL, unknown fields, wrong types (each with a log line), introspection by role, GraphiQL,
 * SSE subscriptions, and RFC 5176 quarantine / re-assessment against a NAS stand-in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AttributeType, PacketCode, getAttribute } from '../../radius/index.js';
import { ADMIN_TOKEN, READER_TOKEN, T0, startAdmin } from './admin-helpers.js';

type Admin = Awaited<ReturnType<typeof startAdmin>>;

function codes(body: { errors?: { extensions?: Record<string, unknown> }[] }): unknown[] {
  return (body.errors ?? []).map((e) => e.extensions?.['code']);
}

describe('admin API over HTTP', () => {
  let a: Admin;
  before(async () => {
    a = await startAdmin({ maxDepth: 8, maxCost: 5000 });
  });
  after(() => a.stop());

  describe('authentication and roles', () => {
    it('answers 401 without a token or with an unknown one, and logs it without the token', async () => {
      const none = await a.gql('{ me { name } }', undefined, null);
      assert.equal(none.status, 401);
      assert.deepEqual(codes(none.body), ['UNAUTHENTICATED']);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
      const wrong = await a.gql('{ me { name } }', undefined, 'not-a-token-of-ours');
      assert.equal(wrong.status, 401);
      assert.ok(a.lines.some((l) => l['event'] === 'admin.unauthenticated' && l['hadAuthorization'] === true));
      assert.ok(!a.raw.some((l) => l.includes('not-a-token-of-ours') || l.includes(ADMIN_TOKEN) || l.includes(READER_TOKEN)), 'no token in any log line');
    });

    it('names the caller and its role', async () => {
      assert.deepEqual((await a.gql('{ me { name role } }', undefined, READER_TOKEN)).body.data, { me: { name: 'auditor', role: 'READ_ONLY' } });
      assert.deepEqual((await a.gql('{ me { name role } }')).body.data, { me: { name: 'ops', role: 'ADMIN' } });
    });

    it('refuses a mutation of a read-only token with FORBIDDEN before anything runs', async () => {
      const r = await a.gql('mutation { deleteUser(name: "carol@strongswan.org") { id } }', undefined, READER_TOKEN);
      assert.deepEqual(codes(r.body), ['FORBIDDEN']);
      assert.ok(await a.store.get('user', 'carol@strongswan.org'), 'the user is still there');
    });

    it('allows introspection to admin tokens only', async () => {
      const q = '{ __schema { queryType { name } } }';
      assert.equal((await a.gql(q)).body.data?.__schema.queryType.name, 'Query');
      const ro = await a.gql(q, undefined, READER_TOKEN);
      assert.equal(ro.body.data, undefined);
      assert.match(ro.body.errors?.[0]?.message ?? '', /introspection/i);
    });
  });

  describe('queries', () => {
    it('endpoints with their latest posture, identity, virtual IP and policy results', async () => {
      const r = await a.gql(`{ endpoints(first: 10) { edges { node { id idKind product identity recommendation evaluation enforced filterGroup virtualIp connected groups
        policyResults { policy outcome recommendation at session } } } pageInfo { hasNextPage } } }`);
      assert.equal(r.body.errors, undefined);
      const nodes = r.body.data.endpoints.edges.map((e: { node: unknown }) => e.node);
      const carol = nodes.find((n: { id: string }) => n.id === 'carol-laptop');
      assert.deepEqual(carol, {
        id: 'carol-laptop',
        idKind: 'DEVICE_ID',
        product: 'Debian 12 x86_64',
        identity: 'carol@strongswan.org',
        recommendation: 'ALLOW',
        evaluation: 'compliant',
        enforced: 'ALLOW',
        filterGroup: 'allow',
        virtualIp: '10.3.0.1',
        connected: true,
        groups: ['Debian', 'Linux'],
        policyResults: [{ policy: 'no-telnet-port', outcome: 'PASS', recommendation: 'ALLOW', at: '2026-01-31T12:00:00.000Z', session: 's1' }],
      });
      const dave = nodes.find((n: { id: string }) => n.id === 'dave-laptop');
      assert.equal(dave.recommendation, 'ISOLATE');
      assert.equal(dave.connected, false);
      assert.equal(dave.virtualIp, null);
      const one = await a.gql('{ endpoint(id: "dave-laptop") { id filterGroup } none: endpoint(id: "nope") { id } }');
      assert.deepEqual(one.body.data, { endpoint: { id: 'dave-laptop', filterGroup: 'isolate' }, none: null });
      const filtered = await a.gql('{ endpoints(filter: { product: "debian 11" }) { edges { node { id } } } }');
      assert.deepEqual(filtered.body.data.endpoints.edges, [{ node: { id: 'dave-laptop' } }]);
    });

    it('sessions: history with filters and cursor pagination, assessments with IMV and policy results', async () => {
      const p1 = await a.gql('{ sessions(first: 1) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }');
      assert.equal(p1.body.data.sessions.edges.length, 1);
      assert.equal(p1.body.data.sessions.pageInfo.hasNextPage, true);
      const after = p1.body.data.sessions.pageInfo.endCursor;
      assert.equal(p1.body.data.sessions.edges[0].cursor, after);
      const p2 = await a.gql('query($c: String) { sessions(first: 1, after: $c) { edges { node { id } } pageInfo { hasNextPage } } }', { c: after });
      const ids = [p1.body.data.sessions.edges[0].node.id, p2.body.data.sessions.edges[0].node.id].sort();
      assert.deepEqual(ids, ['s1', 's2']);
      const isolated = await a.gql('{ sessions(filter: { recommendation: ISOLATE }) { edges { node { id user via filterGroup enforced assessment { evaluation imvs { imv recommendation evaluation reasons } policies { policy outcome reasons } } } } } }');
      assert.deepEqual(isolated.body.data.sessions.edges, [
        {
          node: {
            id: 's2',
            user: 'dave@strongswan.org',
            via: 'moon',
            filterGroup: 'isolate',
            enforced: 'ISOLATE',
            assessment: {
              evaluation: 'non-compliant-major',
              imvs: [{ imv: 'Scanner', recommendation: 'ISOLATE', evaluation: 'non-compliant-major', reasons: ['tcp/23 is open'] }],
              policies: [{ policy: 'no-telnet-port', outcome: 'FAIL', reasons: ['tcp/23 is open'] }],
            },
          },
        },
      ]);
      const active = await a.gql('{ sessions(filter: { active: true }) { edges { node { id } } } }');
      assert.deepEqual(active.body.data.sessions.edges, [{ node: { id: 's1' } }]);
      const since = await a.gql('{ sessions(filter: { since: "2026-01-31T12:00:00.500Z" }) { edges { node { id } } } }');
      assert.deepEqual(since.body.data.sessions.edges, [{ node: { id: 's2' } }]);
      assert.deepEqual((await a.gql('{ session(id: "s1") { endpoint { id } start end } }')).body.data.session, { endpoint: { id: 'carol-laptop' }, start: '2026-01-31T11:59:59.500Z', end: '2026-01-31T12:00:00.000Z' });
    });

    it('active sessions, policies, enforcements, groups, users and clients without secrets, pools and leases', async () => {
      const r = await a.gql(`{ activeSessions { edges { node { id user endpointId nas nasAddress framedIp acctSessionId filterGroup state } } }
        policies { name type argument remediation version } policy(name: "no-telnet-port") { type } enforcements { id policy group maxAge }
        deviceGroups { name parent defaultFor } users { name group } radiusClients { name address requireMessageAuthenticator }
        pools { name leased online } leases(pool: "pool-allow") { edges { node { address identity online end } } } }`);
      assert.equal(r.body.errors, undefined);
      const d = r.body.data;
      assert.deepEqual(d.activeSessions.edges[0].node, { id: 'a1', user: 'carol@strongswan.org', endpointId: 'carol-laptop', nas: 'moon', nasAddress: '127.0.0.1', framedIp: '10.3.0.1', acctSessionId: 'ACCT-1', filterGroup: 'allow', state: 'ACCEPTED' });
      assert.deepEqual(d.policies, [{ name: 'no-telnet-port', type: 'TCP_PORTS_BLOCKED', argument: ['23'], remediation: 'Stop the service on tcp/23', version: 1 }]);
      assert.deepEqual(d.policy, { type: 'TCP_PORTS_BLOCKED' });
      assert.deepEqual(d.enforcements, [{ id: 'no-telnet-port@Linux', policy: 'no-telnet-port', group: 'Linux', maxAge: 0 }]);
      assert.deepEqual(d.deviceGroups.find((g: { name: string }) => g.name === 'Debian'), { name: 'Debian', parent: 'Linux', defaultFor: ['Debian*'] });
      assert.deepEqual(d.users, [{ name: 'carol@strongswan.org', group: 'allow' }]);
      assert.deepEqual(d.radiusClients, [{ name: 'moon', address: '127.0.0.1/32', requireMessageAuthenticator: true }]);
      assert.deepEqual(d.pools, [{ name: 'pool-allow', leased: 2, online: 1 }]);
      assert.equal(d.leases.edges.length, 2);
      assert.equal(d.leases.edges.find((e: any) => e.node.address === '10.3.0.2').node.online, false);
    });

    it('never returns passwords or secrets: those fields do not exist', async () => {
      for (const q of ['{ users { name password } }', '{ radiusClients { name secret } }']) {
        const r = await a.gql(q);
        assert.equal(r.body.data, undefined);
        assert.match(r.body.errors?.[0]?.message ?? '', /Cannot query field "(password|secret)"/);
      }
    });

    it('exports the IF-MAP publish request for one endpoint or all', async () => {
      const r = await a.gql('{ one: ifmapPublish(endpoint: "carol-laptop") all: ifmapPublish }');
      assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
      const { one, all } = r.body.data as { one: string; all: string };
      assert.match(one, /^<\?xml[^>]*\?>\s*<env:Envelope/);
      assert.match(one, /carol@strongswan\.org/);
      assert.match(one, /10\.3\.0\.1/, 'the virtual IP from the active session');
      assert.doesNotMatch(one, /dave@strongswan\.org/);
      assert.match(all, /carol@strongswan\.org/);
      assert.match(all, /dave@strongswan\.org/);
      const unknown = await a.gql('{ ifmapPublish(endpoint: "nope") }');
      assert.equal(unknown.body.errors?.[0]?.extensions?.['field'], 'endpoint');
    });
  });

  describe('mutations (admin token), each audited', () => {
    it('create, update and delete a policy, an enforcement and a device group', async () => {
      const p = await a.gql('mutation { createPolicy(input: { name: "no-rsh", type: PACKAGES_BLACKLIST, argument: ["rsh-server"], onFail: ISOLATE }) { name type argument onFail version } }');
      assert.deepEqual(p.body.data, { createPolicy: { name: 'no-rsh', type: 'PACKAGES_BLACKLIST', argument: ['rsh-server'], onFail: 'ISOLATE', version: 1 } });
      const u = await a.gql('mutation { updatePolicy(name: "no-rsh", patch: { argument: ["rsh-server", "rsh-redone-server"] }, expectedVersion: 1) { argument version } }');
      assert.deepEqual(u.body.data, { updatePolicy: { argument: ['rsh-server', 'rsh-redone-server'], version: 2 } });
      const stale = await a.gql('mutation { updatePolicy(name: "no-rsh", patch: { description: "x" }, expectedVersion: 1) { version } }');
      assert.deepEqual(codes(stale.body), ['CONFLICT']);
      const g = await a.gql('mutation { createDeviceGroup(input: { name: "Servers", parent: "Debian" }) { name parent version } }');
      assert.deepEqual(g.body.data, { createDeviceGroup: { name: 'Servers', parent: 'Debian', version: 1 } });
      assert.deepEqual((await a.gql('mutation { updateDeviceGroup(name: "Servers", patch: { description: "racks" }) { description } }')).body.data, { updateDeviceGroup: { description: 'racks' } });
      const e = await a.gql('mutation { createEnforcement(input: { policy: "no-rsh", group: "Servers", maxAge: 3600 }) { id maxAge } }');
      assert.deepEqual(e.body.data, { createEnforcement: { id: 'no-rsh@Servers', maxAge: 3600 } });
      assert.deepEqual((await a.gql('mutation { updateEnforcement(id: "no-rsh@Servers", patch: { maxAge: 60 }) { maxAge version } }')).body.data, { updateEnforcement: { maxAge: 60, version: 2 } });
      assert.deepEqual((await a.gql('mutation { deleteEnforcement(id: "no-rsh@Servers") { id } }')).body.data, { deleteEnforcement: { id: 'no-rsh@Servers' } });
      assert.deepEqual((await a.gql('mutation { deletePolicy(name: "no-rsh") { id } }')).body.data, { deletePolicy: { id: 'no-rsh' } });
      assert.deepEqual((await a.gql('mutation { deleteDeviceGroup(name: "Servers") { id } }')).body.data, { deleteDeviceGroup: { id: 'Servers' } });
      assert.deepEqual(codes((await a.gql('mutation { deletePolicy(name: "no-rsh") { id } }')).body), ['NOT_FOUND']);
      const audit = await a.gql('{ auditLog(first: 20) { edges { node { actor action kind key } } } }');
      const mine = audit.body.data.auditLog.edges.map((x: any) => `${x.node.actor} ${x.node.action} ${x.node.kind} ${x.node.key}`);
      for (const line of ['ops create policy no-rsh', 'ops update policy no-rsh', 'ops create group Servers', 'ops create enforcement no-rsh@Servers', 'ops delete enforcement no-rsh@Servers', 'ops delete policy no-rsh', 'ops delete group Servers']) {
        assert.ok(mine.includes(line), `audit has '${line}': ${mine.join('; ')}`);
      }
      assert.ok(a.lines.some((l) => l['event'] === 'admin.change' && l['actor'] === 'ops' && l['kind'] === 'policy' && l['action'] === 'create'));
    });

    it('create, update and delete a user and a RADIUS client; passwords and secrets stay out of answers, audit and logs', async () => {
      const u = await a.gql('mutation { createUser(input: { name: "erin", password: "S3cret-pw-erin", group: "isolate" }) { name group version } }');
      assert.deepEqual(u.body.data, { createUser: { name: 'erin', group: 'isolate', version: 1 } });
      assert.equal(await a.store.getCredential('user', 'erin'), 'S3cret-pw-erin');
      assert.deepEqual((await a.gql('mutation { updateUser(name: "erin", patch: { group: "allow", password: "N3w-pw-erin" }) { group version } }')).body.data, { updateUser: { group: 'allow', version: 2 } });
      assert.equal(await a.store.getCredential('user', 'erin'), 'N3w-pw-erin');
      const c = await a.gql('mutation { createRadiusClient(input: { name: "sun", address: "10.1.0.2/32", secret: "sun-Secret-77" }) { name address requireMessageAuthenticator } }');
      assert.deepEqual(c.body.data, { createRadiusClient: { name: 'sun', address: '10.1.0.2/32', requireMessageAuthenticator: true } });
      assert.deepEqual((await a.gql('mutation { updateRadiusClient(name: "sun", patch: { address: "10.1.0.3", secret: "sun-Secret-78" }) { address } }')).body.data, { updateRadiusClient: { address: '10.1.0.3' } });
      assert.equal(await a.store.getCredential('radius-client', 'sun'), 'sun-Secret-78');
      assert.deepEqual((await a.gql('mutation { deleteRadiusClient(name: "sun") { id } deleteUser(name: "erin") { id } }')).body.data, { deleteRadiusClient: { id: 'sun' }, deleteUser: { id: 'erin' } });
      const audit = JSON.stringify((await a.gql('{ auditLog(first: 50) { edges { node { before after } } } }')).body);
      for (const s of ['S3cret-pw-erin', 'N3w-pw-erin', 'sun-Secret-77', 'sun-Secret-78']) {
        assert.ok(!audit.includes(s), `${s} not in the audit log`);
        assert.ok(!a.raw.some((l) => l.includes(s)), `${s} not in a log line`);
      }
    });

    it('moves a device to a group and back to the product defaults', async () => {
      const r = await a.gql('mutation { moveDeviceToGroup(device: "dave-laptop", groups: ["Linux"]) { id assignedGroups } }');
      assert.deepEqual(r.body.data, { moveDeviceToGroup: { id: 'dave-laptop', assignedGroups: ['Linux'] } });
      const back = await a.gql('mutation { moveDeviceToGroup(device: "dave-laptop", groups: []) { assignedGroups } }');
      assert.deepEqual(back.body.data, { moveDeviceToGroup: { assignedGroups: [] } });
      const audit = await a.gql('{ auditLog(kind: "device", key: "dave-laptop") { edges { node { action actor } } } }');
      assert.ok(audit.body.data.auditLog.edges.length >= 2);
    });

    it('quarantines a connected endpoint with a Disconnect-Request to its NAS (RFC 5176) and re-assesses with a CoA-Request', async () => {
      const before = a.das.received.length;
      const q = await a.gql('mutation { quarantineEndpoint(endpoint: "carol-laptop") { endpoint replies { nas request outcome errorCause tries } } }');
      assert.deepEqual(q.body.data, { quarantineEndpoint: { endpoint: 'carol-laptop', replies: [{ nas: 'moon', request: 'Disconnect-Request', outcome: 'ACK', errorCause: null, tries: 1 }] } });
      const sent = a.das.received[before]!;
      assert.equal(sent.code, PacketCode.DisconnectRequest);
      assert.equal(getAttribute(sent, AttributeType.UserName)?.toString(), 'carol@strongswan.org');
      assert.equal(getAttribute(sent, AttributeType.AcctSessionId)?.toString(), 'ACCT-1');
      const re = await a.gql('mutation { reassessEndpoint(endpoint: "carol@strongswan.org", afterSeconds: 30) { replies { request outcome } } }');
      assert.deepEqual(re.body.data, { reassessEndpoint: { replies: [{ request: 'CoA-Request', outcome: 'ACK' }] } });
      assert.equal(getAttribute(a.das.received.at(-1)!, AttributeType.SessionTimeout)?.readUInt32BE(0), 30);
      assert.ok(a.lines.some((l) => l['event'] === 'admin.dynamic-authorization' && l['outcome'] === 'ack' && l['actor'] === 'ops'));
      const gone = await a.gql('mutation { quarantineEndpoint(endpoint: "dave-laptop", sticky: false) { endpoint } }');
      assert.deepEqual(codes(gone.body), ['NOT_CONNECTED']);
    });

    it('a sticky quarantine sets the device override (audited, shown on the endpoint) even when not connected; release lifts it', async () => {
      const q = await a.gql('mutation { quarantineEndpoint(endpoint: "dave-laptop", enforce: NO_ACCESS) { endpoint devices replies { request } override { enforce actor } } }');
      assert.deepEqual(q.body.data, { quarantineEndpoint: { endpoint: 'dave-laptop', devices: ['dave-laptop'], replies: [], override: { enforce: 'NO_ACCESS', actor: 'ops' } } });
      const shown = await a.gql('{ endpoint(id: "dave-laptop") { override { enforce actor at } } }');
      assert.equal(shown.body.data.endpoint.override.enforce, 'NO_ACCESS');
      assert.match(shown.body.data.endpoint.override.at, /^\d{4}-\d\d-\d\dT/);
      const audit = await a.gql('{ auditLog(kind: "device", key: "dave-laptop", first: 1) { edges { node { action actor after } } } }');
      assert.deepEqual(audit.body.data.auditLog.edges[0].node.after.override.enforce, 'no-access');
      const r = await a.gql('mutation { releaseEndpoint(endpoint: "dave-laptop") { devices replies { request } override { enforce } } }');
      assert.deepEqual(r.body.data, { releaseEndpoint: { devices: ['dave-laptop'], replies: [], override: null } });
      assert.equal((await a.gql('{ endpoint(id: "dave-laptop") { override { enforce } } }')).body.data.endpoint.override, null);
      assert.ok(a.lines.some((l) => l['event'] === 'admin.change' && l['action'] === 'release' && l['key'] === 'dave-laptop'));
      const unknown = await a.gql('mutation { quarantineEndpoint(endpoint: "nobody") { endpoint } }');
      assert.equal(unknown.body.errors?.[0]?.extensions?.['field'], 'endpoint');
      const ro = await a.gql('mutation { releaseEndpoint(endpoint: "dave-laptop") { endpoint } }', undefined, READER_TOKEN);
      assert.equal(ro.body.data?.releaseEndpoint ?? null, null);
    });
  });

  describe('bad input: clear errors naming the field, and a log line', () => {
    const cases: [string, string, string][] = [
      ['a RADIUS client address that is no address', 'mutation { createRadiusClient(input: { name: "x", address: "10.0.0.0/40", secret: "s" }) { name } }', 'input.address'],
      ['an empty user name', 'mutation { createUser(input: { name: "", password: "p", group: "allow" }) { name } }', 'input.name'],
      ['a policy argument of the wrong shape', 'mutation { createPolicy(input: { name: "p", type: TCP_PORTS_BLOCKED, argument: {a: 1} }) { name } }', 'input.argument'],
      ['an enforcement of an unknown policy', 'mutation { createEnforcement(input: { policy: "nope", group: "Linux" }) { id } }', 'input.policy'],
      ['a group with an unknown parent', 'mutation { createDeviceGroup(input: { name: "G", parent: "nope" }) { name } }', 'input.parent'],
      ['a negative maxAge', 'mutation { createEnforcement(input: { policy: "no-telnet-port", group: "Debian", maxAge: -1 }) { id } }', 'input.maxAge'],
      ['a page too large', '{ sessions(first: 5000) { pageInfo { hasNextPage } } }', 'first'],
      ['a cursor we never issued', '{ sessions(after: "garbage") { edges { node { id } } } }', 'after'],
      ['moving to an unknown group', 'mutation { moveDeviceToGroup(device: "carol-laptop", groups: ["nope"]) { id } }', 'groups.0'],
      ['an existing name', 'mutation { createUser(input: { name: "carol@strongswan.org", password: "p", group: "allow" }) { name } }', 'input.name'],
    ];
    for (const [what, query, field] of cases) {
      it(`${what} -> extensions.field = ${field}`, async () => {
        const r = await a.gql(query);
        assert.equal(r.body.data?.[Object.keys(r.body.data ?? {})[0] ?? ''] ?? null, null);
        assert.equal(r.body.errors?.[0]?.extensions?.['field'], field, JSON.stringify(r.body.errors));
        assert.ok(a.lines.some((l) => l['event'] === 'admin.request-error' && JSON.stringify(l['errors']).includes(field)));
      });
    }

    it('malformed GraphQL, unknown fields and wrong types are refused by name', async () => {
      const syntax = await a.gql('{ endpoints { edges { node { id } }');
      assert.match(syntax.body.errors?.[0]?.message ?? '', /Syntax Error/);
      const unknown = await a.gql('{ endpoints { edges { node { id colour } } } }');
      assert.match(unknown.body.errors?.[0]?.message ?? '', /Cannot query field "colour" on type "Endpoint"/);
      const type = await a.gql('{ sessions(first: "ten") { edges { node { id } } } }');
      assert.match(type.body.errors?.[0]?.message ?? '', /Int cannot represent non-integer value: "ten"/);
      const variable = await a.gql('query($n: Int) { sessions(first: $n) { pageInfo { hasNextPage } } }', { n: 'ten' });
      assert.match(variable.body.errors?.[0]?.message ?? '', /Variable "\$n" got invalid value "ten"/);
      const date = await a.gql('{ sessions(filter: { since: "yesterday" }) { pageInfo { hasNextPage } } }');
      assert.match(date.body.errors?.[0]?.message ?? '', /ISO 8601/);
      const enumValue = await a.gql('{ sessions(filter: { recommendation: MAYBE }) { pageInfo { hasNextPage } } }');
      assert.match(enumValue.body.errors?.[0]?.message ?? '', /Value "MAYBE" does not exist in "Recommendation" enum/);
      const notJson = await fetch(a.url, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: '{"query": ' });
      assert.equal(notJson.status, 400);
      const messages = a.lines.filter((l) => l['event'] === 'admin.request-error').map((l) => JSON.stringify(l['errors']));
      for (const re of [/Syntax Error/, /colour/, /non-integer/, /MAYBE/]) assert.ok(messages.some((m) => re.test(m)), `a log line for ${re}`);
    });

    it('refuses queries deeper than maxDepth and costlier than maxCost before running them', async () => {
      const deep = await a.gql('{ endpoints { edges { node { latestSession { endpoint { latestSession { endpoint { latestSession { endpoint { id } } } } } } } } } }');
      assert.deepEqual(codes(deep.body), ['QUERY_TOO_DEEP']);
      const costly = await a.gql('{ endpoints(first: 1000) { edges { node { id product identity recommendation evaluation groups } } } }');
      assert.deepEqual(codes(costly.body), ['QUERY_TOO_COSTLY']);
      const viaVariable = await a.gql('query($n: Int) { endpoints(first: $n) { edges { node { id product identity recommendation evaluation groups } } } }', { n: 1000 });
      assert.deepEqual(codes(viaVariable.body), ['QUERY_TOO_COSTLY']);
      const fine = await a.gql('{ endpoints(first: 10) { edges { node { id } } } }');
      assert.equal(fine.body.errors, undefined);
      const big = await fetch(a.url, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ me { name } } # ${'x'.repeat(300_000)}` }) });
      assert.equal(big.status, 413);
    });
  });

  describe('for people and live views', () => {
    it('serves GraphiQL at GET /graphql without a token (the page holds no data)', async () => {
      const r = await fetch(a.url, { headers: { accept: 'text/html' } });
      assert.equal(r.status, 200);
      const html = await r.text();
      assert.match(html, /tnc-pdp admin/);
      assert.ok(!html.includes(ADMIN_TOKEN));
    });

    it('streams session events to a subscriber over SSE', async () => {
      const ctl = new AbortController();
      const res = await fetch(`${a.url}?query=${encodeURIComponent('subscription { sessionEvents { kind user nas filterGroup at } }')}`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${READER_TOKEN}` },
        signal: ctl.signal,
      });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      // The subscription is registered once the response started; publish until it arrives.
      const timer = setInterval(() => a.admin.events.publish('session', { kind: 'access-accept', user: 'carol@strongswan.org', nas: 'moon', filterGroup: 'allow', at: Date.UTC(2026, 0, 31) }), 50);
      let text = '';
      try {
        while (!text.includes('"sessionEvents"')) {
          const { value, done } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
      } finally {
        clearInterval(timer);
        ctl.abort();
      }
      const data = JSON.parse(/data: (.*)/.exec(text.slice(text.indexOf('"sessionEvents"') - 40))?.[1] ?? text.split('data: ').find((d) => d.includes('sessionEvents'))!);
      assert.deepEqual(data.data.sessionEvents, { kind: 'access-accept', user: 'carol@strongswan.org', nas: 'moon', filterGroup: 'allow', at: '2026-01-31T00:00:00.000Z' });
    });

    it('streams posture decisions as recommendation events', async () => {
      const ctl = new AbortController();
      const res = await fetch(`${a.url}?query=${encodeURIComponent('subscription { recommendations { user endpoint recommendation evaluation enforced filterGroup imvs { imv recommendation reasons } } }')}`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${READER_TOKEN}` },
        signal: ctl.signal,
      });
      const reader = res.body!.getReader();
      const decision = {
        recommendation: 'isolate',
        imvs: [{ imv: 'Scanner', recommendation: 'isolate', evaluation: 'non-compliant-major', reasons: ['tcp/23 is open'] }],
        deviceId: 'dave-laptop',
        evaluation: 'non-compliant-major',
        enforced: 'isolate',
        group: 'isolate',
      };
      const timer = setInterval(() => {
        a.admin.publishPosture({ type: 'posture.imv-recommendation' }, T0); // not a decision: no event
        a.admin.publishPosture({ type: 'posture.decision', connection: 1, user: 'dave@strongswan.org', decision } as { type: string }, T0);
      }, 50);
      let text = '';
      try {
        while (!text.includes('"recommendations"')) {
          const { value, done } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
      } finally {
        clearInterval(timer);
        ctl.abort();
      }
      const data = JSON.parse(text.split('data: ').find((d) => d.includes('"recommendations"'))!.split('\n')[0]!);
      assert.deepEqual(data.data.recommendations, {
        user: 'dave@strongswan.org',
        endpoint: 'dave-laptop',
        recommendation: 'ISOLATE',
        evaluation: 'non-compliant-major',
        enforced: 'ISOLATE',
        filterGroup: 'isolate',
        imvs: [{ imv: 'Scanner', recommendation: 'ISOLATE', reasons: ['tcp/23 is open'] }],
      });
    });

    it('refuses an SSE subscription without a token', async () => {
      const res = await fetch(`${a.url}?query=${encodeURIComponent('subscription { sessionEvents { kind } }')}`, { headers: { accept: 'text/event-stream' } });
      assert.equal(res.status, 401);
      await res.body?.cancel();
    });
  });
});
