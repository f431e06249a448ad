/**
 * Reader for strongSwan's ipsec.secrets (ipsec.secrets(5), strongSwan 5.9.8):
 *
 *   # comment                               "At the start of a line or after whitespace, # ..."
 *   : RSA moonKey.pem                        key file relative to ipsec.d/private
 *   : ECDSA moonKey.pem "passphrase"
 *   192.168.0.1 %any : PSK "v+NkxY9LL..."    "optional ID selectors, followed by a secret ...
 *   carol@strongswan.org : EAP 0sBASE64==     separated by a colon (:) that is surrounded by
 *   dave : XAUTH 0x6b6579                     whitespace. If no ID selectors ... start with a colon"
 *   include ipsec.*.secrets                  globbing, relative to the including file, depth 10
 *
 * Secret values are SecretValue objects; no error message and no toString shows them.
 */
import { isAbsolute, join } from 'node:path';
import { PepConfigError } from './config-error.js';
import { parseIdentity, type Identity } from './identity.js';
import { MAX_FILE_BYTES, MAX_INCLUDE_DEPTH, nodeFileSource, stripComment, type ConfFileSource } from './ipsec-conf.js';
import { SecretValue } from './secret-value.js';
import { dirname, resolve } from 'node:path';

export type SharedSecretType = 'PSK' | 'EAP' | 'XAUTH' | 'NTLM';
export type PrivateKeyType = 'RSA' | 'ECDSA';

export type SecretEntry =
  | {
      readonly type: SharedSecretType;
      readonly selectors: readonly Identity[];
      readonly secret: SecretValue;
      readonly file: string;
      readonly line: number;
    }
  | {
      readonly type: PrivateKeyType;
      readonly selectors: readonly Identity[];
      /** Resolved against ipsec.d/private. */
      readonly keyFile: string;
      readonly passphrase?: SecretValue;
      readonly file: string;
      readonly line: number;
    };

export interface IpsecSecrets {
  readonly entries: readonly SecretEntry[];
  /** Entries of types we know but do not implement (P12, PIN), as warnings. */
  readonly warnings: readonly { readonly file: string; readonly line: number; readonly message: string }[];
  readonly files: readonly string[];
}

export interface SecretsOptions {
  /** ipsec.d; key files are relative to its private/. Default: ipsec.d next to the file. */
  readonly ipsecDir?: string;
  readonly source?: ConfFileSource;
}

const MAX_ENTRIES = 100_000;

function err(file: string, line: number, key: string, detail: string): never {
  throw new PepConfigError('SECRETS_SYNTAX', file, line, key, detail);
}

/** "A character sequence beginning with 0x is ... hexadecimal ... 0s is ... Base64"; else quoted or a bare token. */
function secretValue(text: string, file: string, line: number, type: string): { value: SecretValue; rest: string } {
  const t = text.trimStart();
  if (t.startsWith('"')) {
    const end = t.indexOf('"', 1);
    if (end < 0) err(file, line, type, 'unterminated quoted secret');
    return { value: new SecretValue(Buffer.from(t.slice(1, end), 'utf8')), rest: t.slice(end + 1) };
  }
  const m = /^(\S+)(.*)$/s.exec(t);
  if (!m) err(file, line, type, 'missing secret');
  const token = m[1]!;
  if (/^0x/i.test(token)) {
    const hex = token.slice(2);
    if (!hex || hex.length % 2 || !/^[0-9a-f]+$/i.test(hex)) err(file, line, type, 'the 0x secret is not valid hexadecimal');
    return { value: new SecretValue(Buffer.from(hex, 'hex')), rest: m[2]! };
  }
  if (/^0s/i.test(token)) {
    const b64 = token.slice(2);
    if (!b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 === 1) err(file, line, type, 'the 0s secret is not valid base64');
    return { value: new SecretValue(Buffer.from(b64, 'base64')), rest: m[2]! };
  }
  return { value: new SecretValue(Buffer.from(token, 'utf8')), rest: m[2]! };
}

interface State {
  entries: SecretEntry[];
  warnings: { file: string; line: number; message: string }[];
  files: string[];
}

/** Finds the separating ':' — at the start of the line or with white space on both sides. */
function separator(body: string): number {
  if (body.startsWith(':') && (body.length === 1 || /\s/.test(body[1]!))) return 0;
  const m = /\s:(\s|$)/.exec(body);
  return m ? m.index + 1 : -1;
}

