/**
 * Latency of the admin API's `endpoints` query over HTTP (POST /graphql, Authorization: Bearer),
 * one request at a time, each answer checked: no GraphQL errors, a full page of 50 edges, newest
 * device first (unfiltered), only matching products (filtered), the next page continuing where the
 * first ended (`after`).
 */
import { LatencyRecorder, type LatencySummary } from '../load/stats.js';
import { FILTER_PRODUCT, fillDeviceId } from './fill.js';

const FIELDS = 'edges { cursor node { id product lastSeen recommendation filterGroup virtualIp } } pageInfo { hasNextPage endCursor }';

export interface EndpointQuery {
  readonly label: string;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  /** Throws when the answer is not the expected page. */
  readonly check: (page: EndpointPage) => void;
}

export interface EndpointPage {
  readonly edges: readonly { readonly cursor: string | null; readonly node: { readonly id: string; readonly product: string | null; readonly recommendation: string | null } }[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
}

export interface QueryLatency {
  readonly label: string;
  readonly latency: LatencySummary;
  readonly requests: number;
}

async function post(url: string, token: string, query: string, variables: Record<string, unknown> | undefined): Promise<EndpointPage> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { data?: { endpoints?: EndpointPage }; errors?: { message: string }[] };
  if (res.status !== 200 || body.errors?.length || !body.data?.endpoints) throw new Error(`endpoints query: HTTP ${res.status}: ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
  return body.data.endpoints;
}

function fullPage(p: EndpointPage): void {
  if (p.edges.length !== 50) throw new Error(`expected 50 edges, got ${p.edges.length}`);
  if (!p.pageInfo.hasNextPage || !p.pageInfo.endCursor) throw new Error('expected a next page');
  if (p.edges.some((e) => e.node.recommendation === null)) throw new Error('an endpoint without its latest assessment');
}

/** The three queries, given the device count of the fill (the first page's cursor is read once). */
export async function endpointQueries(url: string, token: string, count: number): Promise<readonly EndpointQuery[]> {
  const first: EndpointQuery = {
    label: 'endpoints(first: 50)',
    query: `query { endpoints(first: 50) { ${FIELDS} } }`,
    check: (p) => {
      fullPage(p);
      const want = fillDeviceId(count - 1);
      if (p.edges[0]?.node.id !== want) throw new Error(`expected the newest device ${want} first, got ${p.edges[0]?.node.id}`);
    },
  };
  const page1 = await post(url, token, first.query, undefined);
  first.check(page1);
  const filtered: EndpointQuery = {
    label: `endpoints(first: 50, filter: {product: "${FILTER_PRODUCT}"})`,
    query: `query($p: String) { endpoints(first: 50, filter: { product: $p }) { ${FIELDS} } }`,
    variables: { p: FILTER_PRODUCT },
    check: (p) => {
      fullPage(p);
      const bad = p.edges.find((e) => !(e.node.product ?? '').toLowerCase().includes(FILTER_PRODUCT));
      if (bad) throw new Error(`filtered page holds ${bad.node.id} (${bad.node.product})`);
    },
  };
  const after = page1.pageInfo.endCursor as string;
  const next: EndpointQuery = {
    label: 'endpoints(first: 50, after: <page 1>)',
    query: `query($a: String) { endpoints(first: 50, after: $a) { ${FIELDS} } }`,
    variables: { a: after },
    check: (p) => {
      fullPage(p);
      const want = fillDeviceId(count - 51);
      if (p.edges[0]?.node.id !== want) throw new Error(`page 2 should start at ${want}, got ${p.edges[0]?.node.id}`);
    },
  };
  return [first, filtered, next];
}

/**
 * `warmup` unmeasured requests then `requests` measured ones, sequentially; stops early once
 * `budgetMs` has passed and at least 10 were measured (a slow store must not stall the run).
 */
export async function measureQuery(url: string, token: string, q: EndpointQuery, warmup: number, requests: number, budgetMs: number): Promise<QueryLatency> {
  for (let i = 0; i < warmup; i++) q.check(await post(url, token, q.query, q.variables));
  const rec = new LatencyRecorder(requests);
  const end = performance.now() + budgetMs;
  for (let i = 0; i < requests && (i < 10 || performance.now() < end); i++) {
    const t0 = performance.now();
    const page = await post(url, token, q.query, q.variables);
    rec.add(performance.now() - t0);
    q.check(page);
  }
  return { label: q.label, latency: rec.summary(), requests: rec.count };
}
