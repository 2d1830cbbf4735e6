/** The process logger: pino, JSON lines on stdout. Tokens never reach it (redacted by path). */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'appstore' },
    redact: { paths: ['req.headers.authorization', '*.token', '*.password', '*.clientSecret'], censor: '[redacted]' },
  });
}
