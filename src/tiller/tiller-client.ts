/**
 * A native client of Tiller v2.17's gRPC API (hapi.services.tiller), in place
 * of the helm binary. One channel, shared by all calls, configured as the Helm
 * 2 client configures its own: 20 MiB messages, keepalive pings every 30 s only
 * while calls are active (Tiller closes connections that ping more often than
 * every 20 s, or at all when idle), and the x-helm-api-client version header
 * on every call.
 */
import {
  credentials as grpcCredentials,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type ClientUnaryCall,
  type ServiceError,
} from '@grpc/grpc-js';
import type { Chart } from '../../gen/hapi/chart/chart.js';
import type { Release } from '../../gen/hapi/release/release.js';
import { Status_Code } from '../../gen/hapi/release/status.js';
import {
  ListSort_SortBy,
  ListSort_SortOrder,
  ReleaseServiceClient,
  type GetHistoryResponse,
  type GetReleaseContentResponse,
  type GetReleaseStatusResponse,
  type GetVersionResponse,
  type InstallReleaseResponse,
  type ListReleasesResponse,
  type RollbackReleaseResponse,
  type UninstallReleaseResponse,
  type UpdateReleaseResponse,
} from '../../gen/hapi/services/tiller.js';
import { AppStoreError } from '../domain/errors.js';
import { EngineDetector, type EngineProfile } from './engine-profile.js';
import { fromTillerError } from './tiller-errors.js';

const MAX_MESSAGE_BYTES = 20 * 1024 * 1024;

export interface TillerClientOptions {
  /** Version announced in x-helm-api-client; Tiller needs ^major.minor to cover its own. */
  readonly clientVersion?: string;
  /** Deadline of calls that only read. */
  readonly readTimeoutMs?: number;
  /** Extra time given to a call beyond the Kubernetes timeout it asks Tiller to honour. */
  readonly writeSlackMs?: number;
  /** The Kubernetes timeout Tiller honours (hooks, waits) when a call names none; 300 s, as Helm's. */
  readonly timeoutSeconds?: number;
  /** TLS, when Tiller runs with --tls (PEM contents). */
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  /** Told of every call (metrics, logs), so that no caller has to instrument Tiller calls itself. */
  readonly observer?: TillerCallObserver;
}

/**
 * Told when a call to Tiller starts (by operation: install, list, ...); the
 * function it returns is called once when the call ends, with the call's
 * error (already a domain error) if it failed.
 */
export type TillerCallObserver = (operation: string) => (error?: AppStoreError) => void;

/**
 * Sent as gRPC metadata on a change: the store's engine (engine/) may then apply cluster-scoped objects of this
 * release, as the operator allowed for the chart (allowClusterScoped). Tiller ignores it.
 */
export const ALLOW_CLUSTER_SCOPED_HEADER = 'x-appstore-allow-cluster-scoped';

/**
 * Sent as gRPC metadata on a read of a release's stored revisions (content, history): the revision the store's record
 * says exists (ReleaseRecord.revision), so that the store's engine (engine/), which answers such reads from a watch-fed
 * cache, asks the API server instead while its cache holds only older revisions. Tiller ignores it.
 */
export const MIN_REVISION_HEADER = 'x-appstore-min-revision';

/** What a read of stored revisions may carry beyond Tiller's request. */
export interface ReadOptions {
  /** The newest revision the caller knows exists (see MIN_REVISION_HEADER). */
  readonly atLeast?: number;
}

/** What a change may carry beyond Tiller's request. */
interface ChangeOptions {
  /** The operator allowed cluster-scoped objects for this chart (see ALLOW_CLUSTER_SCOPED_HEADER). */
  readonly allowClusterScoped?: boolean;
}

export interface InstallInput extends ChangeOptions {
  readonly chart: Chart;
  readonly name: string;
  readonly namespace: string;
  /** User-supplied values, as YAML. */
  readonly valuesYaml?: string;
  readonly dryRun?: boolean;
  /** Wait until the release's Pods, Services, ... are ready (bounded by timeoutSeconds). */
  readonly wait?: boolean;
  readonly timeoutSeconds?: number;
  readonly description?: string;
}

export interface UpgradeInput extends ChangeOptions {
  readonly chart: Chart;
  readonly name: string;
  readonly valuesYaml?: string;
  readonly resetValues?: boolean;
  readonly reuseValues?: boolean;
  readonly dryRun?: boolean;
  readonly wait?: boolean;
  readonly force?: boolean;
  readonly recreate?: boolean;
  readonly timeoutSeconds?: number;
  readonly description?: string;
}

export interface RollbackInput extends ChangeOptions {
  readonly name: string;
  readonly revision: number;
  readonly wait?: boolean;
  readonly force?: boolean;
  readonly recreate?: boolean;
  readonly dryRun?: boolean;
  readonly timeoutSeconds?: number;
  readonly description?: string;
}

export interface ListInput {
  readonly namespace?: string;
  /** Empty means DEPLOYED only, as in Tiller. */
  readonly statusCodes?: readonly Status_Code[];
  /** A regular expression over release names. */
  readonly filter?: string;
  readonly sortBy?: ListSort_SortBy;
  readonly sortOrder?: ListSort_SortOrder;
  /** Releases per page requested from Tiller (0 = Tiller's default, 512). */
  readonly pageSize?: number;
}

