/**
 * RADIUS accounting (RFC 2866): Start, Interim-Update, Stop and Accounting-On/Off are recorded and
 * answered with Accounting-Response. "A RADIUS accounting server MUST NOT respond if it could not
 * successfully record the accounting packet" (RFC 2866 section 2): the recorder's promise decides.
 */
import { AttributeType, PacketCode, getAttribute, type RadiusPacket } from '../radius/index.js';
import type { RadiusReply, RadiusRequest } from '../radius/server.js';

/** RFC 2866 section 5.1 Acct-Status-Type values. */
export const AcctStatusType = {
  Start: 1,
  Stop: 2,
  InterimUpdate: 3,
  AccountingOn: 7,
  AccountingOff: 8,
} as const;

const statusNames: Record<number, string> = { 1: 'start', 2: 'stop', 3: 'interim-update', 7: 'accounting-on', 8: 'accounting-off' };

export interface AccountingRecord {
  readonly client: string;
  readonly status: string;
  readonly sessionId?: string;
  readonly userName?: string;
  readonly framedIp?: string;
  readonly sessionTime?: number;
  readonly inputOctets?: number;
  readonly outputOctets?: number;
  readonly receivedAt: number;
}

export interface AccountingRecorder {
  record(entry: AccountingRecord): Promise<void> | void;
}

function text(p: RadiusPacket, type: number): string | undefined {
  return getAttribute(p, type)?.toString('utf8');
}

function int(p: RadiusPacket, type: number): number | undefined {
  const v = getAttribute(p, type);
  return v && v.length === 4 ? v.readUInt32BE(0) : undefined;
}

export function parseAccounting(request: RadiusRequest, now: number): AccountingRecord | undefined {
  const p = request.packet;
  const status = int(p, AttributeType.AcctStatusType);
  if (status === undefined) return undefined;
  const ip = getAttribute(p, AttributeType.FramedIPAddress);
  const rec: AccountingRecord = {
    client: request.client.name,
    status: statusNames[status] ?? `unknown-${status}`,
    receivedAt: now,
    ...optional('sessionId', text(p, AttributeType.AcctSessionId)),
    ...optional('userName', text(p, AttributeType.UserName)),
    ...optional('framedIp', ip && ip.length === 4 ? [...ip].join('.') : undefined),
    ...optional('sessionTime', int(p, AttributeType.AcctSessionTime)),
    ...optional('inputOctets', int(p, AttributeType.AcctInputOctets)),
    ...optional('outputOctets', int(p, AttributeType.AcctOutputOctets)),
  };
  return rec;
}

function optional<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}

/** In-memory recorder with a bound, until the store issue gives accounting a durable home. */
export class MemoryAccountingRecorder implements AccountingRecorder {
  readonly records: AccountingRecord[] = [];
  constructor(private readonly max = 10_000) {}
  record(entry: AccountingRecord): void {
    if (this.records.length >= this.max) this.records.shift();
    this.records.push(entry);
  }
}

export async function handleAccounting(
  request: RadiusRequest,
  recorder: AccountingRecorder,
  now: number,
): Promise<RadiusReply | null> {
  const rec = parseAccounting(request, now);
  // RFC 2866 section 5.1: Acct-Status-Type MUST be present; without it nothing can be recorded.
  if (!rec) return null;
  await recorder.record(rec);
  return { code: PacketCode.AccountingResponse, attributes: [] };
}
