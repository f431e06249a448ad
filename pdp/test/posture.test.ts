/**
 * Posture assessment (pdp/posture/): strongSwan 5.9.8's captured client batches replayed through
 * PbTncServerSession + the IMV manager (allow, byte-identical RESULT; a blocked port -> isolate),
 * the Test IMV's commands end to end, IMV failures (timeout, throw) still ending in a decision,
 * PA-TNC errors sent back, PB-PA packing within the limits, and a fuzzed client.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  PaSubtypes,
  command,
  createStandardRegistry,
  decodeMessage,
  dummy,
  dummyOfSize,
  encodeMessage,
  findAttribute,
  makeAttribute,
  paTncError,
  TestImv,
  type Imv,
  type PaTncAttribute,
} from '../../imc-imv/index.js';
import {
  AccessRecommendation,
  AssessmentResult,
  DEFAULT_LIMITS,
  PbBatchType,
  PbTncServerSession,
  decodeBatch,
  pbTncLimits,
  type PbPaMessage,
  type PbTncLimits,
  type ServerTurn,
  type ServerTurnInput,
} from '../../tnc/index.js';
import { ImvPostureService, type PosturePolicy, type PostureEvent } from '../posture/index.js';

const VECTORS = new URL('../../../shared/vectors/strongswan-5.9.8-pb-tnc/', import.meta.url);
const load = (name: string): Uint8Array => new Uint8Array(Buffer.from(readFileSync(new URL(name, VECTORS), 'utf8').replace(/\s+/g, ''), 'hex'));
const registry = createStandardRegistry();

/** A policy the captured host (Debian 12, udp/500 + udp/4500 open, 761 packages) passes. */
const PASSING: PosturePolicy = {
  imvs: {
    os: {
      allowedProducts: [{ name: 'Debian', minVersion: '12', minNumericVersion: { major: 12 } }],
      blacklistedPackages: ['telnetd', 'rsh-server'],
      minPackageVersions: { adduser: '3.100', 'alsa-ucm-conf': '1.2.8-1' },
      requireForwardingDisabled: true,
      requireNoDefaultPassword: true,
    },
    scanner: { allowedPorts: ['udp/500', 'udp/4500', 'tcp/22'], blockedPorts: ['tcp/23'] },
    test: { rounds: 1 },
  },
};

/** The PA-TNC Message Identifiers strongSwan used in alice-c1-04-tx-RESULT.hex (Test, then OS). */
const RESULT_IDS = [0x0ce87200, 0x2391fc15];

function ids(seq: readonly number[]): () => number {
  let i = 0;
  return () => seq[i++] ?? 0x11111111;
}

interface PaView {
  readonly vendorId: number;
  readonly subtype: number;
  readonly imc: number;
  readonly imv: number;
  readonly excl: boolean;
  readonly attributes: readonly PaTncAttribute[];
}

function paOf(batch: Uint8Array): { batchType: PbBatchType; pa: PaView[]; others: readonly unknown[] } {
  const b = decodeBatch(batch);
  const pa = b.messages
    .filter((m): m is PbPaMessage => m.kind === 'pa')
    .map((m) => ({ vendorId: m.paVendorId, subtype: m.paSubtype, imc: m.collectorId, imv: m.validatorId, excl: m.exclusive, attributes: decodeMessage(m.body, registry).attributes }));
  return { batchType: b.batchType, pa, others: b.messages.filter((m) => m.kind !== 'pa') };
}

async function replay(policy: PosturePolicy, events: PostureEvent[] = []) {
  const service = new ImvPostureService({ policy, randomId: ids([1, 2, 3, ...RESULT_IDS]), onEvent: (e) => events.push(e) });
  const posture = service.createSession({ user: 'carol@strongswan.org', via: 'moon', transport: 'pt-eap' });
  const pb = new PbTncServerSession({ handler: posture });
  const first = await pb.receive(load('alice-c1-01-rx-CDATA.hex'));
  const second = await pb.receive(load('alice-c1-03-rx-CDATA.hex'));
  const close = await pb.receive(load('alice-c1-05-rx-CLOSE.hex'));
  posture.close();
  return { first, second, close, decision: posture.decision(), events };
}

