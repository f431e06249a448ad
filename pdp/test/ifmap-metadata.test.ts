/** IF-MAP metadata bytes, escaping, identifiers, the response reader and its typed errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildPublishRequest, fromStore, IfmapError, osFromProduct, parseNewSessionResult, parseResponse, publishItems } from '../ifmap/index.js';
import { canonicalIp, canonicalMac } from '../ifmap/identifiers.js';
import { capability, enforcementReport, event, role } from '../ifmap/metadata.js';
import { escapeAttr, escapeText, serialize } from '../ifmap/xml-writer.js';
import { readXml } from '../ifmap/xml-reader.js';
import type { DeviceRecord } from '../store/store.js';
import { AT, carol, dave, mallory } from './ifmap-fixtures.js';

const ENV = 'xmlns:env="http://www.w3.org/2003/05/soap-envelope"';
const IFMAP = 'xmlns:ifmap="http://www.trustedcomputinggroup.org/2010/IFMAP/2"';

test('capability, role, enforcement-report and event: exact bytes', () => {
  assert.equal(
    serialize(capability('allow', 'strongswan')),
    '<meta:capability ifmap-cardinality="multiValue"><name>allow</name><administrative-domain>strongswan</administrative-domain></meta:capability>',
  );
  assert.equal(serialize(role('staff')), '<meta:role ifmap-cardinality="multiValue"><name>staff</name></meta:role>');
  assert.equal(
    serialize(enforcementReport('quarantine', 'posture')),
    '<meta:enforcement-report ifmap-cardinality="multiValue"><enforcement-action>quarantine</enforcement-action><enforcement-reason>posture</enforcement-reason></meta:enforcement-report>',
  );
  assert.equal(
    serialize(event({ name: 'p', discoveredTime: AT, discovererId: 'pdp', magnitude: 250, confidence: -3, significance: 'critical', type: 'policy violation' })),
    '<meta:event ifmap-cardinality="multiValue"><name>p</name><discovered-time>2024-05-01T10:00:00.000Z</discovered-time><discoverer-id>pdp</discoverer-id>' +
      '<magnitude>100</magnitude><confidence>0</confidence><significance>critical</significance><type>policy violation</type></meta:event>',
  );
});

test('carol: the strongSwan tnc-ifmap updates (authenticated-as, access-request-ip, authenticated-by, capability)', () => {
  const xml = buildPublishRequest([carol], { sessionId: '7', publisherId: 'pub', pdpDevice: 'alice' });
  assert.ok(xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope ${ENV} ${IFMAP} xmlns:meta=`));
  assert.ok(xml.includes('<env:Body><ifmap:publish session-id="7">'));
  // strongSwan deletes its earlier enforcement reports on the endpoint first.
  assert.ok(xml.includes(`<delete filter="meta:enforcement-report[@ifmap-publisher-id='pub']"><ip-address value="10.1.0.50" type="IPv4"/><device><name>moon</name></device></delete>`));
  assert.ok(xml.includes('<update><access-request name="alice:s1"/><identity name="carol@strongswan.org" type="username"/><metadata><meta:authenticated-as ifmap-cardinality="singleValue"/><meta:role ifmap-cardinality="multiValue"><name>allow</name></meta:role></metadata></update>'));
  assert.ok(xml.includes('<update><access-request name="alice:s1"/><ip-address value="10.1.0.50" type="IPv4"/><metadata><meta:access-request-ip ifmap-cardinality="singleValue"/></metadata></update>'));
  assert.ok(xml.includes('<update><access-request name="alice:s1"/><device><name>alice</name></device><metadata><meta:authenticated-by ifmap-cardinality="singleValue"/><meta:device-characteristic ifmap-cardinality="multiValue"><manufacturer>Debian</manufacturer><os>Debian</os><os-version>12 x86_64</os-version>'));
  assert.ok(xml.includes('<update><access-request name="alice:s1"/><metadata><meta:capability ifmap-cardinality="multiValue"><name>allow</name></meta:capability></metadata></update>'));
  assert.ok(xml.includes('<update><ip-address value="10.1.0.50" type="IPv4"/><mac-address value="02:00:00:aa:bb:01"/><metadata><meta:ip-mac ifmap-cardinality="multiValue"/></metadata></update>'));
  assert.ok(xml.includes('<update><device><name>moon</name></device><ip-address value="192.168.0.1" type="IPv4"/><metadata><meta:device-ip ifmap-cardinality="singleValue"/></metadata></update>'));
  assert.doesNotMatch(xml, /enforcement-report ifmap|meta:event/);
  assert.doesNotMatch(xml, /ifmap-publisher-id="|ifmap-timestamp/, 'MAP clients MUST NOT include ifmap-publisher-id or ifmap-timestamp');
});

test('dave: quarantine enforcement-report on his IP and a policy-violation event', () => {
  const xml = buildPublishRequest([dave], { pdpDevice: 'alice' });
  assert.ok(xml.includes('<update><ip-address value="10.2.0.7" type="IPv4"/><device><name>moon</name></device><metadata><meta:enforcement-report ifmap-cardinality="multiValue"><enforcement-action>quarantine</enforcement-action><enforcement-reason>posture recommendation isolate: failed no-telnet-port</enforcement-reason>'));
  assert.ok(xml.includes('<meta:event ifmap-cardinality="multiValue"><name>no-telnet-port</name><discovered-time>2024-05-01T10:00:00.000Z</discovered-time><discoverer-id>alice</discoverer-id><magnitude>60</magnitude><confidence>100</confidence><significance>important</significance><type>policy violation</type><information>tcp/23 is open</information></meta:event>'));
  assert.ok(xml.includes('<manufacturer>Canonical</manufacturer><model>ThinkPad X1</model><os>Ubuntu</os><os-version>22.04 x86_64</os-version><device-type>laptop</device-type>'));
  // A delete without a session: filters name the metadata only.
  const del = buildPublishRequest([dave], { operation: 'delete', pdpDevice: 'alice' });
  assert.ok(del.includes('<delete filter="meta:enforcement-report"><ip-address value="10.2.0.7" type="IPv4"/><device><name>moon</name></device></delete>'));
  assert.ok(del.includes('<delete filter="meta:capability or meta:event"><access-request name="alice:s2"/></delete>'));
});

test('escaping: user names with < & " \' and control characters stay data', () => {
  const xml = buildPublishRequest([mallory], { publisherId: `a'b"c` });
  assert.ok(xml.includes('<identity name="mal&lt;lo&gt;ry&amp;&quot;co\'\uFFFD&#xA;" type="other" other-type-definition="36906:eap-identity"/>'));
  assert.ok(xml.includes('<access-request name="tnc-pdp:x&lt;&amp;&gt;&quot;\'3"/>'));
  assert.ok(xml.includes('<name>av"]]&gt;"</name>'), 'a "]]>" in text cannot end anything');
  assert.ok(xml.includes('<information>package telnetd &lt;0.17&gt; installed &amp; running</information>'));
  // Publisher ids with both quote kinds cannot be an XPath literal: the filter is not narrowed.
  assert.ok(xml.includes('<delete filter="meta:enforcement-report"><ip-address value="2001:db8:0:0:0:0:0:1" type="IPv6"/>'));
  assert.ok(xml.includes('<enforcement-action>block</enforcement-action>'));
  // The document reads back with the same values.
  const doc = readXml(xml);
  const publish = doc.children[0]!.children[0]!;
  const ids = publish.children.flatMap((u) => u.children.filter((c) => c.local === 'identity'));
  assert.equal(ids[0]!.attrs['name'], 'mal<lo>ry&"co\'\uFFFD\n');
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      const back = readXml(`<a b="${escapeAttr(s)}">${escapeText(s)}</a>`);
      const clean = s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
      assert.equal(back.attrs['b'], clean);
      assert.equal(back.text, clean);
    }),
  );
});

test('identifiers: canonical IPv4/IPv6 and MAC; bad values are refused', () => {
  assert.deepEqual(canonicalIp('10.1.0.50'), { value: '10.1.0.50', type: 'IPv4' });
  assert.deepEqual(canonicalIp('2001:DB8::1'), { value: '2001:db8:0:0:0:0:0:1', type: 'IPv6' });
  assert.deepEqual(canonicalIp('::ffff:192.0.2.1'), { value: '0:0:0:0:0:ffff:c000:201', type: 'IPv6' });
  assert.deepEqual(canonicalIp('::'), { value: '0:0:0:0:0:0:0:0', type: 'IPv6' });
  assert.equal(canonicalMac('02-00-00-AA-BB-01'), '02:00:00:aa:bb:01');
  assert.equal(canonicalMac('0200.00aa.bb01'), '02:00:00:aa:bb:01');
  assert.throws(() => canonicalIp('10.1.0.256'), RangeError);
  assert.throws(() => canonicalMac('02:00:00:aa:bb'), RangeError);
  assert.throws(() => publishItems({ ...carol, ip: 'not-an-ip' }, 'update', { pdpDevice: 'x' }), RangeError);
});

test('OS product to device-characteristic fields', () => {
  assert.deepEqual(osFromProduct('Debian 12 x86_64'), { os: 'Debian', osVersion: '12 x86_64', manufacturer: 'Debian' });
  assert.deepEqual(osFromProduct('Windows 10 Enterprise'), { os: 'Windows', osVersion: '10 Enterprise', manufacturer: 'Microsoft' });
  assert.deepEqual(osFromProduct('Arch Linux'), { os: 'Arch Linux' });
});

test('fromStore maps a session and device, with accounting facts', () => {
  const s = fromStore(
    {
      id: 'sess-9', user: 'dave', device: 'dev9', transport: 'eap-ttls', via: 'moon', start: AT - 1000, end: AT, groups: ['Debian'],
      policies: [
        { policy: 'no-telnet-port', type: 'tcp-ports-blocked', outcome: 'fail', recommendation: 'isolate', reasons: ['tcp/23 open'] },
        { policy: 'test', type: 'test', outcome: 'pass', recommendation: 'allow', reasons: [] },
      ],
      imvs: [], recommendation: 'isolate', evaluation: 'non-compliant-minor', enforced: 'isolate', group: 'isolate',
    },
    { id: 'dev9', idKind: 'device-id', product: 'Debian 12 x86_64', firstSeen: 0, lastSeen: AT, version: 1 } as DeviceRecord,
    { nasAddress: '192.168.0.1', framedIp: '10.2.0.9', callingStationId: '192.168.0.200' },
    ['isolate'],
  );
  assert.equal(s.sessionKey, 'sess-9');
  assert.equal(s.ip, '10.2.0.9');
  assert.equal(s.outerIp, '192.168.0.200');
  assert.equal(s.mac, undefined);
  assert.deepEqual(s.pep, { name: 'moon', address: '192.168.0.1' });
  assert.deepEqual(s.capabilities, ['isolate']);
  assert.deepEqual(s.violations.map((v) => v.policy), ['no-telnet-port']);
  assert.equal(s.device?.product, 'Debian 12 x86_64');
  const mac = fromStore({ id: 'x', user: 'u', device: 'd', transport: 't', via: 'sw', start: 0, end: 0, groups: [], policies: [], imvs: [], recommendation: 'allow', evaluation: '', enforced: 'allow', group: 'allow' }, undefined, { callingStationId: '00-11-22-33-44-55' });
  assert.equal(mac.mac, '00-11-22-33-44-55');
  assert.equal(mac.outerIp, undefined);
});

const resp = (inner: string): string => `<?xml version="1.0"?><env:Envelope ${ENV} ${IFMAP}><env:Body><ifmap:response>${inner}</ifmap:response></env:Body></env:Envelope>`;

test('responses: newSessionResult, publishReceived, errorResult and SOAP faults', () => {
  assert.deepEqual(parseNewSessionResult(resp('<newSessionResult session-id="abc" ifmap-publisher-id="pub-1" max-poll-result-size="5000000"/>')), {
    sessionId: 'abc', publisherId: 'pub-1', maxPollResultSize: 5_000_000,
  });
  assert.equal(parseResponse(resp('<publishReceived/>'), 'publishReceived').local, 'publishReceived');
  // Some servers qualify the result element; both forms are the same answer.
  assert.equal(parseResponse(resp('<ifmap:publishReceived/>'), 'publishReceived').local, 'publishReceived');
  const errorResult = (() => {
    try {
      parseResponse(resp('<errorResult errorCode="InvalidSessionID"><errorString>session &lt;abc&gt; expired</errorString></errorResult>'), 'publishReceived');
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(errorResult instanceof IfmapError);
  assert.equal(errorResult.code, 'IFMAP_ERROR_RESULT');
  assert.equal(errorResult.errorCode, 'InvalidSessionID');
  assert.equal(errorResult.sessionLost, true);
  assert.match(errorResult.message, /session <abc> expired/);
  assert.throws(() => parseResponse(resp('<errorResult errorCode="InvalidMetadata"><errorString/></errorResult>'), 'publishReceived'), (e: IfmapError) => e.errorCode === 'InvalidMetadata' && !e.retryable);
  const fault = (code: string): string =>
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:${code}</s:Value></s:Code><s:Reason><s:Text xml:lang="en">bad &amp; wrong</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`;
  assert.throws(() => parseResponse(fault('Sender'), 'publishReceived'), (e: IfmapError) => e.code === 'IFMAP_SOAP_FAULT' && e.faultCode === 'env:Sender' && !e.retryable && /bad & wrong/.test(e.message));
  assert.throws(() => parseResponse(fault('Receiver'), 'publishReceived'), (e: IfmapError) => e.code === 'IFMAP_SOAP_FAULT' && e.faultCode === 'env:Receiver' && e.retryable);
  assert.throws(() => parseResponse(resp('<renewSessionResult/>'), 'publishReceived'), (e: IfmapError) => e.code === 'IFMAP_BAD_RESPONSE');
  assert.throws(() => parseNewSessionResult(resp('<newSessionResult/>')), (e: IfmapError) => e.code === 'IFMAP_BAD_RESPONSE');
  assert.throws(() => parseResponse('<html>502</html>', 'publishReceived'), (e: IfmapError) => e.code === 'IFMAP_BAD_RESPONSE');
});

test('the reader refuses DTDs, bad nesting and oversized input with offsets', () => {
  const bad = (xml: string, offset?: number): void =>
    assert.throws(() => readXml(xml), (e: IfmapError) => e.code === 'IFMAP_BAD_XML' && (offset === undefined || e.offset === offset));
  bad('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 0);
  bad('<a><b></a>', 6);
  bad('<a>&unknown;</a>');
  bad('<a b="1" b="2"/>');
  bad('<p:a/>');
  bad('<a/><b/>');
  bad(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`);
  bad(`<a>${'x'.repeat(1 << 20)}</a>`);
  assert.equal(readXml('<a __proto__="x"/>').attrs['__proto__'], 'x');
});

test('fuzz: the reader and the response parser throw nothing but IfmapError', () => {
  const pieces = fc.constantFrom('<', '>', '/', '</', '<a', '<env:Envelope', 'xmlns:env="http://www.w3.org/2003/05/soap-envelope"', '"', "'", '=', '&amp;', '&#x41;', '&#0;', '&', '<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', ' ', 'x', ':', '<env:Body>', '<env:Fault>', '<ifmap:response>', 'errorResult', 'newSessionResult');
  const isOk = (e: unknown): boolean => e instanceof IfmapError;
  fc.assert(
    fc.property(fc.oneof(fc.array(pieces, { maxLength: 40 }).map((a) => a.join('')), fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 })), (input) => {
      for (const f of [() => readXml(input), () => parseResponse(input, 'publishReceived'), () => parseNewSessionResult(input)]) {
        try {
          f();
        } catch (e) {
          if (!isOk(e)) throw e;
        }
      }
    }),
    { numRuns: 3000 },
  );
});
