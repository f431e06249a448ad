/** The contract between bench/run.ts and the load-generator process (child.ts). */

export interface LoadJob {
  readonly kind: 'pap' | 'ttls';
  readonly port: number;
  readonly secret: string;
  readonly users: number;
  readonly slots: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly maxOps: number;
  /** The process exits by itself after this long, whatever happens. */
  readonly hardLimitMs: number;
  /** TTLS: CA certificate file, server name, fragment size. */
  readonly caPath?: string;
  readonly serverName?: string;
  readonly fragmentSize?: number;
}

export const RESULT_PREFIX = 'BENCH-RESULT ';
export const MEASURE_START = 'BENCH measure-start';
export const MEASURE_END = 'BENCH measure-end';
