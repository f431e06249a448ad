import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import fc from 'fast-check';
import { PepConfigError } from '../config/config-error.js';
import { loadIpsecConf, resolveIpsecConf } from '../config/conn-resolve.js';
import { parseIpsecConf, type ConfFileSource } from '../config/ipsec-conf.js';
import { satisfiesGroups } from '../config/peer-config.js';
import { formatRange } from '../config/addresses.js';

const examples = fileURLToPath(new URL('../config/examples/', import.meta.url));

function conf(text: string, extra: Record<string, string> = {}): ReturnType<typeof resolveIpsecConf> {
  const dir = mkdtempSync(join(tmpdir(), 'pep-conf-'));
  for (const [n, t] of Object.entries(extra)) {
    mkdirSync(join(dir, n, '..'), { recursive: true });
    writeFileSync(join(dir, n), t);
  }
  writeFileSync(join(dir, 'ipsec.conf'), text);
  return loadIpsecConf(join(dir, 'ipsec.conf'));
}

function throwsAt(fn: () => unknown, line: number, key: string, re: RegExp, code?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PepConfigError, String(e));
    assert.equal(e.line, line, e.message);
    assert.equal(e.key, key, e.message);
    assert.match(e.message, re);
    assert.match(e.message, new RegExp(`ipsec\\.conf:${line}: ${key ? `${key}: ` : ''}`));
    if (code) assert.equal(e.code, code);
    return true;
  });
}

test('the reference scenario: rw-allow and rw-isolate load, rw-eap (no auto) does not', () => {
  const r = loadIpsecConf(join(examples, 'ipsec.conf'));
  assert.deepEqual(r.peers.map((p) => p.name), ['rw-allow', 'rw-isolate']);
  assert.equal(r.setup.get('uniqueids'), 'yes');
  assert.equal(r.setup.get('charondebug'), 'cfg 1, ike 1');
  const [allow, isolate] = r.peers;
  for (const p of [allow!, isolate!]) {
    assert.ok(Object.isFrozen(p) && Object.isFrozen(p.local) && Object.isFrozen(p.remote.groups));
    assert.equal(p.auto, 'add');
    assert.deepEqual(p.local.addrs.map((a) => a.kind), ['address']);
    assert.equal(p.local.id?.type, 'fqdn');
    assert.equal(p.local.id?.value, 'moon.strongswan.org');
    assert.deepEqual(p.local.auth, { class: 'eap', method: 'ttls', methodType: 21 });
    assert.equal(p.local.cert, join(examples, 'ipsec.d', 'certs', 'moonCert.pem'));
    assert.equal(p.local.firewall, true);
    assert.deepEqual(p.remote.auth, { class: 'eap', method: 'radius' });
    assert.equal(p.remote.id.text, '*@strongswan.org');
    assert.equal(p.remote.sendcert, 'never');
    assert.deepEqual(p.remote.addrs, [{ kind: 'any' }]);
    assert.deepEqual(p.remote.sourceip.map((s) => s.kind === 'pool' && formatRange(s.range)), ['10.3.0.0/24']);
    assert.equal(p.ikeLifetimeSeconds, 10800);
    assert.equal(p.lifetimeSeconds, 3600);
    assert.equal(p.rekeyMarginSeconds, 540);
    assert.equal(p.ikeConfigured?.proposals.length, 3);
    assert.ok(p.ike.length > 3, 'not strict: strongSwan defaults follow');
  }
  assert.deepEqual(allow!.remote.groups, ['allow']);
  assert.deepEqual(isolate!.remote.groups, ['isolate']);
  assert.deepEqual(allow!.local.subnets.map((s) => s.kind === 'subnet' && formatRange(s.range)), ['10.1.0.0/16']);
  assert.deepEqual(isolate!.local.subnets.map((s) => s.kind === 'subnet' && formatRange(s.range)), ['10.2.0.0/16']);
  // The config switch of step 7: dave's Filter-Id 'isolate' fails rw-allow, satisfies rw-isolate.
  assert.equal(satisfiesGroups(allow!, ['isolate']), false);
  assert.equal(satisfiesGroups(isolate!, ['isolate']), true);
  assert.equal(satisfiesGroups(allow!, ['Allow']), true);
  assert.equal(r.warnings.length, 0);
});

