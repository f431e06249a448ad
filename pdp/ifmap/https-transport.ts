/**
 * HTTPS POST of SOAP 1.2 documents to the MAP server (IF-MAP Binding for SOAP 2.2, section 4:
 * HTTP over TLS, with HTTP basic authentication or a TLS client certificate; SOAP 1.2 Part 2
 * section 7: media type application/soap+xml). One keep-alive agent; every request has a timeout
 * and the response body is bounded. Failures become IfmapError IFMAP_TRANSPORT / IFMAP_TIMEOUT.
 * The password and the key never reach an error message or a log line.
 */
import { Agent, request } from 'node:https';
import { IfmapError } from './errors.js';

export interface HttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** What the publisher needs from a transport (tests may pass their own). */
export interface IfmapTransport {
  post(document: string): Promise<HttpResponse>;
  close(): void;
}

export type IfmapAuth =
  | { readonly basic: { readonly user: string; readonly password: string } }
  | { readonly certificate: { readonly certPem: string; readonly keyPem: string } };

export interface HttpsTransportOptions {
  readonly url: string;
  readonly auth: IfmapAuth;
  /** PEM CA certificate(s) to verify the MAP server with (default: Node's root store). */
  readonly caPem?: string;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
}

export class HttpsTransport implements IfmapTransport {
  readonly #url: URL;
  readonly #agent: Agent;
  readonly #authorization: string | undefined;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;

  constructor(o: HttpsTransportOptions) {
    this.#url = new URL(o.url);
    if (this.#url.protocol !== 'https:') throw new RangeError(`ifmap.url must be https: (got ${this.#url.protocol})`);
    const cert = 'certificate' in o.auth ? o.auth.certificate : undefined;
    this.#agent = new Agent({ keepAlive: true, maxSockets: 4, ...(o.caPem ? { ca: o.caPem } : {}), ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}) });
    this.#authorization = 'basic' in o.auth ? `Basic ${Buffer.from(`${o.auth.basic.user}:${o.auth.basic.password}`, 'utf8').toString('base64')}` : undefined;
    this.#timeoutMs = o.timeoutMs ?? 10_000;
    this.#maxBytes = o.maxResponseBytes ?? 1 << 20;
  }

  post(document: string): Promise<HttpResponse> {
    const body = Buffer.from(document, 'utf8');
    return new Promise<HttpResponse>((resolve, reject) => {
      const req = request(this.#url, {
        method: 'POST',
        agent: this.#agent,
        headers: {
          'content-type': 'application/soap+xml; charset=utf-8',
          'content-length': body.length,
          ...(this.#authorization ? { authorization: this.#authorization } : {}),
        },
      });
      let settled = false;
      const fail = (e: IfmapError): void => {
        if (settled) return;
        settled = true;
        req.destroy();
        reject(e);
      };
      const timer = setTimeout(() => fail(new IfmapError('IFMAP_TIMEOUT', `no response from the MAP server ${this.#url.host} within ${this.#timeoutMs} ms`)), this.#timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(new IfmapError('IFMAP_TRANSPORT', `MAP server ${this.#url.host}: ${e.code ?? ''} ${e.message}`.trim(), { cause: e }));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > this.#maxBytes) {
            clearTimeout(timer);
            fail(new IfmapError('IFMAP_BAD_RESPONSE', `MAP server response larger than ${this.#maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          fail(new IfmapError('IFMAP_TRANSPORT', `MAP server ${this.#url.host}: response aborted: ${e.message}`, { cause: e }));
        });
        res.on('end', () => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
        });
      });
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
