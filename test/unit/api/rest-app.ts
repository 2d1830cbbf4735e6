/**
 * The store's REST app with no service behind it: for tests of what the app
 * does before any use case runs (routes, methods, the OpenAPI document).
 * Every request that needs an identity fails authentication.
 */
import type { Express } from 'express';
import type { AppStoreService } from '../../../src/api/grpc/app-store-service.js';
import { createRestApp } from '../../../src/api/rest/app.js';
import { AppStoreError } from '../../../src/domain/errors.js';
import { createLogger } from '../../../src/observability/logger.js';
import { Metrics } from '../../../src/observability/metrics.js';

export function restAppWithoutService(): Express {
  return createRestApp({
    service: {} as AppStoreService,
    authenticate: async () => {
      throw new AppStoreError('Unauthenticated', 'no identity in this test');
    },
    log: createLogger('silent'),
    readiness: {},
    metrics: new Metrics({ defaultMetrics: false }),
  });
}