test('%default is lowest, own values beat also= even when also follows, later also beats earlier', () => {
  const r = conf(`conn %default
\tikelifetime=2h
\tdpddelay=10s
conn a
\tdpddelay=5s
\tleftid=@a
conn b
\tdpddelay=7s
\tleftid=@b
\tmobike=no
conn c
\tleftid=@own
\talso=a
\talso=b
\tauto=add
conn d
\talso=c
\tikelifetime=
\tauto=start
`);
  const [c, d] = r.peers;
  assert.equal(c!.local.id?.value, 'own');
  assert.equal(c!.dpdDelaySeconds, 7);
  assert.equal(c!.mobike, false);
  assert.equal(c!.ikeLifetimeSeconds, 7200);
  assert.equal(d!.auto, 'start');
  assert.equal(d!.local.id?.value, 'own');
  assert.equal(d!.ikeLifetimeSeconds, 10800, 'an empty value restores the system default');
});

test('same-name sections merge; quoted values keep white space and escapes; comments', () => {
  const r = conf(`# top comment
config setup
    charondebug="ike 2,  cfg 1" # trailing comment
conn x
    leftid="@a b"
    auto=add
conn x
    rightid=carol@strongswan.org   # comment after
    eap_identity=%identity
`);
  assert.equal(r.setup.get('charondebug'), 'ike 2,  cfg 1');
  assert.equal(r.peers[0]!.local.id?.value, 'a b');
  assert.equal(r.peers[0]!.remote.id.value, 'carol@strongswan.org');
  assert.deepEqual(r.peers[0]!.eapIdentity, { kind: 'request' });
});

test('include: relative, glob, nested; cycles and depth are errors', () => {
  const r = conf('include conf.d/*.conf\n', {
    'conf.d/a.conf': 'conn a\n  auto=add\n  rightsourceip=%bigpool\ninclude ../more.conf\n',
    'conf.d/b.conf': 'conn b\n  auto=route\n',
    'more.conf': 'conn c\n  auto=add\n',
  });
  assert.deepEqual(r.peers.map((p) => p.name), ['a', 'c', 'b']);
  assert.deepEqual(r.peers[0]!.remote.sourceip, [{ kind: 'named', name: 'bigpool' }]);
  assert.ok(r.files.some((f) => f.endsWith('more.conf')));
  assert.throws(() => conf('include ipsec.conf\n'), (e: unknown) => e instanceof PepConfigError && e.code === 'CONF_INCLUDE' && /cycle/.test(e.message));
  assert.throws(() => conf('include missing.conf\n'), (e: unknown) => e instanceof PepConfigError && e.line === 1 && e.key === 'include');
  const deep: Record<string, string> = {};
  for (let i = 0; i < 12; i++) deep[`f${i}.conf`] = `include f${i + 1}.conf\n`;
  deep['f12.conf'] = '';
  assert.throws(() => conf('include f0.conf\n', deep), (e: unknown) => e instanceof PepConfigError && /deeper than 10/.test(e.message));
});

test('every error names file, line and key', () => {
  throwsAt(() => conf('conn x\n  auto=add\n  rightsourceip=10.3.0.0/33\n'), 3, 'rightsourceip', /'10\.3\.0\.0\/33' is not an address range/);
  throwsAt(() => conf('conn x\n  auto=add\n  rigthid=@x\n'), 3, 'rigthid', /unknown parameter.*did you mean 'rightid'/, 'CONF_UNKNOWN_KEY');
  throwsAt(() => conf('conn x\n  auto=add\n  keyexchange=ikev1\n'), 3, 'keyexchange', /IKEv1 is not supported/, 'CONF_IKEV1');
  throwsAt(() => conf('conn x\n  auto=sometimes\n'), 2, 'auto', /not one of ignore, add, start, route/);
  throwsAt(() => conf('conn x\n  auto=add\n  also=nowhere\n'), 3, 'also', /'nowhere' does not exist/, 'CONF_ALSO');
  throwsAt(() => conf('conn x\n  auto=add\n  also=y\nconn y\n  also=x\n'), 5, 'also', /cycle: x -> y -> x/, 'CONF_ALSO');
  throwsAt(() => conf('conn x\n  auto=add\n  ike=aes256-sha1-modp2048\n'), 3, 'ike', /'sha1' is not supported/);
  throwsAt(() => conf('conn x\n  auto=add\n  lifetime=1 hour\n'), 3, 'lifetime', /not a time/);
  throwsAt(() => conf('conn x\n  auto=add\n  rightauth=eap-foo\n'), 3, 'rightauth', /unknown EAP method 'foo'/);
  throwsAt(() => conf('conn x\n  auto=add\n  leftsubnet=10.1.0.0/16[tcp/http]\n'), 3, 'leftsubnet', /port 'http'/);
  throwsAt(() => conf('conn x\n  auto=add\n  rightdns=10.1.0.300\n'), 3, 'rightdns', /not an IP address/);
  throwsAt(() => conf('conn x\n  auto=add\n  rightsendcert=sometimes\n'), 3, 'rightsendcert', /not one of never/);
  throwsAt(() => conf('conn x\nauto=add\n'), 2, '', /parameters must be indented/, 'CONF_SYNTAX');
  throwsAt(() => conf('  auto=add\n'), 1, '', /outside of a section/, 'CONF_SYNTAX');
  throwsAt(() => conf('conn x\n  leftid="unterminated\n'), 2, 'leftid', /unterminated/);
  throwsAt(() => conf('conn x\n  auto\n'), 2, 'auto', /parameter=value/);
  throwsAt(() => conf('config setup\n  uniqueids=maybe\n'), 2, 'uniqueids', /not one of/);
  throwsAt(() => conf('conn x\n  auto=add\n  leftauth=xauth-generic\n'), 3, 'leftauth', /IKEv1 XAuth/);
});

