/**
 * The Test IMV (ITA PA subtype Test, 0x00902a/1), after strongSwan's
 * src/libimcv/plugins/imv_test/imv_test_agent.c and imv_test_state.c: the Test IMC sends an ITA
 * Command naming the recommendation it wants.
 *
 *   "allow"          -> allow,     compliant
 *   "isolate"        -> isolate,   non-compliant minor
 *   "block", "none"  -> no access, non-compliant major
 *   anything else    -> no recommendation, error ("unsupported ITA Command"; strongSwan's "retry"
 *                       asks for a handshake retry, which this server does not do)
 *
 * With `rounds` = n (strongSwan `libimcv.plugins.imv-test.rounds`, default 0) the IMV answers each
 * IMC's first n messages with Command "repeat" (EXCL, back to that IMC) before it decides; the
 * captures were made with rounds = 1. Deciding, it sends an IETF Assessment Result the same way.
 * Reason strings (for anything but allow) come in strongSwan's languages.
 *
 * The check is the work item test-command (work-item.ts): its onFail / onNoResult replace the
 * command's recommendation. Given no test-command item for a connection (setWorkItems with
 * others only), the IMV has nothing to check and allows once the IMC spoke.
 */
import { assessmentResult } from '../ietf/assessment-result.js';
import { command } from '../ita/command.js';
import { findAttribute, makeAttribute } from '../pa-tnc/attribute.js';
import {
  ActionRecommendation,
  ConnectionState,
  EvaluationResult,
  ImvStates,
  PaSubtypes,
  type Imv,
  type ImvConnectionInfo,
  type ImvMessage,
  type ImvOutput,
  type ImvRecommendation,
  type ImvSolicitedOutput,
  type ReasonString,
} from './imv.js';
import { mapFinding, noResult, remediationAttributes, type ImvWorkItem, type WorkFinding, type WorkType } from './work-item.js';

export interface TestImvOptions {
  /** "repeat" rounds per IMC before deciding (default 0). */
  readonly rounds?: number;
}

const REASONS: readonly ReasonString[] = [
  { language: 'en', reason: 'IMC Test was not configured with "command = allow"' },
  { language: 'de', reason: 'IMC Test wurde nicht mit "command = allow" konfiguriert' },
  { language: 'fr', reason: 'IMC Test n\'etait pas configuré avec "command = allow"' },
  { language: 'pl', reason: 'IMC Test nie zostało skonfigurowany z "command = allow"' },
];

const NONE: ImvRecommendation = { recommendation: ActionRecommendation.NoRecommendation, evaluation: EvaluationResult.DontKnow };

interface TestState {
  readonly imcRounds: Map<number, number>;
  recommendation: ImvRecommendation;
  items?: readonly ImvWorkItem[];
}

export const TEST_WORK_TYPES: readonly WorkType[] = ['test-command'];
const DEFAULT_ITEMS: readonly ImvWorkItem[] = [{ policy: 'test', type: 'test-command' }];
const ALLOW: ImvRecommendation = { recommendation: ActionRecommendation.Allow, evaluation: EvaluationResult.Compliant };

/** The command's recommendation, with the item's onFail / onNoResult applied and its result. */
function checkCommand(item: ImvWorkItem, cmd: string | undefined): ImvRecommendation {
  if (cmd === undefined) {
    const r = mapFinding(item, noResult('the Test IMC sent no command'));
    return { recommendation: r.recommendation, evaluation: r.evaluation, results: [r] };
  }
  const own = testCommandRecommendation(cmd);
  const outcome = own.recommendation === ActionRecommendation.Allow ? 'pass' : own.recommendation === ActionRecommendation.NoRecommendation ? 'no-result' : 'fail';
  const finding: WorkFinding = { outcome, recommendation: own.recommendation, evaluation: own.evaluation, reason: own.reasons?.[0]?.reason ?? `command '${cmd}'` };
  const r = mapFinding(item, outcome === 'pass' ? { ...finding, reason: `command '${cmd}'` } : finding);
  return {
    ...own,
    recommendation: r.recommendation,
    evaluation: r.evaluation,
    ...(r.remediation !== undefined ? { remediation: [{ kind: 'string', text: r.remediation, language: 'en' }] } : {}),
    results: [r],
  };
}

