/**
 * The IMCs (imc-imv/imc/) with fixed host data: the host-file parsers (/proc/net vectors, dpkg
 * status, os-release) with fast-check properties, the OS IMC's handshake attributes and its
 * segmented Installed Packages answered to the real OS IMV, the Scanner and Test IMCs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ActionRecommendation as R,
  ConnectionState,
  FactoryDefaultPassword,
  ForwardingStatus,
  OsImc,
  OsImv,
  PaSubtypes,
  ScannerImc,
  ScannerImv,
  TestImc,
  TestImv,
  attributeRequest,
  command,
  createStandardRegistry,
  decodeMessage,
  deviceId,
  encodeMessage,
  factoryDefaultPasswordEnabled,
  findAttribute,
  fixedHostSource,
  forwardingEnabled,
  installedPackages,
  isLoopbackHex,
  makeAttribute,
  numericFrom,
  numericVersion,
  operationalStatus,
  parseDpkgStatus,
  parseOsRelease,
  parseProcNet,
  portFilter,
  productInformation,
  segmentEnvelope,
  segmentationContractResponse,
  stringVersion,
  type HostSource,
  type Imc,
  type ImcOutgoing,
  type ImcOutput,
  type Imv,
  type ImvOutput,
  type PaTncAttribute,
} from '../index.js';

const registry = createStandardRegistry();
const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const line = (sl: number, local: string, state: string) =>
  `  ${sl}: ${local} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000     0        0 ${1000 + sl} 1 0000000000000000 100 0 0 10 0`;

const DPKG = `Package: openssl
Status: install ok installed
Priority: optional
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit
 This package contains the openssl binary
 and related tools.

Package: telnetd
Status: deinstall ok config-files
Version: 0.17-44

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u4

Package: broken
Status: install ok installed
`;

function host(extra: Record<string, string> = {}): HostSource {
  return fixedHostSource(
    {
      '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
      '/etc/machine-id': 'a488651e36664792b306cf8be72dd630\n',
      '/proc/sys/net/ipv4/ip_forward': '1\n',
      '/proc/uptime': '3600.25 7000.00\n',
      '/var/lib/dpkg/status': DPKG,
      '/proc/net/tcp': [HEADER, line(0, '00000000:0016', '0A'), line(1, '0100007F:0277', '0A'), line(2, '0100A8C0:01BB', '0A'), line(3, '0100A8C0:D2F0', '01')].join('\n'),
      '/proc/net/tcp6': [HEADER, line(0, '00000000000000000000000001000000:0050', '0A'), line(1, '00000000000000000000000000000000:0016', '0A')].join('\n'),
      '/proc/net/udp': [HEADER, line(0, '00000000:01F4', '07'), line(1, '00000000:1194', '07'), line(2, '3500007F:0035', '07')].join('\n'),
      ...extra,
    },
    { machine: 'x86_64', now: new Date('2026-03-01T12:00:00Z') },
  );
}

/** Sends attributes through a real PA-TNC message encode and decode. */
function wire(attributes: readonly PaTncAttribute[]): readonly PaTncAttribute[] {
  return decodeMessage(encodeMessage({ identifier: 7, attributes }, registry), registry).attributes;
}

