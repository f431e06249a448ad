/**
 * Query depth and cost limits as GraphQL validation rules (run before any resolver).
 *
 * Written here rather than taken from a plugin package: each is a few dozen lines over graphql-js's
 * visitor, the project adds no dependency for it, and the cost model must know this schema's
 * connections (`first` multiplies what is below it), which a generic plugin would be configured
 * for anyway. graphql-yoga runs them through its envelop `onValidate` hook (server.ts).
 *
 * Depth: the longest chain of selections, fragments followed (each fragment at most once a path,
 * so a fragment cycle, which graphql-js reports separately, cannot loop here).
 * Cost: every field costs 1, times the product of the `first` arguments (default 50) of the
 * connections above it (what is under their `edges`, not their `pageInfo`); introspection fields (`__schema`, `__type`) count 1 each below the root so
 * GraphiQL's introspection query fits.
 */
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';

export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxCost: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 10, maxCost: 50_000 };
const DEFAULT_PAGE = 50;

function fragmentsOf(ctx: ValidationContext): Map<string, FragmentDefinitionNode> {
  const m = new Map<string, FragmentDefinitionNode>();
  for (const d of ctx.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) m.set(d.name.value, d);
  return m;
}

function intArgument(value: ValueNode | undefined, variables: Record<string, unknown> | undefined): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables?.[value.name.value];
    return typeof v === 'number' ? v : undefined;
  }
  return undefined;
}

interface Measure {
  readonly depth: number;
  readonly cost: number;
}

/**
 * Depth and cost of a selection set. Cost below a field with `first` is multiplied by it;
 * `variables` (when known) give `first: $n` its value, else the default page counts.
 */
export function measure(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables?: Record<string, unknown>,
  seen: ReadonlySet<string> = new Set(),
): Measure {
  let depth = 0;
  let cost = 0;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (s.name.value.startsWith('__')) {
        cost += 1;
        depth = Math.max(depth, 1);
        continue;
      }
      const firstArg = s.arguments?.find((a) => a.name.value === 'first');
      const multiplier = firstArg ? Math.max(1, intArgument(firstArg.value, variables) ?? DEFAULT_PAGE) : 1;
      const below = s.selectionSet ? measure(s.selectionSet, fragments, variables, seen) : { depth: 0, cost: 0 };
      depth = Math.max(depth, 1 + below.depth);
      if (multiplier === 1 || !s.selectionSet) {
        cost += 1 + below.cost;
        continue;
      }
      // A connection: `first` rows of what is under edges / nodes; pageInfo once.
      let rows = 0;
      let once = 0;
      for (const c of s.selectionSet.selections) {
        const m = c.kind === Kind.FIELD && !c.selectionSet ? { depth: 1, cost: 1 } : measure({ kind: Kind.SELECTION_SET, selections: [c] }, fragments, variables, seen);
        if (c.kind === Kind.FIELD && c.name.value !== 'edges' && c.name.value !== 'nodes') once += m.cost;
        else rows += m.cost;
      }
      cost += 1 + once + multiplier * rows;
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      const m = measure(s.selectionSet, fragments, variables, seen);
      depth = Math.max(depth, m.depth);
      cost += m.cost;
    } else {
      const name = s.name.value;
      const f = fragments.get(name);
      if (!f || seen.has(name)) continue;
      const m = measure(f.selectionSet, fragments, variables, new Set([...seen, name]));
      depth = Math.max(depth, m.depth);
      cost += m.cost;
    }
  }
  return { depth, cost };
}

/** A validation rule refusing operations deeper than maxDepth or costlier than maxCost. */
export function queryLimitsRule(limits: QueryLimits, variables?: Record<string, unknown>): (ctx: ValidationContext) => ASTVisitor {
  return (ctx) => {
    const fragments = fragmentsOf(ctx);
    return {
      OperationDefinition(op) {
        const m = measure(op.selectionSet, fragments, variables);
        if (m.depth > limits.maxDepth) {
          ctx.reportError(
            new GraphQLError(`query depth ${m.depth} exceeds the limit of ${limits.maxDepth}`, { nodes: [op], extensions: { code: 'QUERY_TOO_DEEP', depth: m.depth, limit: limits.maxDepth } }),
          );
        }
        if (m.cost > limits.maxCost) {
          ctx.reportError(
            new GraphQLError(`query cost ${m.cost} exceeds the limit of ${limits.maxCost} (each field costs 1, times the 'first' of the lists above it)`, {
              nodes: [op],
              extensions: { code: 'QUERY_TOO_COSTLY', cost: m.cost, limit: limits.maxCost },
            }),
          );
        }
      },
    };
  };
}
