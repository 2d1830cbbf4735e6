/**
 * A failed @kubernetes/client-node call → Unavailable, keeping only the HTTP
 * status: the client's error text can carry the whole request and response,
 * and a TokenReview request carries the token under review.
 */
import type { AppStoreError } from '../domain/errors.js';
import { statusOf } from '../kube/kube-errors.js';
import { upstreamUnavailable } from './identity-errors.js';

export function kubeFailure(what: string, err: unknown): AppStoreError {
  const code = statusOf(err);
  const why = code !== undefined ? `HTTP ${code}` : err instanceof Error ? err.name : 'no answer';
  return upstreamUnavailable(`the Kubernetes API (${what})`, why);
}
