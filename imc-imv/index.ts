/**
 * Public API of the PA-TNC library (RFC 5792, TCG IF-M Segmentation, strongSwan's ITA
 * attributes). Codec only: no sockets, no PB-TNC (that is tnc/).
 *
 *   const registry = createStandardRegistry();
 *   const r = processMessage(paTncOctets, registry);
 *   if (!r.ok) { if (r.reply) send([r.reply]); return; }
 *   const product = findAttribute(r.message.attributes, productInformation)?.value;
 *   send(encodeMessage({ identifier, attributes: [makeAttribute(assessmentResult, AssessmentResultCode.Compliant)] }, registry));
 */
export { PaErrorCode, PaTncEncodeError, PaTncError } from './errors.js';
export type { AttributeTypeInfo, PaErrorCodeValue, PaTncEncodeErrorCode, PaTncErrorCode, PaTncErrorOptions } from './errors.js';

export { Pen, RESERVED_ATTRIBUTE_TYPE, RESERVED_VENDOR_ID, vendorName } from './pa-tnc/vendors.js';
export {
  ATTRIBUTE_HEADER_LENGTH,
  ATTRIBUTE_LENGTH_FIELD_OFFSET,
  AttributeFlag,
  attributeBytes,
  isNoskip,
  readAttributeHeader,
  writeAttributeHeader,
} from './pa-tnc/attribute-header.js';
export type { AttributeHeader, ReadHeaderOptions } from './pa-tnc/attribute-header.js';
export {
  UNKNOWN,
  attributeIsNoskip,
  defineAttribute,
  findAttribute,
  findAttributes,
  isAttribute,
  isUnknownAttribute,
  makeAttribute,
  makeUnknownAttribute,
} from './pa-tnc/attribute.js';
export type { AttributeCodec, AttributeOptions, PaTncAttribute, UnknownAttribute } from './pa-tnc/attribute.js';
export { FieldReader, FieldWriter, decodeUtf8, encodeUtf8 } from './pa-tnc/fields.js';
export type { StringOptions } from './pa-tnc/fields.js';
export { AttributeRegistry } from './pa-tnc/registry.js';
export {
  MESSAGE_HEADER_LENGTH,
  PA_TNC_VERSION,
  decodeMessage,
  decodeMessageHeader,
  encodeMessage,
  processMessage,
} from './pa-tnc/message.js';
export type { PaTncMessage, PaTncMessageHeader, PaTncMessageInput, ProcessResult } from './pa-tnc/message.js';

export { testing } from './ietf/testing.js';
export { attributeRequest } from './ietf/attribute-request.js';
export type { RequestedAttribute } from './ietf/attribute-request.js';
export { productInformation } from './ietf/product-information.js';
export type { ProductInformation } from './ietf/product-information.js';
export { numericVersion } from './ietf/numeric-version.js';
export type { NumericVersion } from './ietf/numeric-version.js';
export { stringVersion } from './ietf/string-version.js';
export type { StringVersion } from './ietf/string-version.js';
export { OperationalResult, OperationalStatusCode, operationalStatus } from './ietf/operational-status.js';
export type { OperationalStatus } from './ietf/operational-status.js';
export { portFilter } from './ietf/port-filter.js';
export type { PortFilterEntry } from './ietf/port-filter.js';
export { installedPackages } from './ietf/installed-packages.js';
export type { InstalledPackage, InstalledPackages } from './ietf/installed-packages.js';
export { MESSAGE_HEADER_COPY_LENGTH, SUPPORTED_PA_TNC_VERSION, paTncError, paTncErrorFor } from './ietf/pa-tnc-error.js';
export type { PaTncErrorInformation, PaTncErrorValue } from './ietf/pa-tnc-error.js';
export { AssessmentResultCode, assessmentResult } from './ietf/assessment-result.js';
export { RemediationParametersType, remediationInstructions } from './ietf/remediation-instructions.js';
export type { RemediationInstructions, RemediationParameters } from './ietf/remediation-instructions.js';
export { ForwardingStatus, forwardingEnabled } from './ietf/forwarding-enabled.js';
export { FactoryDefaultPassword, factoryDefaultPasswordEnabled } from './ietf/factory-default-password-enabled.js';

