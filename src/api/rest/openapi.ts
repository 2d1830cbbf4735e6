/**
 * The OpenAPI 3.1 description of the REST API, served at /openapi.json. Its
 * component schemas are the very objects request validation compiles
 * (schemas.ts), so what the document promises and what the routes accept
 * cannot drift apart; a unit test checks that every route of the app is here.
 */
import { RELEASE_ID_MAX_LENGTH, RELEASE_ID_PATTERN } from '../../releases/release-ids.js';
import { ETAG, IF_NONE_MATCH, NOT_MODIFIED, withConditionalGets } from './openapi-conditional.js';
import { linksToRelease, RELEASE_ID_HEADER, releaseIdHeader } from './openapi-links.js';
import { MAX_QUERY_TEXT_LENGTH } from './query-params.js';
import { namespace, schemas } from './schemas.js';
import { METHODS, type Header, type OpenApiDocument, type Parameter, type PathItem, type Reference, type Response, type Schema, type SecurityRequirement } from './openapi-types.js';

export { METHODS };
export type { Header, Link, Method, OpenApiDocument, Operation, Parameter, PathItem, Reference, Response, Schema, SecurityRequirement } from './openapi-types.js';

const schema = (name: keyof typeof schemas): Reference => ({ $ref: `#/components/schemas/${name}` });
const arrayOf = (name: keyof typeof schemas): Schema => ({ type: 'array', items: schema(name) });
const param = (name: string): Reference => ({ $ref: `#/components/parameters/${name}` });
const header = (name: string): Reference => ({ $ref: `#/components/headers/${name}` });
const json = (body: Schema) => ({ 'application/json': { schema: body } });

/** Problem responses by status, as components/responses. */
const PROBLEMS = {
  400: ['BadRequest', 'A malformed body, an unknown field or query parameter, or an invalid value'],
  401: ['Unauthorized', 'No credentials where they are required, or credentials that are not valid'],
  403: [
    'Forbidden',
    'The caller may not do this (a namespace outside their policy, adminGroups they are not in, a release quota reached: quota names it), or the identity provider refused to manage the release’s OAuth client for the caller',
  ],
  404: ['NotFound', 'No such package, version or release, or a release the caller may not see'],
  409: ['Conflict', 'The release is busy with another operation, or Tiller refused the state change'],
  413: ['ContentTooLarge', 'The body is larger than 1 MiB'],
  415: ['UnsupportedMediaType', 'The body has a charset or content encoding that is not supported'],
  422: [
    'Unprocessable',
    'Well-formed but unacceptable: an unknown or non-installable version, a revision the release does not have, values failing the chart’s schema, a broken chart, objects that would leave the release’s namespace or that Kubernetes refuses, a hook Job that did not complete, an OAuth client the provider refuses, values (an upgrade’s once merged) or a release record too large (`limit` and `size` say by how much)',
  ],
  429: [
    'TooManyRequests',
    'Too many failed sign-ins from this address within a minute (refused without looking at the credentials), or the caller already has as many changes in flight as one user may; Retry-After says when to try again',
  ],
  500: ['Internal', 'An internal error; the requestId names it in the logs'],
  503: ['Unavailable', 'A dependency (Tiller, the Kubernetes API, a chart repository, an identity provider) cannot be reached'],
} as const;
type ProblemStatus = keyof typeof PROBLEMS;

const problemHeaders: Partial<Record<ProblemStatus, Record<string, Header>>> = {
  401: { 'WWW-Authenticate': { description: 'The Bearer challenge', required: true, schema: { type: 'string' } } },
  429: { 'Retry-After': { description: 'Seconds to wait before trying again', required: true, schema: { type: 'integer', minimum: 1 } } },
  503: { 'Retry-After': { description: 'Seconds to wait before trying again', required: true, schema: { type: 'integer' } } },
};

function problemResponses(): Record<string, Response> {
  return Object.fromEntries(
    Object.entries(PROBLEMS).map(([status, [name, description]]) => {
      const headers = problemHeaders[Number(status) as ProblemStatus];
      return [name, { description, ...(headers ? { headers } : {}), content: { 'application/problem+json': { schema: schema('Problem') } } }];
    }),
  );
}

