/**
 * Per-release locks within one process: a second change to a release that
 * is busy is refused at once with Conflict (409) rather than queued, since
 * the caller acted on a state that is about to change.
 */
import { releaseBusy } from '../domain/errors.js';
import type { Locks } from './types.js';

export class InProcessLocks implements Locks {
  private readonly held = new Set<string>();

  async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    if (this.held.has(id)) {
      throw releaseBusy(id);
    }
    this.held.add(id);
    try {
      return await fn();
    } finally {
      this.held.delete(id);
    }
  }
}
