// Structured logs. Personal data (names, addresses, phone numbers, e-mail addresses) never go in:
// log case numbers, message ids and counts. The redact list is a second line of defence, not the first.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.CONKEN_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { app: 'conken-intake' },
    redact: {
      paths: ['name', 'nameKana', 'address', 'phone', 'mobile', 'email', 'from', 'to', '*.name', '*.address', '*.email'],
      censor: '[redacted]',
    },
  }, pino.destination(2));
}

/** A logger that drops everything: for the CLI's --json modes and for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