/** Every operation answers 500; one that takes credentials may also be refused for too many failed sign-ins (429). */
function errors(...statuses: ProblemStatus[]): Record<string, Reference> {
  const always: ProblemStatus[] = statuses.includes(401) ? [429, 500] : [500];
  return Object.fromEntries([...statuses, ...always].map((s) => [String(s), { $ref: `#/components/responses/${PROBLEMS[s][0]}` }]));
}

function ok(description: string, body: Schema, headers?: Record<string, Header | Reference>): Response {
  return { description, ...(headers ? { headers } : {}), content: json(body) };
}

const PUBLIC: readonly SecurityRequirement[] = [];
/** Anonymous, or with credentials that must then be valid. */
const OPTIONAL_AUTH: readonly SecurityRequirement[] = [{}, { bearerAuth: [] }, { gatekeeper: [] }];
/** Body-carrying operations: the body's own failures. */
const BODY_ERRORS = [400, 413, 415] as const;

/** ?dryRun=true on a change of a release: what it would do (a ChangePreview), nothing done. */
function dryRunPreview(change: 'upgrade' | 'rollback'): Parameter {
  return {
    name: 'dryRun',
    in: 'query',
    description: `Change nothing: answer the ${change}'s revision (manifest, notes, values) beside the current one, for diffs`,
    schema: { type: 'boolean', default: false },
  };
}

/** The operations on one release, addressed by the id that POST /releases returns. */
const releaseIdPaths: Record<string, PathItem> = {
  '/releases/{id}': {
    parameters: [param('ReleaseId')],
    get: {
      operationId: 'getRelease',
      summary: 'A release',
      tags: ['releases'],
      responses: { 200: ok('The release', schema('Release')), ...errors(400, 401, 404, 503) },
    },
    patch: {
      operationId: 'upgradeRelease',
      summary: 'Upgrade to another version and/or change values',
      tags: ['releases'],
      parameters: [dryRunPreview('upgrade')],
      requestBody: { required: true, content: json(schema('UpgradeRequest')) },
      responses: {
        200: ok('The upgraded release; with dryRun=true, what the upgrade would make beside the current revision', { oneOf: [schema('Release'), schema('ChangePreview')] }),
        ...errors(...BODY_ERRORS, 401, 403, 404, 409, 422, 429, 503),
      },
    },
    delete: {
      operationId: 'deleteRelease',
      summary: 'Delete a release and purge it from Tiller',
      tags: ['releases'],
      responses: { 204: { description: 'Deleted' }, ...errors(400, 401, 403, 404, 409, 422, 429, 503) },
    },
  },
  '/releases/{id}/status': {
    parameters: [param('ReleaseId')],
    get: {
      operationId: 'getReleaseStatus',
      summary: "Tiller's status of the release and the live health of its resources",
      tags: ['releases'],
      responses: { 200: ok('The status', schema('ReleaseStatus')), ...errors(400, 401, 404, 503) },
    },
  },
  '/releases/{id}/history': {
    parameters: [param('ReleaseId')],
    get: {
      operationId: 'getReleaseHistory',
      summary: 'The revisions of a release, newest first',
      tags: ['releases'],
      responses: { 200: ok('The revisions', arrayOf('Revision')), ...errors(400, 401, 404, 503) },
    },
  },
  '/releases/{id}/rollback': {
    parameters: [param('ReleaseId')],
    post: {
      operationId: 'rollbackRelease',
      summary: 'Roll a release back to an earlier revision (as a new revision)',
      tags: ['releases'],
      parameters: [dryRunPreview('rollback')],
      requestBody: { required: true, content: json(schema('RollbackRequest')) },
      responses: {
        200: ok('The release as of that revision; with dryRun=true, what the rollback would make beside the current revision', {
          oneOf: [schema('Release'), schema('ChangePreview')],
        }),
        ...errors(...BODY_ERRORS, 401, 403, 404, 409, 422, 429, 503),
      },
    },
  },
};

const releaseLinks = linksToRelease(releaseIdPaths);

