/**
 * Identification payloads (RFC 7296 section 3.5) to and from the configuration's identities, and
 * the text strongSwan prints for them ('moon.strongswan.org', 'carol@strongswan.org', '10.0.0.1').
 *
 * DER_ASN1_DN identities are printed as an RFC 4514 string when @peculiar/x509 can read them,
 * else as hex; KEY_ID as hex.
 */
import 'reflect-metadata';
import { isIPv4, isIPv6 } from 'node:net';
import { Name } from '@peculiar/x509';
import { IdType, PayloadType } from '../ike/constants.js';
import type { IdentificationPayload } from '../ike/payloads/identification.js';
import { parseIdentity, type Identity } from '../config/identity.js';

function ipText(data: Uint8Array, family: 4 | 6): string {
  if (family === 4) return [...data].join('.');
  const parts: string[] = [];
  for (let i = 0; i + 1 < data.length; i += 2) parts.push(((data[i]! << 8) | data[i + 1]!).toString(16));
  return parts.join(':');
}

/** strongSwan's text for a received identity. */
export function idText(id: { readonly idType: number; readonly data: Uint8Array }): string {
  switch (id.idType) {
    case IdType.FQDN:
    case IdType.RFC822_ADDR:
      return Buffer.from(id.data).toString('utf8');
    case IdType.IPV4_ADDR:
      return ipText(id.data, 4);
    case IdType.IPV6_ADDR:
      return ipText(id.data, 6);
    case IdType.DER_ASN1_DN:
      try {
        return new Name(Buffer.from(id.data)).toString();
      } catch {
        return Buffer.from(id.data).toString('hex');
      }
    default:
      return Buffer.from(id.data).toString('hex');
  }
}

/** The received identity as a config Identity (for matchIdentity). */
export function idToIdentity(id: { readonly idType: number; readonly data: Uint8Array }): Identity {
  const text = idText(id);
  switch (id.idType) {
    case IdType.FQDN:
      return parseIdentity(`@${text}`);
    case IdType.RFC822_ADDR:
      return parseIdentity(text.includes('@') ? text : `@@${text}`);
    case IdType.KEY_ID:
      return parseIdentity(`@#${text}`);
    default:
      return parseIdentity(text);
  }
}

/** The ID payload for our configured identity (leftid), or the address when none. */
export function identityPayload(type: typeof PayloadType.IDi | typeof PayloadType.IDr, id: Identity | undefined, address: string): IdentificationPayload {
  if (!id || id.type === 'any') {
    return isIPv4(address)
      ? { type, idType: IdType.IPV4_ADDR, data: Buffer.from(address.split('.').map(Number)) }
      : { type, idType: IdType.FQDN, data: Buffer.from(address) };
  }
  switch (id.type) {
    case 'fqdn':
      return { type, idType: IdType.FQDN, data: Buffer.from(id.value, 'utf8') };
    case 'rfc822':
      return { type, idType: IdType.RFC822_ADDR, data: Buffer.from(id.value, 'utf8') };
    case 'ipv4':
      return { type, idType: IdType.IPV4_ADDR, data: Buffer.from(id.value.split('.').map(Number)) };
    case 'ipv6': {
      if (!isIPv6(id.value)) break;
      const b = Buffer.alloc(16);
      const [h, t] = id.value.includes('::') ? (id.value.split('::') as [string, string]) : [id.value, ''];
      const hs = h ? h.split(':') : [];
      const ts = t ? t.split(':') : [];
      const groups = id.value.includes('::') ? [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts] : hs;
      groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
      return { type, idType: IdType.IPV6_ADDR, data: b };
    }
    case 'dn':
      return { type, idType: IdType.DER_ASN1_DN, data: Buffer.from(new Name(id.value).toArrayBuffer()) };
    case 'keyid':
      return { type, idType: IdType.KEY_ID, data: Buffer.from(id.value, 'hex') };
  }
  return { type, idType: IdType.FQDN, data: Buffer.from(id.text) };
}
