/**
 * Plain IKEv2 with certificates (issue 4: "Interop of plain IKEv2 with certificates ... against
 * Debian's strongSwan as the initiator"): Debian's charon 5.9.8 (kernel-libipsec, encap = yes) in
 * namespace carol initiates to our PEP in moon, rightauth=pubkey and leftauth=pubkey.
 *
 * - carol with an RSA-4096 certificate and moon with an RSA-4096 certificate (both issued by an
 *   RSA-4096 root in ipsec.d/cacerts / swanctl/x509ca): neither IKE_AUTH message fits into
 *   fragment_size 1280, so both are sent as RFC 7383 fragments (charon: "splitting IKE message",
 *   our PEP: "splitting IKE message" and "reassembled fragmented IKE message"); RFC 7427
 *   signatures both ways (both sent SIGNATURE_HASH_ALGORITHMS).
 * - dave (same charon, second connection) with an ECDSA P-256 certificate from the same root.
 * - a certificate from a CA moon does not trust: AUTHENTICATION_FAILED, and moon's log says why.
 * Each time: the IKE_SA is ESTABLISHED in `swanctl --list-sas` on carol, and a ping to moon's
 * inside address crosses the tunnel (our userspace ESP; this kernel has no ESP).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NetnsSet, sweepStaleNamespaces, type Netns } from './lib/netns.js';
import type { Pep } from './lib/pep.js';
import { issueCert, makeRootCa, startCertPep, type PemPair } from './lib/pep-cert.js';
import { Scope } from './lib/proc.js';
import { assertPeers } from './lib/require-peers.js';
import { startCharon, type Charon } from './lib/strongswan.js';
import { makeTempDir } from './lib/tmp.js';

const MOON = '192.168.0.1';
const CAROL = '192.168.0.100';
const PLUGINS = 'random nonce openssl kdf pem pkcs1 pkcs8 x509 revocation constraints pubkey kernel-libipsec kernel-netlink socket-default vici';

const IPSEC_CONF = `
conn %default
     keyexchange=ikev2
     ike=aes128-sha256-ecp256,aes256-sha384-modp2048!
     esp=aes128gcm16,aes256-sha256!
     fragmentation=yes

conn cert-rw
     left=${MOON}
     leftcert=moonCert.pem
     leftid=@moon.strongswan.org
     leftauth=pubkey
     leftsubnet=10.1.0.0/16
     right=%any
     rightid=*@strongswan.org
     rightauth=pubkey
     rightsourceip=10.3.0.0/24
     auto=add
`;

function conn(name: string, cert: string, id: string): string {
  return `  ${name} {
    version = 2
    remote_addrs = ${MOON}
    vips = 0.0.0.0
    encap = yes
    fragmentation = yes
    proposals = aes128-sha256-ecp256
    local {
      auth = pubkey
      certs = ${cert}
      id = ${id}
    }
    remote {
      auth = pubkey
      id = moon.strongswan.org
    }
    children {
      ${name} {
        remote_ts = 10.0.0.0/8
        esp_proposals = aes128gcm16
      }
    }
  }
`;
}

describe('certificate interop: Debian strongSwan initiator -> our PEP responder (RSA, ECDSA, RFC 7427, RFC 7383)', { timeout: 300_000 }, () => {
  const scope = new Scope();
  let moon: Netns;
  let carolNs: Netns;
  let pep: Pep;
  let carol: Charon;

  before(async () => {
    assertPeers();
    await sweepStaleNamespaces();
    const dir = makeTempDir(scope, 'pep-cert');
    const pki = join(dir, 'pki');
    const root = await makeRootCa(pki, 'strongSwan Root CA', { type: 'rsa', bits: 4096 });
    const rogue = await makeRootCa(join(pki, 'rogue'), 'Rogue CA', { type: 'ecdsa', bits: 256 });
    const [moonCert, carolCert, daveCert, eveCert]: PemPair[] = await Promise.all([
      issueCert(pki, root, 'moon', { cn: 'moon.strongswan.org', san: ['moon.strongswan.org'], key: { type: 'rsa', bits: 4096 }, flags: ['serverAuth'] }),
      issueCert(pki, root, 'carol', { cn: 'carol@strongswan.org', san: ['carol@strongswan.org'], key: { type: 'rsa', bits: 4096 } }),
      issueCert(pki, root, 'dave', { cn: 'dave@strongswan.org', san: ['dave@strongswan.org'], key: { type: 'ecdsa', bits: 256 } }),
      issueCert(join(pki, 'rogue'), rogue, 'eve', { cn: 'eve@strongswan.org', san: ['eve@strongswan.org'], key: { type: 'ecdsa', bits: 256 } }),
    ]);
    const set = new NetnsSet(scope);
    [moon, carolNs] = await Promise.all([set.add('moon'), set.add('carol')]);
    await set.veth(moon, 'eth0', carolNs, 'eth0');
    await moon.addAddress('eth0', `${MOON}/24`);
    await moon.addBridge('inside0', [], '10.1.0.1/16');
    await carolNs.addAddress('eth0', `${CAROL}/24`);
    pep = await startCertPep(scope, {
      netns: moon.name,
      dir: join(dir, 'moon'),
      ipsecConf: IPSEC_CONF,
      ipsecSecrets: ': RSA moonKey.pem\n',
      listen: MOON,
      certs: { 'moonCert.pem': moonCert!.cert },
      private: { 'moonKey.pem': moonCert!.key },
      cacerts: { 'strongswanCert.pem': root.cert },
    });
    carol = await startCharon(scope, {
      name: 'carol',
      netns: carolNs.name,
      dir: join(dir, 'carol'),
      plugins: PLUGINS,
      charonSection: '',
      files: { caCerts: [root.certPath], certs: [carolCert!.certPath, daveCert!.certPath, eveCert!.certPath], keys: [carolCert!.keyPath, daveCert!.keyPath, eveCert!.keyPath] },
      swanctlConf: `connections {\n${conn('rsa', 'carol.crt', 'carol@strongswan.org')}${conn('ecdsa', 'dave.crt', 'dave@strongswan.org')}${conn('rogue', 'eve.crt', 'eve@strongswan.org')}}\n`,
    });
  });
  after(() => scope.close());

  async function established(name: string, id: string): Promise<void> {
    const raw = (await carol.swanctl(['--list-sas', '--ike', name])).stdout;
    const sa = (await carol.listSas()).find((s) => s.name === name && s.state === 'ESTABLISHED');
    assert.ok(sa, `carol has no established IKE_SA ${name}:\n${raw}`);
    assert.equal(sa.localId, id);
    assert.equal(sa.remoteId, 'moon.strongswan.org');
    assert.equal(sa.children[0]?.state, 'INSTALLED', raw);
    const ping = await carol.exec('ping', ['-c', '2', '-i', '0.3', '-W', '2', '10.1.0.1']);
    assert.equal(ping.code, 0, `ping 10.1.0.1 from carol through the ${name} tunnel:\n${ping.stdout}\n--- pep ---\n${pep.messages().slice(-15).join('\n')}`);
  }

  it('RSA-4096 both ways: the chain and RFC 7427 signatures verify, IKE_AUTH is fragmented in both directions, ping crosses the tunnel', { timeout: 90_000 }, async () => {
    const since = pep.mark();
    const carolSince = carol.proc.mark();
    const r = await carol.initiate('rsa', 'rsa', 20);
    assert.equal(r.code, 0, `carol initiate failed:\n${r.stdout}\n--- pep ---\n${pep.proc.tail(60)}`);
    // carol -> moon: charon split its IKE_AUTH request, we reassembled it.
    await carol.waitForLog(/splitting IKE message \(\d+ bytes\) into [2-9] fragments/, carolSince, 2000);
    await pep.waitForMsg(/^received fragment #\d of \d, reassembled fragmented IKE message \(\d+ bytes\)$/, since, 2000);
    await pep.waitForMsg(/^using trusted ca certificate "C=CH, O=strongSwan Test, CN=strongSwan Root CA"$/, since, 2000);
    await pep.waitForMsg(/^authentication of 'carol@strongswan\.org' with RSA_EMSA_(PKCS1|PSS)_SHA2_\d+ successful$/, since, 2000);
    // moon -> carol: we split our response, charon reassembled it and verified our signature.
    await pep.waitForMsg(/^splitting IKE message \(\d+ bytes\) into [2-9] fragments$/, since, 2000);
    await carol.waitForLog(/reassembled fragmented IKE message/, carolSince, 2000);
    await carol.waitForLog(/authentication of 'moon\.strongswan\.org' with RSA_EMSA_(PKCS1|PSS)_SHA2_\d+ successful/, carolSince, 2000);
    await pep.waitForMsg(/^IKE_SA cert-rw\[\d+\] established between 192\.168\.0\.1\[moon\.strongswan\.org\]\.\.\.192\.168\.0\.100\[carol@strongswan\.org\]$/, since, 2000);
    await established('rsa', 'carol@strongswan.org');
    await carol.swanctl(['--terminate', '--ike', 'rsa', '--timeout', '10'], 15_000, false);
  });

  it('ECDSA P-256 initiator (dave): chain and ECDSA signature verify, ping crosses the tunnel', { timeout: 60_000 }, async () => {
    const since = pep.mark();
    const r = await carol.initiate('ecdsa', 'ecdsa', 20);
    assert.equal(r.code, 0, `dave initiate failed:\n${r.stdout}\n--- pep ---\n${pep.proc.tail(60)}`);
    await pep.waitForMsg(/^received end entity cert "C=CH, O=strongSwan Test, CN=dave@strongswan\.org"$/, since, 2000);
    await pep.waitForMsg(/^authentication of 'dave@strongswan\.org' with ECDSA(_WITH_SHA\d+_DER|-256 signature) successful$/, since, 2000);
    await established('ecdsa', 'dave@strongswan.org');
    await carol.swanctl(['--terminate', '--ike', 'ecdsa', '--timeout', '10'], 15_000, false);
  });

  it('a certificate from a CA moon does not trust: AUTHENTICATION_FAILED, and the PEP log names the reason', { timeout: 60_000 }, async () => {
    const since = pep.mark();
    const carolSince = carol.proc.mark();
    const r = await carol.initiate('rogue', 'rogue', 15);
    assert.notEqual(r.code, 0, r.stdout);
    await pep.waitForMsg(/^certificate of 'eve@strongswan\.org' not trusted \(UNTRUSTED\): no trusted issuer found for certificate "C=CH, O=strongSwan Test, CN=eve@strongswan\.org"/, since, 2000);
    await carol.waitForLog(/received AUTHENTICATION_FAILED notify error/, carolSince, 2000);
    assert.equal((await carol.listSas()).filter((s) => s.name === 'rogue').length, 0);
  });
});