export { command } from './ita/command.js';
export { dummy, dummyOfSize } from './ita/dummy.js';
export { getSettings } from './ita/get-settings.js';
export { settings } from './ita/settings.js';
export type { Setting } from './ita/settings.js';
export { startAngel, stopAngel } from './ita/angel.js';
export type { EmptyValue } from './ita/angel.js';
export { deviceId } from './ita/device-id.js';

export { segmentationContractRequest, segmentationContractResponse } from './tcg/segmentation-contract.js';
export type { SegmentationContractValue } from './tcg/segmentation-contract.js';
export { SEGMENT_ENVELOPE_HEADER_LENGTH, SegmentFlag, hasMoreSegments, isFirstSegment, segmentEnvelope } from './tcg/segment-envelope.js';
export type { SegmentEnvelope } from './tcg/segment-envelope.js';
export { NextSegmentFlag, cancelSegmentation, isCancel, nextSegment, requestNextSegment } from './tcg/next-segment.js';
export type { NextSegment } from './tcg/next-segment.js';

export {
  NO_MESSAGE_SIZE_LIMIT,
  NO_SEGMENTATION,
  NULL_CONTRACT,
  Reassembler,
  SegmentSender,
  checkAttributeSize,
  isNullContract,
  reassemblyErrorReply,
  segmentedErrorHeader,
  splitAttribute,
} from './segmentation/contract.js';
export type { ReassemblerOptions, ReassemblyResult, SegmentSenderOptions, SegmentationContract } from './segmentation/contract.js';

export {
  IETF_ATTRIBUTES,
  ITA_ATTRIBUTES,
  STANDARD_ATTRIBUTES,
  TCG_ATTRIBUTES,
  createStandardRegistry,
} from './standard-attributes.js';
export type { StandardAttribute } from './standard-attributes.js';

export {
  ActionRecommendation,
  ConnectionState,
  EvaluationResult,
  IMC_ID_ANY,
  ImvStates,
  PaSubtypes,
  evaluationName,
  pickReason,
  recommendationFromName,
  recommendationName,
} from './imv/imv.js';
export type {
  EvaluationName,
  Imv,
  ImvConnectionInfo,
  ImvMessage,
  ImvOutgoing,
  ImvOutput,
  ImvRecommendation,
  ImvRemediation,
  ImvSolicitedOutput,
  PaSubtype,
  ReasonString,
  RecommendationName,
} from './imv/imv.js';
export { RECOMMENDATION_POLICIES, mergeRecommendations } from './imv/merge.js';
export type { RecommendationEntry, RecommendationPolicy } from './imv/merge.js';
export { compareDebianVersions, parseDebianVersion } from './imv/dpkg-version.js';
export type { DebianVersion } from './imv/dpkg-version.js';
export { expandSegments } from './imv/segments.js';
export type { ExpandedSegments } from './imv/segments.js';
export { TestImv, testCommandRecommendation } from './imv/test-imv.js';
export type { TestImvOptions } from './imv/test-imv.js';
export { OsImv, STRONGSWAN_MAX_SEGMENT_SIZE } from './imv/os-imv.js';
export type { OsImvDependencies, OsImvOptions, OsProductPolicy } from './imv/os-imv.js';
export { ScannerImv, parsePortSpec, portName } from './imv/scanner-imv.js';
export type { PortRange, ScannerImvOptions } from './imv/scanner-imv.js';

export {
  DEFAULT_PATHS,
  IMV_ID_ANY,
  IPPROTO_TCP,
  IPPROTO_UDP,
  ImcStates,
  MAX_PACKAGES,
  OsImc,
  PROC_NET_FILES,
  ScannerImc,
  TestImc,
  fixedHostSource,
  isLoopbackHex,
  linuxHostSource,
  numericFrom,
  osInfoFrom,
  parseDpkgStatus,
  parseOsRelease,
  parseProcNet,
  uniquePorts,
} from './imc/index.js';
export type { HostSource, Imc, ImcConnectionInfo, ImcMessage, ImcOutgoing, ImcOutput, OsImcDependencies, OsImcOptions, TestImcOptions } from './imc/index.js';
export { WORK_TYPES, hasWork, mapFinding, noResult, recommendationFromResults, remediationAttributes } from './imv/work-item.js';
export type { ImvWorkItem, ImvWorkResult, WorkCheck, WorkFinding, WorkOutcome, WorkType } from './imv/work-item.js';
