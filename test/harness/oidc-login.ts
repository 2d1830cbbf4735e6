/**
 * The local OpenID Provider's own sign-in page (oidc-provider leaves
 * interactions to its host): a username and password form for the people of
 * the harness, then consent granted at once for the scopes and resources the
 * client asked for — the store's web UI is a first-party client, and people
 * of `make run` and the browser tests should not click through a consent
 * screen. Only for development and tests: passwords are plain.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

export interface HarnessUser {
  readonly username: string;
  readonly password: string;
  readonly name?: string;
  readonly email?: string;
  readonly groups: readonly string[];
}

export const INTERACTION_PREFIX = '/interaction/';

/** Handles GET/POST /interaction/<uid>; anything else is not ours (false). */
export async function handleInteraction(
  provider: Provider,
  users: ReadonlyMap<string, HarnessUser>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (!req.url?.startsWith(INTERACTION_PREFIX)) return false;
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'consent') {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: String(details.session?.accountId), clientId: String(details.params.client_id) });
      if (!grant) throw new Error('the grant of this interaction is gone');
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      return true;
    }
    if (req.method === 'POST') {
      const form = new URLSearchParams(await body(req));
      const user = users.get(form.get('username') ?? '');
      if (user && user.password === form.get('password')) {
        await provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
        return true;
      }
      page(res, 401, details.uid, 'Unknown username or wrong password.');
      return true;
    }
    page(res, 200, details.uid);
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`sign-in failed: ${(err as Error).message}`);
  }
  return true;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, uid: string, error?: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'cache-control': 'no-store',
  });
  res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in – local OpenID Provider</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f4f5f7;color:#1b1f24}
main{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:min(22rem,90vw)}
label{display:block;margin-top:1rem;font-weight:600}input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #8a8f98;border-radius:4px}
button{margin-top:1.5rem;width:100%;padding:.6rem;font:inherit;font-weight:600;background:#1f5fbf;color:#fff;border:0;border-radius:4px}
p.error{color:#a4161a}
</style></head>
<body><main><h1>Local OpenID Provider</h1><p>Development sign-in (the harness's users).</p>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="${INTERACTION_PREFIX}${escape(uid)}">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form></main></body></html>`);
}
