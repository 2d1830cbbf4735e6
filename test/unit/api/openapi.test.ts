/**
 * /openapi.json: a valid OpenAPI 3.1 document (checked by an independent
 * validator), naming exactly the routes the express app has, with request
 * schemas that are the very objects request validation compiles.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { METHODS, openApiDocument, type Method, type Operation, type Reference, type Response } from '../../../src/api/rest/openapi.js';
import { requestSchemas } from '../../../src/api/rest/schemas.js';
import { restAppWithoutService } from './rest-app.js';

const run = promisify(execFile);

interface LayerLike {
  readonly rawPath?: unknown;
  readonly route?: { readonly path: unknown; readonly methods: Readonly<Record<string, boolean>> };
  readonly handle?: { readonly stack?: readonly LayerLike[] };
}

/** "GET /releases/{id}" for every route in the router tree (HEAD, which express adds for GET, excluded). */
function routesOf(stack: readonly LayerLike[], prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const path of paths) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push(`${method.toUpperCase()} ${openApiPath(prefix + String(path))}`);
        }
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...routesOf(layer.handle.stack, prefix + mount));
    }
  }
  return out;
}

const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

function documentedRoutes(): string[] {
  return Object.entries(openApiDocument.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((m) => `${m.toUpperCase()} ${path}`),
  );
}

function operations(): Array<[string, Method, Operation]> {
  return Object.entries(openApiDocument.paths).flatMap(([path, item]) =>
    METHODS.flatMap((m) => {
      const op = item[m];
      return op ? [[path, m, op] as [string, Method, Operation]] : [];
    }),
  );
}

