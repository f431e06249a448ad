/**
 * The OS IMV (IETF PA subtype Operating System, 0/1), after strongSwan's
 * src/libimcv/plugins/imv_os/ without its SQLite database: the policy comes in the constructor.
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
 * The worst of these wins; every finding adds an English reason, packages a remediation string.
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
import { mergeRecommendations } from './merge.js';
import { expandSegments } from './segments.js';

export interface OsProductPolicy {
  /** Product Information name, compared case-insensitively ("Debian"). */
  readonly name: string;
  /** Minimum String Version product version, dpkg-compared on its first word ("12" for "12 x86_64"). */
  readonly minVersion?: string;
  /** Minimum Numeric Version. */
  readonly minNumericVersion?: { readonly major: number; readonly minor?: number };
}

export interface OsImvOptions {
  /** Allowed operating systems; any product when omitted. */
  readonly allowedProducts?: readonly OsProductPolicy[];
  /** Package names that must not be installed. */
  readonly blacklistedPackages?: readonly string[];
  /** Package name -> minimum version (a package not installed passes). */
  readonly minPackageVersions?: Readonly<Record<string, string>>;
  /** Ask for Installed Packages; default: when blacklistedPackages or minPackageVersions are set. */
  readonly requestInstalledPackages?: boolean;
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
  reassembler?: Reassembler;
  recommendation?: ImvRecommendation;
}

interface Finding {
  readonly recommendation: ActionRecommendation;
  readonly evaluation: EvaluationResult;
  readonly reason: string;
}

const NONE: ImvRecommendation = { recommendation: ActionRecommendation.NoRecommendation, evaluation: EvaluationResult.DontKnow };
const isolate = (evaluation: EvaluationResult, reason: string): Finding => ({ recommendation: ActionRecommendation.Isolate, evaluation, reason });

export class OsImv implements Imv {
  readonly name = 'os';
  readonly subscriptions = [PaSubtypes.OperatingSystem];
  readonly #options: OsImvOptions;
  readonly #registry: AttributeRegistry;
  readonly #blacklist: ReadonlySet<string>;
  readonly #wantPackages: boolean;
  readonly #states = new ImvStates<OsState>();

