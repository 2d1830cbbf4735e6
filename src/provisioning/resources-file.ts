/**
 * A chart's `resources.yaml`: the third-party resources it needs, as
 * UNINETT's charts declared them. Only `dataporten` (an OAuth client) is
 * known:
 *
 *     dataporten:
 *       scopes_requested: [openid, profile]
 *       redirect_uri: [/oauth2/callback]     # relative to https://<host value>
 *
 * A declaration that cannot be used is the chart's fault, reported as
 * Unprocessable before anything is provisioned.
 */
import yaml from 'js-yaml';
import { AppStoreError } from '../domain/errors.js';

export const RESOURCES_FILE = 'resources.yaml';

export interface ClientDeclaration {
  readonly scopes: readonly string[];
  /** As written: absolute, or relative to the release's host. */
  readonly redirectUris: readonly string[];
}

/** A chart file as hapi.chart.Chart carries it (type_url is the file's path). */
export interface ChartFileLike {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

const unusable = (why: string) => new AppStoreError('Unprocessable', `the chart's ${RESOURCES_FILE} cannot be used: ${why}`);

/** The OAuth client the chart's files declare, or undefined when they declare none. */
export function readClientDeclaration(files: readonly ChartFileLike[]): ClientDeclaration | undefined {
  const file = files.find((f) => f.typeUrl === RESOURCES_FILE);
  if (!file) return undefined;
  let doc: unknown;
  try {
    doc = yaml.load(Buffer.from(file.value).toString('utf8'), { schema: yaml.CORE_SCHEMA });
  } catch (err) {
    throw unusable((err as Error).message.split('\n')[0] ?? 'invalid YAML');
  }
  if (doc === undefined || doc === null) return undefined;
  if (!isRecord(doc)) throw unusable('it is not a mapping');
  const dataporten = doc.dataporten;
  if (dataporten === undefined || dataporten === null) return undefined;
  if (!isRecord(dataporten)) throw unusable('dataporten is not a mapping');
  const scopes = stringList(dataporten.scopes_requested, 'dataporten.scopes_requested');
  const redirectUris = stringList(dataporten.redirect_uri, 'dataporten.redirect_uri');
  if (redirectUris.length === 0) throw unusable('dataporten.redirect_uri needs at least one URI');
  return { scopes: [...new Set(scopes)], redirectUris: [...new Set(redirectUris)] };
}

/**
 * Redirect URIs made absolute against `https://<host>`. An absolute URI stays
 * as it is; a relative one needs a host (the release's `host` value).
 */
export function resolveRedirectUris(uris: readonly string[], host: unknown): string[] {
  return uris.map((uri) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) return checked(uri, uri);
    if (typeof host !== 'string' || host.trim() === '') {
      throw new AppStoreError('Unprocessable', `the redirect URI "${uri}" is relative to the release's host, but the values set no host`, {
        parameter: 'values.host',
      });
    }
    const name = host.trim();
    if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(name)) {
      throw new AppStoreError('Unprocessable', `host "${name}" is not a host name`, { parameter: 'values.host' });
    }
    return checked(new URL(uri.startsWith('/') ? uri : `/${uri}`, `https://${name}`).toString(), uri);
  });
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

function stringList(value: unknown, key: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.trim() !== '')) {
    throw unusable(`${key} must be a list of non-empty strings`);
  }
  return value.map((v: string) => v.trim());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
