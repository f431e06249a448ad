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
  readonly #rounds: number;
  readonly #states = new ImvStates<TestState>();

  constructor(options: TestImvOptions = {}) {
    this.#rounds = Math.max(0, Math.trunc(options.rounds ?? 0));
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
    if (cmd !== undefined) s.recommendation = testCommandRecommendation(cmd);

    // strongSwan's another_round: any IMC with rounds left means another round; this IMC's count drops.
    const anotherRound = [...s.imcRounds.values()].some((n) => n > 0);
    s.imcRounds.set(imc, (s.imcRounds.get(imc) ?? 0) - 1);
    const reply = { ...PaSubtypes.ItaTest, imcId: imc, exclusive: true };
    if (anotherRound) return { messages: [{ ...reply, attributes: [makeAttribute(command, 'repeat')] }] };
    if (cmd === undefined) return {};
    return {
      messages: [{ ...reply, attributes: [makeAttribute(assessmentResult, s.recommendation.evaluation)] }],
      recommendation: s.recommendation,
    };
  }

  batchEnding(): ImvOutput {
    return {};
  }

  solicitRecommendation(connectionId: number): ImvSolicitedOutput {
    return { recommendation: this.#states.get(connectionId).recommendation };
  }
}
