/**
 * From ipsec.conf sections to PeerConfigs, with strongSwan's inheritance rules (ipsec.conf(5)):
 *
 * - "A section with name %default specifies defaults for sections of the same type. All
 *   parameters in it, are inherited by all other sections of that type."  (lowest precedence)
 * - also=: "Parameters in the current section always override inherited parameters, even if an
 *   also follows after them. The specified section must exist ... Nesting is permitted, and there
 *   may be more than one also in a single section (parameters from referenced sections are
 *   inherited and overridden in the order of these also parameters)."
 * - "An empty value stands for the system default value": it clears an inherited value.
 * - auto defaults to ignore: a conn used only through also= (rw-eap) is not loaded.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { PepConfigError } from './config-error.js';
import { CA_KNOWN, CONN_IMPLEMENTED, CONN_KNOWN_NOT_IMPLEMENTED, SETUP_KNOWN, suggestKey } from './conn-keys.js';
import * as V from './conn-values.js';
import { readIpsecConf, type ConfSection, type ConfSetting, type IpsecConfDocument, type ParseOptions } from './ipsec-conf.js';
import type { AuthMethod, AutoAction, LocalEnd, PeerConfig, RemoteEnd } from './peer-config.js';
import { effectiveProposals, parseProposalList } from './proposals.js';

export interface ConfWarning {
  readonly file: string;
  readonly line: number;
  readonly key: string;
  readonly message: string;
}

export interface LoadedIpsecConf {
  /** `config setup` as given (charondebug, uniqueids, ...). */
  readonly setup: ReadonlyMap<string, string>;
  /** conns with auto=add|start|route, in file order. */
  readonly peers: readonly PeerConfig[];
  readonly warnings: readonly ConfWarning[];
  readonly files: readonly string[];
}

export interface ResolveOptions {
  /** The ipsec.d directory; leftcert is relative to its certs/. Default: next to ipsec.conf. */
  readonly ipsecDir?: string;
}

const MAX_ALSO_DEPTH = 32;

function checkKeys(section: ConfSection, warnings: ConfWarning[]): void {
  for (const s of section.settings) {
    const known = section.type === 'conn' ? CONN_IMPLEMENTED : section.type === 'ca' ? CA_KNOWN : SETUP_KNOWN;
    if (known.has(s.key)) {
      if (section.type === 'ca' && s.key !== 'also' && s.key !== 'auto') {
        warnings.push({ file: s.file, line: s.line, key: s.key, message: `ca ${section.name}: '${s.key}' is not implemented, ignored` });
      }
      continue;
    }
    if (section.type === 'conn' && CONN_KNOWN_NOT_IMPLEMENTED.has(s.key)) {
      warnings.push({ file: s.file, line: s.line, key: s.key, message: `conn ${section.name}: '${s.key}' is not implemented, ignored` });
      continue;
    }
    const hint = suggestKey(s.key, section.type === 'conn' ? [...CONN_IMPLEMENTED, ...CONN_KNOWN_NOT_IMPLEMENTED] : known);
    throw new PepConfigError('CONF_UNKNOWN_KEY', s.file, s.line, s.key, `unknown parameter in ${section.type} ${section.name}${hint ? ` (did you mean '${hint}'?)` : ''}`);
  }
}

/** Effective settings of a conn: %default, then each also= in order (recursively), then its own. */
function merge(conns: ReadonlyMap<string, ConfSection>, section: ConfSection, chain: readonly string[]): Map<string, ConfSetting> {
  const out = new Map<string, ConfSetting>();
  const own = new Map<string, ConfSetting>();
  for (const s of section.settings) {
    if (s.key === 'also') {
      const target = conns.get(s.value);
      if (!s.value || !target || s.value === '%default') {
        throw new PepConfigError('CONF_ALSO', s.file, s.line, 'also', `conn '${s.value}' does not exist`);
      }
      if (chain.includes(s.value)) {
        throw new PepConfigError('CONF_ALSO', s.file, s.line, 'also', `cycle: ${[...chain, s.value].join(' -> ')}`);
      }
      if (chain.length > MAX_ALSO_DEPTH) throw new PepConfigError('CONF_ALSO', s.file, s.line, 'also', `nested deeper than ${MAX_ALSO_DEPTH}`);
      for (const [k, v] of merge(conns, target, [...chain, s.value])) out.set(k, v);
    } else {
      own.set(s.key, s);
    }
  }
  for (const [k, v] of own) out.set(k, v);
  return out;
}

