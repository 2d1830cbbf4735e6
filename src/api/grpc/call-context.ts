/** What every service call knows about its caller, whichever protocol it came in on. */
import type { Principal } from '../../domain/principal.js';
import type { Logger } from '../../observability/logger.js';

export interface CallContext {
  /** Undefined on public calls made without credentials. */
  readonly principal?: Principal;
  /** The caller's own token, for providers that act for the user (Dataporten clientadm); never logged. */
  readonly callerToken?: string;
  readonly requestId: string;
  readonly log: Logger;
}
