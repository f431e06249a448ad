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
 * Port specs are plain strings: "tcp/22", "udp/500", "tcp/8000-8080", "17/4500".
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
}

const NONE: ImvRecommendation = { recommendation: ActionRecommendation.NoRecommendation, evaluation: EvaluationResult.DontKnow };

export class ScannerImv implements Imv {
  readonly name = 'scanner';
  readonly subscriptions = [PaSubtypes.Firewall];
  readonly #allowed: readonly PortRange[] | undefined;
  readonly #blocked: readonly PortRange[];
  readonly #states = new ImvStates<ScannerState>();

  constructor(options: ScannerImvOptions = {}) {
    this.#allowed = options.allowedPorts?.map(parsePortSpec);
    this.#blocked = (options.blockedPorts ?? []).map(parsePortSpec);
  }

  /** The open ports of `entries` that violate the policy. */
  violations(entries: readonly PortFilterEntry[]): PortFilterEntry[] {
    return entries.filter((e) => !e.blocked && (matches(this.#blocked, e) || (this.#allowed !== undefined && !matches(this.#allowed, e))));
  }

  notifyConnectionChange(connection: ImvConnectionInfo, state: ConnectionState): void {
    if (state === ConnectionState.Create) this.#states.create(connection.id, { received: false, requested: false, recommendation: undefined });
    else if (state === ConnectionState.Delete) this.#states.delete(connection.id);
    else if (state === ConnectionState.Handshake) this.#states.get(connection.id).recommendation = undefined;
  }

  receiveMessage(connectionId: number, message: ImvMessage): ImvOutput {
    const s = this.#states.get(connectionId);
    const ports = findAttribute(message.attributes, portFilter)?.value;
    if (ports === undefined) return {};
    s.received = true;
    const bad = this.violations(ports);
    const names = bad.map(portName).join(', ');
    s.recommendation =
      bad.length === 0
        ? { recommendation: ActionRecommendation.Allow, evaluation: EvaluationResult.Compliant }
        : {
            recommendation: ActionRecommendation.Isolate,
            evaluation: EvaluationResult.NonCompliantMajor,
            reasons: [{ language: 'en', reason: `open ports not allowed by policy: ${names}` }],
            remediation: [{ kind: 'string', text: `Close these ports: ${names}`, language: 'en' }],
          };
    return {
      messages: [{ ...PaSubtypes.Firewall, attributes: [makeAttribute(assessmentResult, s.recommendation.evaluation)] }],
      recommendation: s.recommendation,
    };
  }

  batchEnding(connectionId: number): ImvOutput {
    const s = this.#states.get(connectionId);
    if (s.received || s.requested) return {};
    s.requested = true;
    const request = makeAttribute(attributeRequest, [{ vendorId: portFilter.vendorId, type: portFilter.type }]);
    return { messages: [{ ...PaSubtypes.Firewall, attributes: [request] }] };
  }

  solicitRecommendation(connectionId: number): ImvSolicitedOutput {
    return { recommendation: this.#states.get(connectionId).recommendation ?? NONE };
  }
}
