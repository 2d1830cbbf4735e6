/**
 * The links from POST /releases follow real installs only: the runtime
 * expression they carry resolves on an install's answer, to the id of the
 * release it made, and resolves to nothing on a dry run's, whose id names no
 * release. Evaluated as OpenAPI runtime expressions are (what schemathesis's
 * stateful phase does before it follows a link: an expression that resolves
 * to nothing gives no value).
 */
import type { InstallReleaseRequest } from '../../../gen/appstore/v1/appstore.js';
import { openApiDocument, type Response as DocumentResponse } from '../../../src/api/rest/openapi.js';
import { serveRestApp, type ServedApp } from './served-app.js';

let app: ServedApp;
let made = 0;

beforeAll(async () => {
  app = await serveRestApp({
    installRelease: async (req: InstallReleaseRequest) => {
      if (!req.dryRun) made++;
      const release = { id: 'quick-amber-otter', owner: 'alice', application: req.application, version: '1.0.0', namespace: req.namespace, adminGroups: [], development: false, values: {} };
      return { release, manifest: req.dryRun ? 'kind: ConfigMap' : '', notes: '' };
    },
  });
});
afterAll(() => app.close());

/** `$response.header.<name>` or `$response.body#/<pointer>` against an answer; undefined when it resolves to nothing. */
function evaluate(expression: string, answer: { headers: Headers; body: unknown }): unknown {
  const header = /^\$response\.header\.(.+)$/.exec(expression);
  if (header) return answer.headers.get(header[1] ?? '') ?? undefined;
  const body = /^\$response\.body#(.*)$/.exec(expression);
  if (!body) throw new Error(`not a response expression: ${expression}`);
  return (body[1] ?? '')
    .split('/')
    .slice(1)
    .reduce<unknown>((node, token) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[token] : undefined), answer.body);
}

async function install(query: string) {
  const res = await app.fetch(`/releases${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ application: 'sample/hello', namespace: 'default' }),
  });
  expect(res.status).toBe(200);
  return { headers: res.headers, body: (await res.json()) as unknown };
}

const links = () => Object.values((openApiDocument.paths['/releases']?.post?.responses['200'] as DocumentResponse).links ?? {});

test('every link resolves, on an install, to the id of the release it made', async () => {
  const answer = await install('');
  expect(links().length).toBeGreaterThanOrEqual(6);
  for (const link of links()) {
    for (const expression of Object.values(link.parameters)) {
      expect({ link: link.operationId, value: evaluate(expression, answer) }).toEqual({ link: link.operationId, value: 'quick-amber-otter' });
    }
  }
  expect(made).toBe(1);
});

test('no link resolves on a dry run, though its body carries an id', async () => {
  const answer = await install('?dryRun=true');
  expect(answer.body).toMatchObject({ id: 'quick-amber-otter', manifest: 'kind: ConfigMap' });
  for (const link of links()) {
    for (const expression of Object.values(link.parameters)) {
      expect({ link: link.operationId, value: evaluate(expression, answer) }).toEqual({ link: link.operationId, value: undefined });
    }
  }
});
