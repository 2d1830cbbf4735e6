/**
 * An API failure as the UI shows it: the problem+json document (RFC 9457) the
 * store answers, kept whole so that pages can show its detail in words and
 * forms its per-field errors on the fields.
 */
export interface FieldError { path: string; message: string }

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fieldErrors: readonly FieldError[] = [],
    readonly requestId?: string,
  ) {
    super(detail || title);
  }

  /** One sentence a person can act on. */
  get sentence(): string {
    if (this.status === 0) return `The App Store cannot be reached: ${this.detail}`;
    if (this.status === 401) return 'Your sign-in has expired or is not valid. Sign in again.';
    if (this.status === 503) return `A service the App Store depends on is unavailable: ${this.detail}`;
    return this.detail || this.title;
  }
}

/** Reads a failed response: problem+json when the store sent one, else the status line. */
export async function problemFrom(res: Response): Promise<ApiProblem> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { title?: unknown; detail?: unknown; errors?: unknown; requestId?: unknown };
    const errors = Array.isArray(body.errors)
      ? body.errors.filter((e): e is FieldError => typeof e?.path === 'string' && typeof e?.message === 'string')
      : [];
    return new ApiProblem(
      res.status,
      typeof body.title === 'string' ? body.title : res.statusText,
      typeof body.detail === 'string' ? body.detail : '',
      errors,
      typeof body.requestId === 'string' ? body.requestId : undefined,
    );
  } catch {
    return new ApiProblem(res.status, res.statusText || `HTTP ${res.status}`, text.slice(0, 300));
  }
}

export function problemOf(err: unknown): ApiProblem {
  if (err instanceof ApiProblem) return err;
  return new ApiProblem(0, 'Network error', err instanceof Error ? err.message : String(err));
}