/** JSON pointers of the Schema Objects under a part of the document (every value of a "schema" member). */
function inlineSchemas(node: unknown, at: string): string[] {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const here = `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    return key === 'schema' ? [here] : inlineSchemas(value, here);
  });
}

const isRef = (x: unknown): x is Reference => typeof x === 'object' && x !== null && typeof (x as Reference).$ref === 'string';

describe('the OpenAPI document', () => {
  test('is a valid OpenAPI 3.1 document whose $refs all resolve (@seriousme/openapi-schema-validator)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'appstore-oas-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(openApiDocument));
    // The validator is ESM only; its CLI runs it in a process of its own.
    const cli = join(process.cwd(), 'node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
    const result = await run(process.execPath, [cli, file]).then(
      ({ stdout }) => stdout,
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    expect(JSON.parse(result)).toEqual({ valid: true });
    expect(openApiDocument.openapi).toMatch(/^3\.1\.\d+$/);
  });

  test('the validator does reject a broken document (so the test above can fail)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'appstore-oas-')), 'openapi.json');
    const broken = { ...openApiDocument, paths: { ...openApiDocument.paths, '/healthz': { get: { responses: { 200: { $ref: '#/components/responses/Nope' } } } } } };
    writeFileSync(file, JSON.stringify(broken));
    const cli = join(process.cwd(), 'node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
    await expect(run(process.execPath, [cli, file])).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('"valid": false') });
  });

  test('names every route the express app has, and no other', () => {
    const registered = routesOf(restAppWithoutService().router.stack as unknown as LayerLike[]);
    // The walk must find the routers' routes, or the comparison below proves nothing.
    expect(registered).toEqual(expect.arrayContaining(['GET /healthz', 'PATCH /releases/{id}', 'GET /openapi.json']));
    expect([...new Set(registered)].sort()).toEqual(documentedRoutes().sort());
  });

  test('every schema, in components or inline, is a JSON Schema 2020-12 that compiles in strict mode', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    for (const member of Object.keys(openApiDocument)) ajv.addKeyword(member);
    ajv.addSchema({ ...openApiDocument, $id: 'urn:appstore:openapi' });
    const pointers = [
      ...Object.keys(openApiDocument.components.schemas).map((name) => `/components/schemas/${name}`),
      ...inlineSchemas(openApiDocument.paths, '/paths'),
      ...inlineSchemas(openApiDocument.components.responses, '/components/responses'),
      ...inlineSchemas(openApiDocument.components.parameters, '/components/parameters'),
      ...inlineSchemas(openApiDocument.components.headers, '/components/headers'),
    ];
    // Responses, bodies, parameters and headers all have one.
    expect(pointers.length).toBeGreaterThan(50);
    const failures = pointers.flatMap((pointer) => {
      try {
        ajv.compile({ $ref: `urn:appstore:openapi#${pointer}` });
        return [];
      } catch (err) {
        return [`${pointer}: ${(err as Error).message}`];
      }
    });
    expect(failures).toEqual([]);
  });

  test('request bodies reference the very schemas validBody compiles', () => {
    for (const [name, schema] of Object.entries(requestSchemas)) {
      expect(openApiDocument.components.schemas[name]).toBe(schema);
    }
    const bodies = Object.fromEntries(
      operations()
        .filter(([, , op]) => op.requestBody)
        .map(([path, method, op]) => [`${method.toUpperCase()} ${path}`, op.requestBody?.content['application/json']?.schema]),
    );
    expect(bodies).toEqual({
      'POST /releases': { $ref: '#/components/schemas/InstallRequest' },
      'PATCH /releases/{id}': { $ref: '#/components/schemas/UpgradeRequest' },
      'POST /releases/{id}/rollback': { $ref: '#/components/schemas/RollbackRequest' },
    });
  });

  test('operation ids are unique and every path template parameter is declared', () => {
    const ids = operations().map(([, , op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, item] of Object.entries(openApiDocument.paths)) {
      const declared = (item.parameters ?? [])
        .map((p) => (isRef(p) ? openApiDocument.components.parameters[p.$ref.split('/').pop() ?? ''] : p))
        .filter((p) => p?.in === 'path')
        .map((p) => p?.name);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect({ path, params: declared.sort() }).toEqual({ path, params: templated.sort() });
    }
  });

  test('bearer auth is global; the catalog, health, metrics and this document are public', () => {
    expect(openApiDocument.security).toContainEqual({ bearerAuth: [] });
    expect(openApiDocument.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const publicOps = operations()
      .filter(([, , op]) => op.security !== undefined && (op.security.length === 0 || op.security.some((s) => Object.keys(s).length === 0)))
      .map(([path, method]) => `${method.toUpperCase()} ${path}`)
      .sort();
    expect(publicOps).toEqual(
      [
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'GET /openapi.json',
        'GET /packages',
        'GET /packages/{repo}/{name}',
        'GET /packages/{name}',
        'GET /packages/{repo}/{name}/versions/{version}',
      ].sort(),
    );
    // Every operation that may be given credentials may have them refused, and its client turned away after many failures.
    for (const [path, method, op] of operations()) {
      if (op.security?.length === 0) continue;
      const refusals = { op: `${method} ${path}`, has401: '401' in op.responses, has429: '429' in op.responses };
      expect(refusals).toEqual({ op: `${method} ${path}`, has401: true, has429: true });
    }
  });

  test('POST /releases links the id of the release it made (X-Release-Id) to the path id of every operation on /releases/{id}…', () => {
    const install = openApiDocument.paths['/releases']?.post?.responses['200'] as Response | undefined;
    const links = install?.links ?? {};
    const byId = new Map(operations().map(([path, method, op]) => [op.operationId, { path, method }]));
    const targets = Object.values(links).map((link) => {
      // Each link names a real operation, and fills its only path parameter, id, from the install's answer.
      expect(byId.has(link.operationId)).toBe(true);
      expect(link.parameters).toEqual({ 'path.id': '$response.header.X-Release-Id' });
      const target = byId.get(link.operationId);
      expect(target?.path).toMatch(/^\/releases\/\{id\}/);
      return `${target?.method.toUpperCase()} ${target?.path}`;
    });
    const releaseIdOperations = documentedRoutes().filter((route) => / \/releases\/\{id\}/.test(route));
    expect(releaseIdOperations).toEqual(expect.arrayContaining(['GET /releases/{id}', 'DELETE /releases/{id}', 'POST /releases/{id}/rollback']));
    expect(targets.sort()).toEqual(releaseIdOperations.sort());
    // The header the links read is documented on that answer, and not required: a dry run does not send it.
    expect(install?.headers?.['X-Release-Id']).toMatchObject({ required: false, schema: { type: 'string' } });
  });

  test('an upgrade and a rollback take dryRun and may answer a ChangePreview; each revision carries its values', () => {
    for (const [path, method] of [['/releases/{id}', 'patch'], ['/releases/{id}/rollback', 'post']] as const) {
      const op = openApiDocument.paths[path]?.[method];
      expect(op?.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'dryRun', in: 'query' })]));
      expect(JSON.stringify((op?.responses['200'] as Response).content)).toContain('#/components/schemas/ChangePreview');
    }
    expect(openApiDocument.components.schemas.ChangePreview).toMatchObject({ required: ['current', 'proposed'] });
    expect(openApiDocument.components.schemas.RevisionContent).toMatchObject({ required: expect.arrayContaining(['manifest', 'values']) });
    expect(openApiDocument.components.schemas.Revision).toMatchObject({ required: expect.arrayContaining(['values']) });
  });

  test('servers are relative', () => {
    for (const server of openApiDocument.servers) expect(server.url).toMatch(/^\/(?!\/)/);
  });
});

describe('GET /openapi.json', () => {
  test('serves the document as JSON, without credentials', async () => {
    const server = restAppWithoutService().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/openapi.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
      const bad = await fetch(`${base}/openapi.json?format=yaml`);
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
