/**
 * IF-MAP 2.x publish (Binding for SOAP 2.2, section 3.7.1): update and delete elements built from
 * an endpoint snapshot, the way strongSwan's tnc-ifmap publishes an IKE_SA
 * (src/libcharon/plugins/tnc_ifmap/tnc_ifmap_soap.c, publish_ike_sa) plus role,
 * device-characteristic, device-attribute, event and ip-mac.
 *
 *   <ifmap:publish session-id="...">
 *     <update>  identifier [identifier]  <metadata> meta:... </metadata> </update>
 *     <delete filter="meta:x[@ifmap-publisher-id='...']"> identifier [identifier] </delete>
 *   </ifmap:publish>
 *
 * The access-request name is "<PDP device name>:<session key>" (strongSwan: "<device>:<IKE_SA id>").
 * Updates use the default lifetime "session": the MAP server removes them when our session ends,
 * and a restarted PDP purges what it published before (purgePublisher).
 */
import type { EndpointSnapshot } from './endpoint-snapshot.js';
import { osFromProduct } from './endpoint-snapshot.js';
import { accessRequest, device, identity, ipAddress, macAddress } from './identifiers.js';
import {
  capability,
  deviceAttribute,
  deviceCharacteristic,
  enforcementReport,
  event,
  ipMac,
  role,
  singleValue,
  type MetadataName,
} from './metadata.js';
import { envelope } from './soap-envelope.js';
import { el, serializeDocument, type XmlElement } from './xml-writer.js';

export interface PublishContext {
  /** The PDP's device identifier name (strongSwan: tnc-ifmap.device_name, else the publisher id). */
  readonly pdpDevice: string;
  /** From newSessionResult; narrows delete filters to our own metadata. */
  readonly publisherId?: string;
  /** administrative-domain of capability and role (strongSwan writes 'strongswan'). */
  readonly administrativeDomain?: string;
}

export type PublishOperation = 'update' | 'delete';

/** An XPath literal for the filter: quoted with ' or ", whichever the value does not contain. */
function literal(v: string): string | undefined {
  if (!v.includes("'")) return `'${v}'`;
  if (!v.includes('"')) return `"${v}"`;
  return undefined;
}

/** "meta:a[@ifmap-publisher-id='P'] or meta:b[...]" (IF-MAP 2.x section 3.7.3 filter syntax). */
export function deleteFilter(names: readonly MetadataName[], publisherId?: string): string {
  const lit = publisherId === undefined ? undefined : literal(publisherId);
  return names.map((n) => (lit ? `meta:${n}[@ifmap-publisher-id=${lit}]` : `meta:${n}`)).join(' or ');
}

const update = (ids: readonly XmlElement[], metadata: readonly XmlElement[]): XmlElement => el('update', undefined, ...ids, el('metadata', undefined, ...metadata));
const del = (ids: readonly XmlElement[], names: readonly MetadataName[], ctx: PublishContext): XmlElement =>
  el('delete', { filter: deleteFilter(names, ctx.publisherId) }, ...ids);

function violationSignificance(s: EndpointSnapshot): { significance: 'critical' | 'important' | 'informational'; magnitude: number } {
  if (s.enforced === 'no-access') return { significance: 'critical', magnitude: 100 };
  if (s.enforced === 'isolate') return { significance: 'important', magnitude: 60 };
  return { significance: 'informational', magnitude: 20 };
}