  constructor(options: OsImvOptions, dependencies: OsImvDependencies) {
    this.#options = options;
    this.#registry = dependencies.registry;
    this.#blacklist = new Set(options.blacklistedPackages ?? []);
    this.#wantPackages =
      options.requestInstalledPackages ?? (this.#blacklist.size > 0 || Object.keys(options.minPackageVersions ?? {}).length > 0);
  }

  notifyConnectionChange(connection: ImvConnectionInfo, state: ConnectionState): void {
    if (state === ConnectionState.Create) this.#states.create(connection.id, { requested: false });
    else if (state === ConnectionState.Delete) this.#states.delete(connection.id);
    else if (state === ConnectionState.Handshake) this.#states.create(connection.id, { requested: false });
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
    if (!s.requested) {
      if (s.product === undefined) missing.push(typeOf(productInformation), typeOf(stringVersion), typeOf(numericVersion));
      if (s.forwarding === undefined && this.#options.requireForwardingDisabled) missing.push(typeOf(forwardingEnabled));
      if (s.defaultPassword === undefined && this.#options.requireNoDefaultPassword) missing.push(typeOf(factoryDefaultPasswordEnabled));
      if (this.#wantPackages && s.packages === undefined) missing.push(typeOf(installedPackages));
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
    if (s.product === undefined || (this.#wantPackages && s.packages === undefined)) return {};
    return this.#decide(s);
  }

  solicitRecommendation(connectionId: number): ImvSolicitedOutput {
    const s = this.#states.get(connectionId);
    if (s.recommendation) return { recommendation: s.recommendation };
    if (s.product === undefined) return { recommendation: NONE };
    const out = this.#decide(s);
    return { ...out, recommendation: out.recommendation ?? NONE };
  }

  #decide(s: OsState): ImvOutput {
    const findings = this.evaluate(s);
    const merged = mergeRecommendations('default', [
      { recommendation: ActionRecommendation.Allow, evaluation: EvaluationResult.Compliant },
      ...findings,
    ]);
    const remediation = this.#remediation(s);
    s.recommendation = {
      ...merged,
      ...(findings.length > 0 ? { reasons: [{ language: 'en', reason: findings.map((f) => f.reason).join('; ') }] } : {}),
      ...(remediation ? { remediation: [{ kind: 'string', text: remediation, language: 'en' }] } : {}),
    };
    return {
      messages: [{ ...PaSubtypes.OperatingSystem, attributes: [makeAttribute(assessmentResult, merged.evaluation)] }],
      recommendation: s.recommendation,
    };
  }

  /** What the policy finds wrong with the state so far (empty: compliant). */
  evaluate(s: Readonly<OsState>): Finding[] {
    const o = this.#options;
    const findings: Finding[] = [];
    if (s.product && o.allowedProducts) {
      const name = s.product.productName.toLowerCase();
      const policy = o.allowedProducts.find((p) => p.name.toLowerCase() === name);
      if (!policy) {
        findings.push({
          recommendation: ActionRecommendation.NoAccess,
          evaluation: EvaluationResult.NonCompliantMajor,
          reason: `operating system '${s.product.productName}' is not allowed`,
        });
      } else {
        const first = s.version?.trim().split(/\s+/)[0] ?? '';
        if (policy.minVersion !== undefined && (s.version === undefined || compareDebianVersions(first, policy.minVersion) < 0)) {
          findings.push(isolate(EvaluationResult.NonCompliantMinor, `${policy.name} version '${s.version ?? '?'}' is older than ${policy.minVersion}`));
        }
        const min = policy.minNumericVersion;
        if (min && (s.numeric === undefined || numericBelow(s.numeric, min.major, min.minor ?? 0))) {
          const have = s.numeric ? `${s.numeric.majorVersion}.${s.numeric.minorVersion}` : '?';
          findings.push(isolate(EvaluationResult.NonCompliantMinor, `${policy.name} version ${have} is older than ${min.major}.${min.minor ?? 0}`));
        }
      }
    }
    if (o.requireForwardingDisabled && s.forwarding !== ForwardingStatus.Disabled) {
      findings.push(isolate(EvaluationResult.NonCompliantMinor, s.forwarding === undefined ? 'forwarding status unknown' : 'IP forwarding is enabled'));
    }
    if (o.requireNoDefaultPassword && s.defaultPassword !== FactoryDefaultPassword.Disabled) {
      findings.push(isolate(EvaluationResult.NonCompliantMinor, 'the factory default password is enabled or unknown'));
    }
    if (this.#wantPackages) {
      if (s.packages === undefined) findings.push(isolate(EvaluationResult.NonCompliantMinor, 'the installed packages were not reported'));
      else {
        const { blacklisted, outdated } = this.packageFindings(s.packages);
        if (blacklisted.length > 0) findings.push(isolate(EvaluationResult.NonCompliantMajor, `blacklisted packages installed: ${blacklisted.join(', ')}`));
        if (outdated.length > 0) findings.push(isolate(EvaluationResult.NonCompliantMinor, `outdated packages: ${outdated.map((p) => `${p.name} ${p.version}`).join(', ')}`));
      }
    }
    return findings;
  }

  packageFindings(packages: readonly InstalledPackage[]): { blacklisted: string[]; outdated: InstalledPackage[] } {
    const min = this.#options.minPackageVersions ?? {};
    const blacklisted = packages.filter((p) => this.#blacklist.has(p.name)).map((p) => p.name);
    const outdated = packages.filter((p) => Object.hasOwn(min, p.name) && compareDebianVersions(p.version, min[p.name] as string) < 0);
    return { blacklisted, outdated };
  }

  #remediation(s: OsState): string | undefined {
    if (!s.packages) return undefined;
    const { blacklisted, outdated } = this.packageFindings(s.packages);
    const min = this.#options.minPackageVersions ?? {};
    const parts = [
      ...(blacklisted.length > 0 ? [`remove ${blacklisted.join(', ')}`] : []),
      ...(outdated.length > 0 ? [`upgrade ${outdated.map((p) => `${p.name} to ${min[p.name]} or later`).join(', ')}`] : []),
    ];
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
}

function typeOf(codec: { readonly vendorId: number; readonly type: number }): RequestedAttribute {
  return { vendorId: codec.vendorId, type: codec.type };
}

function numericBelow(v: NumericVersion, major: number, minor: number): boolean {
  return v.majorVersion < major || (v.majorVersion === major && v.minorVersion < minor);
}