function authFromAuthby(s: ConfSetting | undefined): AuthMethod {
  if (!s) return { class: 'pubkey' };
  const v = V.oneOf(s, ['pubkey', 'rsasig', 'ecdsasig', 'psk', 'secret', 'never', 'xauthpsk', 'xauthrsasig'] as const);
  if (v.startsWith('xauth')) return V.invalid(s, `'${s.value}' is IKEv1 XAuth, which this gateway does not implement`);
  if (v === 'never') return V.invalid(s, "'never' (shunt-only conns) is not supported");
  return v === 'psk' || v === 'secret' ? { class: 'psk' } : { class: 'pubkey' };
}

function buildPeer(name: string, section: ConfSection, eff: ReadonlyMap<string, ConfSetting>, auto: AutoAction, certsDir: string): PeerConfig {
  // An explicit empty value means "system default": treat it as unset.
  const get = (k: string): ConfSetting | undefined => {
    const s = eff.get(k);
    return s && s.value !== '' ? s : undefined;
  };
  const opt = <T>(k: string, f: (s: ConfSetting) => T, dflt: T): T => {
    const s = get(k);
    return s ? f(s) : dflt;
  };
  const kx = get('keyexchange');
  if (kx) {
    const v = V.oneOf(kx, ['ike', 'ikev2', 'ikev1'] as const);
    if (v === 'ikev1') throw new PepConfigError('CONF_IKEV1', kx.file, kx.line, 'keyexchange', `conn ${name}: IKEv1 is not supported by this gateway; use keyexchange=ikev2`);
  }
  const type = get('type');
  if (type && V.oneOf(type, ['tunnel', 'transport', 'transport_proxy', 'passthrough', 'drop'] as const) !== 'tunnel') {
    V.invalid(type, `conn ${name}: only type=tunnel is supported`);
  }
  const defaultAuth = authFromAuthby(get('authby'));
  const certSetting = get('leftcert');
  let cert: string | undefined;
  if (certSetting) {
    const certs = V.list(certSetting.value);
    if (certs.length !== 1) V.invalid(certSetting, 'exactly one certificate path is supported');
    cert = isAbsolute(certs[0]!) ? certs[0]! : join(certsDir, certs[0]!);
  }
  const leftid = get('leftid');
  const local: LocalEnd = {
    addrs: opt('left', V.endpoints, [{ kind: 'any' }]),
    ...(leftid ? { id: V.identity(leftid) } : {}),
    auth: opt('leftauth', V.authMethod, defaultAuth),
    ...(cert ? { cert } : {}),
    subnets: opt('leftsubnet', V.subnets, []),
    firewall: opt('leftfirewall', V.yesNo, false),
    sendcert: opt('leftsendcert', V.sendCert, 'ifasked'),
  };
  const remote: RemoteEnd = {
    addrs: opt('right', V.endpoints, [{ kind: 'any' }]),
    id: opt('rightid', V.identity, V.identity({ key: 'rightid', value: '%any', file: section.file, line: section.line })),
    auth: opt('rightauth', V.authMethod, defaultAuth),
    groups: opt('rightgroups', (s) => V.list(s.value), []),
    sendcert: opt('rightsendcert', V.sendCert, 'ifasked'),
    sourceip: opt('rightsourceip', V.sourceIps, []),
    dns: opt('rightdns', V.addresses, []),
    subnets: opt('rightsubnet', V.subnets, []),
  };
  const src = (k: string) => {
    const s = get(k)!;
    return { file: s.file, line: s.line, key: k };
  };
  const ikeConfigured = get('ike') ? parseProposalList(get('ike')!.value, 'ike', src('ike')) : undefined;
  const espConfigured = get('esp') ? parseProposalList(get('esp')!.value, 'esp', src('esp')) : undefined;
  const margin = get('margintime') ?? get('rekeymargin');
  const eapId = get('eap_identity');
  const aaa = get('aaa_identity');
  const peer: PeerConfig = {
    name,
    auto,
    source: { file: section.file, line: section.line },
    local,
    remote,
    ...(ikeConfigured ? { ikeConfigured } : {}),
    ...(espConfigured ? { espConfigured } : {}),
    ike: effectiveProposals(ikeConfigured, 'ike'),
    esp: effectiveProposals(espConfigured, 'esp'),
    ikeLifetimeSeconds: opt('ikelifetime', V.timeSeconds, 3 * 3600),
    lifetimeSeconds: opt('lifetime', V.timeSeconds, 3600),
    rekeyMarginSeconds: margin ? V.timeSeconds(margin) : 9 * 60,
    rekeyFuzzPercent: opt('rekeyfuzz', V.percent, 100),
    rekey: opt('rekey', V.yesNo, true),
    reauth: opt('reauth', V.yesNo, true),
    dpdDelaySeconds: opt('dpddelay', V.timeSeconds, 30),
    dpdAction: opt('dpdaction', (s) => V.oneOf(s, ['none', 'clear', 'hold', 'restart'] as const), 'none'),
    fragmentation: opt('fragmentation', (s) => V.oneOf(s, ['yes', 'accept', 'force', 'no'] as const), 'yes'),
    mobike: opt('mobike', V.yesNo, true),
    ...(eapId ? { eapIdentity: eapId.value === '%identity' ? { kind: 'request' as const } : { kind: 'fixed' as const, id: V.identity(eapId) } } : {}),
    ...(aaa ? { aaaIdentity: V.identity(aaa) } : {}),
  };
  if (peer.lifetimeSeconds > 24 * 3600) V.invalid(get('lifetime')!, 'must not exceed 24h');
  for (const s of [get('margintime') ?? get('rekeymargin')]) {
    if (s && peer.rekeyMarginSeconds >= peer.lifetimeSeconds) V.invalid(s, `must be below lifetime (${peer.lifetimeSeconds}s)`);
  }
  return deepFreeze(peer);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** Resolves a parsed document into PeerConfigs. */
export function resolveIpsecConf(doc: IpsecConfDocument, mainFile: string, opts: ResolveOptions = {}): LoadedIpsecConf {
  const warnings: ConfWarning[] = [];
  const conns = new Map<string, ConfSection>();
  const setup = new Map<string, string>();
  for (const section of doc.sections) {
    checkKeys(section, warnings);
    if (section.type === 'conn') conns.set(section.name, section);
    if (section.type === 'config') for (const s of section.settings) setup.set(s.key, s.value);
  }
  const uniq = doc.sections.find((s) => s.type === 'config')?.settings.find((s) => s.key === 'uniqueids');
  if (uniq) V.oneOf(uniq, ['yes', 'no', 'never', 'replace', 'keep'] as const);
  const certsDir = join(opts.ipsecDir ?? join(dirname(resolve(mainFile)), 'ipsec.d'), 'certs');
  const dfltSection = conns.get('%default');
  const dflt = dfltSection ? merge(conns, dfltSection, ['%default']) : undefined;
  const peers: PeerConfig[] = [];
  for (const section of conns.values()) {
    if (section.name === '%default') continue;
    const eff = merge(conns, section, [section.name]);
    if (dflt) for (const [k, s] of dflt) if (!eff.has(k)) eff.set(k, s);
    const autoS = eff.get('auto');
    const auto = autoS && autoS.value ? V.oneOf(autoS, ['ignore', 'add', 'start', 'route'] as const) : 'ignore';
    if (auto === 'ignore') continue;
    peers.push(buildPeer(section.name, section, eff, auto, certsDir));
  }
  return Object.freeze({ setup, peers: Object.freeze(peers), warnings: Object.freeze(warnings), files: doc.files });
}

/** Reads ipsec.conf (with includes) and resolves it. */
export function loadIpsecConf(path: string, opts: ResolveOptions & ParseOptions = {}): LoadedIpsecConf {
  return resolveIpsecConf(readIpsecConf(path, opts), path, opts);
}
