/**
 * Posture-assessment load: one full assessment per operation with our tnc-client library
 * (pdp/tnc-client ImcManager + PT-EAP client, RADIUS as client.ts does it: NAS and supplicant, EAP-TTLS with inner
 * EAP-MD5 then PT-EAP carrying PB-TNC) and our OS and Scanner IMCs reading the virtual device of
 * the user (bench/tnc/devices.ts: own Device ID, fixed posture, ~19 KB package list).
 *
 * Success = the decision the policy gives that device, seen twice: the PB-Access-Recommendation of
 * the RESULT batch and the RADIUS reply (Access-Accept with Filter-Id allow / isolate). A wrong
 * decision, an Access-Reject or any protocol error is a failure with its reason; the decisions of
 * the successful ones are counted per kind, so a run that "succeeds" without assessing shows.
 */
import { OsImc, ScannerImc, createStandardRegistry } from '../../imc-imv/index.js';
import { AccessRecommendation } from '../../tnc/index.js';
import { TncClientError, runTncClient, type TncClientResult } from '../../pdp/tnc-client/client.js';
import { ImcManager } from '../../pdp/tnc-client/imc-manager.js';
import { deviceIdOf, deviceSource, expectedDecision, type Decision, type DeviceFiles } from '../tnc/devices.js';
import type { BenchUser } from '../users.js';
import type { OpOutcome } from './closed-loop.js';

export interface TncLoadOptions {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  readonly caPem: string;
  readonly serverName: string;
  readonly timeoutMs: number;
  readonly machine: string;
}

export interface TncOperation {
  readonly op: (user: number) => Promise<OpOutcome>;
  /** Decisions of the successful assessments ('allow', 'isolate'). */
  readonly decisions: Record<string, number>;
}

function decisionOf(recommendation: AccessRecommendation | undefined): string {
  if (recommendation === AccessRecommendation.AccessAllowed) return 'allow';
  if (recommendation === AccessRecommendation.Quarantined) return 'isolate';
  if (recommendation === AccessRecommendation.AccessDenied) return 'no-access';
  return 'none';
}

export function tncOperation(users: readonly BenchUser[], files: DeviceFiles, o: TncLoadOptions): TncOperation {
  const registry = createStandardRegistry();
  const decisions: Record<string, number> = {};
  const op = async (index: number): Promise<OpOutcome> => {
    const user = users[index] as BenchUser;
    const source = deviceSource(index, files, o.machine);
    const manager = new ImcManager({ imcs: [new OsImc({ deviceId: deviceIdOf(index) }, { source, registry }), new ScannerImc({ source })], registry });
    let roundTrips = 0;
    try {
      const r = await assess(o, user, manager, (n) => (roundTrips = n));
      const expected: Decision = expectedDecision(index);
      const pb = decisionOf(r.outcome.accessRecommendation);
      if (pb !== expected) return { kind: 'failed', reason: `device ${index % 6}: expected ${expected}, PB-TNC said ${pb}`, roundTrips };
      if (!r.radius?.accepted) return { kind: 'failed', reason: `PB-TNC ${pb} but Access-Reject`, roundTrips };
      if (r.radius.filterId !== expected) return { kind: 'failed', reason: `PB-TNC ${pb} but Filter-Id ${r.radius.filterId ?? 'absent'}`, roundTrips };
      decisions[expected] = (decisions[expected] ?? 0) + 1;
      return { kind: 'ok', roundTrips };
    } catch (e) {
      if (e instanceof TncClientError && e.code === 'TIMEOUT') return { kind: 'timeout', roundTrips };
      const message = (e as Error).message.replaceAll(user.name, 'USER');
      const reason = e instanceof TncClientError ? `${e.code}: ${message}` : `exception: ${message}`;
      return { kind: 'failed', reason: reason.slice(0, 160), roundTrips };
    }
  };
  return { op, decisions };
}

/** One assessment through pdp/tnc-client, as NAS and supplicant, with the user's own outer identity. */
function assess(o: TncLoadOptions, user: BenchUser, manager: ImcManager, rounds: (n: number) => void): Promise<TncClientResult> {
  return runTncClient(
    {
      transport: { kind: 'radius', host: o.host, port: o.port, secret: o.secret },
      user: user.name,
      password: user.password,
      ca: o.caPem,
      serverName: o.serverName,
      timeoutMs: o.timeoutMs,
      // strongSwan's tnc-pdp keys RADIUS conversations by User-Name: concurrent assessments all
      // named 'anonymous' would be mixed up there. A real NAS (eap-radius) sends the user's identity.
      outerIdentity: user.name,
      onRoundTrip: rounds,
    },
    manager,
  );
}
