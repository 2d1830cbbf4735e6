/**
 * What /openapi.json allows in a request is what the server accepts: values generated from the document's own rules,
 * and values beside them, go through the real REST validation and the service layer's input checks (InputLimits, the
 * checks gRPC shares), and the server refuses exactly those the document refuses, with the documented 400.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import type { InstallReleaseRequest } from '../../../gen/appstore/v1/appstore.js';
import { openApiDocument, type Parameter, type Response } from '../../../src/api/rest/openapi.js';
import { NAMESPACE_PATTERN, NOT_BLANK_PATTERN } from '../../../src/domain/names.js';
import { InputLimits } from '../../../src/releases/input-limits.js';
import { newReleaseId, RELEASE_ID_PATTERN } from '../../../src/releases/release-ids.js';
import { serveRestApp, type ServedApp } from './served-app.js';

/** The document as an outside client reads it: its component schemas, compiled by a JSON Schema 2020-12 validator. */
function documentSchema(pointer: string): ValidateFunction {
  const ajv = new Ajv2020({ strict: false });
  ajv.addSchema({ ...openApiDocument, $id: 'urn:appstore:openapi' });
  return ajv.compile({ $ref: `urn:appstore:openapi#${pointer}` });
}

const limits = new InputLimits({ measure: () => ({ bytes: 0, limit: 1 }) });
let app: ServedApp;

beforeAll(async () => {
  app = await serveRestApp({
    // The service layer's first step of an install: InputLimits.checkInstall (releases/release-service.ts).
    installRelease: async (req: InstallReleaseRequest) => {
      limits.checkInstall({ ...req, values: req.values ?? {} });
      return { release: { id: 'blurry-green-cat', owner: 'alice', ...req, values: {} }, manifest: '', notes: '' };
    },
    listPackagesJson: async () => ({ body: Buffer.from('[]'), total: 0, staleSeconds: 0, etag: '"e"' }),
  });
});
afterAll(() => app.close());

const install = (body: Record<string, unknown>) =>
  app.fetch('/releases', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const BASE = { application: 'sample/hello', namespace: 'default' };
const validInstall = documentSchema('/components/schemas/InstallRequest');

/** The server's verdict on a body beside what the document says of it: 200 when the document allows it, else 400. */
async function verdicts(body: Record<string, unknown>): Promise<{ documented: number; answered: number }> {
  const res = await install(body);
  if (res.status === 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return { documented: validInstall(body) ? 200 : 400, answered: res.status };
}

/** Text of any length up to `max`, of ASCII, whitespace, letters beyond ASCII and characters outside the BMP (two UTF-16 units each). */
const text = (max: number) =>
  fc.string({
    unit: fc.oneof(fc.constantFrom('a', 'Z', '0', '-', '.', '/', ' ', '\t', '\u00a0', '\u3000', '\ufeff', '\u200b', 'é', '😀', '𝔘'), fc.string({ minLength: 1, maxLength: 1 })),
    maxLength: max,
  });
/** Text around a limit: runs of one character, the limit ± 1 long. */
const around = (limit: number) => fc.tuple(fc.constantFrom('a', '😀', ' '), fc.integer({ min: limit - 1, max: limit + 1 })).map(([c, n]) => c.repeat(n));

describe('POST /releases: the document and the server refuse the same bodies', () => {
  test('namespace: a DNS-1123 label of at most 63 characters, in the document and on the server', async () => {
    const namespaces = fc.oneof(
      fc.stringMatching(NAMESPACE_PATTERN),
      text(70),
      around(63),
      fc.constantFrom('default', 'a', '0', 'a'.repeat(63), 'a'.repeat(64), 'Default', '-a', 'a-', 'a_b', 'a.b', 'ä', ''),
    );
    await fc.assert(
      fc.asyncProperty(namespaces, async (namespace) => {
        const { documented, answered } = await verdicts({ ...BASE, namespace });
        expect({ namespace, answered }).toEqual({ namespace, answered: documented });
      }),
      { numRuns: 200 },
    );
  });

  test('application: 1 to 200 characters (code points, as JSON Schema counts) and not blank', async () => {
    const applications = fc.oneof(text(20), around(200), fc.constantFrom('', ' ', '\t\n', '\u00a0\u2028\ufeff', ' x ', '\u200b'));
    await fc.assert(
      fc.asyncProperty(applications, async (application) => {
        const { documented, answered } = await verdicts({ ...BASE, application });
        expect({ application, answered }).toEqual({ application, answered: documented });
      }),
      { numRuns: 150 },
    );
  });

  test('version: at most 100 characters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(text(10), around(100)), async (version) => {
        const { documented, answered } = await verdicts({ ...BASE, version });
        expect({ version, answered }).toEqual({ version, answered: documented });
      }),
      { numRuns: 80 },
    );
  });

  test('adminGroups: at most 100 distinct groups of 1 to 256 characters', async () => {
    const groups = fc.oneof(
      fc.array(fc.oneof(text(5), around(256)), { maxLength: 4 }),
      fc.integer({ min: 99, max: 101 }).map((n) => Array.from({ length: n }, (_, i) => `g${i}`)),
      fc.constantFrom(['a', 'a'], [''], ['😀'.repeat(256)]),
    );
    await fc.assert(
      fc.asyncProperty(groups, async (adminGroups) => {
        const { documented, answered } = await verdicts({ ...BASE, adminGroups });
        expect({ adminGroups: adminGroups.length, answered }).toEqual({ adminGroups: adminGroups.length, answered: documented });
      }),
      { numRuns: 60 },
    );
  });

  test('a refused namespace is named in the 400, in words', async () => {
    const res = await install({ ...BASE, namespace: 'Not_A_Label' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ path: 'namespace', message: expect.stringContaining('not a Kubernetes namespace name') }] });
  });
});

