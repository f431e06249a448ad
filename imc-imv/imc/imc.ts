/**
 * The IMC plugin interface: the roles of TCG IF-IMC 1.3 (TNC_IMC_NotifyConnectionChange,
 * TNC_IMC_BeginHandshake, TNC_IMC_ReceiveMessageLong, TNC_IMC_BatchEnding) as a typed
 * TypeScript interface, the mirror of ../imv/imv.ts and after strongSwan's
 * src/libimcv/imc/imc_agent.h.
 *
 *   manager (TNCC)                              IMC (one instance, many connections)
 *     notifyConnectionChange(c, CREATE)    ->     creates its per-connection state
 *     notifyConnectionChange(c, HANDSHAKE) ->
 *     beginHandshake(c)                    ->     <- { messages }   (the first CDATA)
 *     receiveMessage(c, message)           ->     <- { messages }   (answers, next CDATA)
 *     batchEnding(c)                       ->     <- { messages }
 *     notifyConnectionChange(c, ACCESS_*)  ->     the final outcome
 *     notifyConnectionChange(c, DELETE)    ->     drops the state
 *
 * Instead of calling TNC_TNCC_SendMessage, an IMC returns the attributes it wants sent; the
 * manager wraps them in PA-TNC messages and PB-PA messages of the next batch. IMCs read the host
 * through an injected HostSource (host-source.ts), never directly, so tests give fixed data.
 */
import type { PaTncAttribute } from '../pa-tnc/attribute.js';
import type { ConnectionState, PaSubtype } from '../imv/imv.js';
import { ConnectionStates } from '../connection-states.js';

/** What the manager tells an IMC about a connection when it is created. */
export interface ImcConnectionInfo {
  readonly id: number;
  /** This IMC's identifier on the connection (the PB-PA Posture Collector Identifier). */
  readonly imcId: number;
}

/** One received PA-TNC message, decoded, as delivered to an IMC. */
export interface ImcMessage extends PaSubtype {
  readonly collectorId: number;
  readonly validatorId: number;
  readonly exclusive: boolean;
  readonly identifier: number;
  readonly attributes: readonly PaTncAttribute[];
}

/** Attributes an IMC wants sent in one PA-TNC message. */
export interface ImcOutgoing extends PaSubtype {
  /** The IMV to address (PB-PA Posture Validator Identifier); IMV_ID_ANY when omitted. */
  readonly imvId?: number;
  /** The PB-PA EXCL flag: deliver to `imvId` only. */
  readonly exclusive?: boolean;
  readonly attributes: readonly PaTncAttribute[];
}

export interface ImcOutput {
  readonly messages?: readonly ImcOutgoing[];
}

type MaybePromise<T> = T | Promise<T>;

/** A collector. One instance serves every connection; state is keyed by connection id. */
export interface Imc {
  /** Stable name for logs and events ("os", "scanner", "test"). */
  readonly name: string;
  /** The PA message types delivered to it (TNC_TNCC_ReportMessageTypesLong). */
  readonly subscriptions: readonly PaSubtype[];
  notifyConnectionChange(connection: ImcConnectionInfo, state: ConnectionState): MaybePromise<void>;
  /** The attributes of the first batch. */
  beginHandshake(connectionId: number): MaybePromise<ImcOutput>;
  receiveMessage(connectionId: number, message: ImcMessage): MaybePromise<ImcOutput>;
  batchEnding(connectionId: number): MaybePromise<ImcOutput>;
}

/** Posture Validator Identifier "any" (TNC_IMVID_ANY). */
export const IMV_ID_ANY = 0xffff;

/** Per-connection state table of an IMC, bounded. */
export class ImcStates<S> extends ConnectionStates<S> {
  constructor(maxConnections = 1024) {
    super(maxConnections);
  }
}
