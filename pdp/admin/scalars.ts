/**
 * Scalars and enum values of schemas/admin.graphql. GraphQL enum names are upper case
 * (NO_ACCESS); the store keeps the config's spelling ('no-access'): the maps below give each
 * enum value its internal value, so resolvers and inputs see the store's strings.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

export const DateTime = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  description: 'ISO 8601 instant (UTC)',
  serialize(v) {
    const n = typeof v === 'number' ? v : v instanceof Date ? v.getTime() : Number.NaN;
    if (!Number.isFinite(n)) throw new GraphQLError('DateTime cannot represent a non-time value');
    return new Date(n).toISOString();
  },
  parseValue(v) {
    return parseInstant(v);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO 8601 string such as 2026-01-31T12:00:00Z', { nodes: [ast] });
    return parseInstant(ast.value);
  },
});

function parseInstant(v: unknown): number {
  const t = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(t)) throw new GraphQLError(`DateTime must be an ISO 8601 string such as 2026-01-31T12:00:00Z, not ${JSON.stringify(v)?.slice(0, 60)}`);
  return t;
}

function literal(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literal(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw new GraphQLError('JSON: unsupported literal', { nodes: [ast] });
  }
}

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, variables) => literal(ast, variables),
});

const lowerDashed = (values: readonly string[]): Record<string, string> =>
  Object.fromEntries(values.map((v) => [v.toUpperCase().replace(/-/g, '_'), v]));

export const enumResolvers = {
  Role: { READ_ONLY: 'read-only', ADMIN: 'admin' },
  Recommendation: lowerDashed(['allow', 'isolate', 'no-access', 'no-recommendation']),
  Enforced: lowerDashed(['allow', 'isolate', 'no-access']),
  PolicyOutcome: lowerDashed(['pass', 'fail', 'no-result']),
  DeviceIdKind: lowerDashed(['device-id', 'user']),
  PolicyType: lowerDashed([
    'os-product',
    'packages-blacklist',
    'min-package-versions',
    'forwarding-disabled',
    'no-default-password',
    'tcp-ports-blocked',
    'tcp-ports-allowed',
    'udp-ports-blocked',
    'udp-ports-allowed',
    'test-command',
  ]),
  DynamicAuthorizationOutcome: { ACK: 'ack', NAK: 'nak', TIMEOUT: 'timeout' },
};
