/**
 * The admin API server: Node's http server, graphql-yoga over schemas/admin.graphql (SDL first),
 * bearer-token authentication, roles, query limits, GraphiQL for people, SSE subscriptions.
 *
 *   GET  /graphql (Accept: text/html)   GraphiQL (no data in it; the token goes in its headers editor)
 *   POST /graphql                       queries and mutations   } Authorization: Bearer <token>
 *   GET  /graphql (text/event-stream)   subscriptions over SSE  }  else 401
 *   GET  /health                        liveness (no data)
 *
 * Authorization is checked in two places, both before any resolver runs: the HTTP handler answers
 * 401 without a known token; validation rules (graphql-yoga's envelop `onValidate` hook, so they see
 * the parsed operation and the caller) refuse mutations of read-only tokens (FORBIDDEN), introspection
 * for read-only tokens, and queries over the depth and cost limits (limits.ts).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ASTVisitor, type ValidationContext } from 'graphql';
import { createSchema, createYoga, type Plugin, type YogaLogger } from 'graphql-yoga';
import type { Logger } from '../logging.js';
import type { Store } from '../store/store.js';
import { TokenTable, type AdminContext, type AdminToken, type IfmapExport, type Principal } from './context.js';
import { DAE_PORT, DynamicAuthorizationClient } from './dynamic-authorization.js';
import { createAdminEvents, type AdminEvents } from './events.js';
import { DEFAULT_LIMITS, queryLimitsRule, type QueryLimits } from './limits.js';
import { mutationResolvers, subscriptionResolvers } from './mutation-resolvers.js';
import { recommendationEvent } from './pdp-events.js';
import { queryResolvers, typeResolvers } from './query-resolvers.js';
import { DateTime, enumResolvers, JSONScalar } from './scalars.js';

export interface AdminConfig {
  readonly listen: { readonly address: string; readonly port: number };
  readonly tokens: readonly AdminToken[];
  readonly maxDepth?: number;
  readonly maxCost?: number;
  /** UDP port of the NASes' RFC 5176 servers (default 3799). */
  readonly dynamicAuthorizationPort?: number;
}

export interface AdminServerOptions {
  readonly config: AdminConfig;
  readonly store: Store;
  readonly log: Logger;
  readonly now?: () => number;
  readonly ifmap?: IfmapExport;
  /** The running RADIUS client table's secret of a NAS (used when the store has none). */
  readonly radiusSecret?: (nas: string) => string | undefined;
  /** Default: one with 2 s per try, 3 tries. */
  readonly dae?: DynamicAuthorizationClient;
}

/** schemas/admin.graphql, from the source tree (pdp/admin) or the build (dist/pdp/admin). */
export function loadAdminSdl(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [resolve(here, '../../schemas/admin.graphql'), resolve(here, '../../../schemas/admin.graphql')]) {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      /* try the next */
    }
  }
  throw new Error('schemas/admin.graphql not found next to the program');
}

function roleRule(principal: Principal): (ctx: ValidationContext) => ASTVisitor {
  return (ctx) => ({
    OperationDefinition(op) {
      if (op.operation === 'mutation' && principal.role !== 'admin') {
        ctx.reportError(new GraphQLError(`token '${principal.name}' is read-only: mutations need an admin token`, { nodes: [op], extensions: { code: 'FORBIDDEN' } }));
      }
    },
  });
}

/** graphql-yoga's own messages (unexpected errors, with stacks) into our pino log. */
function yogaLogger(log: Logger): YogaLogger {
  const f = (level: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const err = args.find((a) => a instanceof Error) as Error | undefined;
    log[level]({ event: 'admin.yoga', ...(err ? { err: { message: err.message, stack: err.stack } } : {}) }, args.filter((a) => typeof a === 'string').join(' ') || (err?.message ?? 'graphql-yoga'));
  };
  return { debug: f('debug'), info: f('info'), warn: f('warn'), error: f('error') };
}

async function graphiqlRenderer(log: Logger): Promise<((o: object) => string) | undefined> {
  // The self-contained GraphiQL (assets inlined) so the page works without internet; yoga's default
  // page loads GraphiQL from unpkg.com.
  const name = '@graphql-yoga/render-graphiql';
  try {
    const m = (await import(name)) as { renderGraphiQL: (o: object) => string };
    return m.renderGraphiQL;
  } catch {
    log.warn({ event: 'admin.graphiql-cdn' }, `${name} is not installed: GraphiQL loads its assets from unpkg.com`);
    return undefined;
  }
}

export class AdminServer {
  readonly events: AdminEvents = createAdminEvents();
  readonly #o: AdminServerOptions;
  readonly #tokens: TokenTable;
  readonly #dae: DynamicAuthorizationClient;
  #http?: Server;
  #address?: { address: string; port: number };

  constructor(options: AdminServerOptions) {
    this.#o = options;
    this.#tokens = new TokenTable(options.config.tokens);
    this.#dae = options.dae ?? new DynamicAuthorizationClient();
  }