function parseInto(st: State, text: string, file: string, privateDir: string, src: ConfFileSource, stack: readonly string[]): void {
  st.files.push(file);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const body = stripComment(lines[i]!).trim();
    if (!body) continue;
    const inc = /^include\s+(\S+)$/.exec(body);
    if (inc) {
      if (stack.length >= MAX_INCLUDE_DEPTH) err(file, lineNo, 'include', `includes nested deeper than ${MAX_INCLUDE_DEPTH} levels`);
      const pattern = inc[1]!;
      const abs = isAbsolute(pattern) ? pattern : join(dirname(resolve(file)), pattern);
      const paths = /[*?[]/.test(pattern) ? src.glob(abs) : [abs];
      for (const p of paths) {
        const id = src.identity(p);
        if (stack.includes(id)) err(file, lineNo, 'include', `'${pattern}' includes a file again (include cycle)`);
        let t: string;
        try {
          t = src.read(p);
        } catch (e) {
          throw new PepConfigError('CONF_INCLUDE', file, lineNo, 'include', `cannot read '${p}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        parseInto(st, t, p, privateDir, src, [...stack, id]);
      }
      continue;
    }
    const sep = separator(body);
    if (sep < 0) err(file, lineNo, '', "expected '[selectors] : TYPE secret' (the ':' must be surrounded by white space)");
    const selectors = body.slice(0, sep).trim().split(/\s+/).filter((s) => s !== '').map((s) => parseIdentity(s));
    const after = body.slice(sep + 1).trim();
    const tm = /^([A-Za-z0-9]+)(?:\s+(.*))?$/s.exec(after);
    if (!tm) err(file, lineNo, '', 'missing the secret type (PSK, RSA, ECDSA, EAP, XAUTH, NTLM)');
    const type = tm[1]!.toUpperCase();
    const rest = tm[2] ?? '';
    if (st.entries.length >= MAX_ENTRIES) err(file, lineNo, type, `more than ${MAX_ENTRIES} entries`);
    switch (type) {
      case 'PSK':
      case 'EAP':
      case 'XAUTH':
      case 'NTLM': {
        if (!rest.trim()) err(file, lineNo, type, 'missing secret');
        const { value, rest: tail } = secretValue(rest, file, lineNo, type);
        if (tail.trim()) err(file, lineNo, type, 'unexpected text after the secret');
        st.entries.push(Object.freeze({ type, selectors: Object.freeze(selectors), secret: value, file, line: lineNo }));
        break;
      }
      case 'RSA':
      case 'ECDSA': {
        const km = /^("([^"]*)"|\S+)(?:\s+(.*))?$/s.exec(rest.trim());
        if (!km) err(file, lineNo, type, 'missing private key file');
        const name = km[2] ?? km[1]!;
        let passphrase: SecretValue | undefined;
        if (km[3]?.trim()) {
          if (km[3].trim() === '%prompt') err(file, lineNo, type, '%prompt is not supported: the gateway runs without a terminal; give the passphrase');
          const p = secretValue(km[3], file, lineNo, type);
          if (p.rest.trim()) err(file, lineNo, type, 'unexpected text after the passphrase');
          passphrase = p.value;
        }
        const keyFile = isAbsolute(name) ? name : join(privateDir, name);
        st.entries.push(Object.freeze({ type, selectors: Object.freeze(selectors), keyFile, ...(passphrase ? { passphrase } : {}), file, line: lineNo }));
        break;
      }
      case 'P12':
      case 'PIN':
        st.warnings.push({ file, line: lineNo, message: `${type} secrets are not implemented, ignored` });
        break;
      default:
        err(file, lineNo, type, 'unknown secret type (PSK, RSA, ECDSA, EAP, XAUTH, NTLM, P12, PIN)');
    }
  }
}

export function parseIpsecSecrets(text: string, file: string, opts: SecretsOptions = {}): IpsecSecrets {
  const src = opts.source ?? nodeFileSource;
  if (text.length > MAX_FILE_BYTES) throw new PepConfigError('CONF_IO', file, 0, '', `larger than ${MAX_FILE_BYTES} bytes`);
  const privateDir = join(opts.ipsecDir ?? join(dirname(resolve(file)), 'ipsec.d'), 'private');
  const st: State = { entries: [], warnings: [], files: [] };
  parseInto(st, text, file, privateDir, src, [src.identity(file)]);
  return Object.freeze({ entries: Object.freeze(st.entries), warnings: Object.freeze(st.warnings), files: Object.freeze(st.files) });
}

export function readIpsecSecrets(path: string, opts: SecretsOptions = {}): IpsecSecrets {
  const src = opts.source ?? nodeFileSource;
  let text: string;
  try {
    text = src.read(path);
  } catch (e) {
    throw new PepConfigError('CONF_IO', path, 0, '', `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseIpsecSecrets(text, path, opts);
}

const exact = (a: Identity, b: Identity): boolean => a.type === b.type && a.value.toLowerCase() === b.value.toLowerCase();

function ownerMatch(selectors: readonly Identity[], id: Identity | undefined): number {
  if (!selectors.length || !id) return 1; // "An entry with no selectors will match any host and peer."
  let best = 0;
  for (const s of selectors) {
    if (s.type === 'any') best = Math.max(best, 1);
    else if (exact(s, id)) best = Math.max(best, 3);
  }
  return best;
}

/**
 * The shared secret of `type` that most specifically matches (me, other), as charon's credential
 * set scores it: each side's best selector match (exact > %any/no selectors), summed; an entry
 * with selectors where neither side matches does not apply.
 */
export function findSharedSecret(secrets: IpsecSecrets, type: SharedSecretType, me?: Identity, other?: Identity): SecretValue | undefined {
  let best: SecretValue | undefined;
  let bestScore = 0;
  for (const e of secrets.entries) {
    if (e.type !== type) continue;
    const m = ownerMatch(e.selectors, me);
    const o = ownerMatch(e.selectors, other);
    if (e.selectors.length && m === 0 && o === 0) continue;
    if (m + o > bestScore) {
      best = e.secret;
      bestScore = m + o;
    }
  }
  return best;
}
