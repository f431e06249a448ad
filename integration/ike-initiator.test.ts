/**
 * The bench's IKEv2 initiator (bench/ike/initiator.ts) against Debian's strongSwan charon 5.9.8 as
 * the responder, in a network namespace of its own (charon on its 127.0.0.1, the initiator in
 * bench/ike/load-child.ts started inside the same namespace).
 *
 * Proves, with charon's own view (`swanctl --list-sas`) as the witness:
 * - PSK: IKE_SA_INIT + IKE_AUTH, CP virtual IPs, a CHILD_SA per IKE_SA, COOKIE round trips
 *   (cookie_threshold 1 with three set-ups in flight), Delete removing them from charon;
 * - EAP-MD5 with charon's eap-md5 server (`remote.auth = eap-md5`, eap_id %any: EAP-Identity,
 *   MD5-Challenge, then AUTH from SK_p since MD5 has no MSK), charon's certificate verified;
 * - INVALID_KE_PAYLOAD: we offer ecp256 and modp2048 with an ecp256 KE, charon wants modp2048;
 * - failures are failures: a wrong PSK (charon: AUTHENTICATION_FAILED), a responder whose AUTH
 *   does not verify under the secret we expect, a wrong EAP-MD5 password.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addLocalTsAddress, startCharonResponder } from '../bench/ike/charon-responder.js';
import { DELETED_PREFIX, HELD_PREFIX, type HeldResult, type IkeLoadJob } from '../bench/ike/job.js';
import { NetnsSet, nsExec, sweepStaleNamespaces, type Netns } from './lib/netns.js';
import { issue, makeCa } from './lib/pki.js';
import { REPO_ROOT } from './lib/pdp.js';
import { Scope, startProc } from './lib/proc.js';
import { assertPeers } from './lib/require-peers.js';
import type { Charon } from './lib/strongswan.js';
import { makeTempDir } from './lib/tmp.js';

const PSK = 'bench-Psk-Secret-4711';
const GW_ID = 'gw.ike.bench';
const USERS = [
  { name: 'carol', password: 'carol-MD5-pw' },
  { name: 'dave', password: 'dave-MD5-pw' },
];

describe('bench IKEv2 initiator against Debian strongSwan charon as responder', { timeout: 180_000 }, () => {
  const scope = new Scope();
  let ns: Netns;
  let charon: Charon;
  let caPath: string;
  let dir: string;

  before(async () => {
    assertPeers();
    await sweepStaleNamespaces();
    dir = makeTempDir(scope, 'ike-initiator');
    const ca = await makeCa(join(dir, 'pki'), 'IKE Bench Test CA', { type: 'ecdsa', bits: 256 });
    const gw = await issue(join(dir, 'pki'), ca, { name: 'gw', cn: GW_ID, san: [GW_ID], flags: ['serverAuth'], key: { type: 'ecdsa', bits: 256 } });
    caPath = ca.certPath;
    ns = await new NetnsSet(scope).add('ikei');
    await addLocalTsAddress(ns, '10.1.0.1/16');
    charon = await startCharonResponder(scope, {
      name: 'charon-responder',
      netns: ns.name,
      dir: join(dir, 'charon'),
      address: '127.0.0.1',
      id: GW_ID,
      psk: PSK,
      certPath: gw.certPath,
      keyPath: gw.keyPath,
      caCertPath: ca.certPath,
      ikeProposal: 'aes128-sha256-modp2048,aes128gcm16-prfsha256-modp2048',
      espProposal: 'aes128gcm16,aes128-sha256',
      pool: '10.3.0.0/24',
      localTs: '10.1.0.0/16',
      eap: { kind: 'local', users: USERS },
      cookieThreshold: 1,
    });
  });

  after(async () => {
    await scope.close();
  });

  function job(over: Partial<IkeLoadJob>): IkeLoadJob {
    return {
      mode: 'hold',
      remote: { address: '127.0.0.1', port: 500 },
      ike: 'aes128-sha256-modp2048',
      esp: 'aes128gcm16',
      responderId: GW_ID,
      trust: { kind: 'psk', secret: PSK },
      auth: 'psk',
      secret: PSK,
      users: USERS.map((u) => u.name),
      domain: 'psk.bench',
      virtualIp: true,
      slots: 3,
      timeoutMs: 1000,
      tries: 3,
      reuseDhKey: false,
      hardLimitMs: 60_000,
      count: 3,
      ...over,
    };
  }

  /** Runs the initiator in the namespace, returns what it held and a function deleting them. */
  let runs = 0;
  async function holdSas(j0: IkeLoadJob): Promise<{ held: HeldResult; release: () => Promise<{ deleted: number; deleteFailures: number }> }> {
    const release = join(dir, `release-${++runs}`);
    const j = { ...j0, releaseFile: release };
    const [cmd, args] = nsExec(ns.name, process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'ike', 'load-child.ts'), JSON.stringify(j)]);
    const child = startProc(scope, cmd, args, { name: 'ike-initiator', cwd: REPO_ROOT });
    const line = await child.waitForLine((l) => l.startsWith(HELD_PREFIX), { timeoutMs: 40_000, what: 'the held SAs' }).catch((e: Error) => {
      throw new Error(`${e.message}\n${child.tail(30)}\n--- charon ---\n${charon.proc.tail(40)}`);
    });
    const held = JSON.parse(line.slice(HELD_PREFIX.length)) as HeldResult;
    return {
      held,
      release: async () => {
        writeFileSync(release, '');
        const done = await child.waitForLine((l) => l.startsWith(DELETED_PREFIX), { timeoutMs: 20_000, what: 'the deletes' }).catch((e: Error) => {
          throw new Error(`${e.message}\nexit: ${JSON.stringify(child.exitInfo)}\n${child.tail(30)}`);
        });
        await child.exited;
        return JSON.parse(done.slice(DELETED_PREFIX.length)) as { deleted: number; deleteFailures: number };
      },
    };
  }

  it('PSK: three IKE_SAs with virtual IPs and CHILD_SAs, through COOKIEs; charon lists them; Delete removes them', async () => {
    const users = ['u1', 'u2', 'u3'];
    const { held, release } = await holdSas(job({ users, count: 3 }));
    assert.equal(held.failed, 0, JSON.stringify(held.reasons));
    assert.equal(held.ok, 3);
    assert.ok(held.cookies > 0, 'charon (cookie_threshold 1) sent COOKIEs to concurrent set-ups');
    const vips = held.sample.map((s) => s.virtualIp);
    assert.equal(new Set(vips).size, 3);
    for (const v of vips) assert.match(String(v), /^10\.3\.0\.\d+$/);
    // charon with kernel-libipsec fakes a NAT to force UDP encapsulation: the exchange moved to 4500.
    for (const s of held.sample) assert.equal(s.natT, true);
    const sas = (await charon.listSas()).filter((s) => s.name === 'psk');
    assert.deepEqual(sas.map((s) => s.remoteId).sort(), users.map((u) => `${u}@psk.bench`));
    for (const s of sas) {
      assert.equal(s.state, 'ESTABLISHED');
      assert.equal(s.children.length, 1);
      assert.equal(s.children[0]?.state, 'INSTALLED');
      assert.deepEqual(s.children[0]?.localTs, ['10.1.0.0/16']);
      assert.ok(vips.includes(s.vips[0]), `charon's virtual IP ${s.vips[0]} is one the initiator got`);
    }
    const spis = new Set(held.sample.map((s) => s.spiI));
    assert.equal(spis.size, 3);
    const del = await release();
    assert.deepEqual(del, { deleted: 3, deleteFailures: 0 });
    assert.equal((await charon.listSas()).filter((s) => s.name === 'psk').length, 0);
  });

  it('EAP-MD5 with charon\'s eap-md5 server: EAP-Identity, MD5-Challenge, AUTH from SK_p; charon\'s certificate verified', async () => {
    const { held, release } = await holdSas(job({
      auth: 'eap-md5', domain: 'eap.bench', users: ['carol'], secret: USERS[0]!.password, count: 1, slots: 1,
      trust: { kind: 'pubkey', caPath }, ike: 'aes128gcm16-prfsha256-modp2048', esp: 'aes128-sha256',
    }));
    assert.equal(held.failed, 0, JSON.stringify(held.reasons));
    assert.equal(held.ok, 1);
    // IKE_SA_INIT (again after a COOKIE), IKE_AUTH, EAP-Identity, MD5-Challenge, AUTH
    assert.equal(held.sample[0]?.roundTrips, 5 + held.cookies);
    const sas = (await charon.listSas()).filter((s) => s.name === 'eap');
    assert.equal(sas.length, 1);
    assert.equal(sas[0]?.remoteId, 'carol@eap.bench');
    assert.equal(sas[0]?.eapId, 'carol');
    assert.equal(sas[0]?.children[0]?.state, 'INSTALLED');
    assert.deepEqual(await release(), { deleted: 1, deleteFailures: 0 });
  });

  it('INVALID_KE_PAYLOAD: a KE of ecp256 when charon wants modp2048 is retried with modp2048', async () => {
    const { held, release } = await holdSas(job({ ike: 'aes128-sha256-ecp256-modp2048', users: ['ke1'], count: 1, slots: 1 }));
    assert.equal(held.failed, 0, JSON.stringify(held.reasons));
    assert.equal(held.invalidKe, 1);
    assert.deepEqual(await release(), { deleted: 1, deleteFailures: 0 });
  });

  it('failures count as failures: wrong PSK, unverifiable responder AUTH, wrong EAP-MD5 password', async () => {
    const wrongPsk = await holdSas(job({ secret: 'not-the-psk', users: ['bad1'], count: 1, slots: 1 }));
    assert.equal(wrongPsk.held.ok, 0);
    assert.match(Object.keys(wrongPsk.held.reasons).join(), /AUTHENTICATION_FAILED/);
    await wrongPsk.release();

    const badResponder = await holdSas(job({ trust: { kind: 'psk', secret: 'another-secret' }, users: ['bad2'], count: 1, slots: 1 }));
    assert.equal(badResponder.held.ok, 0);
    assert.match(Object.keys(badResponder.held.reasons).join(), /responder AUTH \(shared key MIC\) does not verify/);
    await badResponder.release();

    const wrongMd5 = await holdSas(job({ auth: 'eap-md5', domain: 'eap.bench', users: ['dave'], secret: 'wrong', count: 1, slots: 1, trust: { kind: 'pubkey', caPath } }));
    assert.equal(wrongMd5.held.ok, 0);
    assert.match(Object.keys(wrongMd5.held.reasons).join(), /EAP-Failure|AUTHENTICATION_FAILED/);
    await wrongMd5.release();
  });
});
