/**
 * A configuration file the store re-reads while it runs, so that a token
 * removed from the tokens file, or a namespace removed from the namespaces
 * file, stops working within seconds instead of at the next restart.
 *
 * It polls the file's content (a sha256 of it) rather than watching inodes:
 * Kubernetes updates a mounted Secret or ConfigMap by swapping the `..data`
 * symlink of its folder, which fs.watch on the file itself does not see, while
 * reading through the path always follows the swap. The files are small, so
 * reading one every few seconds costs nothing worth saving.
 *
 * The first read happens at construction and throws (the store does not start
 * on a bad file); polling starts with poll(). Later, a file that cannot be read or parsed keeps the last
 * good content: the error is logged once per bad content (the parser's
 * message, which names the line, never a secret) and counted.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.js';
import type { Logger } from '../observability/logger.js';

export interface WatchedFileOptions<T> {
  readonly path: string;
  /** The environment variable that names the file, for logs and metrics. */
  readonly variable: string;
  /** Text → content; throws (a ConfigError naming the line) on invalid text. */
  readonly parse: (text: string) => T;
  /** Called with the new content after every successful change (not for the first read). */
  readonly onChange: (content: T) => void;
  readonly logger: Logger;
}

/** What a reload found. */
export type ReloadOutcome = 'unchanged' | 'changed' | 'failed';

export interface WatchedFileStatus {
  readonly variable: string;
  readonly reloads: number;
  readonly failures: number;
  /** Whether the latest read failed (the last good content is in use). */
  readonly failing: boolean;
}

/** A watched file apart from its content: what the service does with all of them at once. */
export interface Reloadable {
  reload(): ReloadOutcome;
  status(): WatchedFileStatus;
  /** Checks the file every intervalMs from now on (0: only on reload()). */
  poll(intervalMs: number): void;
  stop(): void;
}

export class WatchedFile<T> implements Reloadable {
  private digest: string;
  /** The content (or read error) that failed last, so that a bad file is reported once, not at every poll. */
  private lastFailure: string | undefined;
  private value: T;
  private reloads = 0;
  private failures = 0;
  private failing = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WatchedFileOptions<T>) {
    const text = this.read();
    this.value = options.parse(text);
    this.digest = digestOf(text);
  }

  get content(): T {
    return this.value;
  }

  /** Reads the file now; a change is parsed and handed to onChange, an invalid file leaves the content as it was. */
  reload(): ReloadOutcome {
    const { variable, path, logger } = this.options;
    let digest: string | undefined;
    let next: T;
    try {
      const text = this.read();
      digest = digestOf(text);
      if (digest === this.digest) {
        this.recovered();
        return 'unchanged';
      }
      if (digest === this.lastFailure) return 'failed';
      next = this.options.parse(text);
    } catch (err) {
      const failure = digest ?? (err as Error).message;
      if (failure === this.lastFailure) return 'failed';
      this.lastFailure = failure;
      this.failures++;
      this.failing = true;
      logger.error({ variable, path, err: (err as Error).message }, `${variable} is invalid; the last good content stays in use`);
      return 'failed';
    }
    this.value = next;
    this.digest = digest;
    this.reloads++;
    this.recovered();
    this.options.onChange(next);
    logger.info({ variable, path }, `${variable} reloaded`);
    return 'changed';
  }

  status(): WatchedFileStatus {
    return { variable: this.options.variable, reloads: this.reloads, failures: this.failures, failing: this.failing };
  }

  poll(intervalMs: number): void {
    this.stop();
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => this.reload(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private read(): string {
    try {
      return readFileSync(this.options.path, 'utf8');
    } catch (err) {
      throw new ConfigError(`${this.options.variable}: cannot read ${this.options.path}: ${(err as Error).message}`);
    }
  }

  private recovered(): void {
    this.lastFailure = undefined;
    if (!this.failing) return;
    this.failing = false;
    this.options.logger.info({ variable: this.options.variable }, `${this.options.variable} is valid again`);
  }
}

function digestOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
