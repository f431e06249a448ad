/**
 * The PDP in-process on loopback, driven over real UDP by a NAS + the in-process TTLS peer:
 * Access-Accept content (REFERENCE-SCENARIO step 6), MPPE keys equal to the peer's MSK, rejects,
 * sharding over worker threads, unknown State, accounting, Status-Server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttributeType, PacketCode, getAttribute, joinEapMessage, splitEapMessage } from '../../radius/index.js';
import { RadiusUdpClient } from '../../radius/client.js';
import { buildConfig } from '../config/load.js';
import { createLogger } from '../logging.js';
import { Pdp } from '../pdp.js';
import type { ConversationFinished } from '../access-handler.js';
import { authenticateTtls } from './nas.js';

const SECRET = 'pdp-unit-secret';

async function startPdp(extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-test-'));
  const config = buildConfig(
    {
      stateDir: dir,
      radius: {
        auth: { address: '127.0.0.1', port: 0 },
        accounting: { address: '127.0.0.1', port: 0 },
        clients: [{ name: 'nas', address: '127.0.0.1/32', secret: SECRET }],
      },
      pki: { serverName: 'pdp.test' },
      users: [
        { name: 'carol', password: 'Ar3etTnp', group: 'allow' },
        { name: 'dave', password: 'W7R0g3do', group: 'isolate' },
      ],
      log: { level: 'silent' },
      ...extra,
    },
    'test',
    dir,
  );
  const pdp = new Pdp({ config, logger: createLogger('silent') });
  const bound = await pdp.start();
  const finished: ConversationFinished[] = [];
  pdp.on('finished', (e) => finished.push(e));
  const client = new RadiusUdpClient({ server: bound.auth, secret: SECRET, timeoutMs: 1000, tries: 2 });
  return {
    pdp,
    bound,
    client,
    finished,
    ca: pdp.tlsIdentity!.caPem,
    async stop() {
      client.close();
      await pdp.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

for (const workers of [1, 2]) {
  describe(`PDP over UDP (workers: ${workers})`, () => {
    let t: Awaited<ReturnType<typeof startPdp>>;
    before(async () => {
      t = await startPdp({ workers });
    });
    after(async () => t.stop());

    it('TTLS/MD5 for carol: Access-Accept with Filter-Id allow, Tunnel-Type ESP and the peer MSK as MPPE keys', async () => {
      const r = await authenticateTtls({ client: t.client, secret: SECRET, user: 'carol', password: 'Ar3etTnp', ca: t.ca, serverName: 'pdp.test' });
      assert.equal(r.final.code, PacketCode.AccessAccept);
      assert.equal(getAttribute(r.final, AttributeType.FilterId)?.toString(), 'allow');
      assert.deepEqual(getAttribute(r.final, AttributeType.TunnelType), Buffer.from([0, 0, 0, 9]));
      assert.equal(r.peer?.kind, 'success');
      const msk = r.peer?.kind === 'success' ? r.peer.keys?.msk : undefined;
      assert.ok(msk && r.mppe);
      assert.deepEqual(r.mppe.recvKey, msk.subarray(0, 32));
      assert.deepEqual(r.mppe.sendKey, msk.subarray(32, 64));
      const ev = t.finished.at(-1);
      assert.equal(ev?.user, 'carol');
      assert.equal(ev?.outcome, 'accept');
      assert.equal(ev?.group, 'allow');
      assert.equal(ev?.method, 'ttls/md5-challenge');
    });

    it('TTLS/PAP for dave: Access-Accept with Filter-Id isolate', async () => {
      const r = await authenticateTtls({ client: t.client, secret: SECRET, user: 'dave', password: 'W7R0g3do', ca: t.ca, serverName: 'pdp.test', phase2: 'pap' });
      assert.equal(r.final.code, PacketCode.AccessAccept);
      assert.equal(getAttribute(r.final, AttributeType.FilterId)?.toString(), 'isolate');
    });

    it('a wrong password gets Access-Reject with EAP-Failure and no Filter-Id', async () => {
      const r = await authenticateTtls({ client: t.client, secret: SECRET, user: 'carol', password: 'wrong', ca: t.ca, serverName: 'pdp.test' });
      assert.equal(r.final.code, PacketCode.AccessReject);
      assert.equal(joinEapMessage(r.final.attributes)?.[0], 4);
      assert.equal(getAttribute(r.final, AttributeType.FilterId), undefined);
      assert.equal(t.finished.at(-1)?.outcome, 'reject');
    });

    it('eight concurrent conversations all succeed (sharded by State when workers > 1)', async () => {
      const runs = await Promise.all(
        Array.from({ length: 8 }, () => authenticateTtls({ client: t.client, secret: SECRET, user: 'carol', password: 'Ar3etTnp', ca: t.ca, serverName: 'pdp.test' })),
      );
      assert.deepEqual(runs.map((r) => r.final.code), new Array(8).fill(PacketCode.AccessAccept));
    });

    it('an unknown State gets Access-Reject with EAP-Failure carrying the response identifier', async () => {
      const eap = Buffer.from([2, 0x42, 0, 6, 21, 0]);
      const { packet } = await t.client.request(PacketCode.AccessRequest, [
        ...splitEapMessage(eap),
        { type: AttributeType.State, value: Buffer.alloc(16, 1) },
      ]);
      assert.equal(packet.code, PacketCode.AccessReject);
      assert.deepEqual(joinEapMessage(packet.attributes), Buffer.from([4, 0x42, 0, 4]));
    });
  });
}

describe('PDP other services', () => {
  let t: Awaited<ReturnType<typeof startPdp>>;
  before(async () => {
    t = await startPdp();
  });
  after(async () => t.stop());

  it('Status-Server is answered with Access-Accept on the auth port (RFC 5997)', async () => {
    const { packet } = await t.client.request(PacketCode.StatusServer, []);
    assert.equal(packet.code, PacketCode.AccessAccept);
  });

  it('Accounting-Request Start is recorded and answered', async () => {
    const acct = new RadiusUdpClient({ server: t.bound.accounting!, secret: SECRET, timeoutMs: 1000, tries: 1 });
    const seen = new Promise((resolve) => t.pdp.once('accounting', resolve));
    try {
      const { packet } = await acct.request(PacketCode.AccountingRequest, [
        { type: AttributeType.AcctStatusType, value: Buffer.from([0, 0, 0, 1]) },
        { type: AttributeType.AcctSessionId, value: Buffer.from('s-1') },
        { type: AttributeType.UserName, value: Buffer.from('carol') },
      ]);
      assert.equal(packet.code, PacketCode.AccountingResponse);
      assert.deepEqual(await seen, { client: 'nas', status: 'start', sessionId: 's-1', userName: 'carol', receivedAt: (await seen as { receivedAt: number }).receivedAt });
    } finally {
      acct.close();
    }
  });

  it('PAP without Message-Authenticator is dropped by default (BlastRADIUS hardening) and logged', async () => {
    const dropped = new Promise<{ reason: string }>((resolve) => t.pdp.once('dropped', resolve));
    const { buildRequest, hideUserPassword } = await import('../../radius/index.js');
    const dgram = await import('node:dgram');
    const auth = Buffer.alloc(16, 7);
    const wire = buildRequest({
      code: PacketCode.AccessRequest, identifier: 1, secret: SECRET, authenticator: auth, addMessageAuthenticator: false,
      attributes: [
        { type: AttributeType.UserName, value: Buffer.from('carol') },
        { type: AttributeType.UserPassword, value: hideUserPassword(Buffer.from('Ar3etTnp'), SECRET, auth) },
      ],
    });
    const s = dgram.createSocket('udp4');
    s.send(wire, t.bound.auth.port, '127.0.0.1');
    try {
      assert.equal((await dropped).reason, 'missing-message-authenticator');
    } finally {
      s.close();
    }
  });
});