describe('posture: strongSwan 5.9.8 client batches replayed', () => {
  it('answers the first CDATA like strongSwan (repeat, contract + package request, Firewall assessment)', async () => {
    const { first } = await replay(PASSING);
    assert.ok(first.reply);
    const ours = paOf(first.reply);
    const theirs = paOf(load('alice-c1-02-tx-SDATA.hex'));
    assert.equal(ours.batchType, PbBatchType.SDATA);
    const key = (p: PaView) => JSON.stringify([p.vendorId, p.subtype, p.imc, p.imv, p.excl, p.attributes]);
    assert.deepEqual(ours.pa.map(key).sort(), theirs.pa.map(key).sort());
  });

  it('ends with allow: the RESULT batch is byte for byte the captured one', async () => {
    const events: PostureEvent[] = [];
    const { second, close, decision } = await replay(PASSING, events);
    assert.ok(second.reply);
    assert.equal(Buffer.from(second.reply).toString('hex'), Buffer.from(load('alice-c1-04-tx-RESULT.hex')).toString('hex'));
    assert.ok(close.done);
    assert.equal(decision?.recommendation, 'allow');
    assert.equal(decision?.group, 'allow');
    assert.equal(decision?.evaluation, 'compliant');
    assert.equal(decision?.deviceId, 'carol-device-0001');
    assert.deepEqual(decision?.imvs.map((i) => [i.imv, i.recommendation]), [['os', 'allow'], ['scanner', 'allow'], ['test', 'allow']]);
    assert.equal(events.filter((e) => e.type === 'posture.decision').length, 1);
    assert.equal(events.filter((e) => e.type === 'posture.imv-failed').length, 0);
  });

  it('isolates when the policy blocks a port the capture reports open (udp/500)', async () => {
    const policy: PosturePolicy = { ...PASSING, imvs: { ...PASSING.imvs, scanner: { blockedPorts: ['udp/500'] } } };
    const { second, decision } = await replay(policy);
    assert.ok(second.reply);
    const b = decodeBatch(second.reply);
    assert.equal(b.batchType, PbBatchType.RESULT);
    const kinds = Object.fromEntries(b.messages.map((m) => [m.kind, m]));
    assert.deepEqual(kinds['assessment-result'], { kind: 'assessment-result', result: AssessmentResult.MajorNonCompliance });
    assert.deepEqual(kinds['access-recommendation'], { kind: 'access-recommendation', recommendation: AccessRecommendation.Quarantined });
    assert.match(JSON.stringify(kinds['reason-string']), /udp\/500/);
    assert.ok(kinds['remediation-parameters']);
    assert.deepEqual([decision?.recommendation, decision?.enforced, decision?.group], ['isolate', 'isolate', 'isolate']);
  });

  it('isolates a blacklisted package from the 19 KB package list, and no-access for a foreign OS', async () => {
    const pkg = await replay({ ...PASSING, imvs: { ...PASSING.imvs, os: { blacklistedPackages: ['adduser'] } } });
    assert.equal(pkg.decision?.recommendation, 'isolate');
    assert.match(pkg.decision?.imvs[0]?.reasons.join() ?? '', /adduser/);
    const os = await replay({ ...PASSING, imvs: { ...PASSING.imvs, os: { allowedProducts: [{ name: 'Fedora' }] } } });
    assert.deepEqual([os.decision?.recommendation, os.decision?.group], ['no-access', null]);
  });
});

// ------------------------------------------------------------------ driving the manager directly

const turn = (paMessages: readonly PbPaMessage[], roundTrip = 1, limits: PbTncLimits = DEFAULT_LIMITS, languagePreference = 'en'): ServerTurnInput => ({
  batchType: PbBatchType.CDATA,
  retry: false,
  paMessages,
  languagePreference,
  roundTrip,
  limits,
});

function pa(subtype: { vendorId: number; subtype: number }, attributes: PaTncAttribute[], collectorId = 3): PbPaMessage {
  return { kind: 'pa', exclusive: false, paVendorId: subtype.vendorId, paSubtype: subtype.subtype, collectorId, validatorId: 0xffff, body: encodeMessage({ identifier: 7, attributes }, registry) };
}

const testCommand = (cmd: string) => pa(PaSubtypes.ItaTest, [makeAttribute(command, cmd, { noskip: true })]);

function decided(t: ServerTurn): Extract<ServerTurn, { action: 'decide' }> {
  assert.equal(t.action, 'decide');
  return t as Extract<ServerTurn, { action: 'decide' }>;
}

describe('posture: the Test IMV end to end', () => {
  const cases = [
    ['allow', 'allow', AccessRecommendation.AccessAllowed, 'allow'],
    ['isolate', 'isolate', AccessRecommendation.Quarantined, 'isolate'],
    ['block', 'no-access', AccessRecommendation.AccessDenied, null],
    ['none', 'no-access', AccessRecommendation.AccessDenied, null],
  ] as const;
  for (const [cmd, recommendation, access, group] of cases) {
    it(`command ${cmd} -> ${recommendation}`, async () => {
      const s = new ImvPostureService({ policy: { imvs: { test: {} } } }).createSession({ user: 'dave', via: 'moon', transport: 'pt-eap' });
      const t = decided(await s.onClientBatch(turn([testCommand(cmd)], 1, DEFAULT_LIMITS, 'de')));
      assert.equal(t.accessRecommendation, access);
      assert.deepEqual([s.decision()?.recommendation, s.decision()?.group], [recommendation, group]);
      assert.equal(t.reasonStrings?.[0]?.language, cmd === 'allow' ? undefined : 'de');
      s.close();
    });
  }
});

