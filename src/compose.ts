/**
 * Builds the whole store from its configuration: adapters (Tiller, the
 * Kubernetes API, chart repositories), the identity room, the release use
 * cases, the service object and both servers. main.ts starts it; the
 * integration tests build it the same way.
 */
import type { RequestListener } from 'node:http';
import { createRestHandler } from './api/rest/app.js';
import { loadUiConfig } from './api/web/ui-config.js';
import { webUiRoutes } from './api/web/web-ui.js';
import { AppStoreService } from './api/grpc/app-store-service.js';
import { createGrpcServer, type GrpcServer } from './api/grpc/server.js';
import { clusterScopedPolicy, createCatalog, loadRepoConfigs, type DefaultCatalog } from './catalog/index.js';
import type { Config } from './config.js';
import { createIdentityService, loadIdentityConfig, type ReloadOutcome } from './identity/index.js';
import { ensureNamespace, kubeClients } from './kube/kube-clients.js';
import { holderIdentity, LeaseLocks } from './kube/lease-locks.js';
import { RecordCache } from './kube/record-cache.js';
import { parseRecord, SecretReleaseStore } from './kube/release-store.js';
import { UnsettledRecords } from './releases/unsettled-records.js';
import { KubeObjectScopes } from './kube/object-scopes.js';
import { KubePodAdmission } from './kube/pod-admission.js';
import { KubeResourceStatusReader } from './kube/resource-status.js';
import { TillerCache } from './kube/tiller-cache.js';
import { TillerSecretStorage } from './kube/tiller-storage.js';
import type { Env } from './env-readers.js';
import type { Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { observeTillerCalls } from './observability/tiller-calls.js';
import { createProvisioner, KubeClientSecretStore, loadProvisioningConfig, ReleaseClients } from './provisioning/index.js';
import { ClusterScope } from './releases/cluster-scope.js';
import { ChangeAdmission } from './releases/change-admission.js';
import { CHANGE_COST, FairEngine } from './releases/fair-engine.js';
import { InProcessLocks } from './releases/in-process-locks.js';
import { loadLimitsConfig } from './releases/limits-config.js';
import { ReleaseQuotas } from './releases/release-quotas.js';
import { TillerBudget } from './releases/tiller-budget.js';
import { reconcile, type ReconcileReport } from './releases/reconcile.js';
import { ReleaseService } from './releases/release-service.js';
import { TenancyCheck } from './releases/tenancy-check.js';
import { TillerClient } from './tiller/index.js';

export interface AppStore {
  readonly rest: RequestListener;
  readonly grpc: GrpcServer;
  readonly service: AppStoreService;
  readonly catalog: DefaultCatalog;
  readonly tiller: TillerClient;
  readonly metrics: Metrics;
  /** Aligns records and Tiller (also run at start). */
  reconcile(): Promise<ReconcileReport>;
  /** Re-reads the tokens and namespaces files now (main.ts calls it on SIGHUP); what each one found. */
  reloadFiles(): Record<string, ReloadOutcome>;
  /** Stops background work and closes connections (servers are closed by their owner). */
  close(): Promise<void>;
}


export async function composeAppStore(config: Config, env: Env, log: Logger): Promise<AppStore> {
  const kube = kubeClients(config.kubeconfig);
  const metrics = new Metrics();
  const tiller = new TillerClient(config.helmHost, {
    observer: observeTillerCalls(log.child({ component: 'tiller' }), metrics),
    timeoutSeconds: config.tillerTimeoutSeconds,
  });
  const repos = loadRepoConfigs(config.repos, env);
  const catalog = createCatalog({ repos }, log);
  const identity = createIdentityService(loadIdentityConfig(env), { logger: log, kubeConfig: kube.config });
  // The records are watched (record-cache.ts); reads answer from memory once the first list is in.
  const recordCache = new RecordCache({ config: kube.config, namespace: config.namespace, parse: parseRecord, log: log.child({ component: 'records' }) });
  const store = new SecretReleaseStore(kube.core, config.namespace, recordCache);
  const clients = new ReleaseClients({
    provisioner: createProvisioner(loadProvisioningConfig(env)),
    secrets: new KubeClientSecretStore(kube.core, config.namespace),
    log: log.child({ component: 'provisioning' }),
  });
  const locks = new LeaseLocks({
    api: kube.coordination,
    namespace: config.namespace,
    holder: holderIdentity(env),
    local: new InProcessLocks(),
    log: log.child({ component: 'locks' }),
  });
  const allowsClusterScoped = clusterScopedPolicy(repos);
  const tenancy = new TenancyCheck({
    scopes: new KubeObjectScopes(kube.config),
    admission: new KubePodAdmission(kube.core),
    allowsClusterScoped,
  });
  // Tiller's stored releases are watched too (tiller-cache.ts), once the engine is known to be Tiller: a Helm engine is
  // asked for revisions itself, and the store may have no access to Tiller's namespace then.
  const tillerCache = new TillerCache({ config: kube.config, namespace: config.tillerNamespace, log: log.child({ component: 'tiller-storage' }) });
  const stored = new TillerSecretStorage(kube.core, config.tillerNamespace, tillerCache);
  let closed = false;
  let tillerCacheStarted: Promise<void> | undefined;
  const limits = loadLimitsConfig(env);
  const quotas = new ReleaseQuotas(store, limits.quotas);
  const { qps, burst } = limits.tillerStorage;
  const budget = qps > 0 ? new TillerBudget({ rate: qps, burst, reserve: CHANGE_COST }) : undefined;
  tiller.detector.onKnown((profile) => {
    log.info({ engine: profile.kind, version: profile.version }, 'the release engine answered');
    // Only Tiller's storage client is limited to 5 requests a second.
    if (profile.kind !== 'tiller') budget?.stop();
    else if (!closed) tillerCacheStarted = tillerCache.start();
  });
  // Changes reach Tiller through a fair queue paced against its storage budget; reconciliation's too.
  const engine = new FairEngine(tiller, { concurrency: limits.engineConcurrency, budget });
  const admission = new ChangeAdmission({
    maxInFlightPerUser: limits.maxChangesInFlightPerUser,
    quotas,
    retryAfterSeconds: () => engine.retryAfterSeconds(),
  });
  const releases = new ReleaseService({
    catalog,
    engine,
    admission,
    store,
    access: identity.access,
    locks,
    resources: new KubeResourceStatusReader(kube.objects),
    stored,
    audit: identity.audit,
    clients,
    log: log.child({ component: 'releases' }),
    tenancy,
    maxValuesBytes: config.maxValuesBytes,
  });
  const service = new AppStoreService({
    catalog,
    releases,
    namespacesFor: (principal) => identity.access.namespacesFor(principal),
    clusterScope: new ClusterScope({ catalog, engine: tiller, tenancy, allowsClusterScoped, namespace: config.namespace }),
    quotaUsage: (principal) => quotas.usage(principal),
    repositories: () => catalog.status().repos,
    ...(clients.kind !== undefined && { clientProvisioner: clients.kind }),
  });
  const authenticate = (credentials: Parameters<typeof identity.authenticate>[0]) => identity.authenticate(credentials);
  const ui = webUiRoutes(loadUiConfig(env));
  if (!ui) log.info('no built web UI (APPSTORE_UI_DIR, default dist/web): the REST API runs without it');
  const rest = createRestHandler({
    service,
    authenticate,
    log,
    metrics,
    ...(ui && { ui }),
    ...(config.trustProxy !== undefined && { trustProxy: config.trustProxy }),
    readiness: {
      tiller: async () => {
        await tiller.version();
        await tiller.profile();
      },
      kubernetes: async () => {
        await kube.core.readNamespace({ name: config.namespace });
      },
      catalog: async () => {
        if (!catalog.ready()) throw new Error('no chart repository has loaded yet');
      },
    },
  });
  const grpc = createGrpcServer({ service, authenticate, log, metrics });
  metrics.watchCatalog(catalog);
  metrics.watchIdentity(identity);
  metrics.watchReleases(() => store.countByState());

  await ensureNamespace(kube.core, config.namespace);
  await tiller.profile().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'the release engine does not answer yet; asked again on use'));
  void catalog.start();
  await recordCache.start();
  await tillerCacheStarted;
  const runReconcile = async (scope: 'all' | 'unsettled' = 'all') => {
    try {
      // The full pass reads the records from the API server: what another replica or an operator wrote a moment ago counts.
      const records = scope === 'all' ? store.fromApi() : store;
      const report = await reconcile({ store: records, engine, clients, locks, tenancy, stored, scope, log: log.child({ component: 'reconcile' }) });
      metrics.observeReconcile(report);
      return report;
    } catch (err) {
      metrics.observeReconcile(undefined);
      throw err;
    }
  };
  // At start and when a record is left pending or deleting, only such records are looked at; everything, rarely.
  await runReconcile('unsettled').catch((err: unknown) => log.warn({ err: (err as Error).message }, 'reconciliation at start failed; it runs again later'));
  const unsettled = new UnsettledRecords(recordCache.index, () => runReconcile('unsettled'), log.child({ component: 'reconcile' }));
  const timer = setInterval(() => {
    runReconcile().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'reconciliation failed'));
  }, 5 * 60_000);
  timer.unref();

  return {
    rest,
    grpc,
    service,
    catalog,
    tiller,
    metrics,
    reconcile: () => runReconcile('all'),
    reloadFiles: () => identity.reload(),
    close: async () => {
      closed = true;
      clearInterval(timer);
      unsettled.stop();
      await recordCache.stop();
      await tillerCache.stop();
      identity.close();
      await catalog.stop();
      await locks.close();
      tiller.close();
    },
  };
}
