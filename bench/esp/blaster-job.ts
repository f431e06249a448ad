/** The command line and output contract of bench/esp/blaster.ts (imported without running it). */
export const BLASTER_READY = 'ready';
export const BLASTER_RESULT = 'result ';

export interface BlasterJob {
  readonly role: 'send' | 'recv';
  readonly host: string;
  readonly port: number;
  readonly durationMs?: number;
  readonly localAddress?: string;
  readonly timeoutMs?: number;
}

export interface BlasterResult {
  readonly bytes: number;
  readonly firstMs?: number;
  readonly lastMs?: number;
}
