/**
 * Every attribute codec of this library, and a registry holding them. Callers build their own
 * registry (`createStandardRegistry()`, then `register` their vendor's codecs): there is no
 * process-wide registry.
 *
 *   IETF (RFC 5792 s4.2.x)  0 Testing, 1 Attribute Request, 2 Product Information,
 *                           3 Numeric Version, 4 String Version, 5 Operational Status,
 *                           6 Port Filter, 7 Installed Packages, 8 PA-TNC Error,
 *                           9 Assessment Result, 10 Remediation Instructions,
 *                           11 Forwarding Enabled, 12 Factory Default Password Enabled
 *   TCG (IF-M Segmentation) 0x21 Segmentation Contract Request, 0x22 ... Response,
 *                           0x23 Segment Envelope, 0x24 Next Segment
 *   ITA (strongSwan)        1 Command, 2 Dummy, 3 Get Settings, 4 Settings, 5 Start Angel,
 *                           6 Stop Angel, 8 Device ID
 */
import { assessmentResult } from './ietf/assessment-result.js';
import { attributeRequest } from './ietf/attribute-request.js';
import { factoryDefaultPasswordEnabled } from './ietf/factory-default-password-enabled.js';
import { forwardingEnabled } from './ietf/forwarding-enabled.js';
import { installedPackages } from './ietf/installed-packages.js';
import { numericVersion } from './ietf/numeric-version.js';
import { operationalStatus } from './ietf/operational-status.js';
import { paTncError } from './ietf/pa-tnc-error.js';
import { portFilter } from './ietf/port-filter.js';
import { productInformation } from './ietf/product-information.js';
import { remediationInstructions } from './ietf/remediation-instructions.js';
import { stringVersion } from './ietf/string-version.js';
import { testing } from './ietf/testing.js';
import { startAngel, stopAngel } from './ita/angel.js';
import { command } from './ita/command.js';
import { deviceId } from './ita/device-id.js';
import { dummy } from './ita/dummy.js';
import { getSettings } from './ita/get-settings.js';
import { settings } from './ita/settings.js';
import type { AttributeCodec, PaTncAttribute } from './pa-tnc/attribute.js';
import { AttributeRegistry } from './pa-tnc/registry.js';
import { nextSegment } from './tcg/next-segment.js';
import { segmentEnvelope } from './tcg/segment-envelope.js';
import { segmentationContractRequest, segmentationContractResponse } from './tcg/segmentation-contract.js';

export const IETF_ATTRIBUTES = [
  testing,
  attributeRequest,
  productInformation,
  numericVersion,
  stringVersion,
  operationalStatus,
  portFilter,
  installedPackages,
  paTncError,
  assessmentResult,
  remediationInstructions,
  forwardingEnabled,
  factoryDefaultPasswordEnabled,
] as const;

export const TCG_ATTRIBUTES = [segmentationContractRequest, segmentationContractResponse, segmentEnvelope, nextSegment] as const;

export const ITA_ATTRIBUTES = [command, dummy, getSettings, settings, startAngel, stopAngel, deviceId] as const;

export const STANDARD_ATTRIBUTES = [...IETF_ATTRIBUTES, ...TCG_ATTRIBUTES, ...ITA_ATTRIBUTES] as const;

type AttributeOf<C> = C extends AttributeCodec<infer N, infer V> ? PaTncAttribute<N, V> : never;

/** Any attribute a standard codec decodes, told apart by `name`. */
export type StandardAttribute = AttributeOf<(typeof STANDARD_ATTRIBUTES)[number]>;

/** A new registry with every codec above. */
export function createStandardRegistry(): AttributeRegistry {
  return new AttributeRegistry(STANDARD_ATTRIBUTES);
}
