/**
 * Depth and cost of GraphQL operations (pdp/admin/limits.ts): fragments followed once a path,
 * connections multiply what is under their edges by `first` (literal or variable), pageInfo once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { measure } from '../admin/limits.js';

function m(query: string, variables?: Record<string, unknown>) {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = new Map(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  return measure(op.selectionSet, fragments, variables);
}

describe('query depth and cost', () => {
  it('counts fields and depth of plain selections', () => {
    assert.deepEqual(m('{ me { name role } }'), { depth: 2, cost: 3 });
  });
  it('multiplies edges by first and counts pageInfo once', () => {
    // endpoints 1 + pageInfo (1 + 1) + 10 x (edges 1 + node 1 + id 1)
    assert.deepEqual(m('{ endpoints(first: 10) { pageInfo { hasNextPage } edges { node { id } } } }'), { depth: 4, cost: 1 + 2 + 30 });
    assert.equal(m('query($n: Int) { endpoints(first: $n) { edges { node { id } } } }', { n: 100 }).cost, 1 + 300);
    // default page 50 when first is a variable without value
    assert.equal(m('query($n: Int) { endpoints(first: $n) { edges { node { id } } } }').cost, 1 + 150);
  });
  it('follows fragments (a cycle is counted once) and inline fragments', () => {
    assert.deepEqual(m('{ endpoint(id: "x") { ...E } } fragment E on Endpoint { id latestSession { id } }'), { depth: 3, cost: 1 + 1 + 2 });
    assert.deepEqual(m('{ endpoint(id: "x") { ...A } } fragment A on Endpoint { id ...B } fragment B on Endpoint { product ...A }'), { depth: 2, cost: 3 });
    assert.deepEqual(m('{ endpoint(id: "x") { ... on Endpoint { id } } }'), { depth: 2, cost: 2 });
  });
  it('introspection fields cost 1', () => {
    assert.equal(m('{ __schema { types { name fields { name } } } }').cost, 1);
  });
});
