/**
 * JSON over HTTP to a client provider, with one mapping of its failures to
 * domain errors: no answer, a timeout, a 5xx or a redirect is Unavailable
 * (503); 401/403 is PermissionDenied (the provider will not let this caller,
 * or this store, manage clients); a 400 is the declaration's fault
 * (Unprocessable, with the provider's own words). Bodies are never logged:
 * they carry secrets.
 */
import { AppStoreError } from '../domain/errors.js';

export interface ProviderResponse {
  readonly status: number;
  readonly body: unknown;
  readonly location?: string;
}

export interface ProviderRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly token?: string;
  readonly body?: unknown;
  readonly timeoutMs: number;
  /** 401/403 answered as statuses instead of thrown (RFC 7592: 401 is also "no such client"). */
  readonly passUnauthorized?: boolean;
}

/** Sends the request; answers with any status below 500 but 401/403 (those throw), so callers can read 404. */
export async function callProvider(provider: string, url: string, request: ProviderRequest): Promise<ProviderResponse> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: request.method,
      headers: {
        accept: 'application/json',
        ...(request.token !== undefined && { authorization: `Bearer ${request.token}` }),
        ...(request.body !== undefined && { 'content-type': 'application/json' }),
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (err) {
    throw unavailable(provider, err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err));
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 500 || (res.status >= 300 && res.status < 400)) throw unavailable(provider, `HTTP ${res.status}`);
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  if ((res.status === 401 || res.status === 403) && !request.passUnauthorized) {
    throw new AppStoreError('PermissionDenied', `${provider} refused to manage the client (${res.status}${describe(body)})`, {
      upstream: describe(body).slice(2),
    });
  }
  return { status: res.status, body, location: res.headers.get('location') ?? undefined };
}

/** A 4xx the caller did not expect: the provider would not take the request. */
export function refused(provider: string, what: string, res: ProviderResponse): AppStoreError {
  const detail = describe(res.body);
  return new AppStoreError(res.status === 404 ? 'NotFound' : 'Unprocessable', `${provider} refused to ${what} (${res.status}${detail})`, {
    upstream: detail.slice(2),
  });
}

export function unavailable(provider: string, why: string): AppStoreError {
  return new AppStoreError('Unavailable', `${provider} is unavailable: ${why}`, { upstream: why });
}

/** The provider's error code and description (RFC 6749 style), never the rest of a body. */
function describe(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const { error, error_description: description, message } = body as Record<string, unknown>;
  const parts = [error, description, message].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length === 0 ? '' : `: ${parts.join(': ').slice(0, 300)}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(' ').filter((v) => v !== '');
  return [];
}
