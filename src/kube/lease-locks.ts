/**
 * Per-release locks across replicas: one coordination.k8s.io/v1 Lease per
 * release (appstore-release-<id>) in the store's namespace. A change takes the
 * Lease, renews it while it runs and deletes it when done; a Lease held by
 * another replica is refused at once with Conflict (409), like the
 * in-process lock. A replica that dies holding a Lease stops renewing it:
 * once renewTime + leaseDurationSeconds has passed, the Lease is expired and
 * the next change takes it over. Every write carries the resourceVersion
 * read, so of two replicas racing for one Lease exactly one wins.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { V1MicroTime, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { releaseBusy } from '../domain/errors.js';
import type { Logger } from '../observability/logger.js';
import type { Locks } from '../releases/types.js';
import { fromKubeError, statusOf } from './kube-errors.js';

export interface LeaseLocksOptions {
  readonly api: CoordinationV1Api;
  /** The store's own namespace. */
  readonly namespace: string;
  /** This process, unique among replicas and restarts (see holderIdentity). */
  readonly holder: string;
  /** How long a Lease outlives its last renewal; renewed every third of it. */
  readonly durationSeconds?: number;
  /** Checked first: spares the API server calls for a release this process is already busy with. */
  readonly local?: Locks;
  readonly log: Logger;
}

const LEASE_PREFIX = 'appstore-release-';
const LABELS = { 'app.kubernetes.io/managed-by': 'appstore' };
const DEFAULT_DURATION_SECONDS = 30;

export function leaseName(releaseId: string): string {
  return `${LEASE_PREFIX}${releaseId}`;
}

/** The pod's name (POD_NAME, from the downward API) or the host name, plus a random part that tells restarts apart. */
export function holderIdentity(env: Readonly<Record<string, string | undefined>>): string {
  return `${env.POD_NAME || hostname()}-${randomBytes(4).toString('hex')}`;
}

/** Whether a Lease is held by a live holder at `now` (epoch ms): it names one and has not expired. */
export function isHeld(lease: V1Lease, now: number): boolean {
  const spec = lease.spec;
  if (!spec?.holderIdentity) return false;
  const renewed = spec.renewTime ?? spec.acquireTime;
  if (!renewed || spec.leaseDurationSeconds === undefined) return false;
  return new Date(renewed).getTime() + spec.leaseDurationSeconds * 1000 > now;
}

interface Holding {
  lease: V1Lease;
  readonly acquiredAt: V1MicroTime;
  timer: NodeJS.Timeout;
  renewing: Promise<void>;
}

export class LeaseLocks implements Locks {
  private readonly durationSeconds: number;
  private readonly holdings = new Map<string, Holding>();
  /** Acquisitions under way: a Lease the API server has made may not be in `holdings` yet. */
  private readonly acquiring = new Set<Promise<unknown>>();

  constructor(private readonly options: LeaseLocksOptions) {
    this.durationSeconds = options.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  }

  get holder(): string {
    return this.options.holder;
  }