test('known but unimplemented keys are accepted with a warning', () => {
  const r = conf('conn x\n  auto=add\n  closeaction=restart\n  leftupdown=/bin/true\n');
  assert.equal(r.peers.length, 1);
  assert.deepEqual(r.warnings.map((w) => [w.line, w.key]), [[3, 'closeaction'], [4, 'leftupdown']]);
});

test('values: subnets with proto/port, ranges, %config, dns, time units, sendcert aliases, strict proposals', () => {
  const p = conf(`conn x
  auto=add
  left=%any
  right=192.168.0.0/24,%gw.example.org
  leftsubnet=10.0.0.1[tcp/80],10.0.0.0/16[/53],%dynamic[udp]
  rightsourceip=10.3.0.1-10.3.0.9,%config,fec0::/120
  rightdns=10.1.0.10,fec0::1
  ikelifetime=1.5h
  dpddelay=0
  rekeyfuzz=50%
  leftsendcert=yes
  esp=aes256gcm16-esn!
  ike=aes128-sha256-ecp256!
  fragmentation=accept
  dpdaction=restart
  reauth=no
  aaa_identity="C=CH, O=strongSwan, CN=aaa"
`).peers[0]!;
  assert.deepEqual(p.remote.addrs.map((a) => a.kind), ['range', 'fqdn']);
  assert.deepEqual(p.local.subnets.map((s) => [s.kind, s.protocol, s.ports]), [
    ['subnet', 6, [80, 80]],
    ['subnet', undefined, [53, 53]],
    ['dynamic', 17, undefined],
  ]);
  assert.deepEqual(p.remote.sourceip.map((s) => s.kind), ['pool', 'config', 'pool']);
  assert.equal(p.remote.dns.length, 2);
  assert.equal(p.ikeLifetimeSeconds, 5400);
  assert.equal(p.dpdDelaySeconds, 0);
  assert.equal(p.rekeyFuzzPercent, 50);
  assert.equal(p.local.sendcert, 'always');
  assert.equal(p.ike.length, 1);
  assert.deepEqual(p.esp, [{ encr: [{ id: 20, keyBits: 256 }], integ: [], prf: [], dh: [], esn: [1] }]);
  assert.equal(p.fragmentation, 'accept');
  assert.equal(p.dpdAction, 'restart');
  assert.equal(p.reauth, false);
  assert.equal(p.aaaIdentity?.type, 'dn');
});

const memory = (files: Record<string, string>): ConfFileSource => ({
  read: (p) => {
    const t = files[p];
    if (t === undefined) throw Object.assign(new Error('no'), { code: 'ENOENT' });
    return t;
  },
  glob: (p) => Object.keys(files).filter((f) => f === p),
  identity: (p) => p,
});

test('fuzz: arbitrary text only ever throws PepConfigError', () => {
  const lineArb = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom('conn x', 'conn %default', 'config setup', 'ca y', '  auto=add', '  also=x', '  also=%default', '  rightsourceip=10.0.0.0/8', '  leftid="a', '\tike=aes128-sha256-ecp256!', 'include /inc', '  left=%any', '  #c'),
    fc.tuple(fc.constantFrom('  left', '  right', '  '), fc.string({ maxLength: 12 }), fc.string({ maxLength: 20 })).map(([a, b, c]) => `${a}${b}=${c}`),
  );
  fc.assert(
    fc.property(fc.array(lineArb, { maxLength: 25 }), (lines) => {
      const text = lines.join('\n');
      const src = memory({ '/ipsec.conf': text, '/inc': 'conn z\n  auto=add\n' });
      try {
        resolveIpsecConf(parseIpsecConf(text, '/ipsec.conf', { source: src }), '/ipsec.conf');
      } catch (e) {
        if (!(e instanceof PepConfigError)) throw e;
      }
    }),
    { numRuns: 400 },
  );
});
