/**
 * GraphQL over HTTP to our PDP's admin API (schemas/admin.graphql, pdp/admin/server.ts) when the
 * PDP listens inside a test namespace: curl runs in that namespace (the host namespace never sends
 * to the test addresses), POSTs `{ query, variables }` with the bearer token and parses the JSON
 * answer. A non-JSON answer or a curl failure throws with what curl printed.
 */
import type { Netns } from './netns.js';

export interface GraphqlError {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: Readonly<Record<string, unknown>>;
}

export interface GraphqlResponse<T = any> {
  readonly data?: T;
  readonly errors?: readonly GraphqlError[];
}

export interface AdminClientOptions {
  readonly netns: Netns;
  /** Where the admin API listens inside the namespace (default 127.0.0.1). */
  readonly address?: string;
  readonly port: number;
  readonly token: string;
  readonly timeoutMs?: number;
}

export class AdminClient {
  constructor(readonly o: AdminClientOptions) {}

  /** A client of the same API with another token (e.g. a read-only one). */
  withToken(token: string): AdminClient {
    return new AdminClient({ ...this.o, token });
  }

  async request<T = any>(query: string, variables?: Readonly<Record<string, unknown>>): Promise<GraphqlResponse<T>> {
    const timeoutMs = this.o.timeoutMs ?? 20_000;
    const url = `http://${this.o.address ?? '127.0.0.1'}:${this.o.port}/graphql`;
    const body = JSON.stringify(variables ? { query, variables } : { query });
    const args = ['-sS', '--max-time', String(Math.ceil(timeoutMs / 1000)), '-H', 'content-type: application/json', '-H', `authorization: Bearer ${this.o.token}`, '--data-binary', body, url];
    const r = await this.o.netns.exec('curl', args, timeoutMs + 5000, false);
    if (r.code !== 0) throw new Error(`curl to the admin API failed (exit ${r.code}): ${r.stderr.trim()}`);
    try {
      return JSON.parse(r.stdout) as GraphqlResponse<T>;
    } catch {
      throw new Error(`the admin API answered with no JSON: ${r.stdout.slice(0, 500)}`);
    }
  }

  /** `request`, and throws when the answer has errors or no data. */
  async data<T = any>(query: string, variables?: Readonly<Record<string, unknown>>): Promise<T> {
    const r = await this.request<T>(query, variables);
    if (r.errors?.length || r.data === undefined || r.data === null) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors ?? r)}`);
    return r.data;
  }
}
