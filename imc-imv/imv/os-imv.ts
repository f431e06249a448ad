/**
 * The OS IMV (IETF PA subtype Operating System, 0/1), after strongSwan's
 * src/libimcv/plugins/imv_os/ without its SQLite database: the checks come per connection as work
 * items (work-item.ts: os-product, packages-blacklist, min-package-versions, forwarding-disabled,
 * no-default-password), or from the constructor options when the TNCS gives none.
 *
 * strongSwan's OS IMC sends, unasked, Product Information, String and Numeric Version,
 * Operational Status, Forwarding Enabled, Factory Default Password Enabled and ITA Device ID.
 * When the policy needs the package list, the IMV answers (batch ending) like strongSwan's:
 *
 *   TCG Segmentation Contract Request (max message 0xffffffff, max segment 65466)
 *   IETF Attribute Request (Installed Packages)                     -> IMC any, not EXCL
 *
 * and the IMC returns Installed Packages whole, or in Segment Envelopes that this IMV asks for
 * one by one with Next Segment and reassembles (segments.ts) under the contract it issued.
 * When everything the policy needs is in (or the TNCS solicits), it decides and sends an IETF
 * Assessment Result:
 *
 *   product not in allowedProducts                         -> no access, non-compliant major
 *   version below the product's minimum                    -> isolate,   non-compliant minor
 *   forwarding enabled / factory default password enabled -> isolate,   non-compliant minor
 *     (when the policy requires them off)
 *   a blacklisted package installed                        -> isolate,   non-compliant major
 *   a package older than its minimum (dpkg comparison)     -> isolate,   non-compliant minor
 *   package list required but never received               -> isolate,   non-compliant minor
 *   otherwise                                              -> allow,     compliant
 * (each item's onFail / onNoResult replaces these when set). The worst wins; every finding adds an
 * English reason, packages a remediation string; an isolate decision also carries IETF
 * Remediation Instructions.
 */
import { assessmentResult } from '../ietf/assessment-result.js';
import { attributeRequest, type RequestedAttribute } from '../ietf/attribute-request.js';
import { factoryDefaultPasswordEnabled, FactoryDefaultPassword } from '../ietf/factory-default-password-enabled.js';
import { forwardingEnabled, ForwardingStatus } from '../ietf/forwarding-enabled.js';
import { installedPackages, type InstalledPackage } from '../ietf/installed-packages.js';
import { numericVersion, type NumericVersion } from '../ietf/numeric-version.js';
import { productInformation, type ProductInformation } from '../ietf/product-information.js';
import { stringVersion } from '../ietf/string-version.js';
import { deviceId } from '../ita/device-id.js';
import { findAttribute, makeAttribute, type PaTncAttribute } from '../pa-tnc/attribute.js';
import type { AttributeRegistry } from '../pa-tnc/registry.js';
import { NO_MESSAGE_SIZE_LIMIT, Reassembler } from '../segmentation/contract.js';
import { segmentationContractRequest } from '../tcg/segmentation-contract.js';
import { compareDebianVersions } from './dpkg-version.js';
import {
  ActionRecommendation,
  ConnectionState,
  EvaluationResult,
  ImvStates,
  PaSubtypes,
  type Imv,
  type ImvConnectionInfo,
  type ImvMessage,
  type ImvOutgoing,
  type ImvOutput,
  type ImvRecommendation,
  type ImvSolicitedOutput,
} from './imv.js';
import { expandSegments } from './segments.js';
import {
  hasWork,
  mapFinding,
  noResult,
  PASS,
  recommendationFromResults,
  remediationAttributes,
  type ImvWorkItem,
  type ImvWorkResult,
  type OsProductPolicy,
  type WorkFinding,
  type WorkType,
} from './work-item.js';

export type { OsProductPolicy } from './work-item.js';

