/**
 * Reader for strongSwan's ipsec.conf (ipsec.conf(5), strongSwan 5.9 starter) as operators write it:
 *
 *   config setup                 <- a section begins at column 0: "type name"
 *        charondebug="ike 1"     <- "All subsequent non-empty lines which begin with white space
 *   conn %default                    are part of the section" ("the mandatory preceding white space")
 *        keyexchange=ikev2
 *   conn rw-allow
 *        also=rw-eap             <- may repeat; resolved later (conn-resolve.ts)
 *   include ipsec.*.conf         <- "replaced by the contents of that file", relative to the
 *                                    including file's directory, shell wildcards, nestable
 *
 * Comments: "White space followed by # followed by anything to the end of the line". Values:
 * "A value may contain single spaces (additional white space is reduced to one space). To
 * preserve white space as written enclose the entire value in double quotes"; inside quotes
 * \" \\ \n \r \t \b \f are escapes and a trailing \ continues the value on the next line.
 * "Sections of the same type that share the same name are merged."
 *
 * This file only reads text into sections of (key, value, file, line); conn-resolve.ts gives
 * them meaning. Every problem is a PepConfigError naming file, line and key.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { PepConfigError } from './config-error.js';

export type SectionType = 'config' | 'conn' | 'ca';

export interface ConfSetting {
  readonly key: string;
  /** '' is an explicit empty value: "stands for the system default", clearing inherited values. */
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

export interface ConfSection {
  readonly type: SectionType;
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** In file order; `also` entries stay in place (their order matters). */
  readonly settings: readonly ConfSetting[];
}

export interface IpsecConfDocument {
  /** Sections by type, then name, same-name sections merged, in order of first appearance. */
  readonly sections: readonly ConfSection[];
  /** Every file read (the main file first, then includes in order). */
  readonly files: readonly string[];
}

/** "Such inclusions can be nested" — to a bounded depth, as ipsec.secrets(5) says of its own (10). */
export const MAX_INCLUDE_DEPTH = 10;
/** Upper bounds that keep a hostile or broken file from exhausting memory. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
export const MAX_SECTIONS = 10_000;

/** Reads files for the parser; tests and fuzzers give an in-memory one. */
export interface ConfFileSource {
  read(path: string): string;
  /** Expands a glob (absolute pattern) to existing files, sorted; [] when nothing matches. */
  glob(pattern: string): string[];
  /** A stable key for cycle detection (real path). */
  identity(path: string): string;
}

function globToRegExp(segment: string): RegExp {
  let re = '^';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}

const hasMagic = (s: string): boolean => /[*?[]/.test(s);

/** The real file system; glob supports * ? [..] in any path segment (sh(1) semantics, no dotfiles). */
export const nodeFileSource: ConfFileSource = {
  read(path) {
    const st = statSync(path);
    if (st.size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
    return readFileSync(path, 'utf8');
  },
  glob(pattern) {
    const parts = pattern.split('/').filter((p) => p !== '');
    let paths = [pattern.startsWith('/') ? '/' : '.'];
    for (const part of parts) {
      const next: string[] = [];
      for (const base of paths) {
        if (!hasMagic(part)) {
          next.push(join(base, part));
          continue;
        }
        let names: string[] = [];
        try {
          names = readdirSync(base);
        } catch {
          continue;
        }
        const re = globToRegExp(part);
        for (const n of names.sort()) if (!n.startsWith('.') && re.test(n)) next.push(join(base, n));
      }
      paths = next;
    }
    return paths.filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    });
  },
  identity(path) {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  },
};

export interface ParseOptions {
  readonly source?: ConfFileSource;
}

interface Builder {
  readonly sections: Map<string, { type: SectionType; name: string; file: string; line: number; settings: ConfSetting[] }>;
  readonly files: string[];
  current?: { settings: ConfSetting[] } | undefined;
}

const SECTION_TYPES: ReadonlySet<string> = new Set(['config', 'conn', 'ca']);
const KEY_RE = /^[A-Za-z0-9_.-]+$/;
const NAME_RE = /^%?[A-Za-z0-9_.:@+-]+$/;

/** Strips a comment: '#' at the start or after white space, outside quotes. */
export function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '#' && !quoted && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) return line.slice(0, i);
  }
  return line;
}

