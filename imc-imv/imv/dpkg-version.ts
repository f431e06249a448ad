/**
 * Debian package version comparison, as dpkg does it (deb-version(7), dpkg lib/dpkg/version.c
 * `dpkg_version_compare` / `verrevcmp`), for the OS IMV's minimum package versions.
 *
 *   [epoch:]upstream_version[-debian_revision]
 *
 * Epochs compare as numbers (missing = 0); then the upstream version, then the revision (missing
 * = ""), each with verrevcmp: alternately a run of non-digits, compared character by character
 * where '~' sorts before everything (even the end of the string), letters before non-letters;
 * then a run of digits compared as numbers. So 1.0~rc1 < 1.0 < 1.0a < 1.0+b1 < 1.0.1.
 * No regular expressions over the input, no recursion: linear in the version's length.
 */

export interface DebianVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

/** Splits a version; tolerant like dpkg's comparison (a bad epoch counts as 0). */
export function parseDebianVersion(version: string): DebianVersion {
  const v = version.trim();
  const colon = v.indexOf(':');
  let epoch = 0;
  let rest = v;
  if (colon > 0 && /^[0-9]+$/.test(v.slice(0, colon))) {
    epoch = Number(v.slice(0, colon));
    rest = v.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** dpkg's `order`: '~' first, then end/digit (0), letters, then everything else after letters. */
function order(c: number | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 0x7e) return -1;
  return c + 256;
}

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(i < a.length ? a.charCodeAt(i) : undefined);
      const bc = order(j < b.length ? b.charCodeAt(j) : undefined);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 0x30) i++;
    while (b.charCodeAt(j) === 0x30) j++;
    while (i < a.length && isDigit(a.charCodeAt(i)) && j < b.length && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a.charCodeAt(i))) return 1;
    if (j < b.length && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/** <0, 0 or >0 as `a` is older than, equal to or newer than `b` (only the sign is meaningful). */
export function compareDebianVersions(a: string, b: string): number {
  const va = parseDebianVersion(a);
  const vb = parseDebianVersion(b);
  if (va.epoch !== vb.epoch) return va.epoch - vb.epoch;
  return verrevcmp(va.upstream, vb.upstream) || verrevcmp(va.revision, vb.revision);
}