/** Every status except the purged ones: what `helm list --all` shows. */
export const ALL_STATUS_CODES: readonly Status_Code[] = [
  Status_Code.UNKNOWN,
  Status_Code.DEPLOYED,
  Status_Code.DELETED,
  Status_Code.DELETING,
  Status_Code.FAILED,
  Status_Code.PENDING_INSTALL,
  Status_Code.PENDING_UPGRADE,
  Status_Code.PENDING_ROLLBACK,
];

const DEFAULT_TIMEOUT_SECONDS = 300;

type Callback<T> = (error: ServiceError | null, response: T) => void;

export class TillerClient {
  private readonly client: ReleaseServiceClient;
  private readonly clientVersion: string;
  private readonly readTimeoutMs: number;
  private readonly writeSlackMs: number;
  private readonly timeoutSeconds: number;
  private readonly observer: TillerCallObserver;
  /** Which engine answers (Tiller v2, or a Helm 3/4 engine), learnt from GetVersion. */
  readonly detector = new EngineDetector(() => this.version());

  constructor(
    readonly address: string,
    options: TillerClientOptions = {},
  ) {
    this.clientVersion = options.clientVersion ?? 'v2.17.0';
    this.readTimeoutMs = options.readTimeoutMs ?? 30_000;
    this.writeSlackMs = options.writeSlackMs ?? 30_000;
    this.timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    this.observer = options.observer ?? (() => () => undefined);
    this.client = new ReleaseServiceClient(address, channelCredentials(options.tls), {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 20_000,
      'grpc.keepalive_permit_without_calls': 0,
      // After an outage, find Tiller again within seconds, not grpc-js's default of up to 2 minutes.
      'grpc.initial_reconnect_backoff_ms': 500,
      'grpc.max_reconnect_backoff_ms': 3000,
    });
  }

  /** Tiller's semantic version, e.g. "v2.17.0". GetVersion needs no version header. */
  async version(): Promise<string> {
    const res = await this.unary<GetVersionResponse>('version', this.readTimeoutMs, {}, (md, opts, cb) =>
      this.client.getVersion({}, md, opts, cb),
    );
    return res.Version?.semVer ?? '';
  }

  /** Which engine answers; asked once (see EngineDetector). */
  profile(): Promise<EngineProfile> {
    return this.detector.profile();
  }

  async install(input: InstallInput): Promise<Release> {
    const timeout = input.timeoutSeconds ?? this.timeoutSeconds;
    const res = await this.unary<InstallReleaseResponse>('install', this.writeDeadline(timeout), input, (md, opts, cb) =>
      this.client.installRelease(
        {
          chart: input.chart,
          values: { raw: input.valuesYaml ?? '', values: {} },
          dryRun: input.dryRun ?? false,
          name: input.name,
          disableHooks: false,
          namespace: input.namespace,
          reuseName: false,
          timeout,
          wait: input.wait ?? false,
          disableCrdHook: false,
          description: input.description ?? '',
          subNotes: false,
        },
        md,
        opts,
        cb,
      ),
    );
    return requireRelease('install', res.release);
  }

  async upgrade(input: UpgradeInput): Promise<Release> {
    const timeout = input.timeoutSeconds ?? this.timeoutSeconds;
    const res = await this.unary<UpdateReleaseResponse>('upgrade', this.writeDeadline(timeout), input, (md, opts, cb) =>
      this.client.updateRelease(
        {
          name: input.name,
          chart: input.chart,
          values: { raw: input.valuesYaml ?? '', values: {} },
          dryRun: input.dryRun ?? false,
          disableHooks: false,
          recreate: input.recreate ?? false,
          timeout,
          resetValues: input.resetValues ?? false,
          wait: input.wait ?? false,
          reuseValues: input.reuseValues ?? false,
          force: input.force ?? false,
          description: input.description ?? '',
          subNotes: false,
          cleanupOnFail: false,
        },
        md,
        opts,
        cb,
      ),
    );
    return requireRelease('upgrade', res.release);
  }

  /** Deletes a release; with purge (the default) its history goes too and the name is free again. */
  async uninstall(
    name: string,
    options: { purge?: boolean; disableHooks?: boolean; timeoutSeconds?: number; description?: string } = {},
  ): Promise<{ release?: Release; info: string }> {
    const timeout = options.timeoutSeconds ?? this.timeoutSeconds;
    const res = await this.unary<UninstallReleaseResponse>('uninstall', this.writeDeadline(timeout), {}, (md, opts, cb) =>
      this.client.uninstallRelease(
        { name, disableHooks: options.disableHooks ?? false, purge: options.purge ?? true, timeout, description: options.description ?? '' },
        md,
        opts,
        cb,
      ),
    );
    return { release: res.release, info: res.info };
  }

  /** Status of a revision (0 = the latest). */
  async status(name: string, revision = 0): Promise<GetReleaseStatusResponse> {
    return this.unary<GetReleaseStatusResponse>('status', this.readTimeoutMs, {}, (md, opts, cb) =>
      this.client.getReleaseStatus({ name, version: revision }, md, opts, cb),
    );
  }