describe('/proc/net parsing (listening sockets, loopback skipped)', () => {
  it('vectors: tcp LISTEN only, udp unconnected only, 127/8, ::1 and ::ffff:127/104 skipped', () => {
    const tcp = parseProcNet([HEADER, line(0, '00000000:0016', '0A'), line(1, '0100007F:0277', '0A'), line(2, '0100A8C0:01BB', '0A'), line(3, '0100A8C0:D2F0', '01')].join('\n'), 6);
    assert.deepEqual(tcp, [
      { blocked: false, protocol: 6, port: 22 },
      { blocked: false, protocol: 6, port: 443 },
    ]);
    const tcp6 = parseProcNet(
      [
        HEADER,
        line(0, '00000000000000000000000001000000:0050', '0A'),
        line(1, '00000000000000000000000000000000:1F90', '0A'),
        line(2, '0000000000000000FFFF00000100007F:0019', '0A'),
        line(3, '0000000000000000FFFF00000100A8C0:0019', '0A'),
      ].join('\n'),
      6,
    );
    assert.deepEqual(tcp6.map((e) => e.port), [8080, 25]);
    const udp = parseProcNet([HEADER, line(0, '00000000:01F4', '07'), line(1, '3500007F:0035', '07'), line(2, '00000000:1194', '01')].join('\n'), 17);
    assert.deepEqual(udp, [{ blocked: false, protocol: 17, port: 500 }]);
  });

  it('isLoopbackHex', () => {
    assert.equal(isLoopbackHex('0100007F'), true); // 127.0.0.1
    assert.equal(isLoopbackHex('3500007F'), true); // 127.0.0.53
    assert.equal(isLoopbackHex('00000000'), false);
    assert.equal(isLoopbackHex('0100A8C0'), false); // 192.168.0.1
    assert.equal(isLoopbackHex('00000000000000000000000001000000'), true); // ::1
    assert.equal(isLoopbackHex('00000000000000000000000000000000'), false); // ::
    assert.equal(isLoopbackHex('0000000000000000FFFF00000100007F'), true); // ::ffff:127.0.0.1
  });

  it('never throws; every reported port came from a LISTEN line not on loopback (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        assert.ok(Array.isArray(parseProcNet(s, 6)));
      }),
    );
    const entry = fc.record({
      addr: fc.integer({ min: 0, max: 0xffffffff }),
      port: fc.integer({ min: 0, max: 0xffff }),
      state: fc.constantFrom('0A', '01', '06', '07'),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
        const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');
        // host order on a little-endian machine: the first octet is the low byte
        const text = [HEADER, ...entries.map((e, i) => line(i, `${hex(e.addr, 8)}:${hex(e.port, 4)}`, e.state))].join('\n');
        const expected = entries.filter((e) => e.state === '0A' && (e.addr & 0xff) !== 127 && e.port !== 0).map((e) => e.port);
        assert.deepEqual(parseProcNet(text, 6).map((e) => e.port), expected);
      }),
    );
  });
});

describe('dpkg status and os-release parsing', () => {
  it('installed packages only, continuation lines ignored, missing Version skipped', () => {
    assert.deepEqual(parseDpkgStatus(DPKG), [
      { name: 'openssl', version: '3.0.11-1~deb12u2' },
      { name: 'libc6', version: '2.36-9+deb12u4' },
    ]);
    assert.deepEqual(parseDpkgStatus(''), []);
  });

  it('round trip of generated status files; never throws on arbitrary text (property)', () => {
    const token = fc.stringMatching(/^[a-z0-9][a-z0-9.+~-]{0,20}$/);
    const pkg = fc.record({ name: token, version: token, installed: fc.boolean() });
    fc.assert(
      fc.property(fc.array(pkg, { maxLength: 15 }), (pkgs) => {
        const text = pkgs
          .map((p) => `Package: ${p.name}\nStatus: install ok ${p.installed ? 'installed' : 'half-configured'}\nVersion: ${p.version}\nDescription: x\n more\n`)
          .join('\n');
        assert.deepEqual(
          parseDpkgStatus(text),
          pkgs.filter((p) => p.installed).map((p) => ({ name: p.name, version: p.version })),
        );
      }),
    );
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => void parseDpkgStatus(s)));
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => void parseOsRelease(s)));
  });

  it('os-release quoting and numeric versions', () => {
    assert.deepEqual(parseOsRelease('# c\nNAME="Debian GNU/Linux"\nID=debian\nX=\'a b\'\nY="q\\"x"\n'), { NAME: 'Debian GNU/Linux', ID: 'debian', X: 'a b', Y: 'q"x' });
    assert.deepEqual(numericFrom('12'), { major: 12, minor: 0 });
    assert.deepEqual(numericFrom('22.04.3'), { major: 22, minor: 4 });
    assert.deepEqual(numericFrom(''), { major: 0, minor: 0 });
  });
});

async function begin(imc: Imc, id = 1): Promise<ImcOutput> {
  await imc.notifyConnectionChange({ id, imcId: 1 }, ConnectionState.Create);
  await imc.notifyConnectionChange({ id, imcId: 1 }, ConnectionState.Handshake);
  return imc.beginHandshake(id);
}

