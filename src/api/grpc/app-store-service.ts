/**
 * The AppStore service object: appstore.v1 messages in and out, the domain
 * behind. The gRPC server exposes it and the REST routes call the very same
 * object, so behaviour lives once, behind both protocols.
 */
import type {
  DeleteReleaseRequest,
  DeleteReleaseResponse,
  GetPackageRequest,
  GetPackageVersionRequest,
  GetReleaseHistoryRequest,
  GetReleaseHistoryResponse,
  GetReleaseRequest,
  GetMeRequest,
  GetReleaseStatusRequest,
  InstallReleaseRequest,
  InstallReleaseResponse,
  ListNamespacesRequest,
  ListNamespacesResponse,
  ListPackagesRequest,
  ListPackagesResponse,
  ListReleasesRequest,
  ListReleasesResponse,
  Me,
  Package,
  PackageVersionDetail,
  Release,
  ReleaseStatus,
  RollbackReleaseRequest,
  UpgradeReleaseRequest,
  ReleaseChangePreview,
} from '../../../gen/appstore/v1/appstore.js';
import type { RepoStatus } from '../../catalog/catalog-status.js';
import type { Catalog, CatalogJson, PackagePageJson } from '../../catalog/types.js';
import { AppStoreError, invalidArgument } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { ClusterScope } from '../../releases/cluster-scope.js';
import type { QuotaUsage } from '../../releases/release-quotas.js';
import type { ReleaseService } from '../../releases/release-service.js';
import type { CallContext } from './call-context.js';
import { toPackageMessage, toPackageVersionDetailMessage } from './catalog-messages.js';
import { toChangePreviewMessage, toReleaseMessage, toReleaseStatusMessage, toRevisionMessage } from './release-messages.js';

export interface AppStoreDependencies {
  readonly catalog: Catalog & CatalogJson;
  readonly releases: ReleaseService;
  /** The namespaces a caller may deploy into. */
  readonly namespacesFor: (principal: Principal) => Promise<string[]>;
  /** The cluster-scoped objects a version renders with its defaults (see releases/cluster-scope.ts). */
  readonly clusterScope?: ClusterScope;
  /** The caller's usage of the release quotas; absent, GetMe shows none used and no limits. */
  readonly quotaUsage?: (principal: Principal) => Promise<QuotaUsage>;
  /** Who makes the OAuth clients charts declare (APPSTORE_PROVISIONER), or undefined when nobody does. */
  readonly clientProvisioner?: string;
  /** The configured repositories' refresh state; absent, none are listed. */
  readonly repositories?: () => readonly RepoStatus[];
}

/** RPC names that need no credentials. */
export const PUBLIC_METHODS: ReadonlySet<string> = new Set(['ListPackages', 'GetPackage', 'GetPackageVersion']);

export class AppStoreService {
  constructor(private readonly deps: AppStoreDependencies) {}

  async listPackages(req: ListPackagesRequest, _ctx: CallContext): Promise<ListPackagesResponse> {
    const page = await this.deps.catalog.list(packageQuery(req));
    return { packages: page.packages.map(toPackageMessage), total: page.total, staleSeconds: page.staleSeconds };
  }

  /**
   * ListPackages as the JSON list the REST API answers, serialised once per
   * catalog generation by the catalog itself: the hot path of GET /packages.
   */
  async listPackagesJson(req: ListPackagesRequest, _ctx: CallContext): Promise<PackagePageJson> {
    return this.deps.catalog.listJson(packageQuery(req));
  }

  /** The repositories' refresh state, for operators and the REST API (GET /repositories); not a gRPC method. */
  async listRepositories(_ctx: CallContext): Promise<readonly RepoStatus[]> {
    return this.deps.repositories?.() ?? [];
  }

  async getPackage(req: GetPackageRequest, _ctx: CallContext): Promise<Package> {
    return toPackageMessage(await this.deps.catalog.get(required(req.id, 'id')));
  }

  async getPackageVersion(req: GetPackageVersionRequest, _ctx: CallContext): Promise<PackageVersionDetail> {
    const detail = await this.deps.catalog.getVersion(required(req.id, 'id'), required(req.version, 'version'));
    const scope = await this.deps.clusterScope?.of(detail.id, detail.version.version);
    const message = toPackageVersionDetailMessage(detail);
    return {
      ...message,
      clusterScope: scope && { ...scope, objects: scope.objects.map((o) => ({ ...o })) },
      client: message.client && { ...message.client, ...clientPlan(this.deps.clientProvisioner) },
    };
  }

  async installRelease(req: InstallReleaseRequest, ctx: CallContext): Promise<InstallReleaseResponse> {
    const result = await this.deps.releases.install(caller(ctx), {
      application: req.application,
      version: req.version,
      namespace: req.namespace,
      adminGroups: req.adminGroups,
      development: req.development,
      values: req.values ?? {},
      dryRun: req.dryRun,
    }, { callerToken: ctx.callerToken });
    return { release: toReleaseMessage(result.record), manifest: result.manifest ?? '', notes: result.notes ?? '' };
  }

