/**
 * The policy model's pure parts: group resolution (explicit, product defaults, Default, parents),
 * enforcement selection (nearest group wins), maxAge skipping with an injected clock, onFail /
 * onNoResult mapping and merging, the flat `imvs` section as implicit policies, and a whole
 * assessment through ImvPostureService with a store (the skip means no package request).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  createStandardRegistry,
  deviceId,
  encodeMessage,
  findAttribute,
  decodeMessage,
  installedPackages,
  attributeRequest,
  makeAttribute,
  PaSubtypes,
  productInformation,
  stringVersion,
  type PaTncAttribute,
} from '../../imc-imv/index.js';
import { ActionRecommendation as R, EvaluationResult as E } from '../../imc-imv/imv/imv.js';
import { mapFinding, noResult, recommendationFromResults, type ImvWorkItem } from '../../imc-imv/imv/work-item.js';
import { DEFAULT_LIMITS, PbBatchType, type PbPaMessage, type ServerTurnInput } from '../../tnc/index.js';
import { globMatch, planChecks, resolveDeviceGroups, selectEnforcements } from '../posture/device-policy.js';
import { imvPolicies, resolvePolicyModel, type PolicyModelConfig } from '../posture/model.js';
import { ImvPostureService, type PostureEvent } from '../posture/index.js';
import { EmbeddedStore } from '../store/embedded-store.js';
import type { PolicyResultRecord } from '../store/store.js';

const MODEL: PolicyModelConfig = {
  deviceGroups: [
    { name: 'Linux' },
    { name: 'Debian', parent: 'Linux', defaultFor: ['Debian 12*', 'Debian 13*'] },
    { name: 'Ubuntu', parent: 'Linux', defaultFor: ['Ubuntu*'] },
    { name: 'Servers', parent: 'Debian' },
  ],
  devices: [{ id: 'srv-1', groups: ['Servers'] }],
  policies: [
    { name: 'no-telnet', type: 'packages-blacklist', argument: ['telnetd'], onFail: 'no-access' },
    { name: 'no-forwarding', type: 'forwarding-disabled' },
    { name: 'no-ssh', type: 'tcp-ports-blocked', argument: [22] as unknown as string[] },
  ],
  enforcements: [
    { policy: 'no-telnet', group: 'Linux', maxAge: 3600 },
    { policy: 'no-telnet', group: 'Servers', maxAge: 0, onFail: 'isolate' },
    { policy: 'no-forwarding', group: 'Debian' },
    { policy: 'no-ssh', group: 'Servers', onNoResult: 'isolate' },
  ],
};

const model = resolvePolicyModel(MODEL, []);

describe('posture model: device groups', () => {
  it('globs: * and ?, case-insensitive, anchored, regex characters literal', () => {
    assert.ok(globMatch('Debian 12*', 'debian 12 x86_64'));
    assert.ok(globMatch('Debian 1?', 'Debian 13'));
    assert.ok(!globMatch('Debian 12*', 'Ubuntu Debian 12'));
    assert.ok(globMatch('a.b+(c)', 'a.b+(c)'));
    assert.ok(!globMatch('a.b', 'axb'));
  });

  it('explicit membership, with every ancestor, nearest first', () => {
    assert.deepEqual(resolveDeviceGroups(model, 'srv-1', 'Ubuntu 22.04'), { groups: ['Servers', 'Debian', 'Linux'], how: 'explicit' });
  });

  it('product defaults when not assigned; Default when nothing matches', () => {
    assert.deepEqual(resolveDeviceGroups(model, 'x', 'Debian 12 x86_64'), { groups: ['Debian', 'Linux'], how: 'product' });
    assert.deepEqual(resolveDeviceGroups(model, 'x', 'Ubuntu 24.04'), { groups: ['Ubuntu', 'Linux'], how: 'product' });
    assert.deepEqual(resolveDeviceGroups(model, 'x', 'Windows 11'), { groups: ['Default'], how: 'default' });
    assert.deepEqual(resolveDeviceGroups(model, 'x', undefined), { groups: ['Default'], how: 'default' });
  });

  it('groups an administrator stored count as explicit; config devices win over them; unknown stored groups are ignored', () => {
    assert.deepEqual(resolveDeviceGroups(model, 'x', 'Debian 12', ['Servers']).groups, ['Servers', 'Debian', 'Linux']);
    assert.deepEqual(resolveDeviceGroups(model, 'srv-1', 'Debian 12', ['Ubuntu']).groups, ['Servers', 'Debian', 'Linux']);
    assert.deepEqual(resolveDeviceGroups(model, 'x', 'Debian 12', ['Gone']).groups, ['Debian', 'Linux']);
  });
});

describe('posture model: enforcements and maxAge', () => {
  it('per policy the enforcement of the nearest group, in policy order', () => {
    const servers = selectEnforcements(model, ['Servers', 'Debian', 'Linux']);
    assert.deepEqual(servers.map((e) => [e.policy.name, e.group, e.maxAge]), [
      ['no-telnet', 'Servers', 0],
      ['no-forwarding', 'Debian', 0],
      ['no-ssh', 'Servers', 0],
    ]);
    const ubuntu = selectEnforcements(model, ['Ubuntu', 'Linux']);
    assert.deepEqual(ubuntu.map((e) => [e.policy.name, e.group]), [['no-telnet', 'Linux']]);
    assert.deepEqual(selectEnforcements(model, ['Default']), []);
  });

  it("the enforcement's onFail / onNoResult replace the policy's", () => {
    const [telnet, , ssh] = planChecks(selectEnforcements(model, ['Servers', 'Debian', 'Linux']), [], 0);
    assert.equal(telnet?.item.onFail, R.Isolate);
    assert.equal(ssh?.item.onNoResult, R.Isolate);
    const [linuxTelnet] = planChecks(selectEnforcements(model, ['Linux']), [], 0);
    assert.equal(linuxTelnet?.item.onFail, R.NoAccess);
  });

  it('a pass younger than maxAge is skipped; older, failed or with maxAge 0 it is checked (injected clock)', () => {
    const linux = selectEnforcements(model, ['Ubuntu', 'Linux']);
    const pass = (at: number, outcome: PolicyResultRecord['outcome'] = 'pass'): PolicyResultRecord[] => [{ policy: 'no-telnet', outcome, recommendation: 'allow', at, session: 's' }];
    const now = 10_000_000;
    assert.deepEqual(planChecks(linux, pass(now - 3_599_000), now)[0]?.skipped, { passedAt: now - 3_599_000, maxAge: 3600 });
    assert.equal(planChecks(linux, pass(now - 3_600_000), now)[0]?.skipped, undefined);
    assert.equal(planChecks(linux, pass(now - 1000, 'fail'), now)[0]?.skipped, undefined);
    assert.equal(planChecks(linux, pass(now + 5000), now)[0]?.skipped, undefined, 'a result from the future is not trusted');
    const servers = selectEnforcements(model, ['Servers', 'Debian', 'Linux']);
    assert.equal(planChecks(servers, pass(now - 1000), now)[0]?.skipped, undefined, 'maxAge 0');
  });
});

describe('posture model: onFail / onNoResult mapping and merging', () => {
  const item = (o: Partial<ImvWorkItem> = {}): ImvWorkItem => ({ policy: 'p', type: 'forwarding-disabled', ...o }) as ImvWorkItem;
  const failMinor = { outcome: 'fail', recommendation: R.Isolate, evaluation: E.NonCompliantMinor, reason: 'bad', remediation: 'fix' } as const;

  it('natural recommendation when the item leaves it open; the override otherwise', () => {
    assert.equal(mapFinding(item(), failMinor).recommendation, R.Isolate);
    assert.equal(mapFinding(item({ onFail: R.NoAccess }), failMinor).recommendation, R.NoAccess);
    assert.equal(mapFinding(item({ onFail: R.Allow }), failMinor).evaluation, E.NonCompliantMinor, 'monitoring only: still non-compliant');
    assert.equal(mapFinding(item({ onNoResult: R.NoAccess }), noResult('x')).recommendation, R.NoAccess);
    assert.equal(mapFinding(item(), noResult('x')).recommendation, R.NoRecommendation);
    assert.equal(mapFinding(item({ remediation: 'operator text' }), failMinor).remediation, 'operator text');
    assert.equal(mapFinding(item({ onFail: R.NoAccess }), { outcome: 'pass', recommendation: R.Allow, evaluation: E.Compliant }).recommendation, R.Allow);
  });

  it('worst wins over the items; no opinion never wins; reasons joined', () => {
    const results = [
      mapFinding(item({ policy: 'a' }), failMinor),
      mapFinding(item({ policy: 'b', onFail: R.NoAccess }), { ...failMinor, reason: 'worse' }),
      mapFinding(item({ policy: 'c' }), noResult('silent')),
    ];
    const rec = recommendationFromResults(results, true);
    assert.equal(rec.recommendation, R.NoAccess);
    assert.equal(rec.evaluation, E.NonCompliantMinor);
    assert.equal(rec.reasons?.[0]?.reason, 'bad; worse; silent');
    assert.deepEqual(rec.remediation, [{ kind: 'string', text: 'fix', language: 'en' }]);
    assert.equal(recommendationFromResults([], true).recommendation, R.Allow);
    assert.equal(recommendationFromResults([mapFinding(item(), noResult('x'))], false).recommendation, R.NoRecommendation);
  });
});

describe('posture model: the flat imvs section', () => {
  it('becomes implicit policies enforced on Default with maxAge 0', () => {
    const flat = imvPolicies({ os: { blacklistedPackages: ['telnetd'], requireForwardingDisabled: true }, scanner: { blockedPorts: ['tcp/23', 'udp/69'], allowedPorts: ['tcp/22'] }, test: {} });
    const m = resolvePolicyModel({}, flat);
    assert.deepEqual(
      m.enforcements.map((e) => [e.policy.name, e.group, e.maxAge]),
      [
        ['os.requireForwardingDisabled', 'Default', 0],
        ['os.blacklistedPackages', 'Default', 0],
        ['scanner.blockedPorts.tcp', 'Default', 0],
        ['scanner.allowedPorts.tcp', 'Default', 0],
        ['scanner.blockedPorts.udp', 'Default', 0],
        ['scanner.allowedPorts.udp', 'Default', 0],
        ['test', 'Default', 0],
      ],
    );
    assert.deepEqual(m.policies.get('scanner.allowedPorts.udp')?.item, { policy: 'scanner.allowedPorts.udp', type: 'udp-ports-allowed', argument: [] });
  });

  it('model errors name the field', () => {
    assert.throws(() => resolvePolicyModel({ ...MODEL, enforcements: [...(MODEL.enforcements ?? []), { policy: 'no-telnt', group: 'Linux' }] }, []), /posture\.enforcements\.4\.policy: unknown policy 'no-telnt'/);
    assert.throws(() => resolvePolicyModel({ deviceGroups: [{ name: 'A', parent: 'B' }, { name: 'B', parent: 'A' }] }, []), /posture\.deviceGroups\.0\.parent: group 'A' is its own ancestor/);
    assert.throws(() => resolvePolicyModel({ policies: [{ name: 'p', type: 'tcp-ports-blocked', argument: ['ssh'] }] }, []), /posture\.policies\.0\.argument: tcp-ports-blocked needs ports/);
    assert.throws(() => resolvePolicyModel({ devices: [{ id: 'd', groups: ['Nope'] }] }, []), /posture\.devices\.0\.groups\.0: unknown group 'Nope'/);
  });
});

// ------------------------------------------------------------------ a whole assessment, with a store

const registry = createStandardRegistry();

function osMessage(device: string): PbPaMessage {
  const attributes: PaTncAttribute[] = [
    makeAttribute(productInformation, { productVendorId: 9586, productId: 0, productName: 'Debian' }),
    makeAttribute(stringVersion, { productVersion: '12 x86_64', buildNumber: '', configurationVersion: '' }),
    makeAttribute(deviceId, device),
  ];
  return { kind: 'pa', exclusive: false, paVendorId: 0, paSubtype: PaSubtypes.OperatingSystem.subtype, collectorId: 1, validatorId: 0xffff, body: encodeMessage({ identifier: 1, attributes }, registry) };
}

const turn = (paMessages: readonly PbPaMessage[]): ServerTurnInput => ({ batchType: PbBatchType.CDATA, retry: false, paMessages, languagePreference: 'en', roundTrip: 1, limits: DEFAULT_LIMITS });

/** The attribute types the server asked the IMC for in its reply. */
function requested(reply: { paMessages?: readonly PbPaMessage[] }): number[] {
  return (reply.paMessages ?? []).flatMap((m) => findAttribute(decodeMessage(m.body, registry).attributes, attributeRequest)?.value.map((a) => a.type) ?? []);
}

