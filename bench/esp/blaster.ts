/**
 * The traffic of the ESP phase: one TCP stream pushed through the tunnel for a fixed time (iperf3 is
 * not installed here; a Node stream on 64 KB writes keeps the tunnel, not the sender, the
 * bottleneck: the sender costs a few % of a core at these rates).
 *
 *   node --import tsx bench/esp/blaster.ts '{"role":"recv","host":"10.1.0.1","port":5201}'
 *     prints `ready`, accepts one connection, counts bytes until the peer closes, prints
 *     `result {"bytes":..,"firstMs":..,"lastMs":..}` (times of the first and the last byte).
 *   node --import tsx bench/esp/blaster.ts '{"role":"send","host":"10.1.0.1","port":5201,"durationMs":5000,"localAddress":"10.3.0.1"}'
 *     connects (from localAddress, so the source matches the tunnel's traffic selector), writes for
 *     durationMs, closes, prints `result {"bytes":..}`.
 * Bounded: the receiver gives up after `timeoutMs` (default 120 s), the sender after durationMs +
 * 30 s.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { BLASTER_READY, BLASTER_RESULT, type BlasterJob, type BlasterResult } from './blaster-job.js';

function done(r: BlasterResult): void {
  process.stdout.write(`${BLASTER_RESULT}${JSON.stringify(r)}\n`, () => process.exit(0));
}

function receive(job: BlasterJob): void {
  let bytes = 0;
  let firstMs: number | undefined;
  let lastMs: number | undefined;
  const server = createServer((sock: Socket) => {
    server.close();
    sock.on('data', (d: Buffer) => {
      const now = performance.now();
      firstMs ??= now;
      lastMs = now;
      bytes += d.length;
    });
    sock.on('error', () => undefined);
    sock.on('close', () => done({ bytes, ...(firstMs !== undefined ? { firstMs, lastMs } : {}) }));
  });
  server.listen(job.port, job.host, () => process.stdout.write(`${BLASTER_READY}\n`));
  setTimeout(() => done({ bytes, ...(firstMs !== undefined ? { firstMs, lastMs } : {}) }), job.timeoutMs ?? 120_000).unref();
}

function send(job: BlasterJob): void {
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  const durationMs = job.durationMs ?? 5000;
  let bytes = 0;
  let stop = false;
  const sock = createConnection({ host: job.host, port: job.port, ...(job.localAddress ? { localAddress: job.localAddress } : {}) });
  sock.setNoDelay(true);
  const pump = (): void => {
    while (!stop) {
      bytes += chunk.length;
      if (!sock.write(chunk)) return;
    }
  };
  sock.on('connect', () => {
    setTimeout(() => {
      stop = true;
      sock.end(() => done({ bytes }));
    }, durationMs);
    pump();
  });
  sock.on('drain', pump);
  sock.on('error', (e) => {
    process.stderr.write(`blaster send: ${e.message}\n`);
    process.exit(2);
  });
  setTimeout(() => {
    process.stderr.write('blaster send: no end\n');
    process.exit(3);
  }, durationMs + 30_000).unref();
}

const job = JSON.parse(process.argv[2] ?? '{}') as BlasterJob;
if (job.role === 'recv') receive(job);
else if (job.role === 'send') send(job);
else {
  process.stderr.write('usage: blaster.ts JSON (role send|recv)\n');
  process.exit(1);
}
