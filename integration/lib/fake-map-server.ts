/**
 * A fake TNC MAP server (IF-MAP 2.x, Binding for SOAP 2.2) on loopback over HTTPS, for the PDP's
 * IF-MAP publisher: a test CA and a server certificate for 127.0.0.1 made with openssl, HTTP basic
 * authentication checked, and the session requests answered as a MAP server does:
 *
 *   newSession     -> <newSessionResult session-id="..." ifmap-publisher-id="..."/>
 *   purgePublisher -> <purgePublisherReceived/>      publish -> <publishReceived/>
 *   renewSession   -> <renewSessionResult/>          endSession -> <endSessionResult/>
 *   unknown session-id (e.g. after a restart) -> <errorResult errorCode="InvalidSessionID">
 *
 * It records every request (kind, body, Authorization) and can be told to answer with SOAP 1.2
 * faults (`failWith`), be stopped (`stop`: connection refused) and come back on the same port
 * having forgotten its sessions, like a restarted MAP server. `xmllintIfmap` validates documents
 * against the TCG schemas in ../shared/ifmap-xsd with the wrapper schema of pdp/test/ifmap-xsd.test.ts
 * (soap12.xsd + ifmap-metadata-2.0v8.xsd, so the lax <metadata> content is validated too).
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './pdp.js';
import type { Scope } from './proc.js';

const SOAP_NS = 'xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ifmap="http://www.trustedcomputinggroup.org/2010/IFMAP/2"';
const MAX_BODY = 4 << 20;

export const IFMAP_XSD_DIR = process.env['IFMAP_XSD_DIR'] ?? resolve(REPO_ROOT, '../shared/ifmap-xsd');

export interface MapRequest {
  /** Local name of the IF-MAP request element: newSession, publish, ... ('?' if none). */
  readonly kind: string;
  readonly body: string;
  readonly authorization?: string;
  readonly sessionId?: string;
  /** What the server answered: 'ok', 'fault', 'error:<code>', 'denied'. */
  readonly answer: string;
  readonly at: number;
}

export interface MapFault {
  /** SOAP 1.2 fault code (env:Receiver = try later, env:Sender = the message is wrong). */
  readonly code: 'Receiver' | 'Sender';
  readonly reason: string;
  /** HTTP status (SOAP 1.2 HTTP binding: 500 for Receiver, 400 for Sender). */
  readonly status?: number;
  /** Only these requests (e.g. ['publish']) get the fault; default every request. */
  readonly only?: readonly string[];
}

