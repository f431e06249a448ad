/**
 * Shared set-up of the admin API tests: an embedded store with a small reference population
 * (carol's Debian laptop assessed and connected through moon, dave isolated and gone), an admin
 * server on a loopback port, a NAS stand-in answering RFC 5176 requests, and a pino logger whose
 * lines the tests read.
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { PacketCode, decodePacket, signResponse, type RadiusAttribute, type RadiusPacket } from '../../radius/index.js';
import { ifmapExport } from '../admin/ifmap-export.js';
import { AdminServer } from '../admin/server.js';
import { EmbeddedStore } from '../store/embedded-store.js';
import type { SessionRecord } from '../store/store.js';

export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
export const READER_TOKEN = 'reader-token-0123456789abcdef';
export const NAS_SECRET = 'moon-dae-secret-42';
export const T0 = Date.UTC(2026, 0, 31, 12, 0, 0);

export function memoryLog() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) {
        raw.push(l);
        lines.push(JSON.parse(l) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines, raw };
}

function session(id: string, device: string, user: string, rec: 'allow' | 'isolate', at: number): SessionRecord {
  return {
    id,
    user,
    device,
    transport: 'pt-eap',
    via: 'moon',
    start: at - 500,
    end: at,
    groups: ['Debian', 'Linux'],
    policies: [
      { policy: 'no-telnet-port', type: 'tcp-ports-blocked', outcome: rec === 'allow' ? 'pass' : 'fail', recommendation: rec === 'allow' ? 'allow' : 'isolate', reasons: rec === 'allow' ? [] : ['tcp/23 is open'] },
    ],
    imvs: [{ imv: 'Scanner', recommendation: rec, evaluation: rec === 'allow' ? 'compliant' : 'non-compliant-major', reasons: rec === 'allow' ? [] : ['tcp/23 is open'] }],
    recommendation: rec,
    evaluation: rec === 'allow' ? 'compliant' : 'non-compliant-major',
    enforced: rec,
    group: rec,
  };
}

/** A NAS's RFC 5176 server on loopback: answers with `reply(packet)` (default ACK). */
export function fakeDas(reply: (p: RadiusPacket) => { code: number; attributes?: RadiusAttribute[] } | undefined = (p) => ({ code: p.code + 1 })) {
  const socket = dgram.createSocket('udp4');
  const received: RadiusPacket[] = [];
  socket.on('message', (raw, rinfo) => {
    const p = decodePacket(raw);
    received.push(p);
    const r = reply(p);
    if (r) socket.send(signResponse({ code: r.code, identifier: p.identifier, requestAuthenticator: raw.subarray(4, 20), attributes: r.attributes ?? [], secret: NAS_SECRET }), rinfo.port, rinfo.address);
  });
  const port = new Promise<number>((r) => socket.bind(0, '127.0.0.1', () => r(socket.address().port)));
  return { socket, received, port, PacketCode };
}

export async function startAdmin(opts: { maxDepth?: number; maxCost?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'admin-test-'));
  const store = await EmbeddedStore.open({ dir: join(dir, 'store'), fsync: false });
  const meta = { actor: 'test-setup', at: T0 };
  await store.seed(
    {
      groups: [{ name: 'Linux' }, { name: 'Debian', parent: 'Linux', defaultFor: ['Debian*'] }],
      policies: [{ name: 'no-telnet-port', type: 'tcp-ports-blocked', argument: ['23'], remediation: 'Stop the service on tcp/23' }],
      enforcements: [{ policy: 'no-telnet-port', group: 'Linux', maxAge: 0 }],
      devices: [],
      users: [{ name: 'carol@strongswan.org', password: 'Ar3etTnp', group: 'allow' }],
      radiusClients: [{ name: 'moon', address: '127.0.0.1/32', secret: NAS_SECRET }],
    },
    meta,
  );
  await store.recordDevice({ id: 'carol-laptop', idKind: 'device-id', product: 'Debian 12 x86_64', user: 'carol@strongswan.org', at: T0 });
  await store.recordSession(session('s1', 'carol-laptop', 'carol@strongswan.org', 'allow', T0), [
    { policy: 'no-telnet-port', outcome: 'pass', recommendation: 'allow', at: T0, session: 's1', reasons: [] },
  ]);
  await store.recordDevice({ id: 'dave-laptop', idKind: 'device-id', product: 'Debian 11 x86_64', user: 'dave@strongswan.org', at: T0 + 1000 });
  await store.recordSession(session('s2', 'dave-laptop', 'dave@strongswan.org', 'isolate', T0 + 1000), []);
  await store.openActiveSession({ id: 'a1', user: 'carol@strongswan.org', device: 'carol-laptop', nas: 'moon', nasAddress: '127.0.0.1', group: 'allow', assessment: 's1', start: T0, framedIp: '10.3.0.1', acctSessionId: 'ACCT-1' });
  await store.saveLeases('pool-allow', [{ address: '10.3.0.1', identity: 'carol@strongswan.org', acquired: T0, released: 0 }, { address: '10.3.0.2', identity: 'erin', acquired: T0 - 5000, released: T0 - 1000 }]);
  const das = fakeDas();
  const daePort = await das.port;
  const { log, lines, raw } = memoryLog();
  const admin = new AdminServer({
    config: {
      listen: { address: '127.0.0.1', port: 0 },
      tokens: [
        { name: 'ops', token: ADMIN_TOKEN, role: 'admin' },
        { name: 'auditor', token: READER_TOKEN, role: 'read-only' },
      ],
      dynamicAuthorizationPort: daePort,
      ...opts,
    },
    store,
    log,
    ifmap: ifmapExport({ pdpDevice: 'alice.strongswan.org' }),
  });
  const at = await admin.listen();
  const url = `http://127.0.0.1:${at.port}/graphql`;
  async function gql(query: string, variables?: Record<string, unknown>, token: string | null = ADMIN_TOKEN) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
  }
  return {
    admin,
    store,
    url,
    gql,
    das,
    lines,
    raw,
    async stop() {
      await admin.close();
      das.socket.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
