/** RFC 7296 2.9 traffic selector narrowing as the responder does it (strongSwan's select_traffic_selectors). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { intersect, narrow, tsFromCidr, tsToText } from '../responder/ts-narrowing.js';

describe('traffic selector narrowing', () => {
  it('carol proposes 10.0.0.0/8 as TSr; moon (leftsubnet=10.1.0.0/16) narrows to 10.1.0.0/16', () => {
    assert.deepEqual(narrow([tsFromCidr('10.0.0.0/8')], [tsFromCidr('10.1.0.0/16')]).map(tsToText), ['10.1.0.0/16']);
  });
  it('TSi 0.0.0.0/0 narrows to the virtual IP', () => {
    assert.deepEqual(narrow([tsFromCidr('0.0.0.0/0')], [tsFromCidr('10.3.0.1/32')]).map(tsToText), ['10.3.0.1/32']);
  });
  it('disjoint selectors, other family: nothing (TS_UNACCEPTABLE)', () => {
    assert.deepEqual(narrow([tsFromCidr('192.168.0.0/16')], [tsFromCidr('10.1.0.0/16')]), []);
    assert.deepEqual(narrow([tsFromCidr('::/0')], [tsFromCidr('10.1.0.0/16')]), []);
  });
  it('protocols and ports intersect', () => {
    const tcp80 = { ...tsFromCidr('10.1.2.0/24'), ipProtocol: 6, startPort: 80, endPort: 80 };
    assert.equal(tsToText(intersect(tcp80, tsFromCidr('10.1.0.0/16'))!), '10.1.2.0/24[6/80]');
    assert.equal(intersect(tcp80, { ...tsFromCidr('10.1.0.0/16'), ipProtocol: 17 }), undefined);
  });
  it('IPv6 prefixes round-trip to text', () => {
    assert.equal(tsToText(tsFromCidr('fd00:1::/64')), 'fd00:1::/64');
    assert.equal(tsToText(tsFromCidr('::/0')), '::/0');
  });
  it('property: the intersection lies within both and is symmetric', () => {
    const cidr = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([a, b]) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${b}`);
    fc.assert(fc.property(cidr, cidr, (x, y) => {
      const a = tsFromCidr(x), b = tsFromCidr(y);
      const i = intersect(a, b), j = intersect(b, a);
      assert.deepEqual(i && tsToText(i), j && tsToText(j));
      if (i) {
        for (const r of [a, b]) {
          assert.ok(Buffer.compare(Buffer.from(i.startAddress), Buffer.from(r.startAddress)) >= 0);
          assert.ok(Buffer.compare(Buffer.from(i.endAddress), Buffer.from(r.endAddress)) <= 0);
        }
      }
    }), { numRuns: 300 });
  });
});
