/**
 * If-None-Match as /openapi.json documents it: the GETs of the API tag their
 * answers and answer 304 to a matching tag (weak comparison, lists, `*`), a
 * header longer than the documented maxLength is a 400 problem, and the
 * probes and /metrics are never conditional.
 */
import { METHODS, openApiDocument, type Parameter, type Reference, type Response } from '../../../src/api/rest/openapi.js';
import { serveRestApp, type ServedApp } from './served-app.js';

const TAG = '"3f2a-catalog"';
let app: ServedApp;

beforeAll(async () => {
  app = await serveRestApp({
    listPackagesJson: async () => ({ body: Buffer.from('[]'), total: 0, staleSeconds: 0, etag: TAG }),
  });
});
afterAll(() => app.close());

const packages = (ifNoneMatch?: string, extra: Record<string, string> = {}) =>
  app.get('/packages', { ...(ifNoneMatch !== undefined && { 'if-none-match': ifNoneMatch }), ...extra });

const documentedLimit = (): number => {
  const param = openApiDocument.components.parameters.IfNoneMatch as Parameter;
  return Number(param.schema.maxLength);
};

describe('GET /packages with If-None-Match', () => {
  test.each([
    ['the tag itself', TAG],
    ['its weak form', `W/${TAG}`],
    ['a list that holds it', `"old-1", ${TAG} ,"old-2"`],
    ['*', '*'],
  ])('%s: 304 with the ETag and no body', async (_what, header) => {
    const res = await packages(header);
    expect(res.status).toBe(304);
    expect(res.headers.etag).toBe(TAG);
    expect(res.body).toBe('');
  });

  test.each([
    ['another tag', '"old"'],
    ['the tag unquoted', TAG.slice(1, -1)],
    ['* in a list', `*, "old"`],
  ])('%s: the full answer', async (_what, header) => {
    const res = await packages(header);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(TAG);
    expect(JSON.parse(res.body)).toEqual([]);
  });

  test('Cache-Control: no-cache asks for the full answer even when the tag matches', async () => {
    expect((await packages(TAG, { 'cache-control': 'no-cache' })).status).toBe(200);
  });

  test('a header of exactly the documented maxLength is honoured; one character more is a 400 problem naming it', async () => {
    const limit = documentedLimit();
    expect(limit).toBe(1000);
    const filler = (n: number) => `"${'x'.repeat(n - 2)}"`;
    const atLimit = `${filler(limit - TAG.length - 1)},${TAG}`;
    expect(atLimit).toHaveLength(limit);
    expect((await packages(atLimit)).status).toBe(304);

    const over = `${filler(limit - TAG.length)},${TAG}`;
    expect(over).toHaveLength(limit + 1);
    const res = await packages(over);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: 'InvalidArgument', parameter: 'If-None-Match', limit: 1000, size: 1001 });
  });
});

describe('the other GETs', () => {
  test('GET /openapi.json is tagged and answers 304 to its own tag', async () => {
    const tag = (await app.get('/openapi.json')).headers.etag;
    expect(tag).toMatch(/^W\/".+"$/);
    expect((await app.get('/openapi.json', { 'if-none-match': tag ?? '' })).status).toBe(304);
    expect((await app.get('/openapi.json', { 'if-none-match': 'x'.repeat(1001) })).status).toBe(400);
  });

  test.each(['/healthz', '/readyz', '/metrics'])('%s is live: no ETag, and never 304, even to *', async (path) => {
    const res = await app.get(path, { 'if-none-match': '*' });
    expect({ status: res.status, etag: res.headers.etag, cache: res.headers['cache-control'] }).toEqual({
      status: 200,
      etag: undefined,
      cache: 'no-store',
    });
  });

  test('the document gives every GET but the probes and /metrics If-None-Match, an ETag and 304, and those none', () => {
    const conditional: string[] = [];
    const live: string[] = [];
    for (const [path, item] of Object.entries(openApiDocument.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const params = (op.parameters ?? []) as Array<Parameter | Reference>;
        const takes = params.some((p) => '$ref' in p && p.$ref === '#/components/parameters/IfNoneMatch');
        const has304 = '304' in op.responses;
        const tagged = 'ETag' in ((op.responses['200'] as Response | undefined)?.headers ?? {});
        expect({ path, method, takes, tagged }).toEqual({ path, method, takes: has304, tagged: has304 });
        if (has304) expect({ path, method }).toEqual({ path, method: 'get' });
        (has304 ? conditional : live).push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(live.filter((op) => op.startsWith('GET '))).toEqual(['GET /healthz', 'GET /readyz', 'GET /metrics']);
    expect(conditional).toEqual(expect.arrayContaining(['GET /packages', 'GET /releases/{id}', 'GET /openapi.json', 'GET /me']));
  });
});
