/**
 * The OS IMC (IETF PA subtype Operating System, 0/1), after strongSwan's
 * src/libimcv/plugins/imc_os/imc_os_agent.c, reading the host through a HostSource.
 *
 * Begin handshake, unasked (as strongSwan's IMC does):
 *   IETF Product Information   /etc/os-release ID -> name ("Debian") and vendor PEN (Debian 9586)
 *   IETF String Version        "VERSION_ID machine" ("12 x86_64")
 *   IETF Numeric Version       VERSION_ID major.minor
 *   IETF Operational Status    operational, last use = boot time (/proc/uptime)
 *   IETF Forwarding Enabled    /proc/sys/net/ipv4/ip_forward
 *   IETF Factory Default Password Enabled   false
 *   ITA Device ID              /etc/machine-id (or the deviceId option)
 *
 * Received (replies go back EXCL to the IMV that asked):
 *   TCG Segmentation Contract Request -> keeps the contract, answers a Segmentation Contract Response
 *   IETF Attribute Request             -> the requested attributes; Installed Packages
 *                                         (/var/lib/dpkg/status) whole, or segmented under the
 *                                         contract: the first Segment Envelope now, the others
 *   TCG Next Segment                   -> one by one (C set: the rest is dropped)
 */
import { assessmentResult } from '../ietf/assessment-result.js';
import { attributeRequest } from '../ietf/attribute-request.js';
import { FactoryDefaultPassword, factoryDefaultPasswordEnabled } from '../ietf/factory-default-password-enabled.js';
import { ForwardingStatus, forwardingEnabled } from '../ietf/forwarding-enabled.js';
import { installedPackages } from '../ietf/installed-packages.js';
import { numericVersion } from '../ietf/numeric-version.js';
import { OperationalResult, OperationalStatusCode, operationalStatus } from '../ietf/operational-status.js';
import { productInformation } from '../ietf/product-information.js';
import { stringVersion } from '../ietf/string-version.js';
import { deviceId } from '../ita/device-id.js';
import { ATTRIBUTE_HEADER_LENGTH } from '../pa-tnc/attribute-header.js';
import { findAttribute, isAttribute, makeAttribute, type PaTncAttribute } from '../pa-tnc/attribute.js';
import type { AttributeRegistry } from '../pa-tnc/registry.js';
import { NO_MESSAGE_SIZE_LIMIT, NO_SEGMENTATION, NULL_CONTRACT, SegmentSender, checkAttributeSize, type SegmentationContract } from '../segmentation/contract.js';
import { isCancel, nextSegment } from '../tcg/next-segment.js';
import { segmentationContractRequest, segmentationContractResponse } from '../tcg/segmentation-contract.js';
import { ConnectionState, PaSubtypes } from '../imv/imv.js';
import type { HostSource } from './host-source.js';
import { parseDpkgStatus, parseOsRelease } from './host-parsers.js';
import { ImcStates, type Imc, type ImcConnectionInfo, type ImcMessage, type ImcOutput } from './imc.js';

export interface OsImcOptions {
  /** ITA Device ID; default: /etc/machine-id. */
  readonly deviceId?: string;
  /** Paths, for a different root (defaults are the real ones). */
  readonly paths?: Partial<typeof DEFAULT_PATHS>;
}

export interface OsImcDependencies {
  readonly source: HostSource;
  /** Encodes Installed Packages before segmenting it. */
  readonly registry: AttributeRegistry;
}

export const DEFAULT_PATHS = {
  osRelease: '/etc/os-release',
  machineId: '/etc/machine-id',
  ipForward: '/proc/sys/net/ipv4/ip_forward',
  uptime: '/proc/uptime',
  dpkgStatus: '/var/lib/dpkg/status',
} as const;

/** os-release ID -> strongSwan's product name and the vendor's SMI PEN (strongSwan pen.h). */
const PRODUCTS: Readonly<Record<string, { readonly name: string; readonly pen: number }>> = {
  debian: { name: 'Debian', pen: 9586 },
  ubuntu: { name: 'Ubuntu', pen: 0 },
  raspbian: { name: 'Raspbian', pen: 0 },
  fedora: { name: 'Fedora', pen: 0 },
  rhel: { name: 'Red Hat', pen: 2312 },
  centos: { name: 'CentOS', pen: 0 },
};