/** Reads a double-quoted value starting at lines[index] col `start`; returns value and last line index. */
function readQuoted(lines: readonly string[], index: number, start: number, file: string, key: string): { value: string; end: number } {
  let out = '';
  let li = index;
  let i = start + 1;
  const ESC: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', '\\': '\\' };
  for (;;) {
    const line = lines[li]!;
    if (i >= line.length) throw new PepConfigError('CONF_SYNTAX', file, index + 1, key, 'unterminated quoted value');
    const c = line[i]!;
    if (c === '"') {
      const rest = stripComment(line.slice(i + 1)).trim();
      if (rest) throw new PepConfigError('CONF_SYNTAX', file, li + 1, key, `unexpected '${rest}' after the closing quote`);
      return { value: out, end: li };
    }
    if (c === '\\') {
      if (i === line.length - 1) {
        // "A double-quoted string may span multiple lines by ending them with \ characters"
        li++;
        i = 0;
        if (li >= lines.length) throw new PepConfigError('CONF_SYNTAX', file, index + 1, key, 'unterminated quoted value');
        continue;
      }
      const e = line[i + 1]!;
      out += ESC[e] ?? `\\${e}`;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
}

function parseInto(b: Builder, text: string, file: string, src: ConfFileSource, stack: readonly string[]): void {
  b.files.push(file);
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    const raw = lines[li]!;
    const lineNo = li + 1;
    if (raw.includes('\0')) throw new PepConfigError('CONF_SYNTAX', file, lineNo, '', 'contains a NUL character');
    const indented = raw.length > 0 && (raw[0] === ' ' || raw[0] === '\t');
    const body = stripComment(raw).trim();
    if (!body) continue;
    if (!indented) {
      const words = body.split(/[ \t]+/);
      const head = words[0]!;
      if (head === 'include') {
        if (words.length !== 2) throw new PepConfigError('CONF_INCLUDE', file, lineNo, 'include', 'expects exactly one file name (no white space)');
        include(b, words[1]!, file, lineNo, src, stack);
        b.current = undefined;
        continue;
      }
      if (head === 'version') continue; // "version 2" of old configurations: no meaning in strongSwan 5
      if (!SECTION_TYPES.has(head)) {
        const hint = body.includes('=') ? ' (parameters must be indented below a section)' : '';
        throw new PepConfigError('CONF_SYNTAX', file, lineNo, '', `expected 'config setup', 'conn <name>', 'ca <name>' or 'include <file>', found '${head}'${hint}`);
      }
      if (words.length !== 2 || !NAME_RE.test(words[1]!)) {
        throw new PepConfigError('CONF_SYNTAX', file, lineNo, '', `'${head}' needs exactly one name`);
      }
      const name = words[1]!;
      if (head === 'config' && name !== 'setup') throw new PepConfigError('CONF_SYNTAX', file, lineNo, '', `unknown config section '${name}' (only 'config setup' exists)`);
      const id = `${head} ${name}`;
      let s = b.sections.get(id);
      if (!s) {
        if (b.sections.size >= MAX_SECTIONS) throw new PepConfigError('CONF_SYNTAX', file, lineNo, '', `more than ${MAX_SECTIONS} sections`);
        s = { type: head as SectionType, name, file, line: lineNo, settings: [] };
        b.sections.set(id, s);
      }
      b.current = s;
      continue;
    }
    if (!b.current) throw new PepConfigError('CONF_SYNTAX', file, lineNo, '', 'indented line outside of a section');
    const eq = body.indexOf('=');
    if (eq < 0) throw new PepConfigError('CONF_SYNTAX', file, lineNo, body.split(/\s/)[0] ?? '', "expected 'parameter=value'");
    const key = body.slice(0, eq).trim();
    if (!KEY_RE.test(key)) throw new PepConfigError('CONF_SYNTAX', file, lineNo, key, 'is not a parameter name');
    // Find the value in the raw line, so quoted values keep their white space.
    const rawEq = raw.indexOf('=');
    const afterEq = raw.slice(rawEq + 1);
    const lead = afterEq.length - afterEq.trimStart().length;
    let value: string;
    if (afterEq.trimStart().startsWith('"')) {
      const q = readQuoted(lines, li, rawEq + 1 + lead, file, key);
      value = q.value;
      li = q.end;
    } else {
      value = body.slice(eq + 1).trim().replace(/[ \t]+/g, ' ');
    }
    b.current.settings.push({ key, value, file, line: lineNo });
  }
}

function include(b: Builder, pattern: string, file: string, line: number, src: ConfFileSource, stack: readonly string[]): void {
  if (stack.length >= MAX_INCLUDE_DEPTH) {
    throw new PepConfigError('CONF_INCLUDE', file, line, 'include', `includes nested deeper than ${MAX_INCLUDE_DEPTH} levels`);
  }
  const abs = isAbsolute(pattern) ? pattern : join(dirname(resolve(file)), pattern);
  const paths = hasMagic(pattern) ? src.glob(abs) : [abs];
  for (const p of paths) {
    const id = src.identity(p);
    if (stack.includes(id)) {
      throw new PepConfigError('CONF_INCLUDE', file, line, 'include', `'${pattern}' includes '${basename(p)}' again (include cycle)`);
    }
    let text: string;
    try {
      text = src.read(p);
    } catch (e) {
      throw new PepConfigError('CONF_INCLUDE', file, line, 'include', `cannot read '${p}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const saved = b.current;
    b.current = undefined;
    parseInto(b, text, isAbsolute(file) ? p : join(dirname(file), relative(dirname(resolve(file)), p)), src, [...stack, id]);
    b.current = saved;
  }
}

/** Parses ipsec.conf text; `file` names it in errors and anchors relative includes. */
export function parseIpsecConf(text: string, file: string, opts: ParseOptions = {}): IpsecConfDocument {
  const src = opts.source ?? nodeFileSource;
  if (text.length > MAX_FILE_BYTES) throw new PepConfigError('CONF_IO', file, 0, '', `larger than ${MAX_FILE_BYTES} bytes`);
  const b: Builder = { sections: new Map(), files: [] };
  parseInto(b, text, file, src, [src.identity(file)]);
  return Object.freeze({
    sections: Object.freeze([...b.sections.values()].map((s) => Object.freeze({ ...s, settings: Object.freeze(s.settings.map((x) => Object.freeze(x))) }))),
    files: Object.freeze(b.files),
  });
}

/** Reads and parses an ipsec.conf file. */
export function readIpsecConf(path: string, opts: ParseOptions = {}): IpsecConfDocument {
  const src = opts.source ?? nodeFileSource;
  let text: string;
  try {
    text = src.read(path);
  } catch (e) {
    throw new PepConfigError('CONF_IO', path, 0, '', `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseIpsecConf(text, path, { source: src });
}
