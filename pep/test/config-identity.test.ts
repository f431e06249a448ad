import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchIdentity, parseIdentity } from '../config/identity.js';

test('identity parsing as ipsec.conf(5) IDENTITY PARSING', () => {
  const t = (s: string) => [parseIdentity(s).type, parseIdentity(s).value];
  assert.deepEqual(t('@moon.strongswan.org'), ['fqdn', 'moon.strongswan.org']);
  assert.deepEqual(t('moon.strongswan.org'), ['fqdn', 'moon.strongswan.org']);
  assert.deepEqual(t('carol@strongswan.org'), ['rfc822', 'carol@strongswan.org']);
  assert.deepEqual(t('@@carol'), ['rfc822', 'carol']);
  assert.deepEqual(t('@#0a0b'), ['keyid', '0a0b']);
  assert.deepEqual(t('192.168.0.1'), ['ipv4', '192.168.0.1']);
  assert.deepEqual(t('fec0::1'), ['ipv6', 'fec0::1']);
  assert.deepEqual(t('C=CH, O=strongSwan, CN=moon'), ['dn', 'C=CH, O=strongSwan, CN=moon']);
  assert.deepEqual(t('%any'), ['any', '']);
  assert.deepEqual(t('*'), ['any', '']);
});

// [pattern, identity, matches] — strongSwan identification.c matches_string / matches_dn semantics.
const table: [string, string, boolean][] = [
  ['*@strongswan.org', 'dave@strongswan.org', true],
  ['*@strongswan.org', 'carol@strongswan.org', true],
  ['*@strongswan.org', 'CAROL@StrongSwan.ORG', true],
  ['*@strongswan.org', 'dave@strongswan.com', false],
  ['*@strongswan.org', '@strongswan.org', false],
  ['*@strongswan.org', 'strongswan.org', false],
  ['*@strongswan.org', 'dave@evil.strongswan.org', false],
  ['*@strongswan.org', 'x@strongswan.org', true],
  ['*.strongswan.org', 'moon.strongswan.org', true],
  ['*.strongswan.org', 'carol@moon.strongswan.org', false],
  ['@*.strongswan.org', 'sun.strongswan.org', true],
  ['dave*@strongswan.org', 'dave1@strongswan.org', false],
  ['carol@strongswan.org', 'carol@strongswan.org', true],
  ['carol@strongswan.org', 'Carol@strongswan.org', true],
  ['carol@strongswan.org', 'dave@strongswan.org', false],
  ['%any', 'anything@example.org', true],
  ['%any', 'C=CH, CN=x', true],
  ['192.168.0.100', '192.168.0.100', true],
  ['192.168.0.100', '192.168.0.200', false],
  ['192.168.0.0/24', '192.168.0.200', true],
  ['192.168.0.0/24', '192.168.1.1', false],
  ['192.168.0.100-192.168.0.150', '192.168.0.120', true],
  ['C=CH, O=strongSwan, CN=*', 'C=CH, O=strongSwan, CN=carol@strongswan.org', true],
  ['C=CH, O=strongSwan, CN=*', 'C=CH, O=other, CN=carol', false],
  ['C=CH, O=strongSwan, CN=*', 'C=CH, O=strongSwan, OU=x, CN=carol', false],
  ['C=CH, O=strongSwan, CN=moon', 'c=ch, o=strongswan, cn=MOON', true],
  ['moon.strongswan.org', 'moon@strongswan.org', false],
];

test('identity wildcard matching table', () => {
  for (const [p, id, want] of table) assert.equal(matchIdentity(p, id), want, `${p} vs ${id}`);
});