describe('OS IMC', () => {
  it('handshake: Product Information (Debian, PEN 9586), versions, status, forwarding, password, device id', async () => {
    const out = await begin(new OsImc({}, { source: host(), registry }));
    const [m] = out.messages ?? [];
    assert.deepEqual({ vendorId: m?.vendorId, subtype: m?.subtype }, PaSubtypes.OperatingSystem);
    const a = wire(m!.attributes);
    assert.deepEqual(findAttribute(a, productInformation)?.value, { productVendorId: 9586, productId: 0, productName: 'Debian' });
    assert.equal(findAttribute(a, stringVersion)?.value.productVersion, '12 x86_64');
    assert.equal(findAttribute(a, numericVersion)?.value.majorVersion, 12);
    assert.equal(findAttribute(a, operationalStatus)?.value.lastUse, '2026-03-01T11:00:00Z');
    assert.equal(findAttribute(a, forwardingEnabled)?.value, ForwardingStatus.Enabled);
    assert.equal(findAttribute(a, factoryDefaultPasswordEnabled)?.value, FactoryDefaultPassword.Disabled);
    assert.equal(findAttribute(a, deviceId)?.value, 'a488651e36664792b306cf8be72dd630');
  });

  it('unknown host files: forwarding unknown, no device id; the deviceId option wins', async () => {
    const bare = fixedHostSource({});
    const a = (await begin(new OsImc({}, { source: bare, registry }))).messages![0]!.attributes;
    assert.equal(findAttribute(a, forwardingEnabled)?.value, ForwardingStatus.Unknown);
    assert.equal(findAttribute(a, deviceId), undefined);
    assert.equal(findAttribute(a, productInformation)?.value.productName, 'Linux');
    const b = (await begin(new OsImc({ deviceId: 'dev-1' }, { source: bare, registry }))).messages![0]!.attributes;
    assert.equal(findAttribute(b, deviceId)?.value, 'dev-1');
  });

  /** Runs IMC and IMV against each other until the IMV decides (each batch through the wire). */
  async function converse(imc: Imc, imv: Imv, maxRounds = 200): Promise<{ out: ImvOutput; rounds: number; segments: number }> {
    await imv.notifyConnectionChange({ id: 1, imvId: 1 }, ConnectionState.Create);
    let toImv: ImcOutgoing[] = [...((await begin(imc)).messages ?? [])];
    let segments = 0;
    for (let round = 1; round <= maxRounds; round++) {
      const toImc: PaTncAttribute[][] = [];
      for (const m of toImv) {
        segments += m.attributes.filter((a) => a.name === segmentEnvelope.name).length;
        const o = await imv.receiveMessage(1, { ...m, collectorId: 1, validatorId: 1, exclusive: false, identifier: round, attributes: wire(m.attributes) });
        for (const x of o.messages ?? []) if (x.attributes.length > 0) toImc.push([...x.attributes]);
      }
      const end = await imv.batchEnding(1);
      if (end.recommendation) return { out: end, rounds: round, segments };
      for (const x of end.messages ?? []) toImc.push([...x.attributes]);
      toImv = [];
      for (const attrs of toImc) {
        const o = await imc.receiveMessage(1, { ...PaSubtypes.OperatingSystem, collectorId: 1, validatorId: 1, exclusive: false, identifier: round, attributes: wire(attrs) });
        toImv.push(...(o.messages ?? []));
      }
      if (toImv.length === 0) throw new Error(`conversation stalled in round ${round}`);
    }
    throw new Error('no decision');
  }

  it('answers the OS IMV\'s Attribute Request for Installed Packages under its Segmentation Contract, segment by segment', async () => {
    const many = Array.from({ length: 60 }, (_, i) => `Package: pkg${i}\nStatus: install ok installed\nVersion: 1.${i}-1\n`).join('\n');
    const source = host({ '/var/lib/dpkg/status': `${many}\nPackage: telnetd\nStatus: install ok installed\nVersion: 0.17-44\n` });
    const imc = new OsImc({}, { source, registry });
    const imv = new OsImv({ blacklistedPackages: ['telnetd'], maxSegmentSize: 200 }, { registry });
    const { out, segments } = await converse(imc, imv);
    assert.ok(segments > 3, `only ${segments} segments`);
    assert.equal(out.recommendation?.recommendation, R.Isolate);
    assert.match(out.recommendation?.reasons?.[0]?.reason ?? '', /blacklisted packages installed: telnetd/);
  });

  it('whole Installed Packages when no Segmentation Contract was requested, EXCL back to the asking IMV', async () => {
    const imc = new OsImc({}, { source: host(), registry });
    await begin(imc);
    const req = makeAttribute(attributeRequest, [{ vendorId: installedPackages.vendorId, type: installedPackages.type }]);
    const o = await imc.receiveMessage(1, { ...PaSubtypes.OperatingSystem, collectorId: 1, validatorId: 4, exclusive: false, identifier: 1, attributes: wire([req]) });
    const m = o.messages![0]!;
    assert.equal(m.imvId, 4);
    assert.equal(m.exclusive, true);
    assert.deepEqual(findAttribute(wire(m.attributes), installedPackages)?.value.packages.map((p) => p.name), ['openssl', 'libc6']);
    assert.equal(findAttribute(m.attributes, segmentationContractResponse), undefined);
  });
});