describe('the patterns the document states', () => {
  test('not blank is exactly what the service layer’s trim keeps, for every character of the BMP', () => {
    const disagreements: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const c = String.fromCharCode(code);
      if (NOT_BLANK_PATTERN.test(c) !== (c.trim() !== '')) disagreements.push(code.toString(16));
    }
    expect(disagreements).toEqual([]);
  });

  test('every namespace the document names carries the same DNS-1123 pattern and length', () => {
    const schemas = openApiDocument.components.schemas as Record<string, { properties?: Record<string, Record<string, unknown>> }>;
    const namespaceOf = (name: string) => schemas[name]?.properties?.namespace;
    const expected = expect.objectContaining({ type: 'string', pattern: NAMESPACE_PATTERN.source, maxLength: 63, minLength: 1 });
    for (const name of ['InstallRequest', 'Release', 'DryRunResult', 'ReleaseStatus']) expect({ name, schema: namespaceOf(name) }).toEqual({ name, schema: expected });
    expect(schemas.Me?.properties?.namespaces).toMatchObject({ items: expected });
    const listed = openApiDocument.paths['/namespaces']?.get?.responses['200'] as Response;
    expect(listed.content?.['application/json']?.schema.items).toEqual(expected);
  });

  test('release ids: the path parameter states the pattern the store checks, and every id it makes fits both it and Release.id', () => {
    const param = openApiDocument.components.parameters.ReleaseId as Parameter;
    expect(param.schema).toMatchObject({ pattern: RELEASE_ID_PATTERN.source, maxLength: 53 });
    const path = new RegExp(String(param.schema.pattern), 'u');
    const answer = new RegExp(String((openApiDocument.components.schemas.Release as { properties: { id: { pattern: string } } }).properties.id.pattern), 'u');
    for (let i = 0; i < 500; i++) {
      const id = newReleaseId();
      expect({ id, path: path.test(id), answer: answer.test(id) }).toEqual({ id, path: true, answer: true });
    }
  });
});

describe('GET /packages: query texts', () => {
  test('at most 200 characters, counted as the document counts them', async () => {
    const query = (openApiDocument.paths['/packages']?.get?.parameters ?? []).find((p) => 'name' in p && p.name === 'query') as Parameter;
    const ajv = new Ajv2020({ strict: false });
    const valid = ajv.compile(query.schema);
    await fc.assert(
      fc.asyncProperty(fc.oneof(text(10), around(200)), fc.constantFrom('query', 'repo', 'keyword'), async (value, name) => {
        const res = await app.fetch(`/packages?${new URLSearchParams({ [name]: value }).toString()}`);
        expect({ value, status: res.status }).toEqual({ value, status: valid(value) ? 200 : 400 });
      }),
      { numRuns: 80 },
    );
  });
});
