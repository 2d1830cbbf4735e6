/**
 * JSON Schemas of the REST API's bodies, shared by request validation and
 * /openapi.json so the two cannot disagree. Requests with unknown fields are
 * rejected.
 */
const groupId = { type: 'string', minLength: 1, maxLength: 256 } as const;
const values = { type: 'object', description: 'Chart values, merged over the chart defaults' } as const;

export const schemas = {
  InstallRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['application', 'namespace'],
    properties: {
      application: { type: 'string', minLength: 1, maxLength: 200, description: 'A package id (repo/name), or a chart name found in exactly one repository' },
      version: { type: 'string', maxLength: 100, description: 'Chart version; empty or absent means the newest installable one' },
      namespace: { type: 'string', minLength: 1, maxLength: 63 },
      adminGroups: { type: 'array', items: groupId, maxItems: 100, uniqueItems: true },
      development: { type: 'boolean' },
      values,
    },
  },
  UpgradeRequest: {
    type: 'object',
    additionalProperties: false,
    properties: {
      version: { type: 'string', maxLength: 100, description: 'Absent keeps the current version' },
      values,
      resetValues: { type: 'boolean', description: 'Start from the chart defaults instead of the current values' },
    },
  },
  RollbackRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['revision'],
    properties: { revision: { type: 'integer', minimum: 1 } },
  },
  Release: {
    type: 'object',
    required: ['id', 'owner', 'application', 'version', 'namespace', 'adminGroups', 'development', 'values'],
    properties: {
      id: { type: 'string', examples: ['blurry-green-cat'] },
      owner: { type: 'string' },
      application: { type: 'string' },
      version: { type: 'string' },
      namespace: { type: 'string' },
      adminGroups: { type: 'array', items: { type: 'string' } },
      development: { type: 'boolean' },
      values: { type: 'object' },
    },
  },
} as const;

export type SchemaName = keyof typeof schemas;
