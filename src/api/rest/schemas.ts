/**
 * JSON Schemas of the REST API's bodies, shared by request validation and
 * /openapi.json so the two cannot disagree. Requests with unknown fields are
 * rejected. Response schemas are closed as well (additionalProperties: false)
 * so that the conformance test notices any field the document does not name;
 * they point at each other with $ref into the document's components, so only
 * the request schemas are compiled on their own.
 */
import type { ErrorCode } from '../../domain/errors.js';
import { NAMESPACE_PATTERN, NOT_BLANK_PATTERN } from '../../domain/names.js';
import { FIELD_LIMITS } from '../../releases/input-limits.js';
import { DEFAULT_MAX_VALUES_BYTES, MAX_VALUES_DEPTH } from '../../releases/values-checks.js';
import type { ResourceHealth } from '../../releases/types.js';
import { STATUS_NAMES } from '../../releases/status-names.js';
import { catalogSchemas } from './catalog-schemas.js';
import { ref, text, texts } from './schema-parts.js';

// Lengths and patterns from the service layer's own checks (releases/input-limits.ts, domain/names.ts), which gRPC
// gets too. Lengths count code points, as JSON Schema does.
const groupId = { type: 'string', minLength: 1, maxLength: FIELD_LIMITS.groupId } as const;
/** A namespace, wherever one travels (requests, answers, GET /namespaces). */
export const namespace = {
  type: 'string',
  minLength: 1,
  maxLength: FIELD_LIMITS.namespace,
  pattern: NAMESPACE_PATTERN.source,
  description: 'A Kubernetes namespace name: a DNS-1123 label (lower-case letters, digits and "-", a letter or digit at each end, at most 63)',
  examples: ['default'],
} as const;
const VALUES_LIMITS = `Nested at most ${MAX_VALUES_DEPTH} levels deep (deeper is a 400); larger than the store’s cap as JSON (${DEFAULT_MAX_VALUES_BYTES / 1024} KiB unless configured) is a 422`;
const values = {
  type: 'object',
  description: `Chart values, merged over the chart defaults as Helm merges them: maps merge, lists replace, a null removes the default. ${VALUES_LIMITS}`,
} as const;

/** What a pattern means, for the 400 that names a field failing it (validate-body.ts). */
export const PATTERN_MEANINGS: Readonly<Record<string, string>> = {
  [NAMESPACE_PATTERN.source]: 'is not a Kubernetes namespace name (a DNS-1123 label: lower-case letters, digits and "-", a letter or digit at each end)',
  [NOT_BLANK_PATTERN.source]: 'is blank',
};

// Records keyed by the domain's unions, so that a new code or health fails to compile until it is listed here.
const ERROR_CODES: Record<ErrorCode, true> = {
  InvalidArgument: true,
  Unprocessable: true,
  NotFound: true,
  AlreadyExists: true,
  PermissionDenied: true,
  Unauthenticated: true,
  Conflict: true,
  FailedPrecondition: true,
  ResourceExhausted: true,
  Unavailable: true,
  Internal: true,
};
const HEALTHS: Record<ResourceHealth['health'], true> = { Ready: true, Progressing: true, Missing: true, Unknown: true, Degraded: true };
/** Tiller's hapi.release.Status.Code names. */
const RELEASE_STATES = [...STATUS_NAMES];

/** The bodies clients send; validBody compiles these. */
export const requestSchemas = {
  InstallRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['application', 'namespace'],
    properties: {
      application: {
        type: 'string',
        minLength: 1,
        maxLength: FIELD_LIMITS.application,
        pattern: NOT_BLANK_PATTERN.source,
        description: 'A package id (repo/name), or a chart name found in exactly one repository; not blank',
      },
      version: { type: 'string', maxLength: FIELD_LIMITS.version, description: 'Chart version (`1.0.0` and `v1.0.0` alike; the answer uses the chart’s own spelling); empty or absent means the newest installable one' },
      namespace,
      adminGroups: { type: 'array', items: groupId, maxItems: FIELD_LIMITS.adminGroups, uniqueItems: true },
      development: { type: 'boolean' },
      values,
    },
  },
  UpgradeRequest: {
    type: 'object',
    additionalProperties: false,
    properties: {
      version: { type: 'string', maxLength: FIELD_LIMITS.version, description: 'Absent keeps the current version; `1.1.0` and `v1.1.0` alike' },
      values: {
        ...values,
        description: `Merged over the current values as Helm’s --reuse-values merges them: a null removes a value set before, or else the chart’s default. ${VALUES_LIMITS}; so are the merged values`,
      },
      resetValues: { type: 'boolean', description: 'Start from the chart defaults instead of the current values' },
    },
  },
  RollbackRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['revision'],
    // Tiller's revision numbers are int32.
    properties: { revision: { type: 'integer', minimum: 1, maximum: 2147483647 } },
  },
} as const;

