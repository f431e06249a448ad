/**
 * The Scanner IMV (IETF PA subtype Firewall, 0/5): checks the open ports an IMC reports in an
 * IETF Port Filter attribute (RFC 5792 section 4.2.6; strongSwan's Scanner IMC lists its
 * listening sockets with B clear, e.g. udp/500 and udp/4500 of charon) against a policy:
 *
 *   blockedPorts  an open port matching one of these is a violation;
 *   allowedPorts  when given, an open port matching none of these is a violation.
 *
 * A violation -> isolate, non-compliant major, with a reason and remediation naming the ports;
 * none -> allow, compliant. Either way an IETF Assessment Result goes to the IMCs (as in the
 * captures: Firewall, IMC any). When the first batch brought no Port Filter the IMV asks for one
 * with an IETF Attribute Request; solicited without one, it has no recommendation.
 *
 * The checks come per connection as work items (work-item.ts: tcp-ports-blocked, tcp-ports-allowed,
 * udp-ports-blocked, udp-ports-allowed, arguments "22" or "8000-8080"), else from the options:
 * blockedPorts become the *-blocked items, allowedPorts both *-allowed items (a protocol absent
 * from allowedPorts allows no open port of it). Without any check the IMV asks for nothing and
 * allows whatever Port Filter comes; an isolate decision carries IETF Remediation Instructions.
 *
 * Port specs of the options are plain strings: "tcp/22", "udp/500", "tcp/8000-8080", "17/4500".
 */
import { assessmentResult } from '../ietf/assessment-result.js';
import { attributeRequest } from '../ietf/attribute-request.js';
import { portFilter, type PortFilterEntry } from '../ietf/port-filter.js';
import { findAttribute, makeAttribute } from '../pa-tnc/attribute.js';
import {
  ActionRecommendation,
  ConnectionState,
  EvaluationResult,
  ImvStates,
  PaSubtypes,
  type Imv,
  type ImvConnectionInfo,
  type ImvMessage,
  type ImvOutput,
  type ImvRecommendation,
  type ImvSolicitedOutput,
} from './imv.js';
import {
  mapFinding,
  noResult,
  PASS,
  recommendationFromResults,
  remediationAttributes,
  type ImvWorkItem,
  type ImvWorkResult,
  type WorkFinding,
  type WorkType,
} from './work-item.js';

export interface ScannerImvOptions {
  readonly allowedPorts?: readonly string[];
  readonly blockedPorts?: readonly string[];
}

export interface PortRange {
  readonly protocol: number;
  readonly from: number;
  readonly to: number;
}

const PROTOCOLS: Readonly<Record<string, number>> = { tcp: 6, udp: 17 };
const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 6: 'tcp', 17: 'udp' };

