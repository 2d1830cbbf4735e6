/**
 * The store's own REST handler around the benchmark's catalog, so that GET
 * /packages is measured exactly as it is served: the catalog lane, or
 * express with the request context and query parsing, and the service
 * object. The release side
 * of the service gets real adapters pointed at nothing: the benchmark never
 * calls it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { AppStoreService } from '../../src/api/grpc/app-store-service.js';
import { createRestHandler } from '../../src/api/rest/app.js';
import { createIdentityService, loadIdentityConfig } from '../../src/identity/index.js';
import { SecretReleaseStore } from '../../src/kube/release-store.js';
import { KubeResourceStatusReader } from '../../src/kube/resource-status.js';
import { createLogger } from '../../src/observability/logger.js';
import { InProcessLocks } from '../../src/releases/in-process-locks.js';
import { ReleaseService } from '../../src/releases/release-service.js';
import { TillerClient } from '../../src/tiller/index.js';
import type { Router } from 'express';
import type { DefaultCatalog } from '../../src/catalog/index.js';

/** ui: the web UI's routes too (bench/web). */
export const serveStoreRestApp = async (catalog: DefaultCatalog, ui?: Router) => {
  const log = createLogger('silent');
  const nowhere = new KubeConfig();
  nowhere.loadFromOptions({
    clusters: [{ name: 'none', server: 'https://127.0.0.1:1', skipTLSVerify: false }],
    users: [{ name: 'none' }],
    contexts: [{ name: 'none', cluster: 'none', user: 'none' }],
    currentContext: 'none',
  });
  const identity = createIdentityService(loadIdentityConfig({}), { logger: log });
  const tiller = new TillerClient('127.0.0.1:1');
  const releases = new ReleaseService({
    catalog,
    engine: tiller,
    store: new SecretReleaseStore(nowhere.makeApiClient(CoreV1Api), 'appstore'),
    access: identity.access,
    locks: new InProcessLocks(),
    resources: new KubeResourceStatusReader(KubernetesObjectApi.makeApiClient(nowhere)),
    audit: identity.audit,
    log,
  });
  const service = new AppStoreService({ catalog, releases, namespacesFor: (p) => identity.access.namespacesFor(p) });
  const server = createServer(createRestHandler({ service, authenticate: (c) => identity.authenticate(c), log, readiness: {}, ...(ui && { ui }) }));
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      tiller.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
};