  async listen(): Promise<{ address: string; port: number }> {
    const { config, log } = this.#o;
    const limits: QueryLimits = { maxDepth: config.maxDepth ?? DEFAULT_LIMITS.maxDepth, maxCost: config.maxCost ?? DEFAULT_LIMITS.maxCost };
    const services = {
      store: this.#o.store,
      dae: this.#dae,
      events: this.events,
      log,
      daePort: config.dynamicAuthorizationPort ?? DAE_PORT,
      now: this.#o.now ?? Date.now,
      ...(this.#o.radiusSecret ? { radiusSecret: this.#o.radiusSecret } : {}),
      ...(this.#o.ifmap ? { ifmap: this.#o.ifmap } : {}),
    };
    const guardPlugin: Plugin<{ principal: Principal; params: { variables?: Record<string, unknown> } }> = {
      onValidate({ addValidationRule, context }) {
        addValidationRule(roleRule(context.principal));
        addValidationRule(queryLimitsRule(limits, context.params?.variables ?? undefined));
        if (context.principal.role !== 'admin') addValidationRule(NoSchemaIntrospectionCustomRule);
      },
    };
    const logPlugin: Plugin<{ principal?: Principal }> = {
      onResultProcess({ result, request }) {
        const results = Array.isArray(result) ? result : [result];
        for (const r of results) {
          const errors = (r as { errors?: readonly GraphQLError[] }).errors;
          if (!errors?.length) continue;
          log.warn(
            { event: 'admin.request-error', method: request.method, errors: errors.slice(0, 5).map((e) => ({ message: e.message, code: e.extensions?.['code'], field: e.extensions?.['field'] })) },
            `admin API request refused or failed: ${errors[0]!.message}`,
          );
        }
      },
    };
    const renderGraphiQL = await graphiqlRenderer(log);
    const yoga = createYoga<{ principal: Principal }, AdminContext>({
      schema: createSchema<AdminContext>({
        typeDefs: loadAdminSdl(),
        resolvers: {
          DateTime,
          JSON: JSONScalar,
          ...enumResolvers,
          Query: queryResolvers,
          Mutation: mutationResolvers,
          Subscription: subscriptionResolvers,
          ...typeResolvers,
        } as never,
      }),
      context: ({ principal }) => ({ ...services, principal, memo: new Map() }),
      graphqlEndpoint: '/graphql',
      healthCheckEndpoint: '/health',
      landingPage: false,
      graphiql: { title: 'tnc-pdp admin', subscriptionsProtocol: 'SSE', defaultQuery: '# Set the header {"Authorization": "Bearer <token>"} below, then run:\nquery { me { name role } endpoints(first: 10) { edges { node { id product recommendation filterGroup virtualIp } } } }\n' },
      ...(renderGraphiQL ? { renderGraphiQL } : {}),
      maxRequestBodySize: 256 * 1024,
      batching: false,
      logging: yogaLogger(log),
      plugins: [guardPlugin, logPlugin],
    });

    const handle = (req: IncomingMessage, res: ServerResponse): void => {
      const url = req.url ?? '/';
      const path = url.split('?')[0];
      const accept = req.headers.accept ?? '';
      const page = req.method === 'GET' && path === '/graphql' && accept.includes('text/html') && !url.includes('query=');
      if (page || path === '/health') {
        void yoga(req, res, { principal: { name: 'anonymous', role: 'read-only' } });
        return;
      }
      const principal = this.#tokens.authenticate(req.headers.authorization);
      if (!principal) {
        log.warn({ event: 'admin.unauthenticated', remote: req.socket.remoteAddress, method: req.method, path, hadAuthorization: req.headers.authorization !== undefined }, `admin API: refused ${req.method} ${path} from ${req.socket.remoteAddress}: no valid bearer token`);
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="tnc-pdp admin"' });
        res.end(JSON.stringify({ errors: [{ message: 'a bearer token is required (Authorization: Bearer <token>)', extensions: { code: 'UNAUTHENTICATED' } }] }));
        return;
      }
      void yoga(req, res, { principal });
    };
    const http = createServer(handle);
    this.#http = http;
    await new Promise<void>((resolvePromise, reject) => {
      http.once('error', reject);
      http.listen(config.listen.port, config.listen.address, () => {
        http.off('error', reject);
        resolvePromise();
      });
    });
    const a = http.address() as AddressInfo;
    this.#address = { address: a.address, port: a.port };
    log.info({ event: 'admin.listening', address: a.address, port: a.port, tokens: config.tokens.map((t) => ({ name: t.name, role: t.role })) }, `admin API (GraphQL, GraphiQL) listening on http://${a.address}:${a.port}/graphql`);
    return { address: a.address, port: a.port };
  }

  /** Where it listens (after listen()). */
  get address(): { address: string; port: number } | undefined {
    return this.#address;
  }

  /** Feeds a posture event (pdp.ts onPostureEvent); decisions go to `recommendations` subscribers. */
  publishPosture(e: { type?: string }, at: number): void {
    const r = recommendationEvent(e, at);
    if (r) this.events.publish('recommendation', r);
  }

  async close(): Promise<void> {
    this.#dae.close();
    const http = this.#http;
    if (!http) return;
    await new Promise<void>((r) => {
      http.close(() => r());
      // SSE subscribers keep their connections open: end them.
      http.closeAllConnections();
    });
  }
}