interface OsInfo {
  readonly name: string;
  readonly pen: number;
  readonly version: string;
  readonly machine: string;
}

interface OsImcState {
  readonly imcId: number;
  contract: SegmentationContract;
  sender: SegmentSender;
}

/** Product name, vendor and version from os-release text (Linux when unknown). */
export function osInfoFrom(osRelease: string | undefined, machine: string): OsInfo {
  const f = parseOsRelease(osRelease ?? '');
  const known = PRODUCTS[(f.ID ?? '').toLowerCase()];
  return { name: known?.name ?? f.NAME ?? 'Linux', pen: known?.pen ?? 0, version: f.VERSION_ID ?? '', machine };
}

/** "12" -> 12.0, "22.04.3" -> 22.4; non-numeric parts are 0. */
export function numericFrom(version: string): { major: number; minor: number } {
  const [major, minor] = version.split('.').map((p) => {
    const n = Number.parseInt(p, 10);
    return Number.isFinite(n) && n >= 0 && n <= 0xffffffff ? n : 0;
  });
  return { major: major ?? 0, minor: minor ?? 0 };
}

/** An encoded Segmentation Contract Response attribute: 12-octet header + 8 octets. */
const CONTRACT_RESPONSE_LENGTH = ATTRIBUTE_HEADER_LENGTH + 8;

