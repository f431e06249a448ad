/** EAP relayed to RADIUS servers (strongSwan's eap-radius): the PEP's side of REFERENCE-SCENARIO step 2. */
export { RadiusServerPool, RadiusRelayError, serverLabel } from './server-pool.js';
export type { RadiusServerConfig, ServerPoolOptions, PoolReply } from './server-pool.js';
export { EapRadiusSession, EapCode, EAP_TYPE_IDENTITY, eapTypeName } from './eap-radius.js';
export type { EapRadiusSessionOptions, EapRelayResult, HostPort, RelayLogger } from './eap-radius.js';
export { acceptAttributes, mskFromAccept, TUNNEL_TYPE_ESP } from './access-accept.js';
export type { AcceptAttributes } from './access-accept.js';