const releaseProperties = {
  id: { type: 'string', pattern: '^[a-z]+-[a-z]+-[a-z]+$', examples: ['blurry-green-cat'] },
  owner: { type: 'string', description: 'The user id of whoever installed it' },
  application: { type: 'string', description: 'A package id (repo/name)' },
  version: text,
  namespace,
  adminGroups: texts,
  development: { type: 'boolean' },
  values: { type: 'object' },
} as const;
const releaseRequired = ['id', 'owner', 'application', 'version', 'namespace', 'adminGroups', 'development', 'values'] as const;

/** The bodies the API answers with. */
export const responseSchemas = {
  Release: {
    type: 'object',
    description: 'The accepted input plus id and owner',
    additionalProperties: false,
    required: releaseRequired,
    properties: releaseProperties,
  },
  DryRunResult: {
    type: 'object',
    description:
      'What POST /releases?dryRun=true answers: the release that would be made, and what Tiller rendered. Nothing is made: its id was rendered into the manifest and names no release (GET /releases/{id} answers 404)',
    additionalProperties: false,
    required: [...releaseRequired, 'manifest', 'notes'],
    properties: {
      ...releaseProperties,
      manifest: { type: 'string', description: 'The rendered Kubernetes manifests (YAML)' },
      notes: { type: 'string', description: 'The rendered NOTES.txt' },
    },
  },
  ...catalogSchemas,
  ResourceStatus: {
    type: 'object',
    description: 'A resource of the release, from its manifest and the live object',
    additionalProperties: false,
    required: ['kind', 'apiVersion', 'name', 'namespace', 'health', 'ready'],
    properties: {
      kind: text,
      apiVersion: text,
      name: text,
      namespace: text,
      health: { type: 'string', enum: Object.keys(HEALTHS) },
      ready: { type: 'string', pattern: '^(\\d+/\\d+)?$', description: 'e.g. "2/2" for a Deployment; empty where it does not apply' },
    },
  },
  ReleaseStatus: {
    type: 'object',
    additionalProperties: false,
    required: ['lastDeployed', 'namespace', 'status', 'resources', 'notes'],
    properties: {
      lastDeployed: { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2})?$', description: '"YYYY-MM-DD HH:MM:SS", UTC', examples: ['2017-06-02 12:34:20'] },
      namespace,
      status: { type: 'string', enum: RELEASE_STATES, description: "Tiller's status code name" },
      resources: { type: 'array', items: ref('ResourceStatus') },
      notes: text,
      dataporten: {
        type: 'object',
        description: 'The Dataporten client the chart declared, when it declared one',
        additionalProperties: false,
        required: ['client_id', 'state'],
        properties: { client_id: text, state: text },
      },
    },
  },
  Revision: {
    type: 'object',
    additionalProperties: false,
    required: ['revision', 'version', 'status', 'updated', 'description', 'values'],
    properties: {
      revision: { type: 'integer', minimum: 1 },
      version: { type: 'string', description: 'The chart version of this revision' },
      status: { type: 'string', enum: RELEASE_STATES },
      updated: { type: 'string', description: 'RFC 3339' },
      description: text,
      values: { type: 'object', description: 'The user’s values of this revision (what the store generated left out), as a rollback to it restores them' },
    },
  },
  RevisionContent: {
    type: 'object',
    description: 'A revision as stored, or as a change would store it',
    additionalProperties: false,
    required: ['revision', 'version', 'manifest', 'notes', 'values'],
    properties: {
      revision: { type: 'integer', minimum: 1 },
      version: { type: 'string', description: 'Its chart version' },
      manifest: { type: 'string', description: 'The rendered Kubernetes manifests (YAML)' },
      notes: { type: 'string', description: 'The rendered NOTES.txt' },
      values: { type: 'object', description: 'The user’s values it renders with (merged as the change merges them)' },
    },
  },
  ChangePreview: {
    type: 'object',
    description: 'What ?dryRun=true on an upgrade or a rollback answers: the revision the change would make beside the current one; nothing is changed',
    additionalProperties: false,
    required: ['current', 'proposed'],
    properties: { current: { $ref: '#/components/schemas/RevisionContent' }, proposed: { $ref: '#/components/schemas/RevisionContent' } },
  },
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details; extension members may be added',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: { type: 'string', description: 'about:blank: the status says it all' },
      title: text,
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: text,
      instance: { type: 'string', description: 'The request path' },
      code: { type: 'string', enum: Object.keys(ERROR_CODES), description: 'The domain error code (absent for errors of HTTP itself)' },
      requestId: { type: 'string', description: 'Also in the X-Request-Id header; names the request in the logs' },
      errors: {
        type: 'array',
        description: 'One entry per failing field',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['path', 'message'],
          properties: { path: text, message: text },
        },
      },
      parameter: { type: 'string', description: 'The query parameter or field at fault' },
      limit: { type: 'integer', description: 'For input that is too large: the most that is accepted (bytes)' },
      size: { type: 'integer', description: 'For input that is too large: how large it was (bytes)' },
      quota: {
        type: 'object',
        description: 'The quota a refusal names, its limit and the usage that reached it',
        additionalProperties: false,
        required: ['name', 'limit', 'used'],
        properties: {
          name: { type: 'string', enum: ['releases-per-user', 'releases-per-group'] },
          group: { type: 'string', description: 'releases-per-group: the group' },
          limit: { type: 'integer', minimum: 1 },
          used: { type: 'integer', minimum: 0 },
        },
      },
      retryAfterSeconds: { type: 'integer', minimum: 1, description: '429: also in the Retry-After header' },
    },
  },
  Me: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'groups', 'namespaces', 'quotas'],
    properties: {
      id: { type: 'string', description: 'The caller’s user id (or system:serviceaccount:<ns>:<name>)' },
      name: { type: 'string', description: 'When the identity provider gives one' },
      email: { type: 'string', description: 'When the identity provider gives one' },
      groups: texts,
      namespaces: { type: 'array', items: namespace, description: 'The namespaces the caller may deploy into' },
      quotas: {
        type: 'object',
        additionalProperties: false,
        required: ['releases', 'groups'],
        properties: {
          releases: { ...ref('QuotaUsage'), description: 'Releases the caller owns' },
          groups: {
            type: 'array',
            description: 'Per group of the caller: the releases that name the group in adminGroups',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['group', 'used', 'limit'],
              properties: { group: text, used: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 0 } },
            },
          },
        },
      },
    },
  },
  QuotaUsage: {
    type: 'object',
    additionalProperties: false,
    required: ['used', 'limit'],
    properties: {
      used: { type: 'integer', minimum: 0 },
      limit: { type: 'integer', minimum: 0, description: '0: unlimited' },
    },
  },
  Health: {
    type: 'object',
    additionalProperties: false,
    required: ['status'],
    properties: { status: { const: 'ok' } },
  },
  Readiness: {
    type: 'object',
    additionalProperties: false,
    required: ['status', 'checks'],
    properties: {
      status: { type: 'string', enum: ['ready', 'not ready'] },
      checks: {
        type: 'object',
        description: 'Each dependency: "ok", or why it failed',
        additionalProperties: { type: 'string' },
      },
    },
  },
} as const;

/** Every schema, as /openapi.json's components. */
export const schemas = { ...requestSchemas, ...responseSchemas } as const;

/** The request bodies validBody can check. */
export type SchemaName = keyof typeof requestSchemas;
