/**
 * The Scanner IMC (IETF PA subtype Firewall, 0/5), after strongSwan's
 * src/libimcv/plugins/imc_scanner/imc_scanner_agent.c: an IETF Port Filter listing the host's
 * listening TCP and UDP ports (B clear: open), from /proc/net/{tcp,tcp6,udp,udp6}, without the
 * sockets bound to loopback. Sent at handshake start and again when an IMV asks with an
 * Attribute Request for Port Filter.
 */
import { attributeRequest } from '../ietf/attribute-request.js';
import { portFilter, type PortFilterEntry } from '../ietf/port-filter.js';
import { findAttribute, makeAttribute, type PaTncAttribute } from '../pa-tnc/attribute.js';
import { ConnectionState, PaSubtypes } from '../imv/imv.js';
import type { HostSource } from './host-source.js';
import { IPPROTO_TCP, IPPROTO_UDP, parseProcNet, uniquePorts } from './host-parsers.js';
import { ImcStates, type Imc, type ImcConnectionInfo, type ImcMessage, type ImcOutput } from './imc.js';

export const PROC_NET_FILES: readonly { readonly path: string; readonly protocol: number }[] = [
  { path: '/proc/net/tcp', protocol: IPPROTO_TCP },
  { path: '/proc/net/tcp6', protocol: IPPROTO_TCP },
  { path: '/proc/net/udp', protocol: IPPROTO_UDP },
  { path: '/proc/net/udp6', protocol: IPPROTO_UDP },
];

export class ScannerImc implements Imc {
  readonly name = 'scanner';
  readonly subscriptions = [PaSubtypes.Firewall];
  readonly #source: HostSource;
  readonly #states = new ImcStates<true>();

  constructor(dependencies: { readonly source: HostSource }) {
    this.#source = dependencies.source;
  }

  /** The open ports of this host. */
  async openPorts(): Promise<PortFilterEntry[]> {
    const all: PortFilterEntry[] = [];
    for (const f of PROC_NET_FILES) all.push(...parseProcNet((await this.#source.readText(f.path)) ?? '', f.protocol));
    return uniquePorts(all);
  }

  notifyConnectionChange(connection: ImcConnectionInfo, state: ConnectionState): void {
    if (state === ConnectionState.Create) this.#states.set(connection.id, true);
    else if (state === ConnectionState.Delete) this.#states.delete(connection.id);
  }

  async beginHandshake(connectionId: number): Promise<ImcOutput> {
    this.#states.get(connectionId);
    return { messages: [{ ...PaSubtypes.Firewall, attributes: [await this.#portFilter()] }] };
  }

  async receiveMessage(connectionId: number, message: ImcMessage): Promise<ImcOutput> {
    this.#states.get(connectionId);
    const request = findAttribute(message.attributes, attributeRequest)?.value;
    if (!request?.some((r) => r.vendorId === portFilter.vendorId && r.type === portFilter.type)) return {};
    return { messages: [{ ...PaSubtypes.Firewall, imvId: message.validatorId, exclusive: true, attributes: [await this.#portFilter()] }] };
  }

  batchEnding(): ImcOutput {
    return {};
  }

  async #portFilter(): Promise<PaTncAttribute> {
    return makeAttribute(portFilter, await this.openPorts());
  }
}
