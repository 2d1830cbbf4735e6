/**
 * The releases room's ports: what the use cases need from Tiller, Kubernetes,
 * the catalog and the access rules, as interfaces, so the use cases talk to
 * none of those libraries directly.
 */
import type { Chart } from '../../gen/hapi/chart/chart.js';
import type { Release as TillerRelease } from '../../gen/hapi/release/release.js';
import type { Principal } from '../domain/principal.js';
import type { EngineProfile } from '../tiller/engine-profile.js';
import type { ProvisionedClient } from '../provisioning/types.js';

/** What the store keeps about a release beyond what Tiller keeps. */
export interface ReleaseRecord {
  readonly id: string;
  readonly owner: string;
  /** Package id, `<repo>/<name>`. */
  readonly application: string;
  readonly version: string;
  readonly namespace: string;
  readonly adminGroups: readonly string[];
  readonly development: boolean;
  /** The values as the user gave them (merged over upgrades). */
  readonly values: Readonly<Record<string, unknown>>;
  /** pending: written before Tiller is called; deleting: before Tiller is asked to delete. */
  readonly state: 'pending' | 'deployed' | 'deleting';
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The OAuth client provisioned for the release (its secrets live in a Secret of their own). */
  readonly provisioned?: ProvisionedClient;
  /**
   * The revision the engine answered for the store's last install, upgrade or rollback of the release (absent in
   * records written before it was kept): a cached read of the stored revisions must see at least this one.
   */
  readonly revision?: number;
  /**
   * The store's version of the record when it was read or written (a Kubernetes resourceVersion), not part of what is
   * kept: an update carrying it fails with Conflict when anyone changed the record since.
   */
  readonly storedVersion?: string;
}

/**
 * What access decisions, listing order and reconciliation need of a record, readable without its values: listing
 * every tenant's releases must not read every tenant's values.
 */
export type ReleaseSummary = Pick<ReleaseRecord, 'id' | 'owner' | 'adminGroups' | 'state' | 'createdAt' | 'updatedAt'>;

export interface ReleaseStore {
  /** Fails with AlreadyExists when a record of that id exists; answers the record as written (with its storedVersion). */
  create(record: ReleaseRecord): Promise<ReleaseRecord>;
  /**
   * A store with a cache may answer from it (a change made on another replica a moment ago may not be in it yet);
   * `consistent` reads from the source itself: a change reads its record so, under the release's lock.
   */
  get(id: string, options?: { consistent?: boolean }): Promise<ReleaseRecord | undefined>;
  /** Every record in full, values included; prefer summaries() and read() where the values of all are not needed. */
  list(): Promise<ReleaseRecord[]>;
  /** Every record's summary; a record that cannot be read is left out. */
  summaries(): Promise<ReleaseSummary[]>;
  /**
   * The summaries of the records owned by `owner` or shared with one of `groups` (a caller's visible ones), in time
   * that grows with their number where the store keeps an index; stores without one filter summaries().
   */
  summariesOf?(owner: string, groups: readonly string[]): Promise<ReleaseSummary[]>;
  /** These records in full, in the order given; ids without a (readable) record are left out. */
  read(ids: readonly string[]): Promise<ReleaseRecord[]>;
  /** How many records there are in each state, from what is known without reading any record's contents. */
  countByState(): Promise<Record<string, number>>;
  /**
   * Replaces the record read (or written) at `record.storedVersion`; Conflict when it changed since, so that no change
   * is overwritten unseen. Answers the record as written, with its new storedVersion, for the next update.
   */
  update(record: ReleaseRecord): Promise<ReleaseRecord>;
  delete(id: string): Promise<void>;
  /** The bytes a record takes in its storage object, and the most that object may hold (less a margin for what is added later). */
  measure(record: ReleaseRecord): { bytes: number; limit: number };
}

/**
 * The Tiller operations the use cases use (TillerClient implements it), answered by Tiller v2 or by a Helm engine
 * (profile() says which). allowClusterScoped tells a Helm engine, which checks tenancy itself, that the operator
 * allowed cluster-scoped objects for the chart.
 */
