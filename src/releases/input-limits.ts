/**
 * The limits of what installs and upgrades accept, checked in the service
 * layer so that both transports apply them (REST's JSON Schemas take their
 * lengths from FIELD_LIMITS and cannot disagree), and checked before
 * anything changes: a release Tiller has deployed but whose record cannot be
 * written is left half-done, so the record that would be written is measured
 * first, as large as it can become.
 */
import { AppStoreError, invalidArgument } from '../domain/errors.js';
import { codePointLength, NAMESPACE_MAX_LENGTH, NAMESPACE_PATTERN } from '../domain/names.js';
import { boundedText } from '../domain/error-text.js';
import { RELEASE_ID_MAX_LENGTH } from './release-ids.js';
import type { ReleaseRecord, ReleaseStore } from './types.js';
import { checkValuesShape, checkValuesSize, DEFAULT_MAX_VALUES_BYTES, hasLoneSurrogate } from './values-checks.js';

/** Lengths of the request fields, shared with REST's JSON Schemas (api/rest/schemas.ts). */
export const FIELD_LIMITS = {
  application: 200,
  version: 100,
  /** A DNS-1123 label (NAMESPACE_PATTERN). */
  namespace: NAMESPACE_MAX_LENGTH,
  adminGroups: 100,
  groupId: 256,
} as const;

export interface InstallFields {
  readonly application: string;
  readonly version: string;
  readonly namespace: string;
  readonly adminGroups: readonly string[];
  readonly values: unknown;
}

export interface UpgradeFields {
  readonly version: string;
  readonly values?: unknown;
}

export class InputLimits {
  constructor(
    private readonly store: Pick<ReleaseStore, 'measure'>,
    /** The cap on values serialised as JSON (APPSTORE_MAX_VALUES_BYTES). */
    readonly maxValuesBytes: number = DEFAULT_MAX_VALUES_BYTES,
  ) {}

  /** InvalidArgument (a field) or Unprocessable (too large), before anything is resolved or made. */
  checkInstall(input: InstallFields): void {
    if (!NAMESPACE_PATTERN.test(input.namespace)) {
      throw invalidArgument(`namespace "${boundedText(input.namespace, 80)}" is not a valid Kubernetes namespace name`, { parameter: 'namespace' });
    }
    text(input.application, 'application', FIELD_LIMITS.application);
    if (input.application.trim() === '') throw invalidArgument('application is required', { parameter: 'application' });
    text(input.version, 'version', FIELD_LIMITS.version);
    if (input.adminGroups.length > FIELD_LIMITS.adminGroups) {
      throw invalidArgument(`adminGroups may name at most ${FIELD_LIMITS.adminGroups} groups, got ${input.adminGroups.length}`, { parameter: 'adminGroups' });
    }
    input.adminGroups.forEach((group, i) => {
      text(group, `adminGroups[${i}]`, FIELD_LIMITS.groupId);
      if (group === '') throw invalidArgument(`adminGroups[${i}] is empty`, { parameter: 'adminGroups' });
      if (input.adminGroups.indexOf(group) !== i) throw invalidArgument(`adminGroups[${i}] repeats a group`, { parameter: 'adminGroups' });
    });
    this.checkValues(input.values);
  }

  checkUpgrade(input: UpgradeFields): void {
    text(input.version, 'version', FIELD_LIMITS.version);
    if (input.values !== undefined) this.checkValues(input.values);
  }

  /**
   * The record about to be written after Tiller acts (install, or upgrade with
   * merged values): its values within the cap, and the record within what its
   * store holds with the longest id and state it can have.
   */
  checkRecord(record: ReleaseRecord, valuesName = 'values'): void {
    checkValuesSize(record.values, this.maxValuesBytes, valuesName);
    const largest: ReleaseRecord = { ...record, id: 'x'.repeat(RELEASE_ID_MAX_LENGTH), state: 'deployed' };
    const { bytes, limit } = this.store.measure(largest);
    if (bytes <= limit) return;
    throw new AppStoreError('Unprocessable', `the release record would take ${bytes} bytes; a record holds at most ${limit} bytes`, {
      parameter: 'values',
      limit,
      size: bytes,
    });
  }

  private checkValues(values: unknown): void {
    checkValuesShape(values);
    checkValuesSize(values, this.maxValuesBytes);
  }
}

/** At most `max` characters, counted in code points as JSON Schema's maxLength counts them, and valid Unicode. */
function text(value: string, name: string, max: number): void {
  const length = codePointLength(value);
  if (length > max) throw invalidArgument(`${name} is ${length} characters long; at most ${max} are accepted`, { parameter: name });
  if (hasLoneSurrogate(value)) throw invalidArgument(`${name} is not valid Unicode text`, { parameter: name });
}
