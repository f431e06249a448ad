/**
 * Every document the IF-MAP export produces validates against the TCG schemas in
 * ../shared/ifmap-xsd with xmllint. soap12.xsd (the Body is a choice of the IF-MAP requests)
 * imports ifmap-base; the metadata schema is imported next to it by a small wrapper schema, so the
 * lax-processed metadata inside <metadata> is validated too. Lax processing skips elements the
 * schema does not declare, so the test also checks that every meta: element is declared.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { buildPublishRequest, endSessionRequest, newSessionRequest, purgePublisherRequest, renewSessionRequest } from '../ifmap/index.js';
import { carol, dave, mallory } from './ifmap-fixtures.js';

const XSD_DIR = resolve(import.meta.dirname, '../../../shared/ifmap-xsd');
const XMLLINT = '/usr/bin/xmllint';
const run = promisify(execFile);

let dir = '';
let wrapper = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifmap-xsd-'));
  wrapper = join(dir, 'ifmap-all.xsd');
  writeFileSync(
    wrapper,
    `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:tnc-nea:ifmap-validation">
  <xs:import namespace="http://www.w3.org/2003/05/soap-envelope" schemaLocation="${join(XSD_DIR, 'soap12.xsd')}"/>
  <xs:import namespace="http://www.trustedcomputinggroup.org/2010/IFMAP-METADATA/2" schemaLocation="${join(XSD_DIR, 'ifmap-metadata-2.0v8.xsd')}"/>
</xs:schema>
`,
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

const documents: Record<string, string> = {
  'update-carol': buildPublishRequest([carol], { sessionId: '1234', publisherId: 'pdp-1', pdpDevice: 'alice.strongswan.org', administrativeDomain: 'strongswan' }),
  'update-dave': buildPublishRequest([dave], { sessionId: '1234', publisherId: 'pdp-1' }),
  'update-mallory': buildPublishRequest([mallory], { sessionId: 's"<&>', publisherId: "it's \"quoted\"" }),
  'update-all': buildPublishRequest([carol, dave, mallory]),
  'delete-carol': buildPublishRequest([carol], { operation: 'delete', sessionId: '1234', publisherId: 'pdp-1' }),
  'delete-all': buildPublishRequest([carol, dave, mallory], { operation: 'delete' }),
  newSession: newSessionRequest(),
  'newSession-size': newSessionRequest(5_000_000),
  renewSession: renewSessionRequest('1234'),
  endSession: endSessionRequest('1234'),
  purgePublisher: purgePublisherRequest('1234', 'pdp-1'),
};

test('xmllint validates every IF-MAP document against the TCG schemas', async () => {
  assert.ok(existsSync(join(XSD_DIR, 'soap12.xsd')), `schemas at ${XSD_DIR}`);
  const files = Object.entries(documents).map(([name, xml]) => {
    const f = join(dir, `${name}.xml`);
    writeFileSync(f, xml);
    return f;
  });
  const { stderr } = await run(XMLLINT, ['--noout', '--schema', wrapper, ...files]).catch((e: { stderr: string }) => assert.fail(`xmllint failed:\n${e.stderr}`));
  for (const f of files) assert.match(stderr, new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} validates`));
});

test('the validation can fail: broken documents are refused', async () => {
  const good = documents['update-dave']!;
  const broken = {
    'no-cardinality': good.replace('<meta:capability ifmap-cardinality="multiValue">', '<meta:capability>'),
    'bad-magnitude': good.replace('<magnitude>60</magnitude>', '<magnitude>101</magnitude>'),
    'qualified-update': good.replace('<update>', '<ifmap:update>').replace('</update>', '</ifmap:update>'),
    'no-session': good.replace(/ session-id="[^"]*"/, ''),
    'bad-ip-type': good.replace('type="IPv4"', 'type="ipv4"'),
  };
  for (const [name, xml] of Object.entries(broken)) {
    assert.notEqual(xml, good, name);
    const f = join(dir, `broken-${name}.xml`);
    writeFileSync(f, xml);
    await assert.rejects(run(XMLLINT, ['--noout', '--schema', wrapper, f]), name);
  }
});

test('every meta: element is declared in the metadata schema, and all 13 types are exercised', () => {
  const xsd = readFileSync(join(XSD_DIR, 'ifmap-metadata-2.0v8.xsd'), 'utf8');
  const declared = new Set([...xsd.matchAll(/^ {2}<xsd:element name="([^"]+)"/gm)].map((m) => m[1]!));
  const used = new Set(Object.values(documents).flatMap((x) => [...x.matchAll(/<meta:([a-z-]+)/g)].map((m) => m[1]!)));
  for (const u of used) assert.ok(declared.has(u), `meta:${u} is declared`);
  assert.deepEqual(
    [...used].sort(),
    [
      'access-request-device',
      'access-request-ip',
      'access-request-mac',
      'authenticated-as',
      'authenticated-by',
      'capability',
      'device-attribute',
      'device-characteristic',
      'device-ip',
      'enforcement-report',
      'event',
      'ip-mac',
      'role',
    ],
  );
  // delete requests carry filters naming the metadata, narrowed to our publisher id.
  assert.match(documents['delete-carol']!, /<delete filter="meta:authenticated-as\[@ifmap-publisher-id='pdp-1'\] or meta:role\[@ifmap-publisher-id='pdp-1'\]">/);
  assert.doesNotMatch(documents['delete-carol']!, /<update>/);
});