export interface ReleaseEngine {
  profile(): Promise<EngineProfile>;
  install(input: {
    chart: Chart;
    name: string;
    namespace: string;
    valuesYaml: string;
    dryRun?: boolean;
    description?: string;
    allowClusterScoped?: boolean;
  }): Promise<TillerRelease>;
  upgrade(input: {
    chart: Chart;
    name: string;
    valuesYaml: string;
    resetValues?: boolean;
    dryRun?: boolean;
    description?: string;
    allowClusterScoped?: boolean;
  }): Promise<TillerRelease>;
  rollback(input: { name: string; revision: number; description?: string; allowClusterScoped?: boolean }): Promise<TillerRelease>;
  uninstall(name: string, options?: { purge?: boolean; disableHooks?: boolean; description?: string }): Promise<unknown>;
  /** `read.atLeast`: the revision the store's record says exists, for an engine that reads from a cache. */
  content(name: string, revision?: number, read?: { atLeast?: number }): Promise<TillerRelease>;
  history(name: string, max?: number, read?: { atLeast?: number }): Promise<TillerRelease[]>;
  list(input?: { statusCodes?: readonly number[] }): Promise<TillerRelease[]>;
}

/** Tiller's stored releases, read without asking Tiller (see kube/tiller-storage.ts). */
export interface StoredReleaseReader {
  /**
   * The newest revision Tiller stored, or undefined when it has none. `atLeast`: the revision the store's record says
   * exists (ReleaseRecord.revision), so that a reader answering from a cache knows when the cache is behind.
   */
  latest(name: string, atLeast?: number): Promise<TillerRelease | undefined>;
  /** One revision, or undefined when Tiller has no such revision. */
  revision(name: string, version: number): Promise<TillerRelease | undefined>;
  /** Every stored revision, newest first, or undefined when Tiller has none; `atLeast` as for latest(). */
  history(name: string, atLeast?: number): Promise<TillerRelease[] | undefined>;
  /** Marks the newest revision FAILED if Tiller left it pending (a failed post-upgrade hook); whether it did. */
  failPending?(name: string, description: string): Promise<boolean>;
}

/** Whether the API server serves a kind as namespaced or cluster-scoped (discovery); undefined when it does not serve it. */
export interface ObjectScopes {
  scopeOf(apiVersion: string, kind: string): Promise<'namespaced' | 'cluster' | undefined>;
}

/** Pod Security admission of a namespace, asked without creating anything. */
export interface PodAdmission {
  /** For each pod template, the admission's refusal, or undefined when it would be admitted. */
  refusals(
    namespace: string,
    pods: ReadonlyArray<{ readonly metadata: Readonly<Record<string, unknown>>; readonly spec: Readonly<Record<string, unknown>> }>,
  ): Promise<Array<string | undefined>>;
}

/** One object of a release's manifest, with what its live counterpart says. */
export interface ResourceHealth {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly namespace: string;
  readonly health: 'Ready' | 'Progressing' | 'Missing' | 'Unknown' | 'Degraded';
  readonly ready: string;
}

export interface ManifestObjectRef {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly namespace: string;
}

export interface ResourceStatusReader {
  read(objects: readonly ManifestObjectRef[]): Promise<ResourceHealth[]>;
}

/** The access rules, decided in one place (the identity room implements them). */
export interface AccessPolicy {
  /** Owner, or a member of one of its adminGroups. */
  canSee(principal: Principal, release: { owner: string; adminGroups: readonly string[] }): boolean;
  /** PermissionDenied unless the caller may name these groups. */
  assertAdminGroupsAllowed(principal: Principal, adminGroups: readonly string[]): void;
  /** PermissionDenied unless the caller may deploy into the namespace. */
  assertMayDeploy(principal: Principal, namespace: string): Promise<void>;
}

/** Per-release mutual exclusion; Conflict when the release is busy. */
export interface Locks {
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
}

/** Audit records of changes and denied attempts (the identity room's audit log implements it). */
export interface Audit {
  record(entry: {
    principal?: Principal;
    action: 'install' | 'upgrade' | 'rollback' | 'delete';
    releaseId?: string;
    namespace?: string;
    outcome: 'succeeded' | 'failed' | 'denied';
    reason?: string;
  }): void;
}
