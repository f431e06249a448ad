/**
 * The IMVs with per-connection work items (imv/work-item.ts): each connection checks what the TNCS
 * gave it, not the constructor's options; what is not asked for is not requested (no Installed
 * Packages request without a package check); onFail / onNoResult replace the check's own
 * recommendation; per-policy results come with the recommendation; an isolate decision carries
 * IETF Remediation Instructions with the failed policies' remediation text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ActionRecommendation as R,
  ConnectionState,
  EvaluationResult as E,
  OsImv,
  PaSubtypes,
  ScannerImv,
  TestImv,
  attributeRequest,
  command,
  createStandardRegistry,
  findAttribute,
  forwardingEnabled,
  installedPackages,
  makeAttribute,
  portFilter,
  productInformation,
  remediationInstructions,
  stringVersion,
  type ImvMessage,
  type ImvOutput,
  type PaTncAttribute,
} from '../index.js';
import type { ImvWorkItem } from '../imv/work-item.js';

const registry = createStandardRegistry();
const conn = (id: number) => ({ id, imvId: 1 });
const msg = (subtype: { vendorId: number; subtype: number }, attributes: PaTncAttribute[]): ImvMessage => ({
  ...subtype,
  collectorId: 1,
  validatorId: 0xffff,
  exclusive: false,
  identifier: 1,
  attributes,
});
const debian = [
  makeAttribute(productInformation, { productVendorId: 9586, productId: 0, productName: 'Debian' }),
  makeAttribute(stringVersion, { productVersion: '12 x86_64', buildNumber: '', configurationVersion: '' }),
  makeAttribute(forwardingEnabled, 0),
];
const remediationTexts = (out: ImvOutput) =>
  (out.messages ?? []).flatMap((m) => m.attributes.filter((a) => a.name === 'remediation-instructions').map((a) => findAttribute([a], remediationInstructions)?.value.parameters));

describe('OsImv with work items', () => {
  const blacklist: ImvWorkItem = { policy: 'no-telnet', type: 'packages-blacklist', argument: ['telnetd'], remediation: 'apt purge telnetd' };

  it('two connections, two policies: only the one with a package check requests Installed Packages', () => {
    const imv = new OsImv({ blacklistedPackages: ['ignored-by-work-items'] }, { registry });
    for (const id of [1, 2]) {
      imv.notifyConnectionChange(conn(id), ConnectionState.Create);
      imv.notifyConnectionChange(conn(id), ConnectionState.Handshake);
    }
    imv.setWorkItems(1, [blacklist]);
    imv.setWorkItems(2, [{ policy: 'fwd', type: 'forwarding-disabled' }]);
    imv.receiveMessage(1, msg(PaSubtypes.OperatingSystem, debian));
    imv.receiveMessage(2, msg(PaSubtypes.OperatingSystem, debian));
    const req = imv.batchEnding(1);
    assert.deepEqual(findAttribute(req.messages?.[0]?.attributes ?? [], attributeRequest)?.value, [{ vendorId: 0, type: installedPackages.type }]);
    const decided = imv.batchEnding(2);
    assert.equal(decided.recommendation?.recommendation, R.Allow);
    assert.deepEqual(decided.recommendation?.results?.map((r) => [r.policy, r.outcome]), [['fwd', 'pass']]);

    const out = imv.receiveMessage(1, msg(PaSubtypes.OperatingSystem, [makeAttribute(installedPackages, { packages: [{ name: 'telnetd', version: '0.17' }] })]));
    assert.deepEqual(out.messages, []);
    const end = imv.batchEnding(1);
    assert.equal(end.recommendation?.recommendation, R.Isolate);
    assert.equal(end.recommendation?.evaluation, E.NonCompliantMajor);
    assert.deepEqual(end.recommendation?.results?.map((r) => [r.policy, r.outcome, r.reason]), [['no-telnet', 'fail', 'blacklisted packages installed: telnetd']]);
    assert.deepEqual(remediationTexts(end), [{ kind: 'string', text: 'apt purge telnetd', languageCode: 'en' }]);
  });

  it('no work at all: allow on the product, nothing requested', () => {
    const imv = new OsImv({}, { registry });
    imv.notifyConnectionChange(conn(1), ConnectionState.Create);
    imv.setWorkItems(1, []);
    imv.receiveMessage(1, msg(PaSubtypes.OperatingSystem, debian));
    const out = imv.batchEnding(1);
    assert.equal(out.recommendation?.recommendation, R.Allow);
    assert.deepEqual(remediationTexts(out), []);
  });

  it('onFail no-access on a package check; onNoResult allow when the list never comes', () => {
    const imv = new OsImv({}, { registry });
    imv.notifyConnectionChange(conn(1), ConnectionState.Create);
    imv.setWorkItems(1, [{ ...blacklist, onFail: R.NoAccess }]);
    imv.receiveMessage(1, msg(PaSubtypes.OperatingSystem, [...debian, makeAttribute(installedPackages, { packages: [{ name: 'telnetd', version: '1' }] })]));
    const out = imv.batchEnding(1);
    assert.equal(out.recommendation?.recommendation, R.NoAccess);
    assert.deepEqual(remediationTexts(out), [], 'Remediation Instructions only with isolate');

    imv.notifyConnectionChange(conn(2), ConnectionState.Create);
    imv.setWorkItems(2, [{ ...blacklist, onNoResult: R.Allow }]);
    imv.receiveMessage(2, msg(PaSubtypes.OperatingSystem, debian));
    imv.batchEnding(2);
    const solicited = imv.solicitRecommendation(2);
    assert.equal(solicited.recommendation.recommendation, R.Allow);
    assert.deepEqual(solicited.recommendation.results?.map((r) => r.outcome), ['no-result']);
  });

  it('os-product: foreign OS no access by itself, isolate when the operator says so', () => {
    const imv = new OsImv({}, { registry });
    const product: ImvWorkItem = { policy: 'os', type: 'os-product', argument: [{ name: 'Fedora' }] };
    imv.notifyConnectionChange(conn(1), ConnectionState.Create);
    imv.setWorkItems(1, [product]);
    imv.receiveMessage(1, msg(PaSubtypes.OperatingSystem, debian));
    assert.equal(imv.batchEnding(1).recommendation?.recommendation, R.NoAccess);
    imv.notifyConnectionChange(conn(2), ConnectionState.Create);
    imv.setWorkItems(2, [{ ...product, onFail: R.Isolate }]);
    imv.receiveMessage(2, msg(PaSubtypes.OperatingSystem, debian));
    assert.equal(imv.batchEnding(2).recommendation?.recommendation, R.Isolate);
  });
});

describe('ScannerImv with work items', () => {
  const open = (protocol: number, port: number) => ({ blocked: false, protocol, port });

  it('tcp-ports-blocked and udp-ports-allowed per connection; results per policy; Remediation Instructions', () => {
    const imv = new ScannerImv({ blockedPorts: ['tcp/1'] });
    imv.notifyConnectionChange(conn(1), ConnectionState.Create);
    imv.setWorkItems(1, [
      { policy: 'no-ssh', type: 'tcp-ports-blocked', argument: ['22'] },
      { policy: 'ike-only', type: 'udp-ports-allowed', argument: ['500', '4500'] },
    ]);
    const out = imv.receiveMessage(1, msg(PaSubtypes.Firewall, [makeAttribute(portFilter, [open(6, 22), open(6, 1), open(17, 500), open(17, 53)])]));
    assert.equal(out.recommendation?.recommendation, R.Isolate);
    assert.deepEqual(out.recommendation?.results?.map((r) => [r.policy, r.outcome]), [['no-ssh', 'fail'], ['ike-only', 'fail']]);
    assert.equal(out.recommendation?.reasons?.[0]?.reason, 'open ports not allowed by policy: tcp/22, udp/53');
    assert.deepEqual(remediationTexts(out), [{ kind: 'string', text: 'Close these ports: tcp/22, udp/53', languageCode: 'en' }]);
  });

  it('without port checks it asks for nothing; solicited without a Port Filter: onNoResult', () => {
    const imv = new ScannerImv();
    imv.notifyConnectionChange(conn(1), ConnectionState.Create);
    imv.setWorkItems(1, []);
    assert.deepEqual(imv.batchEnding(1), {});
    assert.equal(imv.solicitRecommendation(1).recommendation.recommendation, R.NoRecommendation);
    imv.notifyConnectionChange(conn(2), ConnectionState.Create);
    imv.setWorkItems(2, [{ policy: 'p', type: 'tcp-ports-blocked', argument: ['23'], onNoResult: R.Isolate }]);
    assert.ok(findAttribute(imv.batchEnding(2).messages?.[0]?.attributes ?? [], attributeRequest));
    assert.equal(imv.solicitRecommendation(2).recommendation.recommendation, R.Isolate);
  });
});

describe('TestImv with work items', () => {
  it('test-command: the command decides unless onFail says otherwise; no item: allow', () => {
    const imv = new TestImv();
    const cmd = (c: string) => msg(PaSubtypes.ItaTest, [makeAttribute(command, c)]);
    for (const id of [1, 2, 3]) imv.notifyConnectionChange(conn(id), ConnectionState.Create);
    imv.setWorkItems(1, [{ policy: 't', type: 'test-command' }]);
    imv.setWorkItems(2, [{ policy: 't', type: 'test-command', onFail: R.Isolate, remediation: 'reconfigure the Test IMC' }]);
    imv.setWorkItems(3, []);
    assert.equal(imv.receiveMessage(1, cmd('block')).recommendation?.recommendation, R.NoAccess);
    const two = imv.receiveMessage(2, cmd('block'));
    assert.equal(two.recommendation?.recommendation, R.Isolate);
    assert.deepEqual(remediationTexts(two), [{ kind: 'string', text: 'reconfigure the Test IMC', languageCode: 'en' }]);
    assert.equal(two.recommendation?.reasons?.length, 4, 'the reason strings in every language stay');
    assert.equal(imv.receiveMessage(3, cmd('block')).recommendation?.recommendation, R.Allow);
  });
});