export interface OsImvOptions {
  /** Allowed operating systems; any product when omitted. */
  readonly allowedProducts?: readonly OsProductPolicy[];
  /** Package names that must not be installed. */
  readonly blacklistedPackages?: readonly string[];
  /** Package name -> minimum version (a package not installed passes). */
  readonly minPackageVersions?: Readonly<Record<string, string>>;
  /** Ask for Installed Packages; default: when blacklistedPackages or minPackageVersions are set. */
  readonly requestInstalledPackages?: boolean;
  /** Require IP forwarding off (work item forwarding-disabled). */
  readonly requireForwardingDisabled?: boolean;
  readonly requireNoDefaultPassword?: boolean;
  /** Max Segment Size of the contract issued with the request (strongSwan 5.9.8: 65466). */
  readonly maxSegmentSize?: number;
  /** Largest reassembled attribute accepted (default 4 MiB). */
  readonly maxAttributeSize?: number;
}

export interface OsImvDependencies {
  /** Decodes reassembled attributes. */
  readonly registry: AttributeRegistry;
}

export const STRONGSWAN_MAX_SEGMENT_SIZE = 65466;

interface OsState {
  product?: ProductInformation;
  version?: string;
  numeric?: NumericVersion;
  forwarding?: number;
  defaultPassword?: number;
  deviceId?: string;
  packages?: readonly InstalledPackage[];
  requested: boolean;
  /** This connection's checks (setWorkItems); the constructor's when never set. */
  items?: readonly ImvWorkItem[];
  reassembler?: Reassembler;
  recommendation?: ImvRecommendation;
}

const NONE: ImvRecommendation = { recommendation: ActionRecommendation.NoRecommendation, evaluation: EvaluationResult.DontKnow };
const fail = (evaluation: EvaluationResult, reason: string, remediation?: string): WorkFinding => ({
  outcome: 'fail',
  recommendation: ActionRecommendation.Isolate,
  evaluation,
  reason,
  ...(remediation !== undefined ? { remediation } : {}),
});
const notReported = (reason: string): WorkFinding => noResult(reason, ActionRecommendation.Isolate);

export const OS_WORK_TYPES: readonly WorkType[] = ['os-product', 'packages-blacklist', 'min-package-versions', 'forwarding-disabled', 'no-default-password'];

/** The work items the flat OsImvOptions describe, in the order the reasons are joined. */
export function osWorkItems(o: OsImvOptions): ImvWorkItem[] {
  const items: ImvWorkItem[] = [];
  if (o.allowedProducts) items.push({ policy: 'os.allowedProducts', type: 'os-product', argument: o.allowedProducts });
  if (o.requireForwardingDisabled) items.push({ policy: 'os.requireForwardingDisabled', type: 'forwarding-disabled' });
  if (o.requireNoDefaultPassword) items.push({ policy: 'os.requireNoDefaultPassword', type: 'no-default-password' });
  if ((o.blacklistedPackages ?? []).length > 0) items.push({ policy: 'os.blacklistedPackages', type: 'packages-blacklist', argument: o.blacklistedPackages ?? [] });
  if (Object.keys(o.minPackageVersions ?? {}).length > 0) items.push({ policy: 'os.minPackageVersions', type: 'min-package-versions', argument: o.minPackageVersions ?? {} });
  return items;
}

export class OsImv implements Imv {
  readonly name = 'os';
  readonly subscriptions = [PaSubtypes.OperatingSystem];
  readonly workTypes = OS_WORK_TYPES;
  readonly #options: OsImvOptions;
  readonly #registry: AttributeRegistry;
  readonly #defaultItems: readonly ImvWorkItem[];
  readonly #states = new ImvStates<OsState>();

  constructor(options: OsImvOptions, dependencies: OsImvDependencies) {
    this.#options = options;
    this.#registry = dependencies.registry;
    this.#defaultItems = osWorkItems(options);
  }

  setWorkItems(connectionId: number, items: readonly ImvWorkItem[]): void {
    this.#states.get(connectionId).items = items.filter((i) => OS_WORK_TYPES.includes(i.type));
  }

