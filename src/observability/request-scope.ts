/**
 * The request id of the call being served, carried through async work
 * (service, release use cases, Tiller calls) without threading it through
 * every signature: the REST and gRPC entry points open a scope, and adapters
 * deep down (Tiller call logs, audit records) read it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<string>();

/** Runs fn, and everything it starts, with this request id. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return scope.run(requestId, fn);
}

/** The id of the request being served, or undefined outside one (background work). */
export function currentRequestId(): string | undefined {
  return scope.getStore();
}
