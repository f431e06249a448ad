/**
 * Plain IKEv2 interop with a pre-shared key: Debian's strongSwan charon (5.9.8, kernel-libipsec,
 * encap = yes) as the initiator in namespace carol, our PEP (tnc-pep) as the responder in moon.
 * REFERENCE-SCENARIO step 1 without EAP; issue 4 "Interop of plain IKEv2 ... with PSK against
 * Debian's strongSwan as the initiator".
 *
 * Proves: IKE_SA_INIT (proposal selection, DH, NAT detection with the forced NAT-T of encap=yes,
 * the switch to UDP 4500), IKE_AUTH with PSK both ways, the virtual IP from the pool (CP), the
 * CHILD_SA with narrowed traffic selectors, `tnc-pep status`, an INVALID_KE_PAYLOAD round trip,
 * and the delete when carol terminates.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NetnsSet, sweepStaleNamespaces, type Netns } from './lib/netns.js';
import { startPep, type Pep } from './lib/pep.js';
import { REPO_ROOT } from './lib/pdp.js';
import { Scope } from './lib/proc.js';
import { assertPeers } from './lib/require-peers.js';
import { startCharon, type Charon } from './lib/strongswan.js';
import { makeTempDir } from './lib/tmp.js';

const PSK = 'psk-Interop-Secret-0815';
const REPO = REPO_ROOT.replace(/\/$/, '');
const MOON = '192.168.0.1';
const CAROL = '192.168.0.100';
const PLUGINS = 'random nonce openssl kdf pem pkcs1 pkcs8 x509 revocation constraints pubkey kernel-libipsec kernel-netlink socket-default vici';

const IPSEC_CONF = `
conn %default
     keyexchange=ikev2
     ike=aes128-sha256-modp2048,aes256gcm16-prfsha256-ecp256,aes256-sha384-x25519!
     esp=aes128gcm16,aes256-sha256!

conn psk-rw
     left=${MOON}
     leftid=@moon.strongswan.org
     leftauth=psk
     leftsubnet=10.1.0.0/16
     right=%any
     rightid=*@strongswan.org
     rightauth=psk
     rightsourceip=10.3.0.0/24
     auto=add
`;

function carolConf(proposals?: string): string {
  return `connections {
  home {
    version = 2
    remote_addrs = ${MOON}
    vips = 0.0.0.0
    encap = yes
    ${proposals ? `proposals = ${proposals}` : ''}
    local {
      auth = psk
      id = carol@strongswan.org
    }
    remote {
      auth = psk
      id = moon.strongswan.org
    }
    children {
      home {
        remote_ts = 10.0.0.0/8
      }
    }
  }
}
secrets {
  ike-moon {
    id-1 = carol@strongswan.org
    id-2 = moon.strongswan.org
    secret = "${PSK}"
  }
}
`;
}

describe('PSK interop: Debian strongSwan initiator -> our PEP responder (issue 4, step 1)', { timeout: 120_000 }, () => {
  const scope = new Scope();
  let moon: Netns;
  let carolNs: Netns;
  let pep: Pep;
  let carol: Charon;

  before(async () => {
    assertPeers();
    await sweepStaleNamespaces();
    const dir = makeTempDir(scope, 'pep-psk');
    const set = new NetnsSet(scope);
    [moon, carolNs] = await Promise.all([set.add('moon'), set.add('carol')]);
    await set.veth(moon, 'eth0', carolNs, 'eth0');
    await moon.addAddress('eth0', `${MOON}/24`);
    // moon's inside network (leftsubnet), on an empty bridge (this kernel has no dummy driver).
    await moon.addBridge('inside0', [], '10.1.0.1/16');
    await carolNs.addAddress('eth0', `${CAROL}/24`);
    pep = await startPep(scope, {
      netns: moon.name,
      dir: join(dir, 'moon'),
      ipsecConf: IPSEC_CONF,
      ipsecSecrets: `@moon.strongswan.org *@strongswan.org : PSK "${PSK}"\n`,
      listen: MOON,
      kernel: 'auto',
    });
    carol = await startCharon(scope, { name: 'carol', netns: carolNs.name, dir: join(dir, 'carol'), plugins: PLUGINS, charonSection: '', swanctlConf: carolConf() });
  });
  after(() => scope.close());

  it('carol establishes an IKE_SA and a CHILD_SA with our PEP, gets a virtual IP, and the TS is narrowed to leftsubnet', { timeout: 60_000 }, async () => {
    const since = pep.mark();
    const r = await carol.initiate('home', 'home', 15);
    assert.equal(r.code, 0, `carol initiate failed:\n${r.stdout}\n${r.stderr}\n--- pep ---\n${pep.proc.tail(60)}`);
    await pep.waitForMsg(/^authentication of 'carol@strongswan\.org' with pre-shared key successful$/, since, 5000);
    await pep.waitForMsg(/^IKE_SA psk-rw\[\d+\] established between 192\.168\.0\.1\[moon\.strongswan\.org\]\.\.\.192\.168\.0\.100\[carol@strongswan\.org\]$/, since, 5000);
    const raw = (await carol.swanctl(['--list-sas'])).stdout;
    const sa = (await carol.listSas()).find((s) => s.state === 'ESTABLISHED');
    assert.ok(sa, `carol has no established IKE_SA:\n${raw}`);
    // carol's own virtual IP is on its "local" line.
    assert.match(raw, /local {2}'carol@strongswan\.org' @ 192\.168\.0\.100\[4500\] \[10\.3\.0\.\d+\]/, raw);
    const child = sa.children[0];
    assert.equal(child?.state, 'INSTALLED');
    assert.deepEqual(child?.remoteTs, ['10.1.0.0/16']);
    // encap = yes fakes a NAT: IKE moved to 4500 and ESP is UDP-encapsulated.
    await pep.waitForMsg(/^remote host is behind NAT$/, since, 1000);

    const status = await pep.cli(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^psk-rw: #\d+, ESTABLISHED, IKEv2, [0-9a-f]{16}_i [0-9a-f]{16}_r\*$/m);
    assert.match(status.stdout, /remote 'carol@strongswan\.org' @ 192\.168\.0\.100\[4500\] \[10\.3\.0\.\d+\]/);
    assert.match(status.stdout, /TUNNEL-in-UDP, ESP:/);
    assert.match(status.stdout, /local {2}10\.1\.0\.0\/16/);
    const leases = await pep.cli(['leases']);
    assert.equal(leases.code, 0, leases.stderr);
    assert.match(leases.stdout, /10\.3\.0\.\d+\s+online/);

    // Data path: ESP in UDP through our userspace ESP (this kernel has no ESP) to moon's 10.1.0.1.
    await pep.waitForMsg(/installing CHILD_SA states via XFRM failed: (NO_ESP|XFRM_FAILED|NOT_FOUND)/, since, 1000);
    const ping = await carol.exec('ping', ['-c', '2', '-i', '0.3', '-W', '2', '10.1.0.1']);
    assert.equal(ping.code, 0, `ping 10.1.0.1 from carol through the tunnel:\n${ping.stdout}\n--- pep ---\n${pep.messages(since).slice(-15).join('\n')}`);
    const after = await pep.cli(['status']);
    const bytesIn = Number(/in  [0-9a-f]{8}, +(\d+) bytes/.exec(after.stdout)?.[1] ?? 0);
    assert.ok(bytesIn > 0, `ESP bytes counted on moon:\n${after.stdout}`);
  });

  it('carol rekeys the CHILD_SA (CREATE_CHILD_SA with REKEY_SA); traffic keeps flowing on the new SAs', { timeout: 30_000 }, async () => {
    const since = pep.mark();
    const carolSince = carol.proc.mark();
    const r = await carol.swanctl(['--rekey', '--child', 'home'], 15_000, false);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    await pep.waitForMsg(/^rekeying CHILD_SA with SPI [0-9a-f]{8}$/, since, 5000);
    await carol.waitForLog(/CHILD_SA home\{\d+\} established with SPIs/, carolSince, 5000);
    await pep.waitForMsg(/^received DELETE for ESP CHILD_SA with SPI [0-9a-f]{8}$/, since, 5000);
    const ping = await carol.exec('ping', ['-c', '2', '-i', '0.3', '-W', '2', '10.1.0.1']);
    assert.equal(ping.code, 0, `ping after CHILD_SA rekey:\n${ping.stdout}\n--- pep ---\n${pep.messages(since).join('\n')}`);
    const status = (await pep.cli(['status'])).stdout;
    assert.equal([...status.matchAll(/^ {2}psk-rw: #\d+, reqid \d+, INSTALLED/gm)].length, 1, status);
  });

  it('carol rekeys the IKE_SA; the CHILD_SA moves to the new IKE_SA and keeps working', { timeout: 30_000 }, async () => {
    const since = pep.mark();
    const r = await carol.swanctl(['--rekey', '--ike', 'home'], 15_000, false);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    await pep.waitForMsg(/^IKE_SA psk-rw\[\d+\] rekeyed, new IKE_SA psk-rw\[\d+\] established/, since, 5000);
    await pep.waitForMsg(/^received DELETE for IKE_SA psk-rw\[\d+\]$/, since, 5000);
    const status = (await pep.cli(['status'])).stdout;
    assert.equal([...status.matchAll(/^psk-rw: #\d+, ESTABLISHED/gm)].length, 1, status);
    assert.match(status, /\[10\.3\.0\.\d+\]/, 'the virtual IP moved to the new IKE_SA');
    assert.match(status, /INSTALLED/, 'the CHILD_SA moved to the new IKE_SA');
    const ping = await carol.exec('ping', ['-c', '2', '-i', '0.3', '-W', '2', '10.1.0.1']);
    assert.equal(ping.code, 0, `ping after IKE_SA rekey:\n${ping.stdout}`);
  });

  it('carol terminating deletes the IKE_SA on our PEP', { timeout: 30_000 }, async () => {
    const since = pep.mark();
    const r = await carol.swanctl(['--terminate', '--ike', 'home', '--timeout', '10'], 15_000, false);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    await pep.waitForMsg(/^received DELETE for IKE_SA psk-rw\[\d+\]$/, since, 5000);
    const status = await pep.cli(['status']);
    assert.doesNotMatch(status.stdout, /ESTABLISHED/);
  });

  it('a KE guess the PEP does not choose gets INVALID_KE_PAYLOAD and carol retries with the wanted group', { timeout: 30_000 }, async () => {
    // carol guesses x25519 for its KE; moon's first acceptable proposal has modp2048.
    const since = pep.mark();
    const carolSince = carol.proc.mark();
    writeFileSync(join(carol.dir, 'swanctl', 'swanctl.conf'), carolConf('aes128-sha256-x25519-modp2048'));
    await carol.swanctl(['--load-conns']);
    const r = await carol.initiate('home', 'home', 15);
    assert.equal(r.code, 0, `carol initiate failed:\n${r.stdout}\n--- pep ---\n${pep.proc.tail(40)}`);
    await pep.waitForMsg(/^DH group 31 unacceptable, requesting 14$/, since, 1000);
    await carol.waitForLog(/peer didn't accept DH group CURVE_25519, it requested MODP_2048/, carolSince, 1000);
    await pep.waitForMsg(/^IKE_SA psk-rw\[\d+\] established/, since, 5000);
  });

  it('a flood of half-open IKE_SA_INITs makes the PEP demand COOKIEs (RFC 7296 2.6); charon returns the cookie and still connects', { timeout: 60_000 }, async () => {
    await carol.swanctl(['--terminate', '--ike', 'home', '--timeout', '10'], 15_000, false);
    const since = pep.mark();
    const script = join(pep.dir, 'flood.mts');
    writeFileSync(
      script,
      `import dgram from 'node:dgram';
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { encodeIkeMessage, decodeIkeMessage } from '${REPO}/pep/ike/message.ts';
import { transform } from '${REPO}/pep/ike/payloads/security-association.ts';
const sock = dgram.createSocket('udp4');
const got = { sa: 0, cookie: 0, other: 0 };
sock.on('message', (m) => {
  try {
    const p = decodeIkeMessage(m).payloads[0];
    if (p?.type === 33) got.sa++; else if (p?.type === 41 && p.notifyType === 16390) got.cookie++; else got.other++;
  } catch { got.other++; }
});
await new Promise((r) => sock.bind(0, '${CAROL}', r));
for (let i = 0; i < 40; i++) {
  const { publicKey } = generateKeyPairSync('x25519');
  const ke = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const msg = encodeIkeMessage({ initiatorSpi: randomBytes(8), responderSpi: Buffer.alloc(8), exchangeType: 34, initiator: true, response: false, messageId: 0 }, [
    { type: 33, proposals: [{ number: 1, protocolId: 1, spi: new Uint8Array(0), transforms: [transform(1, 12, 256), transform(3, 13), transform(2, 6), transform(4, 31)] }] },
    { type: 34, dhGroup: 31, data: ke },
    { type: 40, data: randomBytes(32) },
  ]);
  sock.send(msg, 500, '${MOON}');
}
await new Promise((r) => setTimeout(r, 3000));
console.log(JSON.stringify(got));
sock.close();
`,
    );
    const flood = await carolNs.exec(process.execPath, ['--import', 'tsx', script], 30_000, false);
    assert.equal(flood.code, 0, flood.stderr);
    const got = JSON.parse(flood.stdout.trim().split('\n').pop()!) as { sa: number; cookie: number; other: number };
    assert.equal(got.sa + got.cookie, 40, JSON.stringify(got));
    assert.equal(got.sa, 10, `answered until the threshold of 10 half-open SAs: ${JSON.stringify(got)}`);
    assert.equal(got.cookie, 30, JSON.stringify(got));
    await pep.waitForMsg(/^sending COOKIE to 192\.168\.0\.100 \(10 half-open IKE_SAs\)$/, since, 2000);
    // carol meets the same refusal, returns the COOKIE, and connects.
    const carolSince = carol.proc.mark();
    const r = await carol.initiate('home', 'home', 15);
    assert.equal(r.code, 0, `carol initiate under a flood failed:\n${r.stdout}`);
    await carol.waitForLog(/received COOKIE notify/, carolSince, 1000);
    await pep.waitForMsg(/^IKE_SA psk-rw\[\d+\] established between 192\.168\.0\.1/, since, 5000);
  });
});
