import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClientTable, ClientTableError, parseAddress } from '../client-table.js';

const c = (name: string, address: string) => ({ name, address, secret: `s-${name}`, requireMessageAuthenticator: true });

describe('ClientTable (RFC 2865 section 3: secret chosen by source address)', () => {
  const table = new ClientTable([c('net', '10.1.0.0/16'), c('moon', '10.1.0.1'), c('v6', '2001:db8::/32'), c('any6host', '::1')]);

  it('the most specific prefix wins', () => {
    assert.equal(table.lookup('10.1.0.1')?.name, 'moon');
    assert.equal(table.lookup('10.1.200.7')?.name, 'net');
  });
  it('unknown sources are undefined', () => {
    assert.equal(table.lookup('10.2.0.1'), undefined);
    assert.equal(table.lookup('not an address'), undefined);
  });
  it('IPv4-mapped IPv6 sources match IPv4 entries', () => {
    assert.equal(table.lookup('::ffff:10.1.0.1')?.name, 'moon');
  });
  it('IPv6 prefixes and hosts', () => {
    assert.equal(table.lookup('2001:db8:1::5')?.name, 'v6');
    assert.equal(table.lookup('2001:db9::5'), undefined);
    assert.equal(table.lookup('::1')?.name, 'any6host');
  });
  it('non-octet prefix lengths', () => {
    const t = new ClientTable([c('p', '192.168.0.128/25')]);
    assert.equal(t.lookup('192.168.0.200')?.name, 'p');
    assert.equal(t.lookup('192.168.0.100'), undefined);
  });
  it('bad configuration is a typed error naming the client', () => {
    assert.throws(() => new ClientTable([c('x', '10.0.0.0/33')]), (e: unknown) => e instanceof ClientTableError && /client 'x'/.test(e.message));
    assert.throws(() => new ClientTable([c('y', 'moon.example')]), ClientTableError);
    assert.throws(() => new ClientTable([c('z', '10.0.0.0/8/1')]), ClientTableError);
  });
  it('parseAddress handles :: compression and embedded IPv4', () => {
    assert.equal(parseAddress('2001:db8::1')?.bytes.toString('hex'), '20010db8000000000000000000000001');
    assert.equal(parseAddress('::ffff:1.2.3.4')?.bytes.toString('hex'), '00000000000000000000ffff01020304');
    assert.equal(parseAddress('::')?.bytes.toString('hex'), '0'.repeat(32));
  });
});
