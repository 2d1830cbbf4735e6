import { AppStoreError } from '../domain/errors.js';
import { causeText, errorText } from '../domain/error-text.js';

/** The fetch function the catalog downloads with (global fetch unless a test or an adapter says otherwise). */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpGetOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** For the whole exchange, body included: a server trickling bytes is cut off too. */
  readonly timeoutMs: number;
  /** Enforced while the body streams in, not after it was buffered. */
  readonly maxBytes: number;
  /** Aborts the request when the catalog stops. */
  readonly signal?: AbortSignal;
  readonly fetch?: FetchFn;
  /** HEAD asks for the headers only (an OCI manifest's digest); GET by default. */
  readonly method?: 'GET' | 'HEAD';
  /**
   * Statuses returned to the caller (with their headers and an empty body) instead of failing, for callers that act on
   * them: an OCI registry's 401 challenge, its 429 with Retry-After.
   */
  readonly passStatuses?: readonly number[];
}

export interface HttpGetResult {
  /** 200 (with a body), 304 or one of passStatuses (empty body). */
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** Why a download failed, for counters and for callers that treat causes differently. */
export type HttpFailure = 'timeout' | 'too-large' | 'status' | 'network' | 'aborted';

/**
 * GETs a URL with a deadline and a size cap, the two things a repository we
 * do not control must not be able to take from us (a hung socket, an
 * endless body). Redirects are followed; any answer other than 200 or 304 is
 * a failure.
 *
 * @throws AppStoreError Unavailable with details `{ url, reason }`
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpGetResult> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  const doFetch = options.fetch ?? fetch;
  try {
    const method = options.method ?? 'GET';
    const res = await doFetch(url, { method, headers: { ...options.headers }, signal, redirect: 'follow' });
    if (res.status === 304 || options.passStatuses?.includes(res.status) || (method === 'HEAD' && res.status === 200)) {
      await res.body?.cancel();
      return { status: res.status, headers: res.headers, body: Buffer.alloc(0) };
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw failure(url, 'status', `answered ${res.status} ${res.statusText}`.trim(), { status: res.status }, method);
    }
    return { status: 200, headers: res.headers, body: await readCapped(url, res, options.maxBytes) };
  } catch (err) {
    if (err instanceof AppStoreError) throw err;
    if (deadline.aborted) throw failure(url, 'timeout', `did not answer within ${options.timeoutMs} ms`);
    if (options.signal?.aborted) throw failure(url, 'aborted', 'the request was cancelled');
    throw failure(url, 'network', describeNetworkError(err));
  }
}

async function readCapped(url: string, res: Response, maxBytes: number): Promise<Buffer> {
  const tooLarge = (seen: number) =>
    failure(url, 'too-large', `sent more than the limit of ${maxBytes} bytes`, { limit: maxBytes, bytes: seen });
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge(declared);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let seen = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += value.byteLength;
    if (seen > maxBytes) {
      await reader.cancel();
      throw tooLarge(seen);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, seen);
}

function failure(url: string, reason: HttpFailure, what: string, extra: Record<string, unknown> = {}, method = 'GET'): AppStoreError {
  return new AppStoreError('Unavailable', `${method} ${url} ${what}`, { url, reason, ...extra });
}

function describeNetworkError(err: unknown): string {
  const cause = causeText(err);
  return `failed: ${errorText(err)}${cause === undefined ? '' : ` (${cause})`}`;
}