describe('posture model: an assessment skips a recent pass (store, injected clock)', () => {
  it('asks for Installed Packages (type 7) first; an hour later within maxAge 1 day it does not, and records the skip', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posture-model-'));
    const store = await EmbeddedStore.open({ dir, fsync: false });
    try {
      let clock = 1_700_000_000_000;
      const events: PostureEvent[] = [];
      const service = new ImvPostureService({
        policy: {
          imvs: {},
          deviceGroups: [{ name: 'Debian', defaultFor: ['Debian 12*'] }],
          policies: [{ name: 'no-telnet', type: 'packages-blacklist', argument: ['telnetd'] }],
          enforcements: [{ policy: 'no-telnet', group: 'Debian', maxAge: 86400 }],
        },
        store,
        now: () => clock,
        onEvent: (e) => events.push(e),
      });
      const first = service.createSession({ user: 'carol', via: 'moon', transport: 'pt-eap' });
      const r1 = await first.onClientBatch(turn([osMessage('dev-1')]));
      assert.equal(r1.action, 'continue');
      assert.ok(requested(r1).includes(7), 'Installed Packages requested');
      // The IMC answers with its (clean) package list.
      const pkgs = encodeMessage({ identifier: 2, attributes: [makeAttribute(installedPackages, { packages: [{ name: 'bash', version: '5.2' }] })] }, registry);
      const r2 = await first.onClientBatch({ ...turn([{ ...osMessage('dev-1'), body: pkgs }]), roundTrip: 2 });
      assert.equal(r2.action, 'decide');
      assert.equal(first.decision()?.recommendation, 'allow');
      assert.deepEqual(first.decision()?.device, { id: 'dev-1', idKind: 'device-id', product: 'Debian 12 x86_64', groups: ['Debian'] });
      first.close();

      clock += 3600_000;
      const second = service.createSession({ user: 'carol', via: 'moon', transport: 'pt-eap' });
      const r3 = await second.onClientBatch(turn([osMessage('dev-1')]));
      assert.ok(!requested(r3).includes(7), 'no Installed Packages request within maxAge');
      assert.equal(second.decision()?.recommendation, 'allow');
      assert.deepEqual(second.decision()?.reasons, ['no-telnet: passed 3600 s ago, within maxAge 86400 s: not checked again']);
      const dev = events.filter((e) => e.type === 'posture.device');
      assert.deepEqual(dev.map((e) => (e.type === 'posture.device' ? [e.checked, e.skipped, e.firstSeen] : [])), [
        [['no-telnet'], [], true],
        [[], ['no-telnet'], false],
      ]);
      const sessions = (await store.listSessions()).items;
      assert.equal(sessions.length, 2);
      assert.equal(sessions[0]?.policies[0]?.skipped?.passedAt, 1_700_000_000_000);

      clock += 86400_000;
      const third = service.createSession({ user: 'carol', via: 'moon', transport: 'pt-eap' });
      assert.ok(requested(await third.onClientBatch(turn([osMessage('dev-1')]))).includes(7), 'asked again after maxAge');
      third.close();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
