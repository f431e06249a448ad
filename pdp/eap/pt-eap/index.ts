/** PT-EAP (RFC 7171) and EAP-TNC: PB-TNC batches over an EAP method inside an EAP tunnel. */
export { PtEapDecodeError, isPtEapDecodeError, type PtEapDecodeErrorCode } from './errors.js';
export { EAP_TNC, EAP_TNC_MAX_FRAGMENT, PT_EAP, PT_EAP_MAX_DATA, type TncVariant } from './variant.js';
export { decodeTncFrame, encodeTncFrame, isEmptyFrame, startFrame, type TncDecodeOptions, type TncFrame, type TncFrameInit } from './flags.js';
export { TncReassembler, TncSender } from './fragment.js';
export { POSTURE_ATTRIBUTE, postureOf } from './result.js';
export { TncServerMethod, eapTncMethod, ptEapMethod, tncMethodFactory, type TncServerOptions } from './method.js';
