/** The process logger: pino, JSON lines on stdout. Tokens never reach it (redacted by path). */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Where a logger writes: stdout, line by line (the default), or another stream (tests). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'appstore' },
    redact: { paths: ['req.headers.authorization', '*.token', '*.password', '*.clientSecret'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Stdout written asynchronously: lines that come while a write is under way go out together in the next one, so a
 * busy store does not make one blocking write(2) per request line. Whatever is buffered is written when the process
 * exits (pino flushes it on exit); a process killed outright (SIGKILL) can lose its last lines.
 */
export function asyncStdout(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}