  /** The full release (chart, values, manifest) of a revision (0 = the latest). */
  async content(name: string, revision = 0, read: ReadOptions = {}): Promise<Release> {
    const res = await this.unary<GetReleaseContentResponse>('content', this.readTimeoutMs, read, (md, opts, cb) =>
      this.client.getReleaseContent({ name, version: revision }, md, opts, cb),
    );
    return requireRelease('content', res.release);
  }

  /** Revisions of a release, newest first, as Tiller returns them. */
  async history(name: string, max = 256, read: ReadOptions = {}): Promise<Release[]> {
    const res = await this.unary<GetHistoryResponse>('history', this.readTimeoutMs, read, (md, opts, cb) =>
      this.client.getHistory({ name, max }, md, opts, cb),
    );
    return res.releases;
  }

  async rollback(input: RollbackInput): Promise<Release> {
    const timeout = input.timeoutSeconds ?? this.timeoutSeconds;
    const res = await this.unary<RollbackReleaseResponse>('rollback', this.writeDeadline(timeout), input, (md, opts, cb) =>
      this.client.rollbackRelease(
        {
          name: input.name,
          dryRun: input.dryRun ?? false,
          disableHooks: false,
          version: input.revision,
          recreate: input.recreate ?? false,
          timeout,
          wait: input.wait ?? false,
          force: input.force ?? false,
          description: input.description ?? '',
          cleanupOnFail: false,
        },
        md,
        opts,
        cb,
      ),
    );
    return requireRelease('rollback', res.release);
  }

  /**
   * All releases matching the input, following Tiller's pages. Tiller sends no
   * message at all when nothing matches, so an empty stream is an empty list.
   */
  async list(input: ListInput = {}): Promise<Release[]> {
    const releases: Release[] = [];
    let offset = '';
    for (;;) {
      const page = await this.listPage(input, offset);
      for (const chunk of page) releases.push(...chunk.releases);
      const next = page.at(-1)?.next ?? '';
      if (next === '' || next === offset) return releases;
      offset = next;
    }
  }

  close(): void {
    this.client.close();
  }

  private async listPage(input: ListInput, offset: string): Promise<ListReleasesResponse[]> {
    const stream = this.client.listReleases(
      {
        limit: input.pageSize ?? 0,
        offset,
        sortBy: input.sortBy ?? ListSort_SortBy.NAME,
        filter: input.filter ?? '',
        sortOrder: input.sortOrder ?? ListSort_SortOrder.ASC,
        statusCodes: [...(input.statusCodes ?? [])],
        namespace: input.namespace ?? '',
      },
      this.metadata(),
      { deadline: Date.now() + this.readTimeoutMs },
    );
    const chunks: ListReleasesResponse[] = [];
    const done = this.observer('list');
    try {
      for await (const chunk of stream as AsyncIterable<ListReleasesResponse>) chunks.push(chunk);
      done();
      return chunks;
    } catch (err) {
      const failure = fromTillerError('list', err, this.engineLabel());
      done(failure);
      throw failure;
    } finally {
      // Leaving the loop early does not end a grpc-js stream by itself.
      stream.cancel();
    }
  }

  /** Who answered, in messages: Tiller, or a Helm engine once GetVersion said so. */
  private engineLabel(): string {
    return this.detector.current()?.kind === 'helm' ? 'Helm engine' : 'Tiller';
  }

  private writeDeadline(timeoutSeconds: number): number {
    return timeoutSeconds * 1000 + this.writeSlackMs;
  }

  private metadata(options: ChangeOptions & ReadOptions = {}): Metadata {
    const md = new Metadata();
    md.set('x-helm-api-client', this.clientVersion);
    if (options.allowClusterScoped) md.set(ALLOW_CLUSTER_SCOPED_HEADER, 'true');
    const { atLeast } = options;
    if (atLeast !== undefined && Number.isInteger(atLeast) && atLeast > 0) md.set(MIN_REVISION_HEADER, String(atLeast));
    return md;
  }

  private unary<T>(
    operation: string,
    deadlineMs: number,
    options: ChangeOptions & ReadOptions,
    call: (md: Metadata, opts: Partial<CallOptions>, cb: Callback<T>) => ClientUnaryCall,
  ): Promise<T> {
    const done = this.observer(operation);
    return new Promise((resolve, reject) => {
      call(this.metadata(options), { deadline: Date.now() + deadlineMs }, (err, res) => {
        if (err) {
          const failure = fromTillerError(operation, err, this.engineLabel());
          done(failure);
          reject(failure);
        } else {
          done();
          resolve(res);
        }
      });
    });
  }
}

function channelCredentials(tls: TillerClientOptions['tls']): ChannelCredentials {
  if (!tls) return grpcCredentials.createInsecure();
  return grpcCredentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null);
}

function requireRelease(operation: string, release: Release | undefined): Release {
  if (!release) throw new AppStoreError('Internal', `Tiller ${operation} answered without a release`);
  return release;
}