/** The recommendation a Test IMC command asks for. */
export function testCommandRecommendation(cmd: string): ImvRecommendation {
  switch (cmd) {
    case 'allow':
      return { recommendation: ActionRecommendation.Allow, evaluation: EvaluationResult.Compliant };
    case 'isolate':
      return { recommendation: ActionRecommendation.Isolate, evaluation: EvaluationResult.NonCompliantMinor, reasons: REASONS };
    case 'block':
    case 'none':
      return { recommendation: ActionRecommendation.NoAccess, evaluation: EvaluationResult.NonCompliantMajor, reasons: REASONS };
    default:
      return {
        recommendation: ActionRecommendation.NoRecommendation,
        evaluation: EvaluationResult.Error,
        reasons: [{ language: 'en', reason: `unsupported ITA Command '${cmd.slice(0, 64)}'` }],
      };
  }
}

export class TestImv implements Imv {
  readonly name = 'test';
  readonly subscriptions = [PaSubtypes.ItaTest];
  readonly workTypes = TEST_WORK_TYPES;
  readonly #rounds: number;
  readonly #states = new ImvStates<TestState>();

  constructor(options: TestImvOptions = {}) {
    this.#rounds = Math.max(0, Math.trunc(options.rounds ?? 0));
  }

  setWorkItems(connectionId: number, items: readonly ImvWorkItem[]): void {
    this.#states.get(connectionId).items = items.filter((i) => TEST_WORK_TYPES.includes(i.type));
  }

  #decide(s: TestState, cmd: string): ImvRecommendation {
    const item = (s.items ?? DEFAULT_ITEMS)[0];
    return item ? checkCommand(item, cmd) : ALLOW;
  }

  notifyConnectionChange(connection: ImvConnectionInfo, state: ConnectionState): void {
    if (state === ConnectionState.Create) this.#states.create(connection.id, { imcRounds: new Map(), recommendation: NONE });
    else if (state === ConnectionState.Delete) this.#states.delete(connection.id);
    else if (state === ConnectionState.Handshake) {
      const s = this.#states.get(connection.id);
      s.recommendation = NONE;
    }
  }

  receiveMessage(connectionId: number, message: ImvMessage): ImvOutput {
    const s = this.#states.get(connectionId);
    const imc = message.collectorId;
    if (!s.imcRounds.has(imc)) s.imcRounds.set(imc, this.#rounds);
    const cmd = findAttribute(message.attributes, command)?.value;
    if (cmd !== undefined) s.recommendation = this.#decide(s, cmd);

    // strongSwan's another_round: any IMC with rounds left means another round; this IMC's count drops.
    const anotherRound = [...s.imcRounds.values()].some((n) => n > 0);
    s.imcRounds.set(imc, (s.imcRounds.get(imc) ?? 0) - 1);
    const reply = { ...PaSubtypes.ItaTest, imcId: imc, exclusive: true };
    if (anotherRound) return { messages: [{ ...reply, attributes: [makeAttribute(command, 'repeat')] }] };
    if (cmd === undefined) return {};
    return {
      messages: [{ ...reply, attributes: [makeAttribute(assessmentResult, s.recommendation.evaluation), ...remediationAttributes(s.recommendation)] }],
      recommendation: s.recommendation,
    };
  }

  batchEnding(): ImvOutput {
    return {};
  }

  solicitRecommendation(connectionId: number): ImvSolicitedOutput {
    const s = this.#states.get(connectionId);
    const item = (s.items ?? DEFAULT_ITEMS)[0];
    // No command came: the item's onNoResult when the operator set one, else no recommendation.
    if (s.recommendation === NONE && item?.onNoResult !== undefined) return { recommendation: checkCommand(item, undefined) };
    return { recommendation: s.recommendation };
  }
}