const paths: Record<string, PathItem> = withConditionalGets({
  '/healthz': {
    get: {
      operationId: 'getHealth',
      summary: 'Liveness: answers as long as the process serves',
      tags: ['health'],
      security: PUBLIC,
      responses: { 200: ok('Alive', schema('Health')) },
    },
  },
  '/readyz': {
    get: {
      operationId: 'getReadiness',
      summary: 'Readiness: every dependency the store cannot work without answers',
      tags: ['health'],
      security: PUBLIC,
      responses: {
        200: ok('Ready', schema('Readiness')),
        503: ok('Not ready; checks says which dependency failed and why', schema('Readiness')),
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'getMetrics',
      summary: 'Prometheus metrics: requests, Tiller calls, the catalog, releases, the process',
      tags: ['health'],
      security: PUBLIC,
      responses: {
        200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
      },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'getOpenApi',
      summary: 'This document',
      tags: ['meta'],
      security: PUBLIC,
      responses: {
        200: ok('The OpenAPI 3.1 document', {
          type: 'object',
          required: ['openapi', 'info', 'paths'],
          properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, info: { type: 'object' }, paths: { type: 'object' } },
        }),
        ...errors(400),
      },
    },
  },
  '/packages': {
    get: {
      operationId: 'listPackages',
      summary: 'Search the catalog',
      description: 'All packages, or a page of them when limit/offset are given; the total before paging is in X-Total-Count.',
      tags: ['catalog'],
      security: OPTIONAL_AUTH,
      parameters: [
        { name: 'query', in: 'query', description: 'Case-insensitive, over name, keywords and description; ranked', schema: { type: 'string', maxLength: MAX_QUERY_TEXT_LENGTH } },
        { name: 'deprecated', in: 'query', description: 'Include deprecated charts', schema: { type: 'boolean', default: false } },
        { name: 'repo', in: 'query', description: "Only this repository's packages (its configured name)", schema: { type: 'string', maxLength: MAX_QUERY_TEXT_LENGTH } },
        { name: 'keyword', in: 'query', description: 'Only packages with this keyword (case-insensitive, the whole keyword); the ranking of query is unchanged', schema: { type: 'string', maxLength: MAX_QUERY_TEXT_LENGTH } },
        { name: 'limit', in: 'query', description: 'Page size; absent means no limit', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        param('Offset'),
      ],
      responses: {
        200: ok('The matching packages, best match first', arrayOf('Package'), {
          'X-Total-Count': header('TotalCount'),
          'X-Catalog-Stale-Seconds': header('CatalogStaleSeconds'),
          ETag: { description: 'Strong entity tag of the page and its total, the same on every replica', required: true, schema: { type: 'string' } },
        }),
        ...errors(400, 401, 503),
      },
    },
  },
  '/packages/{repo}/{name}': {
    parameters: [param('Repo'), param('Name')],
    get: {
      operationId: 'getPackage',
      summary: 'A package by id',
      tags: ['catalog'],
      security: OPTIONAL_AUTH,
      responses: { 200: ok('The package', schema('Package')), ...errors(400, 401, 404, 503) },
    },
  },
  '/packages/{name}': {
    parameters: [param('Name')],
    get: {
      operationId: 'getPackageByName',
      summary: 'A package by chart name, when exactly one repository has it',
      description: 'A name found in several repositories is a 400 that lists the candidate ids.',
      tags: ['catalog'],
      security: OPTIONAL_AUTH,
      responses: { 200: ok('The package', schema('Package')), ...errors(400, 401, 404, 503) },
    },
  },
  '/packages/{repo}/{name}/versions/{version}': {
    parameters: [param('Repo'), param('Name'), { name: 'version', in: 'path', required: true, schema: { type: 'string' } }],
    get: {
      operationId: 'getPackageVersion',
      summary: "One version: its Chart.yaml, README, values.yaml and values.schema.json, read from the archive",
      tags: ['catalog'],
      security: OPTIONAL_AUTH,
      responses: { 200: ok('The version', schema('PackageVersionDetail')), ...errors(400, 401, 404, 422, 503) },
    },
  },
  '/releases': {
    post: {
      operationId: 'installRelease',
      summary: 'Install an application',
      tags: ['releases'],
      parameters: [
        { name: 'dryRun', in: 'query', description: "Render through Tiller's dry run and install nothing", schema: { type: 'boolean', default: false } },
      ],
      requestBody: { required: true, content: json(schema('InstallRequest')) },
      responses: {
        200: {
          ...ok(
            'The release; with dryRun=true, the release that would be made plus the rendered manifest and notes (nothing is made: its id names no release)',
            { oneOf: [schema('Release'), schema('DryRunResult')] },
            { [RELEASE_ID_HEADER]: releaseIdHeader },
          ),
          links: releaseLinks,
        },
        ...errors(...BODY_ERRORS, 401, 403, 404, 409, 422, 429, 503),
      },
    },
    get: {
      operationId: 'listReleases',
      summary: 'The releases the caller may see (owner or adminGroups member), oldest first',
      tags: ['releases'],
      parameters: [
        { name: 'limit', in: 'query', description: 'Page size; 0 or absent means no limit', schema: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
        param('Offset'),
      ],
      responses: { 200: ok('The releases', arrayOf('Release'), { 'X-Total-Count': header('TotalCount') }), ...errors(400, 401, 503) },
    },
  },
  ...releaseIdPaths,
  '/namespaces': {
    get: {
      operationId: 'listNamespaces',
      summary: 'The namespaces the caller may deploy into',
      tags: ['releases'],
      responses: { 200: ok('Namespace names', { type: 'array', items: namespace }), ...errors(400, 401, 503) },
    },
  },
  '/repositories': {
    get: {
      operationId: 'listRepositories',
      summary: 'The configured chart repositories and the state of their latest refresh',
      description: 'A repository whose refresh fails (down, refusing the credentials, rate limiting) says why here while its last good list keeps being served.',
      tags: ['catalog'],
      responses: { 200: ok('The repositories, in configuration order', arrayOf('Repository')), ...errors(400, 401, 503) },
    },
  },
  '/me': {
    get: {
      operationId: 'getMe',
      summary: 'The caller: id, name and email when known, groups, deployable namespaces and release quota usage',
      tags: ['releases'],
      responses: { 200: ok('The caller', schema('Me')), ...errors(400, 401, 503) },
    },
  },
});

export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.1',
  info: {
    title: 'App Store',
    version: '1',
    description:
      'Browse a catalog of Helm charts and install, share, watch, upgrade, roll back and delete applications in ' +
      'Kubernetes namespaces. Every error is application/problem+json (RFC 9457); every response but the health ' +
      'endpoints carries X-Request-Id, which a client may also send. Unknown query parameters and body fields are rejected (400). ' +
      'Text is Unicode: a lone UTF-16 surrogate (an unpaired \\ud800 escape) in a body or values is refused (400); lengths count code points.',
  },
  servers: [{ url: '/', description: 'Relative to where this document is served' }],
  security: [{ bearerAuth: [] }, { gatekeeper: [] }],
  tags: [
    { name: 'catalog', description: 'Packages from the configured chart repositories; public' },
    { name: 'releases', description: 'Installed applications; authenticated' },
    { name: 'health', description: 'Liveness, readiness and metrics; public' },
    { name: 'meta', description: 'This document; public' },
  ],
  paths,
  components: {
    schemas,
    responses: { ...problemResponses(), NotModified: NOT_MODIFIED },
    parameters: {
      IfNoneMatch: IF_NONE_MATCH,
      ReleaseId: {
        name: 'id',
        in: 'path',
        required: true,
        description: 'adjective-colour-animal, as POST /releases made it; an id of another form names no release (404)',
        schema: { type: 'string', pattern: RELEASE_ID_PATTERN.source, maxLength: RELEASE_ID_MAX_LENGTH, examples: ['blurry-green-cat'] },
      },
      Repo: { name: 'repo', in: 'path', required: true, description: 'The repository name', schema: { type: 'string' } },
      Name: { name: 'name', in: 'path', required: true, description: 'The chart name', schema: { type: 'string' } },
      Offset: { name: 'offset', in: 'query', description: 'Items to skip', schema: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 } },
    },
    headers: {
      ETag: ETAG,
      TotalCount: { description: 'Matches before paging', required: true, schema: { type: 'integer', minimum: 0 } },
      CatalogStaleSeconds: {
        description: '0 while every repository’s latest refresh succeeded; otherwise the age in seconds of the oldest copy served in place of a failing repository',
        required: true,
        schema: { type: 'integer', minimum: 0 },
      },
    },
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description: 'A Dataporten or OIDC access token, a static token, or a Kubernetes service-account token',
      },
      gatekeeper: {
        type: 'http',
        scheme: 'basic',
        description: 'The Dataporten API gatekeeper: its basic credentials plus the X-Dataporten-Userid and X-Dataporten-Token headers',
      },
    },
  },
};