/** An IMV for the Test subtype that never answers (or throws) on receive. */
function brokenImv(mode: 'hang' | 'throw'): Imv {
  return {
    name: `broken-${mode}`,
    subscriptions: [PaSubtypes.ItaTest],
    notifyConnectionChange: () => undefined,
    receiveMessage: () => (mode === 'hang' ? new Promise<never>(() => undefined) : Promise.reject(new Error('boom'))),
    batchEnding: () => ({}),
    solicitRecommendation: () => new Promise<never>(() => undefined),
  };
}

describe('posture: failing IMVs', () => {
  for (const mode of ['hang', 'throw'] as const) {
    it(`an IMV that ${mode}s -> no recommendation for it, an event, and still a decision`, async () => {
      const events: PostureEvent[] = [];
      const service = new ImvPostureService({ policy: { imvs: {}, imvTimeoutMs: 30 }, imvs: [brokenImv(mode), new TestImv()], onEvent: (e) => events.push(e) });
      const s = service.createSession({ user: 'carol', via: 'moon', transport: 'pt-tls' });
      const t = decided(await s.onClientBatch(turn([testCommand('allow')])));
      assert.equal(t.accessRecommendation, AccessRecommendation.AccessAllowed);
      assert.deepEqual(s.decision()?.imvs.map((i) => [i.imv, i.recommendation, i.evaluation]), [
        [`broken-${mode}`, 'no-recommendation', 'error'],
        ['test', 'allow', 'compliant'],
      ]);
      const failed = events.find((e) => e.type === 'posture.imv-failed');
      assert.deepEqual(failed && [failed.imv, failed.call, failed.reason], [`broken-${mode}`, 'receive', mode === 'hang' ? 'timeout' : 'exception']);
      s.close();
    });
  }

  it('under policy all, the failed IMV makes it no recommendation, enforced as the policy says', async () => {
    const service = new ImvPostureService({ policy: { imvs: {}, imvTimeoutMs: 20, recommendationPolicy: 'all', noRecommendation: 'no-access' }, imvs: [brokenImv('hang'), new TestImv()] });
    const s = service.createSession({ user: 'carol', via: 'moon', transport: 'pt-eap' });
    const t = decided(await s.onClientBatch(turn([testCommand('allow')])));
    assert.equal(t.accessRecommendation, AccessRecommendation.AccessDenied);
    assert.deepEqual([s.decision()?.recommendation, s.decision()?.enforced, s.decision()?.group], ['no-recommendation', 'no-access', null]);
    s.close();
  });

  it('an IMV that never answers SolicitRecommendation: decided after the timeout', async () => {
    const silent: Imv = { ...brokenImv('hang'), name: 'silent', receiveMessage: () => ({}) };
    const s = new ImvPostureService({ policy: { imvs: {}, imvTimeoutMs: 20 }, imvs: [silent] }).createSession({ user: 'u', via: 'v', transport: 'pt-eap' });
    const t = decided(await s.onClientBatch(turn([testCommand('allow')])));
    assert.equal(t.assessmentResult, AssessmentResult.Error);
    assert.deepEqual([s.decision()?.recommendation, s.decision()?.group], ['no-recommendation', 'isolate']);
  });
});