  #items(s: OsState): readonly ImvWorkItem[] {
    return s.items ?? this.#defaultItems;
  }

  #wantPackages(s: OsState): boolean {
    return this.#options.requestInstalledPackages ?? hasWork(this.#items(s), 'packages-blacklist', 'min-package-versions');
  }

  notifyConnectionChange(connection: ImvConnectionInfo, state: ConnectionState): void {
    if (state === ConnectionState.Create) this.#states.create(connection.id, { requested: false });
    else if (state === ConnectionState.Delete) this.#states.delete(connection.id);
    else if (state === ConnectionState.Handshake) {
      // A new handshake keeps the connection's work items (set once per connection).
      let items: readonly ImvWorkItem[] | undefined;
      try {
        items = this.#states.get(connection.id).items;
      } catch {
        items = undefined;
      }
      this.#states.create(connection.id, { requested: false, ...(items ? { items } : {}) });
    }
  }

  receiveMessage(connectionId: number, message: ImvMessage): ImvOutput {
    const s = this.#states.get(connectionId);
    let attributes: readonly PaTncAttribute[] = message.attributes;
    const messages: ImvOutgoing[] = [];
    if (s.reassembler) {
      const x = expandSegments(s.reassembler, attributes);
      attributes = x.attributes;
      if (x.replies.length > 0) messages.push({ ...PaSubtypes.OperatingSystem, imcId: message.collectorId, exclusive: true, attributes: x.replies });
    }
    s.product = findAttribute(attributes, productInformation)?.value ?? s.product;
    s.version = findAttribute(attributes, stringVersion)?.value.productVersion ?? s.version;
    s.numeric = findAttribute(attributes, numericVersion)?.value ?? s.numeric;
    s.forwarding = findAttribute(attributes, forwardingEnabled)?.value ?? s.forwarding;
    s.defaultPassword = findAttribute(attributes, factoryDefaultPasswordEnabled)?.value ?? s.defaultPassword;
    s.packages = findAttribute(attributes, installedPackages)?.value.packages ?? s.packages;
    const device = findAttribute(attributes, deviceId)?.value;
    if (device !== undefined) s.deviceId = device;
    return { messages, ...(device === undefined ? {} : { deviceId: device }) };
  }

  batchEnding(connectionId: number): ImvOutput {
    const s = this.#states.get(connectionId);
    if (s.recommendation) return {};
    const missing: RequestedAttribute[] = [];
    const items = this.#items(s);
    const wantPackages = this.#wantPackages(s);
    if (!s.requested) {
      if (s.product === undefined) missing.push(typeOf(productInformation), typeOf(stringVersion), typeOf(numericVersion));
      if (s.forwarding === undefined && hasWork(items, 'forwarding-disabled')) missing.push(typeOf(forwardingEnabled));
      if (s.defaultPassword === undefined && hasWork(items, 'no-default-password')) missing.push(typeOf(factoryDefaultPasswordEnabled));
      if (wantPackages && s.packages === undefined) missing.push(typeOf(installedPackages));
    }
    if (missing.length > 0) {
      s.requested = true;
      const attributes: PaTncAttribute[] = [];
      if (missing.some((m) => m.type === installedPackages.type)) {
        const contract = { maxMessageSize: NO_MESSAGE_SIZE_LIMIT, maxSegmentSize: this.#options.maxSegmentSize ?? STRONGSWAN_MAX_SEGMENT_SIZE };
        s.reassembler = new Reassembler(contract, this.#registry, { maxAttributeSize: this.#options.maxAttributeSize ?? 4 * 1024 * 1024 });
        attributes.push(makeAttribute(segmentationContractRequest, contract));
      }
      attributes.push(makeAttribute(attributeRequest, missing));
      return { messages: [{ ...PaSubtypes.OperatingSystem, attributes }] };
    }
    // Still waiting: for segments, or for the answers to the request (solicitation ends the wait).
    if ((s.reassembler?.pending ?? 0) > 0) return {};
    if (s.product === undefined || (wantPackages && s.packages === undefined)) return {};
    return this.#decide(s);
  }

  solicitRecommendation(connectionId: number): ImvSolicitedOutput {
    const s = this.#states.get(connectionId);
    if (s.recommendation) return { recommendation: s.recommendation };
    if (s.product === undefined) {
      // The OS IMC never took part: every check has no result (its own: no recommendation).
      const results = this.#items(s).map((i) => mapFinding(i, noResult('the operating system was not reported')));
      const rec = recommendationFromResults(results, false);
      return { recommendation: results.length > 0 ? rec : NONE };
    }
    const out = this.#decide(s);
    return { ...out, recommendation: out.recommendation ?? NONE };
  }

  #decide(s: OsState): ImvOutput {
    const results = this.evaluate(s);
    s.recommendation = recommendationFromResults(results, true);
    return {
      messages: [{ ...PaSubtypes.OperatingSystem, attributes: [makeAttribute(assessmentResult, s.recommendation.evaluation), ...remediationAttributes(s.recommendation)] }],
      recommendation: s.recommendation,
    };
  }

  /** Each check's result on the state so far. */
  evaluate(s: Readonly<OsState>): ImvWorkResult[] {
    return this.#items(s).map((item) => mapFinding(item, this.#check(item, s)));
  }

  #check(item: ImvWorkItem, s: Readonly<OsState>): WorkFinding {
    switch (item.type) {
      case 'os-product':
        return productFinding(item.argument, s);
      case 'forwarding-disabled':
        if (s.forwarding === undefined) return notReported('forwarding status unknown');
        return s.forwarding === ForwardingStatus.Disabled ? PASS : fail(EvaluationResult.NonCompliantMinor, 'IP forwarding is enabled');
      case 'no-default-password':
        if (s.defaultPassword === undefined) return notReported('the factory default password is enabled or unknown');
        return s.defaultPassword === FactoryDefaultPassword.Disabled ? PASS : fail(EvaluationResult.NonCompliantMinor, 'the factory default password is enabled or unknown');
      case 'packages-blacklist': {
        if (s.packages === undefined) return notReported('the installed packages were not reported');
        const banned = new Set(item.argument);
        const found = s.packages.filter((p) => banned.has(p.name)).map((p) => p.name);
        return found.length === 0 ? PASS : fail(EvaluationResult.NonCompliantMajor, `blacklisted packages installed: ${found.join(', ')}`, `remove ${found.join(', ')}`);
      }
      case 'min-package-versions': {
        if (s.packages === undefined) return notReported('the installed packages were not reported');
        const min = item.argument;
        const old = s.packages.filter((p) => Object.hasOwn(min, p.name) && compareDebianVersions(p.version, min[p.name] as string) < 0);
        if (old.length === 0) return PASS;
        return fail(
          EvaluationResult.NonCompliantMinor,
          `outdated packages: ${old.map((p) => `${p.name} ${p.version}`).join(', ')}`,
          `upgrade ${old.map((p) => `${p.name} to ${min[p.name]} or later`).join(', ')}`,
        );
      }
      default:
        return noResult(`the OS IMV cannot check '${item.type}'`);
    }
  }
}

