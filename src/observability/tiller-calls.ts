/**
 * What the store records about each call to Tiller: a duration and error
 * metric, and a log line that carries the id of the request that caused it
 * (captured when the call starts, since grpc-js answers outside the
 * request's async context). Changes are logged at info, reads at debug,
 * failures at warn, or at info when the request was at fault; messages are
 * bounded (Tiller quotes the values it refused).
 */
import { boundedText } from '../domain/error-text.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { currentRequestId } from './request-scope.js';

/** Structurally the Tiller client's observer: told when a call starts, and when it ends (with its error, if any). */
export type TillerCallObserver = (operation: string) => (error?: { readonly code: string; readonly message: string }) => void;

const CHANGES = new Set(['install', 'upgrade', 'rollback', 'uninstall']);
/** Failures that say something about the request (a missing release, values Kubernetes refused), not about Tiller. */
const CALLERS_FAULT = new Set(['NotFound', 'InvalidArgument', 'Unprocessable', 'AlreadyExists', 'Conflict']);

export function observeTillerCalls(log: Logger, metrics?: Metrics): TillerCallObserver {
  return (operation) => {
    const requestId = currentRequestId();
    const started = performance.now();
    const endMetric = metrics?.tillerCall(operation);
    return (error) => {
      endMetric?.(error?.code);
      const fields = { requestId, operation, ms: Math.round(performance.now() - started) };
      if (error) {
        const level = CALLERS_FAULT.has(error.code) ? 'info' : 'warn';
        log[level]({ ...fields, code: error.code, err: boundedText(error.message) }, 'tiller call failed');
      } else if (CHANGES.has(operation)) {
        log.info(fields, 'tiller call');
      } else {
        log.debug(fields, 'tiller call');
      }
    };
  };
}