describe('posture: PA-TNC errors and routing', () => {
  it('a NOSKIP attribute without codec -> PA-TNC Error back to that IMC, EXCL', async () => {
    const events: PostureEvent[] = [];
    const s = new ImvPostureService({ policy: { imvs: { test: {} } }, onEvent: (e) => events.push(e) }).createSession({ user: 'u', via: 'v', transport: 'pt-eap' });
    const unknown: PaTncAttribute = { name: 'unknown', flags: 0x80, vendorId: 0x00902a, type: 0x77, value: new Uint8Array(4) };
    const t = await s.onClientBatch(turn([pa(PaSubtypes.ItaTest, [unknown], 9)]));
    assert.equal(t.action, 'continue');
    const [m] = t.paMessages ?? [];
    assert.deepEqual([m?.collectorId, m?.validatorId, m?.exclusive, m?.paVendorId], [9, 1, true, 0x00902a]);
    const err = findAttribute(decodeMessage(m?.body ?? new Uint8Array(), registry).attributes, paTncError);
    assert.ok(err);
    assert.equal(events.find((e) => e.type === 'posture.pa-error')?.type, 'posture.pa-error');
    // The next (empty) client batch: nothing more to ask -> solicited, decided.
    const d = decided(await s.onClientBatch(turn([], 2)));
    assert.equal(d.accessRecommendation, AccessRecommendation.Quarantined);
    assert.equal(s.decision()?.recommendation, 'no-recommendation');
  });

  it('a message for no IMV is reported and skipped', async () => {
    const events: PostureEvent[] = [];
    const s = new ImvPostureService({ policy: { imvs: { test: {} } }, onEvent: (e) => events.push(e) }).createSession({ user: 'u', via: 'v', transport: 'pt-eap' });
    decided(await s.onClientBatch(turn([pa({ vendorId: 0, subtype: 9 }, [])])));
    assert.ok(events.some((e) => e.type === 'posture.unrouted'));
  });

  it('close() sends DELETE: the IMV forgets the connection', async () => {
    const imv = new TestImv();
    const s = new ImvPostureService({ policy: { imvs: {} }, imvs: [imv] }).createSession({ user: 'u', via: 'v', transport: 'pt-eap' });
    await s.onClientBatch(turn([testCommand('allow')]));
    s.close();
    await new Promise((r) => setImmediate(r));
    assert.throws(() => imv.solicitRecommendation(1));
  });
});

describe('posture: PB-PA packing within the limits', () => {
  it('splits an IMV\'s attributes over PA-TNC messages <= maxMessageSize, defers what exceeds the batch', async () => {
    const chatty: Imv = {
      name: 'chatty',
      subscriptions: [PaSubtypes.ItaTest],
      notifyConnectionChange: () => undefined,
      receiveMessage: () => ({ messages: [{ ...PaSubtypes.ItaTest, attributes: Array.from({ length: 12 }, () => makeAttribute(dummy, dummyOfSize(300))) }] }),
      batchEnding: () => ({}),
      solicitRecommendation: () => ({ recommendation: { recommendation: 0, evaluation: 0 } }),
    };
    const limits = pbTncLimits({ maxBatchSize: 2000, maxMessageSize: 1000 });
    const s = new ImvPostureService({ policy: { imvs: {} }, imvs: [chatty] }).createSession({ user: 'u', via: 'v', transport: 'pt-eap' });
    const sizes: number[] = [];
    let t = await s.onClientBatch(turn([testCommand('allow')], 1, limits));
    let round = 1;
    while (t.action === 'continue') {
      const batch = (t.paMessages ?? []).reduce((n, m) => n + 24 + m.body.length, 8);
      assert.ok(batch <= limits.maxBatchSize, `batch of ${batch}`);
      for (const m of t.paMessages ?? []) sizes.push(m.body.length);
      t = await s.onClientBatch(turn([], ++round, limits));
    }
    for (const m of t.paMessages ?? []) sizes.push(m.body.length);
    assert.ok(sizes.every((n) => n <= limits.maxMessageSize));
    assert.equal(sizes.reduce((n, b) => n + (b - 8) / 312, 0), 12, 'every attribute sent once');
    assert.ok(round >= 2);
    assert.equal(s.decision()?.recommendation, 'allow');
  });
});

describe('posture: fuzzed client', () => {
  it('property: any PB-PA bodies never make onClientBatch throw, and it decides within maxRounds', async () => {
    const subtype = fc.constantFrom(PaSubtypes.ItaTest, PaSubtypes.OperatingSystem, PaSubtypes.Firewall, { vendorId: 0, subtype: 2 });
    const message = fc.record({ subtype, body: fc.uint8Array({ maxLength: 64 }), excl: fc.boolean(), imv: fc.constantFrom(1, 2, 3, 0xffff) }).map(
      ({ subtype: st, body, excl, imv }): PbPaMessage => ({ kind: 'pa', exclusive: excl, paVendorId: st.vendorId, paSubtype: st.subtype, collectorId: 1, validatorId: imv, body: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 1, ...body) }),
    );
    const service = new ImvPostureService({ policy: { ...PASSING, maxRounds: 4 } });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(message, { maxLength: 4 }), { minLength: 4, maxLength: 4 }), async (batches) => {
        const s = service.createSession({ user: 'fuzz', via: 'v', transport: 'pt-eap' });
        let last: ServerTurn | undefined;
        for (const [i, b] of batches.entries()) {
          last = await s.onClientBatch(turn(b, i + 1));
          if (last.action === 'decide') break;
        }
        assert.equal(last?.action, 'decide');
        assert.ok(s.decision());
        s.close();
      }),
      { numRuns: 150 },
    );
  });
});
