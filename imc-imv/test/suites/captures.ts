/**
 * Tier 1, real peers: every PA-TNC message strongSwan 5.9.8's OS, Scanner and Test IMCs and its
 * IMVs exchanged (shared/vectors/strongswan-5.9.8-pb-tnc/) decodes, matches decoded.txt, and
 * re-encodes byte for byte, message by message and attribute by attribute.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  AssessmentResultCode,
  assessmentResult,
  attributeBytes,
  attributeIsNoskip,
  attributeRequest,
  command,
  createStandardRegistry,
  decodeMessage,
  deviceId,
  encodeMessage,
  factoryDefaultPasswordEnabled,
  findAttribute,
  forwardingEnabled,
  installedPackages,
  isUnknownAttribute,
  numericVersion,
  operationalStatus,
  Pen,
  portFilter,
  processMessage,
  productInformation,
  Reassembler,
  segmentationContractRequest,
  segmentationContractResponse,
  SegmentSender,
  stringVersion,
  type PaTncAttribute,
} from '../../index.js';
import { hex, loadCaptures, loadDecodedTxt, VECTOR_DIR } from '../pb-batch.js';

const registry = createStandardRegistry();
const captures = loadCaptures();
const decodedTxt = loadDecodedTxt();
const allMessages = captures.flatMap((c) => c.messages);

function only<N extends string, V>(attrs: readonly PaTncAttribute[], codec: Parameters<typeof findAttribute<N, V>>[1]): V {
  const a = findAttribute(attrs, codec);
  assert.ok(a, `no ${codec.name}`);
  return a.value;
}

describe('captures: strongSwan 5.9.8 PB-TNC batches', () => {
  it('resolves the vector directory from the test file', () => {
    const dir = fileURLToPath(VECTOR_DIR);
    assert.ok(dir.endsWith('/shared/vectors/strongswan-5.9.8-pb-tnc/'), dir);
    assert.ok(existsSync(new URL('README.md', VECTOR_DIR)));
    assert.equal(captures.length, 10);
  });

  it('finds every PB-PA message decoded.txt lists, with its PA subtype, collector and validator', () => {
    assert.equal(decodedTxt.size, 10);
    for (const c of captures) {
      const expected = decodedTxt.get(c.file);
      assert.ok(expected, c.file);
      assert.equal(c.messages.length, expected.length, c.file);
      c.messages.forEach((m, i) => {
        const e = expected[i];
        assert.ok(e);
        assert.deepEqual(
          [m.paVendorId, m.paSubtype, m.collectorId, m.validatorId, m.exclusive],
          [e.paVendorId, e.paSubtype, e.collectorId, e.validatorId, e.exclusive],
          `${c.file} #${i}`,
        );
      });
    }
    assert.equal(allMessages.length, 20);
  });

  it('decodes every PA-TNC message into the attributes decoded.txt lists (id, flags, vendor, type, length)', () => {
    for (const m of allMessages) {
      const e = decodedTxt.get(m.file)?.[m.index];
      assert.ok(e);
      const msg = decodeMessage(m.bytes, registry);
      assert.equal(msg.version, 1);
      assert.equal(msg.reserved, 0);
      assert.equal(msg.identifier, e.identifier, `${m.file} #${m.index} id`);
      assert.deepEqual(
        msg.attributes.map((a) => ({ noskip: attributeIsNoskip(a), vendorId: a.vendorId, type: a.type, length: registry.encodedLength(a) })),
        e.attributes.map((a) => ({ noskip: a.noskip, vendorId: a.vendorId, type: a.type, length: a.length })),
        `${m.file} #${m.index}`,
      );
      assert.ok(!msg.attributes.some(isUnknownAttribute), 'every captured type has a codec');
      const r = processMessage(m.bytes, registry);
      assert.ok(r.ok);
    }
  });

  it('re-encodes every message and every attribute byte for byte', () => {
    for (const m of allMessages) {
      const msg = decodeMessage(m.bytes, registry);
      assert.equal(hex(encodeMessage(msg, registry)), hex(m.bytes), `${m.file} #${m.index}`);
      let at = 8;
      for (const a of msg.attributes) {
        const wire = registry.encodeAttribute(a);
        assert.equal(hex(wire), hex(m.bytes.subarray(at, at + wire.length)), `${m.file} #${m.index} ${a.name}`);
        const codec = registry.get(a.vendorId, a.type);
        assert.ok(codec);
        assert.deepEqual(codec.decode(codec.encode(a.value)), a.value);
        at += wire.length;
      }
      assert.equal(at, m.bytes.length);
    }
  });

  for (const run of ['c1', 'cpt']) {
    describe(`alice-${run}`, () => {
      const msgs = (n: string) => {
        const c = captures.find((x) => x.file.startsWith(`alice-${run}-${n}`));
        assert.ok(c);
        return c.messages.map((m) => decodeMessage(m.bytes, registry));
      };

      it('01 CDATA: the OS IMC reports Debian (PEN 9586), versions, status, forwarding, password, device id', () => {
        const [os, firewall, test] = msgs('01');
        assert.ok(os && firewall && test);
        assert.deepEqual(only(os.attributes, productInformation), { productVendorId: 9586, productId: 0, productName: 'Debian' });
        assert.deepEqual(only(os.attributes, stringVersion), { productVersion: '12 x86_64', buildNumber: '', configurationVersion: '' });
        assert.deepEqual(only(os.attributes, numericVersion), {
          majorVersion: 12,
          minorVersion: 0,
          buildNumber: 0,
          servicePackMajor: 0,
          servicePackMinor: 0,
        });
        const status = only(os.attributes, operationalStatus);
        assert.equal(status.status, 3);
        assert.equal(status.result, 1);
        assert.match(status.lastUse, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.equal(only(os.attributes, forwardingEnabled), 0);
        assert.equal(only(os.attributes, factoryDefaultPasswordEnabled), 0);
        assert.equal(only(os.attributes, deviceId), 'carol-device-0001');
        // Scanner IMC: udp/500, udp/4500, allowed (B clear), NOSKIP.
        const ports = findAttribute(firewall.attributes, portFilter);
        assert.ok(ports && attributeIsNoskip(ports));
        assert.deepEqual(ports.value, [
          { blocked: false, protocol: 17, port: 500, reserved: 0 },
          { blocked: false, protocol: 17, port: 4500, reserved: 0 },
        ]);
        const cmd = findAttribute(test.attributes, command);
        assert.ok(cmd && attributeIsNoskip(cmd));
        assert.equal(cmd.value, 'allow');
      });

      it('02 SDATA: Test IMV says repeat; OS IMV issues a contract and asks for Installed Packages; Firewall compliant', () => {
        const [test, os, firewall] = msgs('02');
        assert.ok(test && os && firewall);
        assert.equal(only(test.attributes, command), 'repeat');
        assert.deepEqual(only(os.attributes, segmentationContractRequest), { maxMessageSize: 0xffffffff, maxSegmentSize: 65466 });
        assert.deepEqual(only(os.attributes, attributeRequest), [{ reserved: 0, vendorId: Pen.IETF, type: installedPackages.type }]);
        assert.equal(only(firewall.attributes, assessmentResult), AssessmentResultCode.Compliant);
      });

      it('03 CDATA: the OS IMC accepts the contract and sends 761 packages (~19 KB) in one attribute', () => {
        const [test, os] = msgs('03');
        assert.ok(test && os);
        assert.equal(only(test.attributes, command), 'allow');
        assert.deepEqual(only(os.attributes, segmentationContractResponse), { maxMessageSize: 0xffffffff, maxSegmentSize: 65466 });
        const pkgs = only(os.attributes, installedPackages);
        assert.equal(pkgs.packages.length, 761);
        assert.deepEqual(pkgs.packages[0], { name: 'adduser', version: '3.134' });
        assert.ok(pkgs.packages.every((p) => p.name.length > 0 && p.version.length > 0));
        const attr = findAttribute(os.attributes, installedPackages);
        assert.ok(attr);
        assert.equal(registry.encodedLength(attr), 19436);
      });

      it('04 RESULT: both IMVs send Assessment Result compliant', () => {
        const results = msgs('04').map((m) => only(m.attributes, assessmentResult));
        assert.deepEqual(results, [AssessmentResultCode.Compliant, AssessmentResultCode.Compliant]);
      });

      it('05 CLOSE: no PA-TNC message', () => {
        assert.deepEqual(msgs('05'), []);
      });
    });
  }

  it('Installed Packages survives segmentation under a small contract and reassembles to the captured 19436 octets', () => {
    const os = captures.find((c) => c.file === 'alice-c1-03-rx-CDATA.hex')?.messages[1];
    assert.ok(os);
    const msg = decodeMessage(os.bytes, registry);
    const pkgs = findAttribute(msg.attributes, installedPackages);
    assert.ok(pkgs);
    const encoded = registry.encodeAttribute(pkgs);
    assert.equal(hex(encoded), hex(os.bytes.subarray(8 + 20, 8 + 20 + 19436)));
    assert.equal(hex(attributeBytes(pkgs, installedPackages.encode(pkgs.value))), hex(encoded));

    const contract = { maxMessageSize: 0xffffffff, maxSegmentSize: 1400 };
    const sender = new SegmentSender(contract);
    const receiver = new Reassembler(contract, registry);
    let env = sender.start(encoded);
    let segments = 1;
    for (;;) {
      const r = receiver.add(env.value);
      if (r.status === 'complete') {
        assert.equal(hex(r.encoded), hex(encoded));
        assert.deepEqual(r.attribute, pkgs);
        break;
      }
      const next = sender.next(r.baseMessageId);
      assert.ok(next);
      env = next;
      segments++;
    }
    assert.equal(segments, Math.ceil(19436 / 1400));
    assert.equal(sender.pending, 0);
    assert.equal(receiver.pending, 0);
  });
});
