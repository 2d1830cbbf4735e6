/** What the release use cases take and give besides records (release-service.ts). */
import type { Values } from './values.js';

export interface InstallInput {
  readonly application: string;
  readonly version: string;
  readonly namespace: string;
  readonly adminGroups: readonly string[];
  readonly development: boolean;
  readonly values: Values;
  readonly dryRun?: boolean;
}

export interface UpgradeInput {
  /** Empty keeps the current version. */
  readonly version: string;
  readonly values?: Values;
  readonly resetValues?: boolean;
}

export interface Revision {
  readonly revision: number;
  readonly version: string;
  readonly status: string;
  readonly updated: string;
  readonly description: string;
  /** The user's values of the revision, as a rollback to it restores them. */
  readonly values: Values;
}