/** os-product: the product must be one of `allowed`, at or above its minimum versions. */
function productFinding(allowed: readonly OsProductPolicy[], s: Readonly<OsState>): WorkFinding {
  if (s.product === undefined) return noResult('the operating system was not reported');
  const name = s.product.productName.toLowerCase();
  const policy = allowed.find((p) => p.name.toLowerCase() === name);
  if (!policy) {
    return {
      outcome: 'fail',
      recommendation: ActionRecommendation.NoAccess,
      evaluation: EvaluationResult.NonCompliantMajor,
      reason: `operating system '${s.product.productName}' is not allowed`,
    };
  }
  const reasons: string[] = [];
  const first = s.version?.trim().split(/\s+/)[0] ?? '';
  if (policy.minVersion !== undefined && (s.version === undefined || compareDebianVersions(first, policy.minVersion) < 0)) {
    reasons.push(`${policy.name} version '${s.version ?? '?'}' is older than ${policy.minVersion}`);
  }
  const min = policy.minNumericVersion;
  if (min && (s.numeric === undefined || numericBelow(s.numeric, min.major, min.minor ?? 0))) {
    const have = s.numeric ? `${s.numeric.majorVersion}.${s.numeric.minorVersion}` : '?';
    reasons.push(`${policy.name} version ${have} is older than ${min.major}.${min.minor ?? 0}`);
  }
  return reasons.length === 0 ? PASS : fail(EvaluationResult.NonCompliantMinor, reasons.join('; '), `upgrade ${policy.name}`);
}

function typeOf(codec: { readonly vendorId: number; readonly type: number }): RequestedAttribute {
  return { vendorId: codec.vendorId, type: codec.type };
}

function numericBelow(v: NumericVersion, major: number, minor: number): boolean {
  return v.majorVersion < major || (v.majorVersion === major && v.minorVersion < minor);
}
