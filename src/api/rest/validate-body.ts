/** Request bodies checked against their JSON Schema (ajv); each failing field is named. */
import { Ajv, type ValidateFunction } from 'ajv';
import type { Request } from 'express';
import { AppStoreError } from '../../domain/errors.js';
import { PATTERN_MEANINGS, schemas, type SchemaName } from './schemas.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<SchemaName, ValidateFunction>();

export function validBody<T>(req: Request, name: SchemaName): T {
  let validate = validators.get(name);
  if (!validate) {
    validate = ajv.compile(schemas[name]);
    validators.set(name, validate);
  }
  const body: unknown = req.body;
  if (validate(body)) return body as T;
  const fields = (validate.errors ?? []).map((e) => {
    const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const extra =
      e.keyword === 'additionalProperties'
        ? String((e.params as { additionalProperty?: unknown }).additionalProperty ?? '')
        : e.keyword === 'required'
          ? String((e.params as { missingProperty?: unknown }).missingProperty ?? '')
          : '';
    const full = [path, extra].filter(Boolean).join('.') || '(body)';
    const message =
      e.keyword === 'additionalProperties'
        ? 'is not a known field'
        : e.keyword === 'pattern'
          ? (PATTERN_MEANINGS[String((e.params as { pattern?: unknown }).pattern)] ?? e.message ?? 'is invalid')
          : (e.message ?? 'is invalid');
    return { path: full, message };
  });
  throw new AppStoreError('InvalidArgument', `invalid request body: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`, { fields });
}