/** The update or delete elements for one endpoint, in a fixed order. */
export function publishItems(s: EndpointSnapshot, op: PublishOperation, ctx: PublishContext): XmlElement[] {
  const items: XmlElement[] = [];
  const ar = accessRequest(`${ctx.pdpDevice}:${s.sessionKey}`);
  const pdp = device(ctx.pdpDevice);
  const id = s.identity ? identity(s.identity) : undefined;
  const ip = s.ip ? ipAddress(s.ip) : undefined;
  const mac = s.mac ? macAddress(s.mac) : undefined;
  const endpointDevice = s.device ? device(s.device.id) : undefined;
  const pepDevice = s.pep ? device(s.pep.name) : pdp;
  // The endpoint as an enforcement target: IF-MAP links enforcement-report to ip-address or mac-address.
  const target = ip ?? (s.outerIp ? ipAddress(s.outerIp) : undefined) ?? mac;
  const up = op === 'update';
  const add = (ids: XmlElement[], metadata: XmlElement[], names: MetadataName[]): void => {
    items.push(up ? update(ids, metadata) : del(ids, names, ctx));
  };

  // strongSwan: "delete any existing enforcement reports" before publishing a new decision.
  if (target && (up || s.enforced !== 'allow')) items.push(del([target, pepDevice], ['enforcement-report'], ctx));
  if (id) {
    const roles = s.roles.map((r) => role(r, ctx.administrativeDomain));
    add([ar, id], [singleValue('authenticated-as'), ...roles], ['authenticated-as', 'role']);
  }
  if (ip) add([ar, ip], [singleValue('access-request-ip')], ['access-request-ip']);
  const os = s.device?.product ? osFromProduct(s.device.product) : undefined;
  const characteristic =
    s.device && (os || s.device.manufacturer || s.device.model || s.device.deviceType)
      ? deviceCharacteristic({
          ...(s.device.manufacturer ?? os?.manufacturer ? { manufacturer: (s.device.manufacturer ?? os?.manufacturer)! } : {}),
          ...(s.device.model ? { model: s.device.model } : {}),
          ...(os ? { os: os.os } : {}),
          ...(os?.osVersion ? { osVersion: os.osVersion } : {}),
          ...(s.device.deviceType ? { deviceType: s.device.deviceType } : {}),
          discoveredTime: s.at,
          discovererId: ctx.pdpDevice,
          discoveryMethod: 'tnc-os-imc',
        })
      : undefined;
  add([ar, pdp], [singleValue('authenticated-by'), ...(characteristic ? [characteristic] : [])], ['authenticated-by', 'device-characteristic']);
  if (s.capabilities.length) {
    if (up) items.push(update([ar], s.capabilities.map((c) => capability(c, ctx.administrativeDomain))));
    else items.push(del([ar], ['capability', 'event'], ctx));
  }
  if (endpointDevice) {
    const attrs = [...(s.device?.groups ?? []).map((g) => deviceAttribute(`group:${g}`)), deviceAttribute(`recommendation:${s.recommendation}`)];
    add([ar, endpointDevice], [singleValue('access-request-device'), ...attrs], ['access-request-device', 'device-attribute']);
    if (ip) add([endpointDevice, ip], [singleValue('device-ip')], ['device-ip']);
  }
  if (mac) {
    add([ar, mac], [singleValue('access-request-mac')], ['access-request-mac']);
    if (ip) add([ip, mac], [ipMac()], ['ip-mac']);
  }
  if (up && s.pep?.address) items.push(update([device(s.pep.name), ipAddress(s.pep.address)], [singleValue('device-ip')]));
  if (up && target && s.enforced !== 'allow') {
    const failed = s.violations.map((v) => v.policy);
    const reason = `posture recommendation ${s.recommendation}${failed.length ? `: failed ${failed.join(', ')}` : ''}`;
    items.push(update([target, pepDevice], [enforcementReport(s.enforced === 'isolate' ? 'quarantine' : 'block', reason)]));
  }
  if (s.violations.length) {
    const { significance, magnitude } = violationSignificance(s);
    const events = s.violations.map((v) =>
      event({
        name: v.policy,
        discoveredTime: s.at,
        discovererId: ctx.pdpDevice,
        magnitude,
        confidence: 100,
        significance,
        type: 'policy violation',
        ...(v.reasons?.length ? { information: v.reasons.join('; ') } : {}),
      }),
    );
    if (up) items.push(update([ar], events));
    else if (!s.capabilities.length) items.push(del([ar], ['event'], ctx));
  }
  return items;
}

/** `<ifmap:publish session-id=...>` around update/delete elements. */
export function publishElement(sessionId: string, items: readonly XmlElement[]): XmlElement {
  if (!items.length) throw new RangeError('a publish request needs at least one update or delete');
  return el('ifmap:publish', { 'session-id': sessionId }, ...items);
}

export interface BuildPublishOptions extends Partial<PublishContext> {
  readonly operation?: PublishOperation;
  /** Session from newSessionResult; '' for an export that is not sent (the XSD allows it). */
  readonly sessionId?: string;
}

/**
 * The admin API's export: one SOAP 1.2 envelope with a publish request for the given endpoints
 * (update by default, or the deletes that end their sessions). Throws RangeError for no endpoints.
 */
export function buildPublishRequest(snapshots: readonly EndpointSnapshot[], options: BuildPublishOptions = {}): string {
  const ctx: PublishContext = {
    pdpDevice: options.pdpDevice ?? 'tnc-pdp',
    ...(options.publisherId !== undefined ? { publisherId: options.publisherId } : {}),
    ...(options.administrativeDomain !== undefined ? { administrativeDomain: options.administrativeDomain } : {}),
  };
  const items = snapshots.flatMap((s) => publishItems(s, options.operation ?? 'update', ctx));
  return serializeDocument(envelope(publishElement(options.sessionId ?? '', items)));
}