const lastUseOf = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class OsImc implements Imc {
  readonly name = 'os';
  readonly subscriptions = [PaSubtypes.OperatingSystem];
  readonly #source: HostSource;
  readonly #registry: AttributeRegistry;
  readonly #options: OsImcOptions;
  readonly #paths: typeof DEFAULT_PATHS;
  readonly #states = new ImcStates<OsImcState>();

  constructor(options: OsImcOptions, dependencies: OsImcDependencies) {
    this.#options = options;
    this.#source = dependencies.source;
    this.#registry = dependencies.registry;
    this.#paths = { ...DEFAULT_PATHS, ...options.paths };
  }

  notifyConnectionChange(connection: ImcConnectionInfo, state: ConnectionState): void {
    if (state === ConnectionState.Create) {
      this.#states.set(connection.id, { imcId: connection.imcId, contract: NULL_CONTRACT, sender: new SegmentSender(NULL_CONTRACT) });
    } else if (state === ConnectionState.Delete) this.#states.delete(connection.id);
  }

  async beginHandshake(connectionId: number): Promise<ImcOutput> {
    this.#states.get(connectionId);
    const attributes = [
      ...(await this.#osAttributes()),
      await this.#operationalStatus(),
      await this.#forwarding(),
      makeAttribute(factoryDefaultPasswordEnabled, FactoryDefaultPassword.Disabled),
      ...(await this.#deviceId()),
    ];
    return { messages: [{ ...PaSubtypes.OperatingSystem, attributes }] };
  }

  async receiveMessage(connectionId: number, message: ImcMessage): Promise<ImcOutput> {
    const s = this.#states.get(connectionId);
    const out: PaTncAttribute[] = [];
    const contract = findAttribute(message.attributes, segmentationContractRequest)?.value;
    if (contract) {
      s.contract = contract;
      // The IMV sized its Max Segment Size for a PA-TNC message holding the Segment Envelope
      // alone; ours also carries the Segmentation Contract Response, so cut that much smaller.
      const room = CONTRACT_RESPONSE_LENGTH;
      const segmentSize = contract.maxSegmentSize === NO_SEGMENTATION ? NO_SEGMENTATION : Math.max(ATTRIBUTE_HEADER_LENGTH + 1, contract.maxSegmentSize - room);
      s.sender = new SegmentSender({ maxMessageSize: contract.maxMessageSize, maxSegmentSize: segmentSize });
      // What we accept from the IMV: whole messages, no segmentation needed.
      out.push(makeAttribute(segmentationContractResponse, { maxMessageSize: NO_MESSAGE_SIZE_LIMIT, maxSegmentSize: NO_SEGMENTATION }));
    }
    for (const a of message.attributes) {
      if (isAttribute(a, attributeRequest)) {
        for (const wanted of a.value) out.push(...(await this.#requested(s, wanted.vendorId, wanted.type)));
      } else if (isAttribute(a, nextSegment)) {
        if (isCancel(a.value)) s.sender.cancel(a.value.baseMessageId);
        else {
          const env = s.sender.next(a.value.baseMessageId);
          if (env) out.push(env);
        }
      } else if (isAttribute(a, assessmentResult)) {
        // The IMV's verdict: nothing to answer.
      }
    }
    if (out.length === 0) return {};
    return { messages: [{ ...PaSubtypes.OperatingSystem, imvId: message.validatorId, exclusive: true, attributes: out }] };
  }

  batchEnding(): ImcOutput {
    return {};
  }

  /** The installed packages of this host, from the dpkg status file. */
  async packages(): Promise<ReturnType<typeof parseDpkgStatus>> {
    return parseDpkgStatus((await this.#source.readText(this.#paths.dpkgStatus)) ?? '');
  }

  async #requested(s: OsImcState, vendorId: number, type: number): Promise<PaTncAttribute[]> {
    const is = (c: { vendorId: number; type: number }) => c.vendorId === vendorId && c.type === type;
    if (is(productInformation) || is(stringVersion) || is(numericVersion)) {
      return (await this.#osAttributes()).filter((a) => a.vendorId === vendorId && a.type === type);
    }
    if (is(operationalStatus)) return [await this.#operationalStatus()];
    if (is(forwardingEnabled)) return [await this.#forwarding()];
    if (is(factoryDefaultPasswordEnabled)) return [makeAttribute(factoryDefaultPasswordEnabled, FactoryDefaultPassword.Disabled)];
    if (is(deviceId)) return this.#deviceId();
    if (is(installedPackages)) {
      const attr = makeAttribute(installedPackages, { packages: await this.packages() });
      const encoded = this.#registry.encodeAttribute(attr);
      const verdict = checkAttributeSize(s.contract, encoded.length + CONTRACT_RESPONSE_LENGTH);
      if (verdict === 'fits') return [attr];
      if (verdict === 'segment') return [s.sender.start(encoded)];
      return []; // larger than the IMV accepts at all
    }
    return [];
  }

  async #osAttributes(): Promise<PaTncAttribute[]> {
    const os = osInfoFrom(await this.#source.readText(this.#paths.osRelease), this.#source.machine());
    const n = numericFrom(os.version);
    return [
      makeAttribute(productInformation, { productVendorId: os.pen, productId: 0, productName: os.name }),
      makeAttribute(stringVersion, { productVersion: [os.version, os.machine].filter((x) => x).join(' '), buildNumber: '', configurationVersion: '' }),
      makeAttribute(numericVersion, { majorVersion: n.major, minorVersion: n.minor, buildNumber: 0, servicePackMajor: 0, servicePackMinor: 0 }),
    ];
  }

  async #operationalStatus(): Promise<PaTncAttribute> {
    const uptime = Number.parseFloat((await this.#source.readText(this.#paths.uptime))?.split(/\s+/)[0] ?? '');
    const now = this.#source.now();
    const boot = Number.isFinite(uptime) && uptime >= 0 ? new Date(now.getTime() - Math.floor(uptime) * 1000) : now;
    return makeAttribute(operationalStatus, {
      status: OperationalStatusCode.Operational,
      result: OperationalResult.SuccessfulUse,
      lastUse: lastUseOf(boot),
    });
  }

  async #forwarding(): Promise<PaTncAttribute> {
    const v = (await this.#source.readText(this.#paths.ipForward))?.trim();
    const status = v === '0' ? ForwardingStatus.Disabled : v === '1' ? ForwardingStatus.Enabled : ForwardingStatus.Unknown;
    return makeAttribute(forwardingEnabled, status);
  }

  async #deviceId(): Promise<PaTncAttribute[]> {
    const id = this.#options.deviceId ?? (await this.#source.readText(this.#paths.machineId))?.trim();
    return id ? [makeAttribute(deviceId, id)] : [];
  }
}
