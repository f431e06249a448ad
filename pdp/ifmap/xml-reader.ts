/**
 * A bounded, namespace-aware reader for the MAP server's SOAP responses (a small subset of XML 1.0:
 * elements, attributes, text, CDATA, comments, processing instructions, the five predefined
 * entities and character references). A DOCTYPE is refused: no DTD means no entity expansion
 * (billion laughs) and no external fetches. Sizes are bounded before anything is built.
 *
 * Everything that goes wrong is an IfmapError IFMAP_BAD_XML with the character offset; nothing
 * else escapes (the fuzz test checks this).
 */
import { IfmapError } from './errors.js';

export interface XmlReadLimits {
  readonly maxChars: number;
  readonly maxDepth: number;
  readonly maxElements: number;
}

export const DEFAULT_READ_LIMITS: XmlReadLimits = { maxChars: 1 << 20, maxDepth: 64, maxElements: 20_000 };

export interface ParsedElement {
  /** Local name ('Envelope', 'newSessionResult'). */
  readonly local: string;
  /** Namespace URI, '' for none. */
  readonly ns: string;
  /** Attributes by qualified name as written, without xmlns declarations. */
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly ParsedElement[];
  /** The element's own text (CDATA included), concatenated. */
  readonly text: string;
  /** Resolves a QName-valued text ('env:Sender') against the element's namespace scope. */
  readonly resolve: (qname: string) => { readonly ns: string; readonly local: string };
}

const NAME = /[A-Za-z_][A-Za-z0-9_.\-]*(?::[A-Za-z_][A-Za-z0-9_.\-]*)?/y;
const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function bad(message: string, offset: number): IfmapError {
  return new IfmapError('IFMAP_BAD_XML', `response is not well-formed XML at offset ${offset}: ${message}`, { offset });
}

function decodeEntities(raw: string, at: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&]{0,10});|&/g, (m, body: string | undefined, i: number) => {
    if (body === undefined) throw bad('bare &', at + i);
    if (body in ENTITIES) return ENTITIES[body]!;
    const num = /^#x([0-9a-fA-F]{1,6})$/.exec(body) ?? /^#([0-9]{1,7})$/.exec(body);
    if (num) {
      const cp = parseInt(num[1]!, body[1] === 'x' ? 16 : 10);
      if (cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) return String.fromCodePoint(cp);
    }
    throw bad(`unknown entity ${m}`, at + i);
  });
}

interface Open {
  readonly qname: string;
  readonly attrs: Record<string, string>;
  readonly scope: Map<string, string>;
  readonly children: ParsedElement[];
  text: string;
}

export function readXml(input: string | Uint8Array, limits: XmlReadLimits = DEFAULT_READ_LIMITS): ParsedElement {
  if (input.length > limits.maxChars) throw bad(`document larger than ${limits.maxChars}`, limits.maxChars);
  let s = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  const stack: Open[] = [];
  let root: ParsedElement | undefined;
  let count = 0;
  let i = 0;
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(s);
    if (!m) throw bad('expected a name', i);
    i += m[0].length;
    return m[0];
  };
  const skipWs = (): void => {
    while (i < s.length && /[ \t\r\n]/.test(s[i]!)) i++;
  };
  const until = (end: string, what: string): string => {
    const j = s.indexOf(end, i);
    if (j < 0) throw bad(`unterminated ${what}`, i);
    const out = s.slice(i, j);
    i = j + end.length;
    return out;
  };
  const resolver = (scope: Map<string, string>, at: number) => (qname: string): { ns: string; local: string } => {
    const c = qname.indexOf(':');
    const prefix = c < 0 ? '' : qname.slice(0, c);
    const ns = scope.get(prefix);
    if (ns === undefined && prefix !== '') throw bad(`undeclared prefix '${prefix}'`, at);
    return { ns: ns ?? '', local: c < 0 ? qname : qname.slice(c + 1) };
  };

  while (i < s.length) {
    if (s[i] !== '<') {
      const start = i;
      const j = s.indexOf('<', i);
      i = j < 0 ? s.length : j;
      const raw = s.slice(start, i);
      const top = stack.at(-1);
      if (!top) {
        if (raw.trim()) throw bad('text outside the root element', start);
        continue;
      }
      top.text += decodeEntities(raw, start);
      continue;
    }
    const at = i;
    if (s.startsWith('<?', i)) {
      i += 2;
      until('?>', 'processing instruction');
    } else if (s.startsWith('<!--', i)) {
      i += 4;
      until('-->', 'comment');
    } else if (s.startsWith('<![CDATA[', i)) {
      i += 9;
      const text = until(']]>', 'CDATA section');
      const top = stack.at(-1);
      if (!top) throw bad('CDATA outside the root element', at);
      top.text += text;
    } else if (s.startsWith('<!', i)) {
      throw bad('DOCTYPE/DTD not accepted', at);
    } else if (s.startsWith('</', i)) {
      i += 2;
      const qname = name();
      skipWs();
      if (s[i] !== '>') throw bad('expected >', i);
      i++;
      const open = stack.pop();
      if (!open || open.qname !== qname) throw bad(`end tag </${qname}> does not match ${open ? `<${open.qname}>` : 'anything'}`, at);
      const resolve = resolver(open.scope, at);
      const el: ParsedElement = { ...resolve(open.qname), attrs: open.attrs, children: open.children, text: open.text, resolve };
      const parent = stack.at(-1);
      if (parent) parent.children.push(el);
      else root = el;
    } else {
      i++;
      if (root) throw bad('content after the root element', at);
      if (++count > limits.maxElements) throw bad(`more than ${limits.maxElements} elements`, at);
      if (stack.length >= limits.maxDepth) throw bad(`nesting deeper than ${limits.maxDepth}`, at);
      const qname = name();
      const attrs = Object.create(null) as Record<string, string>;
      const scope = new Map(stack.at(-1)?.scope ?? [['xml', 'http://www.w3.org/XML/1998/namespace']]);
      let selfClosing = false;
      for (;;) {
        const before = i;
        skipWs();
        if (s.startsWith('/>', i)) {
          i += 2;
          selfClosing = true;
          break;
        }
        if (s[i] === '>') {
          i++;
          break;
        }
        if (i === before) throw bad('expected whitespace, > or />', i);
        const an = name();
        skipWs();
        if (s[i] !== '=') throw bad('expected =', i);
        i++;
        skipWs();
        const q = s[i];
        if (q !== '"' && q !== "'") throw bad('expected a quoted attribute value', i);
        i++;
        const vAt = i;
        const raw = until(q, 'attribute value');
        if (raw.includes('<')) throw bad('< in an attribute value', vAt);
        const value = decodeEntities(raw, vAt);
        if (an === 'xmlns') scope.set('', value);
        else if (an.startsWith('xmlns:')) scope.set(an.slice(6), value);
        else {
          if (Object.hasOwn(attrs, an)) throw bad(`duplicate attribute ${an}`, at);
          attrs[an] = value;
        }
      }
      const open: Open = { qname, attrs, scope, children: [], text: '' };
      if (selfClosing) {
        const resolve = resolver(scope, at);
        const el: ParsedElement = { ...resolve(qname), attrs, children: [], text: '', resolve };
        const parent = stack.at(-1);
        if (parent) parent.children.push(el);
        else root = el;
      } else stack.push(open);
    }
  }
  if (stack.length) throw bad(`<${stack.at(-1)!.qname}> is not closed`, s.length);
  if (!root) throw bad('no root element', 0);
  return root;
}
