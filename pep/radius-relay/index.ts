/** EAP relayed to RADIUS servers (strongSwan's eap-radius): the PEP's side of REFERENCE-SCENARIO step 2. */
export { RadiusServerPool, RadiusRelayError, serverLabel } from './server-pool.js';
export type { RadiusServerConfig, ServerPoolOptions, PoolReply } from './server-pool.js';
export { EapRadiusSession, EapCode, EAP_TYPE_IDENTITY, eapTypeName } from './eap-radius.js';
export type { EapRadiusSessionOptions, EapRelayResult, HostPort, RelayLogger } from './eap-radius.js';
export { acceptAttributes, mskFromAccept, TUNNEL_TYPE_ESP } from './access-accept.js';
export type { AcceptAttributes } from './access-accept.js';
export { RadiusAccounting, AcctStatusType, AcctTerminateCause } from './accounting.js';
export type { AccountingCounters, AccountingSessionInfo, RadiusAccountingOptions } from './accounting.js';
export { DaeServer, DAE_PORT } from './dae-server.js';
export type { DaeClient, DaeOutcome, DaeServerOptions } from './dae-server.js';
export { decideDae, DaeErrorCause } from './dynamic-authorization.js';
export type { DaeAction, DaeContext, DaeDecision, DaeSession } from './dynamic-authorization.js';
