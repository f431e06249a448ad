/**
 * Free UDP ports on loopback. The kernel picks an unused port for a socket bound to port 0; we
 * hold all sockets open until every port is chosen so one call never returns a duplicate. There is
 * a small race until the server binds; tests use ports from the ephemeral range, so collisions
 * with other runs are unlikely and show up as a bind error in the server log, not as a wrong pass.
 */
import { createSocket, type Socket } from 'node:dgram';

export async function freeUdpPorts(count: number, address = '127.0.0.1'): Promise<number[]> {
  const sockets: Socket[] = [];
  try {
    const ports: number[] = [];
    while (ports.length < count) {
      const s = createSocket('udp4');
      sockets.push(s);
      const port = await new Promise<number>((resolve, reject) => {
        s.once('error', reject);
        s.bind(0, address, () => resolve(s.address().port));
      });
      if (!ports.includes(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

export async function freeUdpPort(address = '127.0.0.1'): Promise<number> {
  const [port] = await freeUdpPorts(1, address);
  return port as number;
}
