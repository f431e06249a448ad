/**
 * PB-TNC state machine (RFC 5793 section 3.2), as a pure function.
 *
 *              Receive CRETRY        SRETRY
 *                   or SRETRY   +----------------+
 *                        +--+   |                |
 *                        v  |   v                |
 *                       +---------+  CRETRY  +---------+
 *             CDATA     | Server  |<---------| Decided | CLOSE
 *          +----------->| Working |--------->|         |-------+
 *          |            +---------+  RESULT  +---------+       |
 *          |                ^ |  |                             v
 *          |                | |  +---------------------->=======
 *        ========           | |              CLOSE       " End "
 *        " Init "      CDATA| |SDATA                     =======
 *        ========           | |                          ^    ^
 *          |  |             | v                          |    |
 *          |  | SDATA   +---------+          CLOSE       |    |
 *          |  +-------->| Client  |----------------------+    |
 *          |            | Working |                           |
 *          |            +---------+                           |
 *          |                |  ^                              |
 *          |                +--+                              |
 *          |            Receive CRETRY                        |
 *          |   CLOSE                                          |
 *          +--------------------------------------------------+
 *
 * Both peers run the same machine: a batch moves both from one state to the next, whether they sent
 * or received it. The table below is the diagram as strongSwan's pb_tnc_state_machine.c implements
 * it (the reference we interoperate with):
 *
 *   state           batch -> next state
 *   Init            CDATA -> Server Working, SDATA -> Client Working, CLOSE -> End
 *   Server Working  SDATA, SRETRY -> Client Working; RESULT -> Decided; CRETRY -> Server Working;
 *                   CLOSE -> End
 *   Client Working  CDATA, CRETRY -> Server Working; CLOSE -> End
 *   Decided         CRETRY, SRETRY -> Server Working; CLOSE -> End
 *   End             CLOSE -> End
 *
 * plus who may send what (batch-type.ts): CDATA and CRETRY only the client, SDATA, RESULT and
 * SRETRY only the server, CLOSE either. strongSwan additionally lets its server *send* SRETRY in
 * Client Working but its client rejects receiving it there; we allow neither.
 *
 * Retries, read off the diagram: SRETRY (server) and CRETRY (client) lead from Decided to Server
 * Working, for both peers. The peer that receives the other's retry is then in Server Working too,
 * where the client may send only CRETRY (or CLOSE), never CDATA: so the client answers an SRETRY
 * with a CRETRY that carries its IMCs' new messages (what strongSwan's NEWS for 5.5.0 says: "a
 * CRETRY batch can immediately carry all messages usually transported by a CDATA batch"), and the
 * server answers that with SDATA or RESULT as usual. The server session sends SRETRY only in
 * Decided (PbTncServerSession.requestRetry); the Server Working -> Client Working SRETRY arrow is
 * strongSwan's reading, kept so that its server, if it ever sends one there, is understood.
 *
 * A received batch that is not allowed yields a fatal Unexpected Batch Type error (the state does
 * not change; the caller closes). A batch we are not allowed to send is a local bug
 * (PB_SEND_NOT_ALLOWED).
 */
import { PbErrorCode, PbTncError } from '../errors.js';
import { ALL_BATCH_TYPES, PbBatchType, type PbTncRole, batchTypeName, senderOf } from './batch-type.js';

export const PbTncState = {
  Init: 'init',
  ServerWorking: 'server-working',
  ClientWorking: 'client-working',
  Decided: 'decided',
  End: 'end',
} as const;
export type PbTncState = (typeof PbTncState)[keyof typeof PbTncState];

/** A batch we sent or received. */
export type PbTncEvent = { readonly sent: PbBatchType } | { readonly received: PbBatchType };

export interface PbTncTransition {
  readonly state: PbTncState;
  /** Set when the batch is not allowed; `state` is then the unchanged input state. */
  readonly error?: PbTncError;
}

const { Init, ServerWorking, ClientWorking, Decided, End } = PbTncState;
const { CDATA, SDATA, RESULT, CRETRY, SRETRY, CLOSE } = PbBatchType;

const NEXT: Readonly<Record<PbTncState, Partial<Record<PbBatchType, PbTncState>>>> = {
  [Init]: { [CDATA]: ServerWorking, [SDATA]: ClientWorking, [CLOSE]: End },
  [ServerWorking]: { [SDATA]: ClientWorking, [SRETRY]: ClientWorking, [RESULT]: Decided, [CRETRY]: ServerWorking, [CLOSE]: End },
  [ClientWorking]: { [CDATA]: ServerWorking, [CRETRY]: ServerWorking, [CLOSE]: End },
  [Decided]: { [CRETRY]: ServerWorking, [SRETRY]: ServerWorking, [CLOSE]: End },
  [End]: { [CLOSE]: End },
};

const STATE_NAMES: Readonly<Record<PbTncState, string>> = {
  [Init]: 'Init',
  [ServerWorking]: 'Server Working',
  [ClientWorking]: 'Client Working',
  [Decided]: 'Decided',
  [End]: 'End',
};

export function stateName(state: PbTncState): string {
  return STATE_NAMES[state];
}

const peer = (role: PbTncRole): PbTncRole => (role === 'client' ? 'server' : 'client');

/** The state after `event` for a peer in `role`, or the unchanged state and the error. */
export function transition(state: PbTncState, role: PbTncRole, event: PbTncEvent): PbTncTransition {
  const sent = 'sent' in event;
  const batchType = sent ? event.sent : event.received;
  const sender = sent ? role : peer(role);
  const mayBeSentBy = senderOf(batchType);
  const next = mayBeSentBy === 'either' || mayBeSentBy === sender ? NEXT[state][batchType] : undefined;
  if (next !== undefined) return { state: next };
  const what = `${batchTypeName(batchType)} from the ${sender} in state ${stateName(state)}`;
  const error = sent
    ? new PbTncError('PB_SEND_NOT_ALLOWED', PbErrorCode.LocalError, 0, `may not send ${what}`)
    : new PbTncError('PB_UNEXPECTED_BATCH_TYPE', PbErrorCode.UnexpectedBatchType, 0, `unexpected ${what}`);
  return { state, error };
}

/** The batch types a peer in `role` may send (or receive) in `state`. */
export function allowedBatchTypes(state: PbTncState, role: PbTncRole, direction: 'sent' | 'received'): PbBatchType[] {
  return ALL_BATCH_TYPES.filter((type) => {
    const event: PbTncEvent = direction === 'sent' ? { sent: type } : { received: type };
    return transition(state, role, event).error === undefined;
  });
}
