/**
 * A chart's `resources.yaml`: what the App Store must provide for a release,
 * as the UNINETT / Sigma2 App Store charts declare it.
 *
 *     dataporten:                      # an OAuth client at Dataporten (charts of 2017–2019)
 *       Options:
 *         ScopesRequested: [profile, openid, groups]
 *         RedirectURI: [/oauth2/callback, "https://mlflow-{{ .Values.ingress.host }}/oauth2/callback"]
 *     aai:                             # the same, for the current OpenID Connect AAI
 *       Options:
 *         ScopesRequested: [profile, openid]
 *         RedirectURI: [/oauth2/callback]
 *     appstore:
 *       Options:
 *         Standards: [defaultMount]    # conventions the chart follows
 *
 * Both client sections describe one client of the release: the declaration is
 * their union. The store's first format (`dataporten: {scopes_requested,
 * redirect_uri}`) is still read as an alias. Redirect URIs are kept as written
 * (relative, or with template references); resolving them needs the
 * release's values (see provisioning/redirect-uris.ts). A declaration that
 * cannot be used is the chart's fault: Unprocessable, before anything is made.
 */
import yaml from 'js-yaml';
import { AppStoreError } from '../domain/errors.js';

export const RESOURCES_FILE = 'resources.yaml';

/** The sections of resources.yaml that declare an OAuth/OIDC client. */
export const CLIENT_SECTIONS = ['dataporten', 'aai'] as const;
export type ClientSection = (typeof CLIENT_SECTIONS)[number];

export interface ClientDeclaration {
  /** The sections that declared it, in file order. */
  readonly sections: readonly ClientSection[];
  /** The union of the sections' scopes. */
  readonly scopes: readonly string[];
  /** The union of the sections' redirect URIs, as written: absolute, or relative to the release's host. */
  readonly redirectUris: readonly string[];
}

export interface ResourcesDeclaration {
  readonly client?: ClientDeclaration;
  /** `appstore.Options.Standards`, as written. */
  readonly standards: readonly string[];
}

/** A chart file as hapi.chart.Chart carries it (type_url is the file's path). */
export interface ChartFileLike {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

const unusable = (why: string) => new AppStoreError('Unprocessable', `the chart's ${RESOURCES_FILE} cannot be used: ${why}`);

/** What the chart's root resources.yaml declares, or undefined when it has none (or an empty one). */
export function readResourcesFile(files: readonly ChartFileLike[]): ResourcesDeclaration | undefined {
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
  const sections: ClientSection[] = [];
  const scopes: string[] = [];
  const redirectUris: string[] = [];
  for (const name of CLIENT_SECTIONS) {
    const section = readClientSection(doc[name], name);
    if (!section) continue;
    sections.push(name);
    scopes.push(...section.scopes);
    redirectUris.push(...section.redirectUris);
  }
  if (sections.length > 0 && redirectUris.length === 0) {
    throw unusable(`${sections.map((s) => `${s}.Options.RedirectURI`).join(' and ')} name no redirect URI; a client needs at least one`);
  }
  const client = sections.length === 0 ? undefined : { sections, scopes: unique(scopes), redirectUris: unique(redirectUris) };
  return { ...(client && { client }), standards: readStandards(doc.appstore) };
}

/** The client the chart declares, or undefined. */
export function readClientDeclaration(files: readonly ChartFileLike[]): ClientDeclaration | undefined {
  return readResourcesFile(files)?.client;
}

function readClientSection(value: unknown, name: ClientSection): { scopes: string[]; redirectUris: string[] } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw unusable(`${name} is not a mapping`);
  if ('Options' in value) {
    const options = value.Options;
    if (options === null || options === undefined) return undefined;
    if (!isRecord(options)) throw unusable(`${name}.Options is not a mapping`);
    return {
      scopes: stringList(options.ScopesRequested, `${name}.Options.ScopesRequested`),
      redirectUris: stringList(options.RedirectURI, `${name}.Options.RedirectURI`),
    };
  }
  // The store's first format, kept as an alias.
  return {
    scopes: stringList(value.scopes_requested, `${name}.scopes_requested`),
    redirectUris: stringList(value.redirect_uri, `${name}.redirect_uri`),
  };
}

function readStandards(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) throw unusable('appstore is not a mapping');
  const options = value.Options;
  if (options === undefined || options === null) return [];
  if (!isRecord(options)) throw unusable('appstore.Options is not a mapping');
  return unique(stringList(options.Standards, 'appstore.Options.Standards'));
}

/** A list of strings; empty entries (published charts have `- ""`) declare nothing and are dropped. */
function stringList(value: unknown, key: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw unusable(`${key} must be a list of strings`);
  }
  return value.map((v: string) => v.trim()).filter((v) => v !== '');
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