/** Parses "tcp/22", "udp/8000-8080", "17/500"; throws a RangeError naming the bad spec. */
export function parsePortSpec(spec: string): PortRange {
  const m = /^(tcp|udp|[0-9]{1,3})\/([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(spec.trim().toLowerCase());
  const protocol = m?.[1] === undefined ? NaN : (PROTOCOLS[m[1]] ?? Number(m[1]));
  const from = Number(m?.[2]);
  const to = m?.[3] === undefined ? from : Number(m[3]);
  if (!m || !(protocol <= 255) || !(from <= 65535) || !(to <= 65535) || to < from) {
    throw new RangeError(`bad port spec '${spec}': expected tcp/PORT, udp/PORT or PROTO/FROM-TO`);
  }
  return { protocol, from, to };
}

export function portName(e: { readonly protocol: number; readonly port: number }): string {
  return `${PROTOCOL_NAMES[e.protocol] ?? e.protocol}/${e.port}`;
}

const matches = (ranges: readonly PortRange[], e: PortFilterEntry): boolean =>
  ranges.some((r) => r.protocol === e.protocol && e.port >= r.from && e.port <= r.to);

interface ScannerState {
  received: boolean;
  requested: boolean;
  recommendation: ImvRecommendation | undefined;
  items?: readonly ImvWorkItem[];
}

export const SCANNER_WORK_TYPES: readonly WorkType[] = ['tcp-ports-blocked', 'tcp-ports-allowed', 'udp-ports-blocked', 'udp-ports-allowed'];
type PortWork = Extract<ImvWorkItem, { readonly type: 'tcp-ports-blocked' }>;

/** The work items the flat ScannerImvOptions describe (tcp and udp specs). */
export function scannerWorkItems(o: ScannerImvOptions): ImvWorkItem[] {
  const items: ImvWorkItem[] = [];
  const of = (specs: readonly string[], protocol: number) =>
    specs
      .map(parsePortSpec)
      .filter((r) => r.protocol === protocol)
      .map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`));
  for (const [name, protocol] of [['tcp', 6], ['udp', 17]] as const) {
    const blocked = of(o.blockedPorts ?? [], protocol);
    if (blocked.length > 0) items.push({ policy: `scanner.blockedPorts.${name}`, type: `${name}-ports-blocked`, argument: blocked });
    if (o.allowedPorts) items.push({ policy: `scanner.allowedPorts.${name}`, type: `${name}-ports-allowed`, argument: of(o.allowedPorts, protocol) });
  }
  return items;
}

/** Parses a work item's port argument ("22", "8000-8080") for `protocol`. */
export function parsePortArgument(spec: string, protocol: 'tcp' | 'udp'): PortRange {
  return parsePortSpec(`${protocol}/${spec}`);
}

/** The open ports of `entries` that `item` finds wrong. */
function itemViolations(item: PortWork | ImvWorkItem, entries: readonly PortFilterEntry[]): PortFilterEntry[] {
  if (!SCANNER_WORK_TYPES.includes(item.type) || !('argument' in item) || !Array.isArray(item.argument)) return [];
  const [proto, , kind] = item.type.split('-') as ['tcp' | 'udp', string, 'blocked' | 'allowed'];
  const ranges = (item.argument as readonly string[]).map((a) => parsePortArgument(a, proto));
  const protocol = PROTOCOLS[proto];
  return entries.filter((e) => !e.blocked && e.protocol === protocol && (kind === 'blocked' ? matches(ranges, e) : !matches(ranges, e)));
}

const NONE: ImvRecommendation = { recommendation: ActionRecommendation.NoRecommendation, evaluation: EvaluationResult.DontKnow };

export class ScannerImv implements Imv {
  readonly name = 'scanner';
  readonly subscriptions = [PaSubtypes.Firewall];
  readonly workTypes = SCANNER_WORK_TYPES;
  readonly #allowed: readonly PortRange[] | undefined;
  readonly #blocked: readonly PortRange[];
  readonly #defaultItems: readonly ImvWorkItem[];
  readonly #states = new ImvStates<ScannerState>();

  constructor(options: ScannerImvOptions = {}) {
    this.#allowed = options.allowedPorts?.map(parsePortSpec);
    this.#blocked = (options.blockedPorts ?? []).map(parsePortSpec);
    this.#defaultItems = scannerWorkItems(options);
  }

  setWorkItems(connectionId: number, items: readonly ImvWorkItem[]): void {
    this.#states.get(connectionId).items = items.filter((i) => SCANNER_WORK_TYPES.includes(i.type));
  }

  #items(s: ScannerState): readonly ImvWorkItem[] {
    return s.items ?? this.#defaultItems;
  }

  /** The open ports of `entries` that violate the policy. */
  violations(entries: readonly PortFilterEntry[]): PortFilterEntry[] {
    return entries.filter((e) => !e.blocked && (matches(this.#blocked, e) || (this.#allowed !== undefined && !matches(this.#allowed, e))));
  }

  notifyConnectionChange(connection: ImvConnectionInfo, state: ConnectionState): void {
    if (state === ConnectionState.Create) this.#states.create(connection.id, { received: false, requested: false, recommendation: undefined });
    else if (state === ConnectionState.Delete) this.#states.delete(connection.id);
    else if (state === ConnectionState.Handshake) {
      this.#states.get(connection.id).recommendation = undefined;
    }
  }

  receiveMessage(connectionId: number, message: ImvMessage): ImvOutput {
    const s = this.#states.get(connectionId);
    const ports = findAttribute(message.attributes, portFilter)?.value;
    if (ports === undefined) return {};
    s.received = true;
    const results = this.#items(s).map((item) => mapFinding(item, portFinding(itemViolations(item, ports))));
    const rec = recommendationFromResults(results, true);
    // One reason and one remediation naming every offending port, whichever checks found it.
    const bad = uniquePorts(this.#items(s).flatMap((item) => itemViolations(item, ports)));
    const names = bad.map(portName).join(', ');
    const failed = results.filter((r) => r.outcome === 'fail');
    const operatorText = failed.map((r) => r.remediation).find((t) => t !== undefined && !t.startsWith('Close these ports: '));
    s.recommendation =
      failed.length === 0
        ? rec
        : {
            ...rec,
            reasons: [{ language: 'en', reason: `open ports not allowed by policy: ${names}` }],
            ...(rec.recommendation === ActionRecommendation.Allow ? {} : { remediation: [{ kind: 'string', text: operatorText ?? `Close these ports: ${names}`, language: 'en' }] }),
          };
    return {
      messages: [{ ...PaSubtypes.Firewall, attributes: [makeAttribute(assessmentResult, s.recommendation.evaluation), ...remediationAttributes(s.recommendation)] }],
      recommendation: s.recommendation,
    };
  }

  batchEnding(connectionId: number): ImvOutput {
    const s = this.#states.get(connectionId);
    if (s.received || s.requested || this.#items(s).length === 0) return {};
    s.requested = true;
    const request = makeAttribute(attributeRequest, [{ vendorId: portFilter.vendorId, type: portFilter.type }]);
    return { messages: [{ ...PaSubtypes.Firewall, attributes: [request] }] };
  }

  solicitRecommendation(connectionId: number): ImvSolicitedOutput {
    const s = this.#states.get(connectionId);
    if (s.recommendation) return { recommendation: s.recommendation };
    const results: ImvWorkResult[] = this.#items(s).map((i) => mapFinding(i, noResult('the open ports were not reported')));
    return { recommendation: results.length > 0 ? recommendationFromResults(results, false) : NONE };
  }
}

function portFinding(bad: readonly PortFilterEntry[]): WorkFinding {
  if (bad.length === 0) return PASS;
  const names = bad.map(portName).join(', ');
  return {
    outcome: 'fail',
    recommendation: ActionRecommendation.Isolate,
    evaluation: EvaluationResult.NonCompliantMajor,
    reason: `open ports not allowed by policy: ${names}`,
    remediation: `Close these ports: ${names}`,
  };
}

function uniquePorts(entries: readonly PortFilterEntry[]): PortFilterEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const k = `${e.protocol}/${e.port}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
