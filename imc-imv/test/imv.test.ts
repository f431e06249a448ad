/**
 * The IMVs (imc-imv/imv/): recommendation merging tables and properties, dpkg version order,
 * the Test IMV's commands and "repeat" rounds, the Scanner IMV's port policy, the OS IMV's
 * product/package checks and its reassembly of a segmented Installed Packages attribute.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ActionRecommendation as R,
  ConnectionState,
  EvaluationResult as E,
  NO_MESSAGE_SIZE_LIMIT,
  OsImv,
  PaSubtypes,
  ScannerImv,
  SegmentSender,
  TestImv,
  assessmentResult,
  attributeRequest,
  command,
  compareDebianVersions,
  createStandardRegistry,
  findAttribute,
  installedPackages,
  makeAttribute,
  mergeRecommendations,
  nextSegment,
  parsePortSpec,
  pickReason,
  portFilter,
  productInformation,
  segmentEnvelope,
  segmentationContractRequest,
  stringVersion,
  type ActionRecommendation,
  type EvaluationResult,
  type ImvMessage,
  type PaTncAttribute,
  type RecommendationPolicy,
} from '../index.js';

const rec = (recommendation: ActionRecommendation, evaluation: EvaluationResult = E.DontKnow) => ({ recommendation, evaluation });

describe('mergeRecommendations', () => {
  const table: [RecommendationPolicy, ActionRecommendation[], ActionRecommendation][] = [
    ['default', [], R.NoRecommendation],
    ['default', [R.Allow, R.Allow], R.Allow],
    ['default', [R.Allow, R.Isolate], R.Isolate],
    ['default', [R.Isolate, R.NoAccess], R.NoAccess],
    ['default', [R.NoAccess, R.Isolate], R.NoAccess],
    ['default', [R.Allow, R.NoRecommendation], R.Allow],
    ['default', [R.NoRecommendation, R.Isolate], R.Isolate],
    ['default', [R.NoRecommendation, R.NoRecommendation], R.NoRecommendation],
    ['any', [R.NoAccess, R.Allow], R.Allow],
    ['any', [R.NoAccess, R.Isolate], R.Isolate],
    ['any', [R.NoAccess, R.NoRecommendation], R.NoAccess],
    ['any', [R.NoRecommendation], R.NoRecommendation],
    ['all', [R.Allow, R.Allow], R.Allow],
    ['all', [R.Allow, R.Isolate], R.NoRecommendation],
    ['all', [R.Allow, R.NoRecommendation], R.NoRecommendation],
    ['all', [R.Isolate], R.Isolate],
    ['all', [], R.NoRecommendation],
  ];
  for (const [policy, recs, expected] of table) {
    it(`${policy}: [${recs.join(', ')}] -> ${expected}`, () => {
      assert.equal(mergeRecommendations(policy, recs.map((r) => rec(r))).recommendation, expected);
    });
  }

  it('merges evaluations: default worst, any best, all unanimous; don\'t know is no opinion', () => {
    const evals = [E.Compliant, E.NonCompliantMinor, E.DontKnow].map((e) => rec(R.Allow, e));
    assert.equal(mergeRecommendations('default', evals).evaluation, E.NonCompliantMinor);
    assert.equal(mergeRecommendations('any', evals).evaluation, E.Compliant);
    assert.equal(mergeRecommendations('all', evals).evaluation, E.DontKnow);
    assert.equal(mergeRecommendations('default', [rec(R.Allow, E.Error), rec(R.Allow, E.NonCompliantMajor)]).evaluation, E.Error);
    assert.equal(mergeRecommendations('any', [rec(R.Allow, E.Error), rec(R.Allow, E.DontKnow)]).evaluation, E.Error);
  });

  const entry = fc.record({
    recommendation: fc.constantFrom(R.Allow, R.NoAccess, R.Isolate, R.NoRecommendation),
    evaluation: fc.constantFrom(E.Compliant, E.NonCompliantMinor, E.NonCompliantMajor, E.Error, E.DontKnow),
  });
  it('property: the result does not depend on IMV order, and is one of the inputs or no opinion', () => {
    fc.assert(
      fc.property(fc.constantFrom<RecommendationPolicy>('default', 'any', 'all'), fc.array(entry, { maxLength: 6 }), (policy, entries) => {
        const a = mergeRecommendations(policy, entries);
        const b = mergeRecommendations(policy, [...entries].reverse());
        assert.deepEqual(a, b);
        assert.ok(a.recommendation === R.NoRecommendation || entries.some((e) => e.recommendation === a.recommendation));
        assert.ok(a.evaluation === E.DontKnow || entries.some((e) => e.evaluation === a.evaluation));
      }),
    );
  });

  it('property: default is never better than any, and a no-recommendation IMV changes neither', () => {
    const rank = { [R.Allow]: 0, [R.Isolate]: 1, [R.NoAccess]: 2 } as Record<number, number>;
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => {
        const d = mergeRecommendations('default', entries);
        const y = mergeRecommendations('any', entries);
        if (d.recommendation !== R.NoRecommendation) assert.ok((rank[d.recommendation] ?? 0) >= (rank[y.recommendation] ?? 0));
        const withNone = [...entries, rec(R.NoRecommendation)];
        assert.deepEqual(mergeRecommendations('default', withNone), d);
        assert.deepEqual(mergeRecommendations('any', withNone), y);
      }),
    );
  });
});

describe('compareDebianVersions', () => {
  const less: [string, string][] = [
    ['1.0~rc1', '1.0'],
    ['1.0', '1.0a'],
    ['1.0a', '1.0+b1'],
    ['1.0+b1', '1.0.1'],
    ['1.2.3', '1.10'],
    ['3.134', '3.135'],
    ['1.2.5.1-2', '1.2.5.1-10'],
    ['9.9', '1:0.1'],
    ['1:0.1', '2:0'],
    ['1.0-1', '1.0-1ubuntu1'],
    ['0.16.1-2', '0.16.1-2+deb12u1'],
    ['1.0~~', '1.0~'],
  ];
  for (const [a, b] of less) {
    it(`${a} < ${b}`, () => {
      assert.ok(compareDebianVersions(a, b) < 0);
      assert.ok(compareDebianVersions(b, a) > 0);
    });
  }
  it('equal versions: leading zeros and a missing epoch', () => {
    assert.equal(compareDebianVersions('1.01', '1.1'), 0);
    assert.equal(compareDebianVersions('0:1.0-1', '1.0-1'), 0);
  });
  it('property: reflexive and antisymmetric on arbitrary strings', () => {
    const v = fc.stringMatching(/^[0-9a-z.+~:-]{0,12}$/);
    fc.assert(
      fc.property(v, v, (a, b) => {
        assert.equal(compareDebianVersions(a, a), 0);
        assert.equal(Math.sign(compareDebianVersions(a, b)) + Math.sign(compareDebianVersions(b, a)), 0);
      }),
    );
  });
});

const conn = (id = 1) => ({ id, imvId: 3 });
const msg = (subtype: { vendorId: number; subtype: number }, attributes: PaTncAttribute[], collectorId = 1, exclusive = false): ImvMessage => ({
  ...subtype,
  collectorId,
  validatorId: 0xffff,
  exclusive,
  identifier: 1,
  attributes,
});

describe('TestImv', () => {
  const cases: [string, ActionRecommendation, EvaluationResult][] = [
    ['allow', R.Allow, E.Compliant],
    ['isolate', R.Isolate, E.NonCompliantMinor],
    ['block', R.NoAccess, E.NonCompliantMajor],
    ['none', R.NoAccess, E.NonCompliantMajor],
    ['repeat', R.NoRecommendation, E.Error],
  ];
  for (const [cmd, recommendation, evaluation] of cases) {
    it(`command '${cmd}' -> ${recommendation}/${evaluation}, Assessment Result back EXCL to the IMC`, () => {
      const imv = new TestImv();
      imv.notifyConnectionChange(conn(), ConnectionState.Create);
      const out = imv.receiveMessage(1, msg(PaSubtypes.ItaTest, [makeAttribute(command, cmd, { noskip: true })], 3));
      assert.equal(out.recommendation?.recommendation, recommendation);
      assert.equal(out.recommendation?.evaluation, evaluation);
      const [m] = out.messages ?? [];
      assert.deepEqual([m?.imcId, m?.exclusive], [3, true]);
      assert.equal(findAttribute(m?.attributes ?? [], assessmentResult)?.value, evaluation);
      assert.equal(recommendation === R.Allow, out.recommendation?.reasons === undefined);
    });
  }

  it('answers "repeat" for `rounds` rounds per IMC, then decides (as in the captures with rounds = 1)', () => {
    const imv = new TestImv({ rounds: 2 });
    imv.notifyConnectionChange(conn(), ConnectionState.Create);
    const allow = () => imv.receiveMessage(1, msg(PaSubtypes.ItaTest, [makeAttribute(command, 'allow')], 3));
    for (let i = 0; i < 2; i++) {
      const out = allow();
      assert.equal(out.recommendation, undefined);
      assert.equal(findAttribute(out.messages?.[0]?.attributes ?? [], command)?.value, 'repeat');
    }
    assert.equal(allow().recommendation?.recommendation, R.Allow);
    imv.notifyConnectionChange(conn(), ConnectionState.Delete);
    assert.throws(() => imv.solicitRecommendation(1));
  });

  it('solicited without a command: no recommendation, don\'t know', () => {
    const imv = new TestImv();
    imv.notifyConnectionChange(conn(), ConnectionState.Create);
    assert.deepEqual(imv.solicitRecommendation(1).recommendation, rec(R.NoRecommendation, E.DontKnow));
  });

  it('pickReason follows the language preference, else the first', () => {
    const reasons = [
      { language: 'en', reason: 'E' },
      { language: 'de', reason: 'D' },
    ];
    assert.equal(pickReason(reasons, 'fr, de;q=0.5')?.reason, 'D');
    assert.equal(pickReason(reasons, 'pt')?.reason, 'E');
    assert.equal(pickReason([], 'en'), undefined);
  });
});

describe('ScannerImv', () => {
  const open = (protocol: number, port: number) => ({ blocked: false, protocol, port });
  it('parses port specs and rejects bad ones', () => {
    assert.deepEqual(parsePortSpec('udp/500'), { protocol: 17, from: 500, to: 500 });
    assert.deepEqual(parsePortSpec('tcp/8000-8080'), { protocol: 6, from: 8000, to: 8080 });
    assert.deepEqual(parsePortSpec('132/9'), { protocol: 132, from: 9, to: 9 });
    for (const bad of ['udp', 'tcp/70000', 'tcp/9-1', 'icmp/1', '256/1', 'tcp/1-2-3']) assert.throws(() => parsePortSpec(bad), RangeError, bad);
  });
  it('blocked list, allowed list, and ports reported as blocked', () => {
    const s = new ScannerImv({ blockedPorts: ['udp/500'], allowedPorts: ['udp/500', 'udp/4500', 'tcp/22'] });
    assert.deepEqual(s.violations([open(17, 500), open(17, 4500), open(6, 22), open(6, 80), { blocked: true, protocol: 6, port: 25 }]), [open(17, 500), open(6, 80)]);
    assert.deepEqual(new ScannerImv({}).violations([open(6, 1)]), []);
  });
  it('decides on a Port Filter; asks for one when the first batch had none', () => {
    const s = new ScannerImv({ blockedPorts: ['udp/500'] });
    s.notifyConnectionChange(conn(), ConnectionState.Create);
    const req = s.batchEnding(1);
    assert.deepEqual(findAttribute(req.messages?.[0]?.attributes ?? [], attributeRequest)?.value, [{ vendorId: 0, type: 6 }]);
    assert.deepEqual(s.batchEnding(1), {});
    const out = s.receiveMessage(1, msg(PaSubtypes.Firewall, [makeAttribute(portFilter, [open(17, 500)])]));
    assert.equal(out.recommendation?.recommendation, R.Isolate);
    assert.match(out.recommendation?.reasons?.[0]?.reason ?? '', /udp\/500/);
  });
});

describe('OsImv', () => {
  const registry = createStandardRegistry();
  const debian = [
    makeAttribute(productInformation, { productVendorId: 9586, productId: 0, productName: 'Debian' }),
    makeAttribute(stringVersion, { productVersion: '12 x86_64', buildNumber: '', configurationVersion: '' }),
  ];
  const packages = Array.from({ length: 400 }, (_, i) => ({ name: `pkg${i}`, version: `1.${i}-1` }));

  function start(imv: OsImv): void {
    imv.notifyConnectionChange(conn(), ConnectionState.Create);
    assert.deepEqual(imv.receiveMessage(1, msg(PaSubtypes.OperatingSystem, debian)).messages, []);
  }

  it('without package policy it decides in the first batch', () => {
    const imv = new OsImv({ allowedProducts: [{ name: 'debian', minVersion: '12' }] }, { registry });
    start(imv);
    const out = imv.batchEnding(1);
    const { results, ...rest } = out.recommendation ?? {};
    assert.deepEqual(rest, rec(R.Allow, E.Compliant));
    assert.deepEqual(results?.map((r) => [r.policy, r.outcome]), [['os.allowedProducts', 'pass']]);
    assert.equal(findAttribute(out.messages?.[0]?.attributes ?? [], assessmentResult)?.value, E.Compliant);
  });

  it('product not allowed -> no access; too old -> isolate', () => {
    const no = new OsImv({ allowedProducts: [{ name: 'Fedora' }] }, { registry });
    start(no);
    assert.equal(no.batchEnding(1).recommendation?.recommendation, R.NoAccess);
    const old = new OsImv({ allowedProducts: [{ name: 'Debian', minVersion: '13' }] }, { registry });
    start(old);
    assert.equal(old.batchEnding(1).recommendation?.recommendation, R.Isolate);
  });

  it('requests Installed Packages under a segmentation contract, reassembles segments, checks the lists', () => {
    const imv = new OsImv({ blacklistedPackages: ['pkg7'], minPackageVersions: { pkg3: '1.4', pkg9: '1.9' }, maxSegmentSize: 1000 }, { registry });
    start(imv);
    const req = imv.batchEnding(1).messages?.[0];
    const contract = findAttribute(req?.attributes ?? [], segmentationContractRequest)?.value;
    assert.deepEqual(contract, { maxMessageSize: NO_MESSAGE_SIZE_LIMIT, maxSegmentSize: 1000 });
    assert.deepEqual(findAttribute(req?.attributes ?? [], attributeRequest)?.value, [{ vendorId: 0, type: 7 }]);

    // The IMC's side: the attribute is larger than 1000 octets, so it goes in segments.
    const encoded = registry.encodeAttribute(makeAttribute(installedPackages, { packages }));
    const sender = new SegmentSender(contract ?? { maxMessageSize: 0, maxSegmentSize: 0 });
    let envelope = sender.start(encoded);
    let rounds = 0;
    for (;;) {
      const out = imv.receiveMessage(1, msg(PaSubtypes.OperatingSystem, [envelope], 1, true));
      const ask = findAttribute(out.messages?.[0]?.attributes ?? [], nextSegment);
      if (!ask) break;
      assert.deepEqual([out.messages?.[0]?.imcId, out.messages?.[0]?.exclusive], [1, true]);
      assert.deepEqual(imv.batchEnding(1), {}, 'no decision while segments are pending');
      const next = sender.next(ask.value.baseMessageId);
      assert.ok(next);
      envelope = next;
      rounds++;
    }
    assert.ok(rounds >= 5, `${rounds} Next Segment rounds`);
    const out = imv.batchEnding(1);
    assert.equal(out.recommendation?.recommendation, R.Isolate);
    assert.equal(out.recommendation?.evaluation, E.NonCompliantMajor);
    assert.match(out.recommendation?.reasons?.[0]?.reason ?? '', /blacklisted packages installed: pkg7; outdated packages: pkg3 1\.3-1/);
    assert.doesNotMatch(out.recommendation?.reasons?.[0]?.reason ?? '', /pkg9/);
  });

  it('solicited before the packages came: isolate, with what it has', () => {
    const imv = new OsImv({ blacklistedPackages: ['x'] }, { registry });
    start(imv);
    imv.batchEnding(1);
    const out = imv.solicitRecommendation(1);
    assert.equal(out.recommendation.recommendation, R.Isolate);
    assert.match(out.recommendation.reasons?.[0]?.reason ?? '', /not reported/);
  });

  it('property: any attributes in any order never make it throw', () => {
    const imv = new OsImv({ blacklistedPackages: ['a'], requireForwardingDisabled: true, maxSegmentSize: 64 }, { registry });
    imv.notifyConnectionChange(conn(), ConnectionState.Create);
    imv.batchEnding(1);
    const attr = fc.oneof(
      fc.constant(debian[0] as PaTncAttribute),
      fc.record({ flags: fc.constantFrom(0x40, 0xc0, 0x80, 0x00), baseMessageId: fc.nat(5), segment: fc.uint8Array({ maxLength: 80 }) }).map((v) =>
        makeAttribute(segmentEnvelope, v),
      ),
    );
    fc.assert(
      fc.property(fc.array(attr, { maxLength: 6 }), (attrs) => {
        imv.receiveMessage(1, msg(PaSubtypes.OperatingSystem, attrs));
        imv.batchEnding(1);
      }),
    );
  });
});
