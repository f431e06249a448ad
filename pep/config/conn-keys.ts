/**
 * Which ipsec.conf parameters we know (ipsec.conf(5), strongSwan 5.9.8): the ones the PEP
 * implements, and the ones it knows but does not implement — those are accepted and ignored with
 * a warning. Anything else is an error, so a typo such as `rigthid` does not silently weaken a
 * policy (strongSwan itself only warns).
 */

/** Per-side parameters: the key without its left/right prefix. */
const SIDE_IMPLEMENTED_BOTH = ['', 'id', 'auth', 'subnet', 'sendcert'] as const;
const SIDE_IMPLEMENTED_LOCAL = ['cert', 'firewall'] as const;
const SIDE_IMPLEMENTED_REMOTE = ['groups', 'sourceip', 'dns'] as const;
const SIDE_KNOWN = [
  'allowany', 'auth2', 'ca', 'ca2', 'cert', 'cert2', 'certpolicy', 'dns', 'firewall', 'groups', 'groups2',
  'hostaccess', 'id2', 'ikeport', 'protoport', 'sigkey', 'sourceip', 'updown', 'nexthop', 'rsasigkey',
] as const;

/** conn parameters we implement. */
export const CONN_IMPLEMENTED: ReadonlySet<string> = new Set([
  'also', 'auto', 'keyexchange', 'ike', 'esp', 'ikelifetime', 'lifetime', 'margintime', 'rekeymargin',
  'rekeyfuzz', 'rekey', 'reauth', 'dpddelay', 'dpdaction', 'fragmentation', 'mobike', 'eap_identity',
  'aaa_identity', 'authby', 'type',
  ...SIDE_IMPLEMENTED_BOTH.flatMap((k) => [`left${k}`, `right${k}`]),
  ...SIDE_IMPLEMENTED_LOCAL.map((k) => `left${k}`),
  ...SIDE_IMPLEMENTED_REMOTE.map((k) => `right${k}`),
]);

/** conn parameters we know and ignore (with a warning). */
export const CONN_KNOWN_NOT_IMPLEMENTED: ReadonlySet<string> = new Set(
  [
    'aggressive', 'ah', 'auth', 'closeaction', 'compress', 'dpdtimeout', 'inactivity', 'forceencaps', 'ikedscp',
    'installpolicy', 'keyingtries', 'keylife', 'ikelifetime', 'lifebytes', 'lifepackets', 'marginbytes', 'marginpackets',
    'mark', 'mark_in', 'mark_out', 'modeconfig', 'replay_window', 'reqid', 'sha256_96', 'tfc', 'xauth',
    'xauth_identity', 'mediation', 'mediated_by', 'me_peerid', 'rekeyfuzz',
    ...SIDE_KNOWN.flatMap((k) => [`left${k}`, `right${k}`]),
  ].filter((k) => !CONN_IMPLEMENTED.has(k)),
);

/** `config setup` parameters (kept as given; none changes the PEP's behaviour yet). */
export const SETUP_KNOWN: ReadonlySet<string> = new Set(['cachecrls', 'charondebug', 'strictcrlpolicy', 'uniqueids']);

/** `ca` section parameters (known, not implemented: CA certificates come from ipsec.d/cacerts). */
export const CA_KNOWN: ReadonlySet<string> = new Set([
  'also', 'auto', 'cacert', 'crluri', 'crluri1', 'crluri2', 'ocspuri', 'ocspuri1', 'ocspuri2', 'certuribase',
]);

/** Edit distance, for "did you mean" hints on unknown keys. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

export function suggestKey(key: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const dd = distance(key.toLowerCase(), k);
    if (dd < bestD) {
      best = k;
      bestD = dd;
    }
  }
  return best;
}
