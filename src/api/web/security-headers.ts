/**
 * Security headers of the web UI's responses. The SPA is built without inline
 * script, so the Content-Security-Policy can allow scripts from this origin
 * only; chart icons are untrusted URLs, shown as images (which cannot run
 * code) from https or data: only; the page cannot be framed.
 */
import type { RequestHandler } from 'express';

/** The Content-Security-Policy of the UI; connectTo: the OpenID Provider the SPA talks to (discovery, token endpoint). */
export function contentSecurityPolicy(connectTo: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connectTo].join(' ')}`,
    "manifest-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

export function securityHeaders(connectTo: readonly string[]): RequestHandler {
  const csp = contentSecurityPolicy(connectTo);
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    // Chart icons come from third parties: they learn nothing of where the user was.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    next();
  };
}
