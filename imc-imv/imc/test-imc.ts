/**
 * The Test IMC (ITA PA subtype Test, 0x00902a/1), after strongSwan's
 * src/libimcv/plugins/imc_test/imc_test_agent.c: sends an ITA Command naming the recommendation
 * it wants ("allow", "isolate", "block", "none"); when the Test IMV answers Command "repeat" it
 * sends its command again (EXCL, back to that IMV).
 */
import { command } from '../ita/command.js';
import { findAttribute, makeAttribute } from '../pa-tnc/attribute.js';
import { ConnectionState, PaSubtypes } from '../imv/imv.js';
import { ImcStates, type Imc, type ImcConnectionInfo, type ImcMessage, type ImcOutput } from './imc.js';

export interface TestImcOptions {
  /** strongSwan's libimcv.plugins.imc-test.command (default "none"). */
  readonly command?: string;
}

export class TestImc implements Imc {
  readonly name = 'test';
  readonly subscriptions = [PaSubtypes.ItaTest];
  readonly #command: string;
  readonly #states = new ImcStates<{ repeats: number }>();

  constructor(options: TestImcOptions = {}) {
    this.#command = options.command ?? 'none';
  }

  notifyConnectionChange(connection: ImcConnectionInfo, state: ConnectionState): void {
    if (state === ConnectionState.Create) this.#states.set(connection.id, { repeats: 0 });
    else if (state === ConnectionState.Delete) this.#states.delete(connection.id);
  }

  beginHandshake(connectionId: number): ImcOutput {
    this.#states.get(connectionId);
    return { messages: [{ ...PaSubtypes.ItaTest, attributes: [makeAttribute(command, this.#command)] }] };
  }

  receiveMessage(connectionId: number, message: ImcMessage): ImcOutput {
    const s = this.#states.get(connectionId);
    if (findAttribute(message.attributes, command)?.value !== 'repeat') return {};
    s.repeats++;
    return { messages: [{ ...PaSubtypes.ItaTest, imvId: message.validatorId, exclusive: true, attributes: [makeAttribute(command, this.#command)] }] };
  }

  batchEnding(): ImcOutput {
    return {};
  }
}
