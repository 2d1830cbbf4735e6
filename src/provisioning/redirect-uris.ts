/**
 * A chart's redirect URIs (resources.yaml, as written) made absolute for one
 * release, from the values the chart will render with (its defaults merged
 * with the user's):
 *
 * - references to values, `{{ .Values.ingress.host }}` (spaces inside the
 *   braces optional), are filled in; the published charts use nothing else;
 * - a relative URI is relative to `https://<ingress.host>` (`host` for the
 *   store's first charts).
 *
 * resources.yaml is not rendered by Helm, so any other template action
 * cannot be evaluated: it is the chart's fault (422 naming the file and the
 * expression), as is a host that is missing or not a host name (422 naming
 * the value).
 */
import { RESOURCES_FILE } from '../charts/resources-file.js';
import { AppStoreError } from '../domain/errors.js';

type Values = Readonly<Record<string, unknown>>;

const ACTION = /\{\{(.*?)\}\}/g;
const VALUE_REFERENCE = /^-?\s*\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)\s*-?$/;
const HOST_NAME = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

const unusable = (why: string) => new AppStoreError('Unprocessable', `the chart's ${RESOURCES_FILE} cannot be used: ${why}`);

export function resolveRedirectUris(uris: readonly string[], values: Values): string[] {
  return [...new Set(uris.map((uri) => resolveOne(uri, values)))];
}

function resolveOne(written: string, values: Values): string {
  const uri = fillValueReferences(written, values);
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) return checked(uri, written);
  const host = releaseHost(values, written);
  return checked(new URL(uri.startsWith('/') ? uri : `/${uri}`, `https://${host}`).toString(), written);
}

function fillValueReferences(uri: string, values: Values): string {
  if (!uri.includes('{{')) return uri;
  return uri.replace(ACTION, (action, inner: string) => {
    const reference = VALUE_REFERENCE.exec(inner.trim());
    if (!reference) {
      throw unusable(`the redirect URI "${uri}" holds the template action ${action}; only references to values ({{ .Values.x.y }}) are filled in`);
    }
    const path = reference[1]!.slice(1);
    const value = lookup(values, path);
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string' || value.trim() === '') {
      throw new AppStoreError('Unprocessable', `the redirect URI "${uri}" needs the value ${path}, which is not set`, { parameter: `values.${path}` });
    }
    const text = value.trim();
    if (!/^[A-Za-z0-9.:_~-]+$/.test(text)) {
      throw new AppStoreError('Unprocessable', `values.${path} "${text}" cannot be part of a redirect URI`, { parameter: `values.${path}` });
    }
    return text;
  });
}

/** `ingress.host`, else `host`; checked to be a host name (no path, no credentials). */
function releaseHost(values: Values, written: string): string {
  const ingress = values.ingress;
  const fromIngress = isRecord(ingress) ? ingress.host : undefined;
  const [host, parameter] = nonEmpty(fromIngress) ? [fromIngress, 'values.ingress.host'] : nonEmpty(values.host) ? [values.host, 'values.host'] : [undefined, 'values.ingress.host'];
  if (typeof host !== 'string') {
    throw new AppStoreError('Unprocessable', `the redirect URI "${written}" is relative to the release's host, but the values set no ingress.host`, { parameter });
  }
  const name = host.trim();
  if (!HOST_NAME.test(name)) throw new AppStoreError('Unprocessable', `${parameter} "${name}" is not a host name`, { parameter });
  return name;
}

function lookup(values: Values, path: string): unknown {
  let current: unknown = values;
  for (const key of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function checked(absolute: string, given: string): string {
  let url: URL;
  try {
    url = new URL(absolute);
  } catch {
    throw unusable(`"${given}" is not a URI`);
  }
  if (url.hash !== '') throw unusable(`the redirect URI "${given}" has a fragment`);
  return url.toString();
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
