/**
 * Public surface of the EAP layer (server side for the RADIUS glue, peer side for tests, the
 * benchmark and the client command). Transport-free: EAP packets in, EAP packets out.
 */
export { EapDecodeError, isEapDecodeError, type EapDecodeErrorCode } from './errors.js';
export {
  EapCode,
  EapType,
  decodeEapPacket,
  encodeEapPacket,
  eapTypeName,
  type EapExpandedType,
  type EapPacket,
} from './packet.js';
export type { CredentialStore, Credentials, EapMethod, EapMethodFactory, MethodContext, MethodOutput, MethodResult } from './method.js';
export { EapAuthenticator, type AuthStep, type EapAuthenticatorOptions, type EapEvent, type MethodStage } from './authenticator.js';
export { defaultServerMethods, eapAuthenticatorFactory } from './server-methods.js';
export { md5ChallengeMethod, md5ChallengeResponse } from './md5-challenge.js';
export { ttlsMethod, type TtlsServerOptions } from './ttls/ttls-method.js';
export { ttlsPhase2, type InnerPolicyContext, type InnerStagesFactory, type TtlsPhase2Options } from './ttls/phase2.js';
export type { TunnelAppOutput, TunnelApplication, TunnelApplicationFactory, TunnelContext } from './ttls/tunnel-application.js';
export type { TlsClientConfig, TlsServerConfig, TlsVersion } from './ttls/tls-tunnel.js';
export type { Tls13KeyDerivation, TtlsKeys } from './ttls/keys.js';
export { EapPeer, type EapPeerOptions, type PeerStep } from './peer/eap-peer.js';
export { md5ChallengePeer } from './peer/md5-peer.js';
export { ttlsPeerMethod, type TtlsPeerOptions } from './peer/ttls-peer.js';
export type { PeerKeys, PeerMethod, PeerMethodFactory } from './peer/peer-method.js';
export {
  EAP_TNC,
  PT_EAP,
  POSTURE_ATTRIBUTE,
  PtEapDecodeError,
  TncReassembler,
  TncSender,
  decodeTncFrame,
  eapTncMethod,
  encodeTncFrame,
  isPtEapDecodeError,
  postureOf,
  ptEapMethod,
  tncMethodFactory,
  type PtEapDecodeErrorCode,
  type TncFrame,
  type TncServerOptions,
  type TncVariant,
} from './pt-eap/index.js';
export { eapTncPeer, peerSequence, ptEapPeer, TncPeer, type TncPeerOptions, type TncPeerResult } from './peer/pt-eap-peer.js';