export interface MapPki {
  readonly caPath: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** A throwaway CA and a server certificate for 127.0.0.1 / localhost (P-256, 2 days). */
export function makeMapPki(dir: string): MapPki {
  const o = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  o('req', '-x509', ...ec, '-keyout', 'map-ca.key', '-out', 'map-ca.crt', '-subj', '/CN=fake MAP test CA', '-days', '2');
  o('req', ...ec, '-keyout', 'map-server.key', '-out', 'map-server.csr', '-subj', '/CN=map.localhost');
  writeFileSync(join(dir, 'map-server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  o('x509', '-req', '-in', 'map-server.csr', '-CA', 'map-ca.crt', '-CAkey', 'map-ca.key', '-CAcreateserial', '-out', 'map-server.crt', '-days', '2', '-extfile', 'map-server.ext');
  return { caPath: join(dir, 'map-ca.crt'), certPem: readFileSync(join(dir, 'map-server.crt'), 'utf8'), keyPem: readFileSync(join(dir, 'map-server.key'), 'utf8') };
}

export const soapResponse = (inner: string): string => `<?xml version="1.0" encoding="UTF-8"?><env:Envelope ${SOAP_NS}><env:Body><ifmap:response>${inner}</ifmap:response></env:Body></env:Envelope>`;
export const soapFault = (code: string, text: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><env:Envelope ${SOAP_NS}><env:Body><env:Fault><env:Code><env:Value>env:${code}</env:Value></env:Code><env:Reason><env:Text xml:lang="en">${text}</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`;

export interface FakeMapOptions {
  readonly pki: MapPki;
  readonly user: string;
  readonly password: string;
}

export class FakeMapServer {
  readonly requests: MapRequest[] = [];
  /** While set, every request is answered with this SOAP fault. */
  failWith: MapFault | undefined;
  port = 0;
  readonly #o: FakeMapOptions;
  readonly #sessions = new Set<string>();
  readonly #publisherId = `pub-${randomBytes(3).toString('hex')}`;
  #server: Server | undefined;
  #count = 0;
  #epoch = 0;

  constructor(o: FakeMapOptions) {
    this.#o = o;
  }

  /** Starts the server (and registers its stop with the scope once). */
  static async start(scope: Scope, o: FakeMapOptions): Promise<FakeMapServer> {
    const map = new FakeMapServer(o);
    scope.defer('stop the fake MAP server', () => map.stop());
    await map.listen();
    return map;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}/`;
  }

  get listening(): boolean {
    return this.#server !== undefined;
  }

  async listen(port = this.port): Promise<void> {
    if (this.#server) return;
    this.#epoch++;
    const server = createServer({ cert: this.#o.pki.certPem, key: this.#o.pki.keyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const { status, answer, xml } = this.#answer(body, req.headers.authorization);
        const kind = /<ifmap:(\w+)/.exec(body)?.[1] ?? '?';
        const sessionId = /<ifmap:\w+[^>]*\ssession-id="([^"]*)"/.exec(body)?.[1];
        this.requests.push({ kind, body, answer, at: Date.now(), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(sessionId !== undefined ? { sessionId } : {}) });
        res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' }).end(xml);
      });
    });
    this.#server = server;
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => ok());
    });
    this.port = (server.address() as AddressInfo).port;
  }

  /** Down: connections refused from now on; the sessions die with it (a restart forgets them). */
  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    this.#sessions.clear();
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((ok) => s.close(() => ok()));
  }

  #answer(body: string, authorization: string | undefined): { status: number; answer: string; xml: string } {
    const expected = `Basic ${Buffer.from(`${this.#o.user}:${this.#o.password}`).toString('base64')}`;
    if (authorization !== expected) return { status: 401, answer: 'denied', xml: 'authentication required' };
    const kind = /<ifmap:(\w+)/.exec(body)?.[1];
    if (this.failWith && (!this.failWith.only || this.failWith.only.includes(kind ?? '?'))) {
      const f = this.failWith;
      return { status: f.status ?? (f.code === 'Receiver' ? 500 : 400), answer: 'fault', xml: soapFault(f.code, f.reason) };
    }
    const sid = /\ssession-id="([^"]*)"/.exec(body)?.[1];
    if (kind === 'newSession') {
      const id = `S${this.#epoch}-${++this.#count}`;
      this.#sessions.add(id);
      return { status: 200, answer: 'ok', xml: soapResponse(`<newSessionResult session-id="${id}" ifmap-publisher-id="${this.#publisherId}" max-poll-result-size="5000000"/>`) };
    }
    const results: Record<string, string> = { purgePublisher: 'purgePublisherReceived', publish: 'publishReceived', renewSession: 'renewSessionResult', endSession: 'endSessionResult' };
    const result = kind ? results[kind] : undefined;
    if (!result) return { status: 400, answer: 'fault', xml: soapFault('Sender', `unknown request ${kind ?? '(none)'}`) };
    if (sid === undefined || !this.#sessions.has(sid)) {
      return { status: 200, answer: 'error:InvalidSessionID', xml: soapResponse(`<errorResult errorCode="InvalidSessionID"><errorString>no session ${sid ?? ''}</errorString></errorResult>`) };
    }
    if (kind === 'endSession') this.#sessions.delete(sid);
    return { status: 200, answer: 'ok', xml: soapResponse(`<${result}/>`) };
  }

  get publisherId(): string {
    return this.#publisherId;
  }

  /** Publish requests the server accepted, from index `since` of {@link requests}. */
  acceptedPublishes(since = 0): MapRequest[] {
    return this.requests.slice(since).filter((r) => r.kind === 'publish' && r.answer === 'ok');
  }

  /** Waits (polling, bounded) until a request matches; the message lists what arrived. */
  async waitFor(pred: (r: MapRequest) => boolean, o: { since?: number; timeoutMs: number; what: string }): Promise<MapRequest> {
    const deadline = Date.now() + o.timeoutMs;
    for (;;) {
      const r = this.requests.slice(o.since ?? 0).find(pred);
      if (r) return r;
      if (Date.now() > deadline) {
        const seen = this.requests.slice(o.since ?? 0).map((x) => `${x.kind}(${x.answer})`).join(' ');
        throw new Error(`fake MAP server: no ${o.what} within ${o.timeoutMs} ms; received: ${seen || 'nothing'}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The <update> or <delete> elements of a publish request body, as text. */
export function publishElements(body: string, op: 'update' | 'delete'): string[] {
  return [...body.matchAll(new RegExp(`<${op}[ >][\\s\\S]*?</${op}>`, 'g'))].map((m) => m[0]);
}

const run = promisify(execFile);

/**
 * xmllint --schema over every document; resolves with xmllint's stderr ("<file> validates" per
 * file), rejects with it when one fails. `dir` receives the wrapper schema and the documents.
 */
export async function xmllintIfmap(dir: string, documents: readonly { readonly name: string; readonly xml: string }[]): Promise<{ files: string[]; stderr: string }> {
  if (!existsSync(join(IFMAP_XSD_DIR, 'soap12.xsd'))) throw new Error(`TCG IF-MAP schemas not found in ${IFMAP_XSD_DIR} (set IFMAP_XSD_DIR)`);
  const wrapper = join(dir, 'ifmap-all.xsd');
  writeFileSync(
    wrapper,
    `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:tnc-nea:ifmap-validation">
  <xs:import namespace="http://www.w3.org/2003/05/soap-envelope" schemaLocation="${join(IFMAP_XSD_DIR, 'soap12.xsd')}"/>
  <xs:import namespace="http://www.trustedcomputinggroup.org/2010/IFMAP-METADATA/2" schemaLocation="${join(IFMAP_XSD_DIR, 'ifmap-metadata-2.0v8.xsd')}"/>
</xs:schema>
`,
  );
  const files = documents.map((d, i) => {
    const f = join(dir, `${String(i).padStart(3, '0')}-${d.name.replace(/[^A-Za-z0-9-]/g, '_')}.xml`);
    writeFileSync(f, d.xml);
    return f;
  });
  try {
    const { stderr } = await run('xmllint', ['--noout', '--schema', wrapper, ...files], { maxBuffer: 16 << 20 });
    return { files, stderr };
  } catch (e) {
    throw new Error(`xmllint refused an IF-MAP document:\n${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}
