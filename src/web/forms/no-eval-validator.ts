/**
 * @rjsf's validator slot, filled without Ajv: Ajv compiles schemas with
 * `new Function`, which the UI's Content-Security-Policy (no 'unsafe-eval')
 * forbids. The store validates every install against the chart's
 * values.schema.json and answers 422 with per-field errors, which the form
 * shows on its fields (field-errors.ts) — one validator, the server's.
 */
import type { RJSFSchema, ValidatorType } from '@rjsf/utils';
import type { Values } from './form-schema.js';

export const serverSideValidator: ValidatorType<Values, RJSFSchema> = {
  validateFormData: () => ({ errors: [], errorSchema: {} }),
  // Only consulted to pick among oneOf/anyOf options; the first option is a fair guess for Helm values.
  isValid: () => true,
  rawValidation: () => ({ errors: [] }),
};
