/** The benchmark's users: user0001..userN, each with its own password, all in group allow. */

export interface BenchUser {
  readonly name: string;
  readonly password: string;
  readonly group: string;
}

export function benchUsers(n: number): BenchUser[] {
  const width = Math.max(4, String(n).length);
  return Array.from({ length: n }, (_, i) => {
    const num = String(i + 1).padStart(width, '0');
    return { name: `user${num}`, password: `pw-${num}-Bench`, group: 'allow' };
  });
}

/** The shared secret of the one RADIUS client (127.0.0.1/32) on both servers. */
export const BENCH_SECRET = 'bench-Secret-2865';
export const LOOPBACK = '127.0.0.1';
