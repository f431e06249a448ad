/**
 * pino JSON logs. Every line that reports something that happened carries `event` (a stable name
 * such as `radius.dropped` or `conversation.finished`) so operators and tests can select lines
 * without parsing messages. Secrets never reach a log line: the redaction list below is the last
 * line of defence; code never passes them in the first place.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export const redactPaths = [
  'secret', '*.secret', '*.*.secret',
  'password', '*.password', '*.*.password',
  'msk', 'emsk', '*.msk', '*.emsk',
  'privateKey', '*.privateKey', 'key', '*.key',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, svc: 'tnc-pdp' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ sync: false }),
  );
}