  async getRelease(req: GetReleaseRequest, ctx: CallContext): Promise<Release> {
    return toReleaseMessage(await this.deps.releases.get(caller(ctx), required(req.id, 'id')));
  }

  async listReleases(req: ListReleasesRequest, ctx: CallContext): Promise<ListReleasesResponse> {
    if (req.limit < 0 || req.offset < 0) throw invalidArgument('limit and offset must not be negative');
    const page = await this.deps.releases.list(caller(ctx), { limit: req.limit === 0 ? undefined : req.limit, offset: req.offset });
    return { releases: page.releases.map(toReleaseMessage), total: page.total };
  }

  async getReleaseStatus(req: GetReleaseStatusRequest, ctx: CallContext): Promise<ReleaseStatus> {
    return toReleaseStatusMessage(await this.deps.releases.status(caller(ctx), required(req.id, 'id')));
  }

  async upgradeRelease(req: UpgradeReleaseRequest, ctx: CallContext): Promise<Release> {
    const record = await this.deps.releases.upgrade(caller(ctx), required(req.id, 'id'), {
      version: req.version,
      values: req.values,
      resetValues: req.resetValues,
    }, { callerToken: ctx.callerToken });
    return toReleaseMessage(record);
  }

  async previewUpgradeRelease(req: UpgradeReleaseRequest, ctx: CallContext): Promise<ReleaseChangePreview> {
    return toChangePreviewMessage(
      await this.deps.releases.previewUpgrade(caller(ctx), required(req.id, 'id'), { version: req.version, values: req.values, resetValues: req.resetValues }),
    );
  }

  async previewRollbackRelease(req: RollbackReleaseRequest, ctx: CallContext): Promise<ReleaseChangePreview> {
    return toChangePreviewMessage(await this.deps.releases.previewRollback(caller(ctx), required(req.id, 'id'), req.revision));
  }

  async rollbackRelease(req: RollbackReleaseRequest, ctx: CallContext): Promise<Release> {
    return toReleaseMessage(await this.deps.releases.rollback(caller(ctx), required(req.id, 'id'), req.revision, { callerToken: ctx.callerToken }));
  }

  async getReleaseHistory(req: GetReleaseHistoryRequest, ctx: CallContext): Promise<GetReleaseHistoryResponse> {
    const revisions = await this.deps.releases.history(caller(ctx), required(req.id, 'id'));
    return { revisions: revisions.map(toRevisionMessage) };
  }

  async deleteRelease(req: DeleteReleaseRequest, ctx: CallContext): Promise<DeleteReleaseResponse> {
    await this.deps.releases.delete(caller(ctx), required(req.id, 'id'), { callerToken: ctx.callerToken });
    return {};
  }

  async listNamespaces(_req: ListNamespacesRequest, ctx: CallContext): Promise<ListNamespacesResponse> {
    return { namespaces: await this.deps.namespacesFor(caller(ctx)) };
  }

  async getMe(_req: GetMeRequest, ctx: CallContext): Promise<Me> {
    const principal = caller(ctx);
    const [namespaces, usage] = await Promise.all([
      this.deps.namespacesFor(principal),
      this.deps.quotaUsage?.(principal) ?? { releases: { used: 0, limit: 0 }, groups: [] },
    ]);
    return {
      id: principal.id,
      name: principal.name ?? '',
      email: principal.email ?? '',
      groups: [...principal.groups],
      namespaces,
      quotas: { releases: { ...usage.releases }, groups: usage.groups.map((g) => ({ ...g })) },
    };
  }
}

function packageQuery(req: ListPackagesRequest) {
  if (req.limit < 0) throw invalidArgument('limit must be 0 (no limit) or positive', { parameter: 'limit' });
  if (req.offset < 0) throw invalidArgument('offset must not be negative', { parameter: 'offset' });
  return { query: req.query, deprecated: req.deprecated, repo: req.repo, keyword: req.keyword, limit: req.limit === 0 ? undefined : req.limit, offset: req.offset };
}

/** The authenticated caller; the transports authenticate every non-public call first. */
function caller(ctx: CallContext): Principal {
  if (!ctx.principal) throw new AppStoreError('Unauthenticated', 'authentication required');
  return ctx.principal;
}

function required(value: string, name: string): string {
  if (value.trim() === '') throw invalidArgument(`${name} is required`, { parameter: name });
  return value;
}

/** What becomes of a declared client at install, with this store's provisioner. */
function clientPlan(provisioner: string | undefined): { provisioned: boolean; detail: string } {
  return provisioner === undefined
    ? { provisioned: false, detail: 'no client will be made: this store has no provisioner (APPSTORE_PROVISIONER); the chart installs with the defaults of its values.yaml' }
    : { provisioned: true, detail: `one client is made per release (${provisioner}) and passed to the chart as appstore_generated_data.dataporten and .aai` };
}
