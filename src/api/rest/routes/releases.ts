/**
 * The seed's release endpoints, plus history, rollback and dry runs. Each
 * handler validates the JSON, builds the appstore.v1 request, calls the
 * service object and writes its answer as JSON: no business logic here.
 */
import { Router } from 'express';
import type { ReleaseStatus } from '../../../../gen/appstore/v1/appstore.js';
import type { AppStoreService } from '../../grpc/app-store-service.js';
import { parseQuery } from '../query-params.js';
import { callContext } from '../request-context.js';
import { validBody } from '../validate-body.js';

/** The id of the release an install made; a dry run makes none and does not send it. */
export const RELEASE_ID_HEADER = 'X-Release-Id';

interface InstallBody {
  application: string;
  version?: string;
  namespace: string;
  adminGroups?: string[];
  development?: boolean;
  values?: Record<string, unknown>;
}

interface UpgradeBody {
  version?: string;
  values?: Record<string, unknown>;
  resetValues?: boolean;
}

export function releaseRoutes(service: AppStoreService): Router {
  const router = Router();

  router.post('/releases', async (req, res) => {
    const { dryRun } = parseQuery(req, { dryRun: 'boolean' });
    const body = validBody<InstallBody>(req, 'InstallRequest');
    const result = await service.installRelease(
      {
        application: body.application,
        version: body.version ?? '',
        namespace: body.namespace,
        adminGroups: body.adminGroups ?? [],
        development: body.development ?? false,
        values: body.values ?? {},
        dryRun: dryRun ?? false,
      },
      callContext(res),
    );
    if (dryRun) return void res.json({ ...result.release, manifest: result.manifest, notes: result.notes });
    // Only a release that exists is named here: /openapi.json's links to the release's operations read this header.
    if (result.release) res.setHeader(RELEASE_ID_HEADER, result.release.id);
    res.json(result.release);
  });

  router.get('/releases', async (req, res) => {
    const q = parseQuery(req, { limit: 'int', offset: 'int' }, { maxInt: 1_000_000 });
    const page = await service.listReleases({ limit: q.limit ?? 0, offset: q.offset ?? 0 }, callContext(res));
    res.setHeader('X-Total-Count', String(page.total));
    res.json(page.releases);
  });

  router.get('/releases/:id', async (req, res) => {
    parseQuery(req, {});
    res.json(await service.getRelease({ id: req.params.id }, callContext(res)));
  });

  router.get('/releases/:id/status', async (req, res) => {
    parseQuery(req, {});
    res.json(statusJson(await service.getReleaseStatus({ id: req.params.id }, callContext(res))));
  });

  router.patch('/releases/:id', async (req, res) => {
    const { dryRun } = parseQuery(req, { dryRun: 'boolean' });
    const body = validBody<UpgradeBody>(req, 'UpgradeRequest');
    const request = { id: req.params.id, version: body.version ?? '', values: body.values, resetValues: body.resetValues ?? false };
    res.json(dryRun ? await service.previewUpgradeRelease(request, callContext(res)) : await service.upgradeRelease(request, callContext(res)));
  });

  router.delete('/releases/:id', async (req, res) => {
    parseQuery(req, {});
    await service.deleteRelease({ id: req.params.id }, callContext(res));
    res.status(204).end();
  });

  router.get('/releases/:id/history', async (req, res) => {
    parseQuery(req, {});
    res.json((await service.getReleaseHistory({ id: req.params.id }, callContext(res))).revisions);
  });

  router.post('/releases/:id/rollback', async (req, res) => {
    const { dryRun } = parseQuery(req, { dryRun: 'boolean' });
    const body = validBody<{ revision: number }>(req, 'RollbackRequest');
    const request = { id: req.params.id, revision: body.revision };
    res.json(dryRun ? await service.previewRollbackRelease(request, callContext(res)) : await service.rollbackRelease(request, callContext(res)));
  });

  router.get('/namespaces', async (req, res) => {
    parseQuery(req, {});
    res.json((await service.listNamespaces({}, callContext(res))).namespaces);
  });

  return router;
}

/** The seed's status document; third-party data appears only when there is some. */
function statusJson(status: ReleaseStatus): Record<string, unknown> {
  const { dataporten, ...rest } = status;
  return dataporten ? { ...rest, dataporten: { client_id: dataporten.clientId, state: dataporten.state } } : rest;
}