  async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    if (this.options.local) return this.options.local.withLock(id, () => this.leased(id, fn));
    return this.leased(id, fn);
  }

  /** Stops renewing and gives back every Lease still held (at shutdown, after in-flight changes had their time). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.acquiring]);
    await Promise.all([...this.holdings.keys()].map((id) => this.release(id)));
  }

  private async leased<T>(id: string, fn: () => Promise<T>): Promise<T> {
    // Held once it is in `holdings`; close() waits for acquisitions under way, so no Lease it made escapes it.
    const acquired = this.acquire(id).then(({ lease, acquiredAt }) => {
      const holding: Holding = { lease, acquiredAt, renewing: Promise.resolve(), timer: setInterval(() => this.renew(id), (this.durationSeconds * 1000) / 3) };
      holding.timer.unref();
      this.holdings.set(id, holding);
    });
    this.acquiring.add(acquired);
    try {
      await acquired;
    } finally {
      this.acquiring.delete(acquired);
    }
    try {
      return await fn();
    } finally {
      await this.release(id);
    }
  }

  /**
   * Creates the Lease, which is the usual case (a Lease is deleted after each change), and only when one exists
   * reads it: held elsewhere is busy; expired (its holder died) or this process's own leftover is taken over.
   */
  private async acquire(id: string, retried = false): Promise<{ lease: V1Lease; acquiredAt: V1MicroTime }> {
    const { api, namespace } = this.options;
    const name = leaseName(id);
    const now = new V1MicroTime(Date.now());
    const spec = { holderIdentity: this.holder, leaseDurationSeconds: this.durationSeconds, acquireTime: now, renewTime: now };
    try {
      const lease = await api.createNamespacedLease({ namespace, body: { metadata: { name, labels: LABELS }, spec: { ...spec, leaseTransitions: 0 } } });
      return { lease, acquiredAt: now };
    } catch (err) {
      if (statusOf(err) !== 409) throw fromKubeError('take release lease', err);
    }
    let current: V1Lease;
    try {
      current = await api.readNamespacedLease({ name, namespace });
    } catch (err) {
      // Deleted in between: its holder just finished. Create it once more; a second race is busy.
      if (statusOf(err) === 404) {
        if (retried) throw releaseBusy(id);
        return this.acquire(id, true);
      }
      throw fromKubeError('read release lease', err);
    }
    // One held by this very process is a leftover of a release that failed (the in-process lock keeps out live ones).
    const leftover = this.options.local !== undefined && current.spec?.holderIdentity === this.holder;
    if (isHeld(current, Date.now()) && !leftover) {
      this.options.log.debug({ releaseId: id, heldBy: current.spec?.holderIdentity }, 'release lease held elsewhere');
      throw releaseBusy(id);
    }
    // Expired because its holder died (or our own leftover): take it over, unless another replica does first.
    this.options.log.info({ releaseId: id, previousHolder: current.spec?.holderIdentity }, 'taking over an expired release lease');
    try {
      const lease = await api.replaceNamespacedLease({
        name,
        namespace,
        body: {
          metadata: { name, labels: LABELS, resourceVersion: current.metadata?.resourceVersion },
          spec: { ...spec, leaseTransitions: (current.spec?.leaseTransitions ?? 0) + 1 },
        },
      });
      return { lease, acquiredAt: now };
    } catch (err) {
      if (statusOf(err) === 409) throw releaseBusy(id);
      throw fromKubeError('take release lease', err);
    }
  }

  private renew(id: string): void {
    const holding = this.holdings.get(id);
    if (!holding) return;
    holding.renewing = holding.renewing.then(async () => {
      const { api, namespace } = this.options;
      const lease = holding.lease;
      try {
        holding.lease = await api.replaceNamespacedLease({
          name: leaseName(id),
          namespace,
          body: {
            metadata: { name: leaseName(id), labels: LABELS, resourceVersion: lease.metadata?.resourceVersion },
            spec: {
              holderIdentity: this.holder,
              leaseDurationSeconds: this.durationSeconds,
              acquireTime: holding.acquiredAt,
              renewTime: new V1MicroTime(Date.now()),
              leaseTransitions: lease.spec?.leaseTransitions ?? 0,
            },
          },
        });
      } catch (err) {
        // A 409 means another replica took the Lease over after it expired: renewals failed for a whole duration.
        this.options.log.warn({ releaseId: id, status: statusOf(err), err: (err as Error).message }, 'renewing a release lease failed');
      }
    });
  }

  private async release(id: string): Promise<void> {
    const holding = this.holdings.get(id);
    if (!holding) return;
    this.holdings.delete(id);
    clearInterval(holding.timer);
    await holding.renewing;
    try {
      await this.options.api.deleteNamespacedLease({
        name: leaseName(id),
        namespace: this.options.namespace,
        body: { preconditions: { resourceVersion: holding.lease.metadata?.resourceVersion } },
      });
    } catch (err) {
      // 404: gone already; 409: taken over by another replica after it expired. Either way it is not ours to delete.
      // Anything else: the Lease expires by itself.
      if (statusOf(err) !== 404 && statusOf(err) !== 409) {
        this.options.log.warn({ releaseId: id, err: (err as Error).message }, 'releasing a release lease failed; it expires by itself');
      }
    }
  }
}

