/**
 * The audit trail: one structured pino record per change (install, upgrade,
 * rollback, delete) and per denied attempt, saying who (id, source, kind),
 * what, which release, where, and the outcome. Records carry the `audit: true`
 * marker so they can be routed apart from operational logs; they never carry
 * credentials (a failed sign-in carries a fingerprint of the token). Within a request they carry its id.
 */
import { boundedText } from '../domain/error-text.js';
import type { Principal } from '../domain/principal.js';
import type { Logger } from '../observability/logger.js';
import { currentRequestId } from '../observability/request-scope.js';

export type AuditAction = 'install' | 'upgrade' | 'rollback' | 'delete' | 'authenticate';
export type AuditOutcome = 'succeeded' | 'failed' | 'denied';

export interface AuditEntry {
  /** Absent for a denied attempt by a caller who could not be authenticated. */
  readonly principal?: Principal;
  readonly action: AuditAction;
  readonly releaseId?: string;
  readonly namespace?: string;
  readonly outcome: AuditOutcome;
  /** Why it failed or was denied (an error message, never a credential). */
  readonly reason?: string;
  /** A failed sign-in: the fingerprint of the token presented (token-hash.ts), never the token. */
  readonly tokenHash?: string;
  /** A failed sign-in: the client's address. */
  readonly client?: string;
}

export interface AuditLog {
  record(entry: AuditEntry): void;
}

export function createAuditLog(logger: Logger): AuditLog {
  const audit = logger.child({ audit: true });
  return {
    record({ principal, action, releaseId, namespace, outcome, reason, tokenHash, client }) {
      const requestId = currentRequestId();
      const fields = {
        ...(requestId !== undefined && { requestId }),
        who: principal ? { id: principal.id, source: principal.source, kind: principal.kind } : null,
        action,
        // What failed, never the values: texts that may quote user input are bounded.
        release: releaseId === undefined ? null : boundedText(releaseId, 128),
        namespace: namespace === undefined ? null : boundedText(namespace, 128),
        outcome,
        ...(reason !== undefined && { reason: boundedText(reason) }),
        ...(tokenHash !== undefined && { tokenHash }),
        ...(client !== undefined && { client }),
      };
      const message = `${action} ${outcome}`;
      if (outcome === 'succeeded') audit.info(fields, message);
      else audit.warn(fields, message);
    },
  };
}
