/**
 * Whose change is running: set by the change admission around a change, read
 * by the fair engine queue deep below it (ReleaseEngine calls carry no
 * caller), as the request id is carried for logs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<string>();

/** Runs fn, and everything it starts, as a change of this user. */
export function asChangeOf<T>(userId: string, fn: () => T): T {
  return scope.run(userId, fn);
}

/** The user whose change is running, or undefined for the store's own work (reconciliation). */
export function currentChangeOwner(): string | undefined {
  return scope.getStore();
}
