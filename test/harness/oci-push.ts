/**
 * Pushes charts to an OCI registry as `helm push` does, by speaking the
 * distribution API: the config (Chart.yaml as JSON) and the archive as blobs
 * (monolithic upload: POST, then PUT with the digest), then the image
 * manifest under the version's tag (`+` written `_`). A 401 is answered with
 * the registry's token flow, with the given username and password.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { parseChallenge } from '../../src/catalog/oci/oci-challenge.js';
import { OCI_MANIFEST } from '../../src/catalog/oci/oci-client.js';
import { HELM_CHART_LAYER, HELM_CONFIG } from '../../src/catalog/oci/oci-manifest.js';
import { tagOfChartVersion } from '../../src/catalog/oci/oci-tags.js';
import type { RepoIndex } from './chart-repo.js';

export interface PushAuth {
  readonly username: string;
  readonly password: string;
}

export interface PushedChart {
  readonly repository: string;
  readonly tag: string;
  readonly manifestDigest: string;
  readonly layerDigest: string;
  readonly configDigest: string;
}

function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A registry session for one repository: a token once challenged. */
class Pusher {
  private token: string | undefined;

  constructor(
    private readonly origin: string,
    private readonly repository: string,
    private readonly auth: PushAuth | undefined,
  ) {}

  async send(method: string, url: string, body?: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(url, {
        method,
        headers: { ...headers, ...(this.token && { authorization: `Bearer ${this.token}` }) },
        ...(body && { body }),
      });
      if (res.status !== 401 || attempt > 0) return res;
      await res.body?.cancel();
      await this.login(res.headers.get('www-authenticate'));
    }
  }

  private async login(header: string | null): Promise<void> {
    const challenge = parseChallenge(header);
    if (challenge?.scheme !== 'bearer') throw new Error(`the registry asks for ${header ?? 'nothing'}; only token auth is pushed to`);
    const url = new URL(challenge.realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    url.searchParams.set('scope', `repository:${this.repository}:pull,push`);
    const headers: Record<string, string> = {};
    if (this.auth) headers.authorization = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
    const res = await fetch(url, { headers });
    if (!res.ok) throw new Error(`token service ${url.origin} answered ${res.status}`);
    const doc = (await res.json()) as { token?: string };
    this.token = doc.token;
  }

  async uploadBlob(bytes: Uint8Array): Promise<string> {
    const digest = digestOf(bytes);
    const base = `${this.origin}/v2/${this.repository}/blobs`;
    const start = await this.send('POST', `${base}/uploads/`);
    await start.body?.cancel();
    const location = start.headers.get('location');
    if (start.status !== 202 || location === null) throw new Error(`starting an upload answered ${start.status}`);
    const url = new URL(location, this.origin);
    url.searchParams.set('digest', digest);
    const put = await this.send('PUT', url.href, bytes, { 'content-type': 'application/octet-stream' });
    await put.body?.cancel();
    if (put.status !== 201) throw new Error(`uploading blob ${digest} answered ${put.status}`);
    return digest;
  }
}

/** Pushes one chart archive as `<repository>:<version>`. */
export async function pushChart(
  origin: string,
  repository: string,
  archive: Uint8Array,
  metadata: Readonly<Record<string, unknown>> & { name: string; version: string },
  auth?: PushAuth,
): Promise<PushedChart> {
  const pusher = new Pusher(origin, repository, auth);
  const config = Buffer.from(JSON.stringify(metadata));
  const configDigest = await pusher.uploadBlob(config);
  const layerDigest = await pusher.uploadBlob(archive);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: HELM_CONFIG, digest: configDigest, size: config.length },
      layers: [{ mediaType: HELM_CHART_LAYER, digest: layerDigest, size: archive.length }],
      annotations: {
        'org.opencontainers.image.created': '2024-01-01T00:00:00Z',
        'org.opencontainers.image.title': metadata.name,
        'org.opencontainers.image.version': metadata.version,
      },
    }),
  );
  const tag = tagOfChartVersion(metadata.version);
  const res = await pusher.send('PUT', `${origin}/v2/${repository}/manifests/${tag}`, manifest, { 'content-type': OCI_MANIFEST });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`pushing the manifest of ${repository}:${tag} answered ${res.status}: ${text}`);
  return { repository, tag, manifestDigest: digestOf(manifest), layerDigest, configDigest };
}

/**
 * Pushes every chart of a built repository folder (its index.yaml and archives) under `<prefix>/<chart>`,
 * with the index entry's Chart.yaml fields as the config.
 */
export async function pushChartRepo(origin: string, repoDir: string, prefix: string, auth?: PushAuth): Promise<PushedChart[]> {
  const index = yaml.load(await readFile(join(repoDir, 'index.yaml'), 'utf8')) as RepoIndex;
  const pushed: PushedChart[] = [];
  for (const [name, entries] of Object.entries(index.entries)) {
    for (const entry of entries) {
      // The index entry is Chart.yaml plus created, digest and urls: the config is Chart.yaml alone.
      const metadata: Record<string, unknown> = { ...entry };
      for (const key of ['created', 'digest', 'urls']) delete metadata[key];
      const file = entry.urls[0]?.split('/').pop() ?? `${name}-${entry.version}.tgz`;
      const archive = await readFile(join(repoDir, file));
      pushed.push(await pushChart(origin, `${prefix}/${name}`, archive, { ...metadata, name, version: entry.version }, auth));
    }
  }
  return pushed;
}
