/**
 * APPSTORE_NAMESPACES_FILE: which groups and users may deploy into which
 * namespace, like UNINETT's namespace → groups file. A YAML mapping from a
 * namespace to a list of ids, each a group id or a user id:
 *
 *   default: ["fc:org:example.org", "76a7a061-3c55-430d-8ee0-6f82ec42501f"]
 *
 * Checked in full at start, and again whenever the file changes (see
 * watched-file.ts): a bad namespace name or entry names the key.
 */
import yaml from 'js-yaml';
import { ConfigError } from '../config.js';
import { NAMESPACE_PATTERN } from '../domain/names.js';

/** namespace → the ids (groups or users) allowed to deploy there. */
export type NamespaceGrants = ReadonlyMap<string, ReadonlySet<string>>;

export function parseNamespacePolicy(text: string, variable = 'APPSTORE_NAMESPACES_FILE'): NamespaceGrants {
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (err) {
    throw new ConfigError(`${variable}: not valid YAML: ${(err as Error).message}`);
  }
  if (doc === undefined || doc === null) return new Map();
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`${variable}: expected a mapping from namespace to a list of group or user ids`);
  }
  const grants = new Map<string, ReadonlySet<string>>();
  for (const [namespace, ids] of Object.entries(doc)) {
    if (!NAMESPACE_PATTERN.test(namespace)) throw new ConfigError(`${variable}: "${namespace}" is not a valid namespace name`);
    if (ids === null) {
      grants.set(namespace, new Set());
      continue;
    }
    if (!Array.isArray(ids)) throw new ConfigError(`${variable}: ${namespace}: expected a list of group or user ids`);
    const set = new Set<string>();
    for (const id of ids) {
      if (typeof id !== 'string' || id.trim() === '') {
        throw new ConfigError(`${variable}: ${namespace}: every entry must be a non-empty string, got ${JSON.stringify(id)}`);
      }
      set.add(id.trim());
    }
    grants.set(namespace, set);
  }
  return grants;
}