describe('Scanner IMC', () => {
  it('Port Filter of the listening non-loopback ports, sorted and unique; again on an Attribute Request', async () => {
    const imc = new ScannerImc({ source: host() });
    const a = wire((await begin(imc)).messages![0]!.attributes);
    assert.deepEqual(findAttribute(a, portFilter)?.value.map((e) => `${e.protocol}/${e.port}/${e.blocked}`), ['6/22/false', '6/443/false', '17/500/false', '17/4500/false']);
    const req = makeAttribute(attributeRequest, [{ vendorId: portFilter.vendorId, type: portFilter.type }]);
    const o = await imc.receiveMessage(1, { ...PaSubtypes.Firewall, collectorId: 1, validatorId: 2, exclusive: false, identifier: 2, attributes: wire([req]) });
    assert.equal(findAttribute(o.messages![0]!.attributes, portFilter)?.value.length, 4);
  });

  it('the Scanner IMV isolates a blocked open port the IMC reports', async () => {
    const imc = new ScannerImc({ source: host() });
    const imv = new ScannerImv({ blockedPorts: ['tcp/443'] });
    await imv.notifyConnectionChange({ id: 1, imvId: 1 }, ConnectionState.Create);
    const m = (await begin(imc)).messages![0]!;
    const o = imv.receiveMessage(1, { ...m, collectorId: 1, validatorId: 1, exclusive: false, identifier: 1, attributes: wire(m.attributes) });
    assert.equal(o.recommendation?.recommendation, R.Isolate);
    assert.match(o.recommendation?.reasons?.[0]?.reason ?? '', /tcp\/443/);
  });
});

describe('Test IMC', () => {
  it('sends its command and repeats it on "repeat"; the Test IMV (rounds 1) then decides', async () => {
    const imc = new TestImc({ command: 'isolate' });
    const imv = new TestImv({ rounds: 1 });
    await imv.notifyConnectionChange({ id: 1, imvId: 1 }, ConnectionState.Create);
    const first = (await begin(imc)).messages![0]!;
    assert.equal(findAttribute(first.attributes, command)?.value, 'isolate');
    const r1 = imv.receiveMessage(1, { ...first, collectorId: 1, validatorId: 1, exclusive: false, identifier: 1, attributes: wire(first.attributes) });
    assert.equal(findAttribute(r1.messages![0]!.attributes, command)?.value, 'repeat');
    const again = await imc.receiveMessage(1, { ...PaSubtypes.ItaTest, collectorId: 1, validatorId: 1, exclusive: true, identifier: 2, attributes: wire(r1.messages![0]!.attributes) });
    assert.equal(again.messages?.[0]?.exclusive, true);
    const r2 = imv.receiveMessage(1, { ...again.messages![0]!, collectorId: 1, validatorId: 1, exclusive: true, identifier: 3, attributes: wire(again.messages![0]!.attributes) });
    assert.equal(r2.recommendation?.recommendation, R.Isolate);
    assert.deepEqual(await imc.receiveMessage(1, { ...PaSubtypes.ItaTest, collectorId: 1, validatorId: 1, exclusive: true, identifier: 4, attributes: [] }), {});
  });
});
