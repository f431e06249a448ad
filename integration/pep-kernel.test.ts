/**
 * REFERENCE-SCENARIO step 7 (the CHILD_SA reaches the data path) on this kernel without ESP: two
 * namespaces, each running our UserspaceDataPath (TUN device ipsec0, ESP-in-UDP on port 4500) in its
 * own node process with a fixed pair of SAs, as the IKE daemon would install them. A ping between the
 * two inner addresses succeeds through the TUN devices, the SA counters move, and tshark on the
 * veth sees only ESP-in-UDP (UDP 4500, the SPIs we installed) between the outer addresses.
 *
 * This file is also the peer: run with PEP_KERNEL_PEER=<json> it starts one side and prints
 * `{"ready":true}`, and a `{"status":[...]}` line on SIGUSR2.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';

interface PeerConfig {
  readonly local: string;
  readonly remote: string;
  readonly innerLocal: string;
  readonly innerRemote: string;
  readonly spiIn: number;
  readonly spiOut: number;
  readonly keyIn: string;
  readonly keyOut: string;
  readonly encr: 'aes-gcm-16' | 'aes-cbc';
}

async function runPeer(cfg: PeerConfig): Promise<void> {
  const { openTunDevice } = await import('../pep/kernel/tun-device.js');
  const { UserspaceDataPath, ipRouteTable } = await import('../pep/kernel/userspace-data-path.js');
  const { classifyUdpEncap } = await import('../pep/esp/esp-in-udp.js');
  const { createCipher } = await import('../pep/crypto/cipher.js');
  const tun = await openTunDevice({ name: 'ipsec0', addresses: [`${cfg.innerLocal}/32`] });
  const drops: Record<string, number> = {};
  const dp = new UserspaceDataPath({
    tun,
    createCipher,
    routes: ipRouteTable(tun.name),
    onEvent: (e) => {
      if (e.type === 'drop') drops[`${e.direction}:${e.reason}`] = (drops[`${e.direction}:${e.reason}`] ?? 0) + 1;
    },
  });
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(4500, cfg.local, r));
  sock.on('message', (msg, rinfo) => {
    const c = classifyUdpEncap(msg);
    if (c.kind === 'esp') dp.handleEspDatagram(msg, rinfo);
  });
  dp.setSender((pkt, port, address) => sock.send(pkt, port, address));
  const gcm = cfg.encr === 'aes-gcm-16';
  const sa = (src: string, dst: string, spi: number, key: string) => ({
    src,
    dst,
    spi,
    protocol: 'esp' as const,
    mode: 'tunnel' as const,
    encap: { sport: 4500, dport: 4500 },
    encr: { alg: cfg.encr, key: Buffer.from(key, 'hex') },
    ...(gcm ? {} : { integ: { alg: 'hmac-sha2-256-128' as const, key: Buffer.from(key, 'hex').subarray(0, 32) } }),
    reqid: 1,
    replayWindow: 64,
  });
  await dp.installSa(sa(cfg.remote, cfg.local, cfg.spiIn, cfg.keyIn));
  await dp.installSa(sa(cfg.local, cfg.remote, cfg.spiOut, cfg.keyOut));
  const tmplOut = { src: cfg.local, dst: cfg.remote, protocol: 'esp' as const, mode: 'tunnel' as const, reqid: 1 };
  const tmplIn = { ...tmplOut, src: cfg.remote, dst: cfg.local };
  await dp.installPolicy({ selector: { src: `${cfg.innerLocal}/32`, dst: `${cfg.innerRemote}/32` }, dir: 'out', tmpl: tmplOut, reqid: 1, priority: 100 });
  await dp.installPolicy({ selector: { src: `${cfg.innerRemote}/32`, dst: `${cfg.innerLocal}/32` }, dir: 'in', tmpl: tmplIn, reqid: 1, priority: 100 });
  process.on('SIGUSR2', () => console.log(JSON.stringify({ status: dp.listSas(), drops })));
  process.on('SIGTERM', () => {
    sock.close();
    void dp.close().then(() => process.exit(0));
  });
  console.log(JSON.stringify({ ready: true }));
}

const peerEnv = process.env['PEP_KERNEL_PEER'];
if (peerEnv) {
  await runPeer(JSON.parse(peerEnv) as PeerConfig);
} else {
  const { Scope, startProc, run, poll } = await import('./lib/proc.js');
  const { NetnsSet, sweepStaleNamespaces } = await import('./lib/netns.js');
  const { randomBytes } = await import('node:crypto');
  type Proc = import('./lib/proc.js').Proc;
  const self = fileURLToPath(import.meta.url);

  for (const encr of ['aes-gcm-16', 'aes-cbc'] as const) {
    describe(`userspace ESP-in-UDP data path between two namespaces (${encr})`, () => {
      const scope = new Scope();
      let peers: Proc[] = [];
      let nsA: string;
      const A = { outer: '192.168.77.1', inner: '10.71.0.1' };
      const B = { outer: '192.168.77.2', inner: '10.72.0.1' };
      const spiAB = 0xc1000001;
      const spiBA = 0xc2000002;

      before(async () => {
        await sweepStaleNamespaces();
        const set = new NetnsSet(scope);
        const a = await set.add('pepka');
        const b = await set.add('pepkb');
        nsA = a.name;
        await set.veth(a, 'veth0', b, 'veth0');
        await a.addAddress('veth0', `${A.outer}/24`);
        await b.addAddress('veth0', `${B.outer}/24`);
        const keyLen = encr === 'aes-gcm-16' ? 20 : 32;
        const kAB = randomBytes(keyLen).toString('hex');
        const kBA = randomBytes(keyLen).toString('hex');
        const cfgA: PeerConfig = { local: A.outer, remote: B.outer, innerLocal: A.inner, innerRemote: B.inner, spiIn: spiBA, spiOut: spiAB, keyIn: kBA, keyOut: kAB, encr };
        const cfgB: PeerConfig = { local: B.outer, remote: A.outer, innerLocal: B.inner, innerRemote: A.inner, spiIn: spiAB, spiOut: spiBA, keyIn: kAB, keyOut: kBA, encr };
        peers = [
          [a.name, cfgA],
          [b.name, cfgB],
        ].map(([ns, cfg], i) =>
          startProc(scope, 'ip', ['netns', 'exec', ns as string, process.execPath, '--import', 'tsx', self], {
            name: `esp-peer-${i === 0 ? 'a' : 'b'}`,
            env: { ...process.env, PEP_KERNEL_PEER: JSON.stringify(cfg) },
            maxLifetimeMs: 60_000,
          }),
        );
        for (const p of peers) await p.waitForJson((o) => o['ready'] === true, { timeoutMs: 15_000, what: 'peer ready' });
      });
      after(() => scope.close());

      /** dumpcap reports "Capture started" slightly before the socket sees packets: wait a little more. */
      async function tsharkReady(p: Proc): Promise<void> {
        await p.waitForLine((l) => /Capture started/.test(l), { timeoutMs: 15_000, what: 'tshark started' });
        await new Promise((r) => setTimeout(r, 700));
      }

      async function status(p: Proc): Promise<{ status: { spi: number; bytes: number; packets: number }[]; drops: Record<string, number> }> {
        const since = p.mark();
        process.kill(p.pid, 'SIGUSR2');
        const o = await p.waitForJson((j) => Array.isArray(j['status']), { timeoutMs: 5000, since, what: 'status' });
        return o as never;
      }

      it('ping through the TUN devices over ESP-in-UDP: replies come back, counters move, tshark sees UDP 4500 ESP only', async () => {
        const capture = startProc(scope, 'ip', ['netns', 'exec', nsA, 'tshark', '-l', '-n', '-i', 'veth0', '-f', 'udp or icmp',
          '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'udp.dstport', '-e', 'esp.spi', '-e', 'esp.sequence', '-e', 'icmp.type'], { name: 'tshark' });
        await tsharkReady(capture);
        const ping = await run('ip', ['netns', 'exec', nsA, 'ping', '-c', '5', '-i', '0.2', '-W', '2', B.inner], { timeoutMs: 20_000, check: false });
        assert.equal(ping.code, 0, `ping failed:\n${ping.stdout}${ping.stderr}`);
        assert.match(ping.stdout, /5 packets transmitted, 5 received/);

        const [sa, sb] = [await status(peers[0] as Proc), await status(peers[1] as Proc)];
        const outA = sa.status.find((s) => s.spi === spiAB);
        const inA = sa.status.find((s) => s.spi === spiBA);
        assert.ok(outA && inA);
        assert.equal(outA.packets, 5);
        assert.equal(inA.packets, 5);
        assert.equal(outA.bytes, 5 * 84, 'five 84-octet ICMP echo requests (inner IPv4)');
        assert.equal(sb.status.find((s) => s.spi === spiAB)?.packets, 5);
        // Outbound drops of packets no policy covers (IPv6 MLD/RS the kernel sends on a new link) are
        // expected; nothing inbound may be dropped.
        assert.deepEqual(Object.keys({ ...sa.drops, ...sb.drops }).filter((k) => k !== 'out:no policy'), []);

        await poll(async () => (capture.lines.filter((l) => /\t4500\t/.test(l)).length >= 10 ? true : undefined), 10_000, 'ten ESP packets in the capture');
        await capture.stop({ signal: 'SIGINT' });
        const rows = capture.lines.filter((l) => /^\d+\.\d+\.\d+\.\d+\t/.test(l)).map((l) => l.split('\t'));
        assert.ok(rows.length >= 10);
        for (const [src, dst, port, spi, , icmp] of rows) {
          assert.ok([A.outer, B.outer].includes(src as string), `only outer addresses on the wire, saw ${src}`);
          assert.ok([A.outer, B.outer].includes(dst as string));
          assert.equal(port, '4500');
          assert.ok(['0xc1000001', '0xc2000002'].includes(spi as string), `ESP SPI ${spi}`);
          assert.equal(icmp ?? '', '', 'no cleartext ICMP');
        }
        const seqs = rows.filter((r) => r[3] === '0xc1000001').map((r) => Number(r[4]));
        assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
      });

      it('a replayed ESP packet is dropped by the anti-replay window (counter unchanged, drop reason REPLAY)', async () => {
        // Capture one real packet from A to B, then replay it from A's namespace with the same address.
        const cap = startProc(scope, 'ip', ['netns', 'exec', nsA, 'tshark', '-l', '-n', '-i', 'veth0', '-f', 'udp dst port 4500 and dst host 192.168.77.2',
          '-c', '1', '-d', 'udp.port==4500,data', '-T', 'fields', '-e', 'data.data'], { name: 'tshark-replay' });
        await tsharkReady(cap);
        await run('ip', ['netns', 'exec', nsA, 'ping', '-c', '1', '-W', '2', B.inner], { timeoutMs: 10_000 });
        const line = await cap.waitForLine((l) => /^[0-9a-f:]{40,}$/.test(l.trim()), { timeoutMs: 5000, what: 'payload' });
        const hex = line.trim().replace(/:/g, '');
        const before = (await status(peers[1] as Proc)).status.find((s) => s.spi === spiAB)?.packets;
        await run('ip', ['netns', 'exec', nsA, process.execPath, '-e',
          `const s=require('dgram').createSocket('udp4');s.bind(0,'${A.outer}',()=>s.send(Buffer.from('${hex}','hex'),4500,'${B.outer}',()=>s.close()))`],
          { timeoutMs: 10_000 });
        const st = await status(peers[1] as Proc);
        assert.equal(st.status.find((s) => s.spi === spiAB)?.packets, before);
        assert.equal(st.drops['in:REPLAY'], 1);
      });
    });
  }
}
