/**
 * The typed client of the store's REST API (same origin). The access token
 * goes as a Bearer; a 401 signs the user out so that the sign-in page shows.
 */
import { problemFrom, problemOf } from './problem.js';
import type { ChangePreview, DryRunResult, Me, Package, PackageVersionDetail, Release, ReleaseStatus, Revision } from './types.js';

export interface InstallInput {
  application: string;
  version: string;
  namespace: string;
  adminGroups: string[];
  values: Record<string, unknown>;
  development?: boolean;
}

export interface Page<T> { items: T[]; total: number }

type TokenSource = () => string | undefined;

export class ApiClient {
  constructor(
    private readonly token: TokenSource,
    private readonly onUnauthenticated: () => void,
  ) {}

  async packages(query: string, limit: number, offset: number, filters: { repo?: string; keyword?: string } = {}): Promise<Page<Package>> {
    const params = new URLSearchParams({ limit: String(limit), offset: String(offset) });
    if (query) params.set('query', query);
    if (filters.repo) params.set('repo', filters.repo);
    if (filters.keyword) params.set('keyword', filters.keyword);
    const res = await this.send('GET', `/packages?${params}`);
    return { items: (await res.json()) as Package[], total: Number(res.headers.get('X-Total-Count') ?? 0) };
  }

  package(id: string): Promise<Package> {
    return this.json('GET', `/packages/${path(id)}`);
  }

  packageVersion(id: string, version: string): Promise<PackageVersionDetail> {
    return this.json('GET', `/packages/${path(id)}/versions/${encodeURIComponent(version)}`);
  }

  /** The configured chart repositories, by name (for the catalog's filter). */
  async repositories(): Promise<string[]> {
    return (await this.json<Array<{ name: string }>>('GET', '/repositories')).map((r) => r.name);
  }

  me(): Promise<Me> {
    return this.json('GET', '/me');
  }

  namespaces(): Promise<string[]> {
    return this.json('GET', '/namespaces');
  }

  releases(): Promise<Release[]> {
    return this.json('GET', '/releases');
  }

  release(id: string): Promise<Release> {
    return this.json('GET', `/releases/${encodeURIComponent(id)}`);
  }

  status(id: string): Promise<ReleaseStatus> {
    return this.json('GET', `/releases/${encodeURIComponent(id)}/status`);
  }

  history(id: string): Promise<Revision[]> {
    return this.json('GET', `/releases/${encodeURIComponent(id)}/history`);
  }

  install(input: InstallInput): Promise<Release> {
    return this.json('POST', '/releases', input);
  }

  preview(input: InstallInput): Promise<DryRunResult> {
    return this.json('POST', '/releases?dryRun=true', input);
  }

  upgrade(id: string, body: { version?: string; values?: Record<string, unknown> }): Promise<Release> {
    return this.json('PATCH', `/releases/${encodeURIComponent(id)}`, body);
  }

  /** What the upgrade would make beside the current revision; changes nothing. */
  previewUpgrade(id: string, body: { version?: string; values?: Record<string, unknown> }): Promise<ChangePreview> {
    return this.json('PATCH', `/releases/${encodeURIComponent(id)}?dryRun=true`, body);
  }

  /** What the rollback would make beside the current revision; changes nothing. */
  previewRollback(id: string, revision: number): Promise<ChangePreview> {
    return this.json('POST', `/releases/${encodeURIComponent(id)}/rollback?dryRun=true`, { revision });
  }

  rollback(id: string, revision: number): Promise<Release> {
    return this.json('POST', `/releases/${encodeURIComponent(id)}/rollback`, { revision });
  }

  async remove(id: string): Promise<void> {
    await this.send('DELETE', `/releases/${encodeURIComponent(id)}`);
  }

  private async json<T>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await this.send(method, url, body);
    return (await res.json()) as T;
  }

  private async send(method: string, url: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw problemOf(err);
    }
    if (res.ok) return res;
    const problem = await problemFrom(res);
    if (res.status === 401 && token) this.onUnauthenticated();
    throw problem;
  }
}

/** "sample/hello" → "sample/hello" with each part encoded. */
const path = (id: string) => id.split('/').map(encodeURIComponent).join('/');
