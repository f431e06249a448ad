/**
 * MSK/EMSK derivation checked against an independent computation from the TLS key log:
 * TLS 1.2: RFC 5281 section 8 PRF over the master secret; TLS 1.3: RFC 9427 section 2.1 / RFC 8446
 * section 7.5 exporter over the exporter secret.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { deriveTtlsKeys } from '../ttls/keys.js';
import { TlsTunnel, createServerContext, type TlsVersion } from '../ttls/tls-tunnel.js';
import { makeTestPki, type TestPki } from './certs.js';

let pki: TestPki;
before(async () => {
  pki = await makeTestPki();
});

interface Pair {
  server: TlsTunnel;
  client: TlsTunnel;
  keylog: Map<string, { random: Buffer; secret: Buffer }>;
  serverHello: Buffer;
}

async function handshake(version: TlsVersion, ciphers: string): Promise<Pair> {
  const keylog = new Map<string, { random: Buffer; secret: Buffer }>();
  const server = TlsTunnel.server(createServerContext({ cert: pki.certPem, key: pki.keyPem, minVersion: version, maxVersion: version, ciphers }));
  const client = TlsTunnel.client({
    ca: pki.caPem,
    serverName: pki.serverName,
    minVersion: version,
    maxVersion: version,
    ciphers,
    keylog: (line) => {
      const [label, random, secret] = line.toString('latin1').trim().split(' ');
      keylog.set(label!, { random: Buffer.from(random!, 'hex'), secret: Buffer.from(secret!, 'hex') });
    },
  });
  let toServer = (await client.start()).output;
  let serverHello: Buffer | undefined;
  for (let i = 0; i < 5 && !(server.established && client.established); i++) {
    const s = await server.feed(toServer);
    serverHello ??= s.output;
    const c = await client.feed(s.output);
    toServer = c.output;
  }
  if (toServer.length > 0) await server.feed(toServer);
  assert.ok(server.established && client.established);
  return { server, client, keylog, serverHello: serverHello! };
}

function pSha256(secret: Buffer, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let a = seed;
  let total = 0;
  while (total < length) {
    a = createHmac('sha256', secret).update(a).digest();
    const block = createHmac('sha256', secret).update(Buffer.concat([a, seed])).digest();
    out.push(block);
    total += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

function hkdfExpandLabel(secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([context.length]), context]);
  const out: Buffer[] = [];
  let t = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    t = createHmac('sha256', secret).update(Buffer.concat([t, info, Buffer.from([i])])).digest();
    out.push(t);
  }
  return Buffer.concat(out).subarray(0, length);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

describe('EAP-TTLS key derivation', () => {
  it('TLS 1.2: MSK||EMSK = PRF(master_secret, "ttls keying material", client_random + server_random)', async () => {
    const { server, client, keylog, serverHello } = await handshake('TLSv1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256');
    const { random: clientRandom, secret: master } = keylog.get('CLIENT_RANDOM')!;
    assert.equal(master.length, 48);
    // Record header (5) + handshake header (4) + legacy_version (2), then the 32-octet random.
    assert.equal(serverHello[5], 2, 'ServerHello');
    const serverRandom = serverHello.subarray(11, 43);
    const expected = pSha256(master, Buffer.concat([Buffer.from('ttls keying material'), clientRandom, serverRandom]), 128);
    const keys = deriveTtlsKeys(server, 'TLSv1.2');
    assert.deepEqual(Buffer.concat([keys.msk, keys.emsk]), expected);
    assert.deepEqual(deriveTtlsKeys(client, 'TLSv1.2'), keys);
    // Node peculiarity: under TLS 1.2 an empty context is a context (RFC 5705), not "no context".
    assert.notDeepEqual(server.exportKeyingMaterial(128, 'ttls keying material', Buffer.alloc(0)), expected);
    server.close();
    client.close();
  });

  it('TLS 1.3: Key_Material = TLS-Exporter("EXPORTER_EAP_TLS_Key_Material", 0x15, 128)', async () => {
    const { server, client, keylog } = await handshake('TLSv1.3', 'TLS_AES_128_GCM_SHA256');
    const exporterSecret = keylog.get('EXPORTER_SECRET')!.secret;
    const derived = hkdfExpandLabel(exporterSecret, 'EXPORTER_EAP_TLS_Key_Material', sha256(Buffer.alloc(0)), 32);
    const expected = hkdfExpandLabel(derived, 'exporter', sha256(Buffer.from([0x15])), 128);
    const keys = deriveTtlsKeys(server, 'TLSv1.3');
    assert.deepEqual(Buffer.concat([keys.msk, keys.emsk]), expected);
    assert.deepEqual(deriveTtlsKeys(client, 'TLSv1.3'), keys);
    // The exporter binds the length: a 64-octet export is not the first half of the 128-octet one.
    assert.notDeepEqual(server.exportKeyingMaterial(64, 'EXPORTER_EAP_TLS_Key_Material', Buffer.from([0x15])), keys.msk);
    // The pre-RFC 9427 variant (FreeRADIUS 3.0.x / strongSwan 5.9) differs.
    assert.notDeepEqual(deriveTtlsKeys(server, 'TLSv1.3', 'legacy-tls13').msk, keys.msk);
    server.close();
    client.close();
  });
});

