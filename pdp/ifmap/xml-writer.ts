/**
 * A small XML writer for the IF-MAP documents: elements are plain data, serialised with every
 * attribute value and text node escaped. No caller concatenates untrusted strings into XML; they
 * pass them as attribute values or text and this file escapes them.
 *
 * XML 1.0 (Fifth Edition) section 2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD]
 * | [#x10000-#x10FFFF]. Other code points (C0 controls, lone surrogates, U+FFFE/U+FFFF) cannot be
 * written at all, not even as character references, so they become U+FFFD (a user name that
 * arrived over RADIUS with a NUL in it still produces a well-formed document).
 * Section 2.4: "The ampersand character (&) and the left angle bracket (<) MUST NOT appear in
 * their literal form" in character data; section 3.3.3 normalises literal tab/CR/LF in attribute
 * values to spaces, so those are written as character references to survive.
 */

export interface XmlElement {
  /** Qualified name as written ('ifmap:publish', 'update'); our own constants, checked. */
  readonly name: string;
  /** Attributes in document order; undefined values are left out. */
  readonly attrs?: Readonly<Record<string, string | number | undefined>>;
  readonly children?: readonly XmlNode[];
}

/** A child: an element or a text node. */
export type XmlNode = XmlElement | string;

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*(:[A-Za-z_][A-Za-z0-9_.-]*)?$/;
// Everything outside the XML 1.0 Char production (surrogate pairs are fine, lone ones are not).
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces code points that XML 1.0 cannot carry with U+FFFD. */
export function toXmlChars(s: string): string {
  return s.replace(NOT_XML_CHAR, '\uFFFD');
}

/** Text content: & < > escaped (> too, so "]]>" can never appear); CR as a reference (section 2.11 would turn it into LF). */
export function escapeText(s: string): string {
  return toXmlChars(s).replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

/** An attribute value in double quotes: & < > " escaped, tab/CR/LF as character references. */
export function escapeAttr(s: string): string {
  return toXmlChars(s).replace(/[&<>"\t\n\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
    }
  });
}

/** Builds an element; children that are undefined or false are skipped (optional parts). */
export function el(name: string, attrs?: XmlElement['attrs'], ...children: readonly (XmlNode | undefined | false)[]): XmlElement {
  const kept = children.filter((c): c is XmlNode => c !== undefined && c !== false);
  return { name, ...(attrs ? { attrs } : {}), ...(kept.length ? { children: kept } : {}) };
}

/** `<name>text</name>`, or nothing when the text is undefined. */
export function textEl(name: string, text: string | number | undefined): XmlElement | undefined {
  return text === undefined ? undefined : { name, children: [String(text)] };
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new RangeError(`not an XML name: ${JSON.stringify(name)}`);
  return name;
}

/** Serialises without added whitespace (so the byte tests are exact). */
export function serialize(node: XmlNode): string {
  const out: string[] = [];
  const walk = (n: XmlNode): void => {
    if (typeof n === 'string') {
      out.push(escapeText(n));
      return;
    }
    const name = checkName(n.name);
    out.push('<', name);
    for (const [k, v] of Object.entries(n.attrs ?? {})) {
      if (v === undefined) continue;
      out.push(' ', checkName(k), '="', escapeAttr(String(v)), '"');
    }
    if (!n.children?.length) {
      out.push('/>');
      return;
    }
    out.push('>');
    for (const c of n.children) walk(c);
    out.push('</', name, '>');
  };
  walk(node);
  return out.join('');
}

/** A complete document: the XML declaration and the root element. */
export function serializeDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(root)}\n`;
}
