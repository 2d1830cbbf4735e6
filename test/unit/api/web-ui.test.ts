/**
 * The web UI beside the API: its settings from the environment, its shell and
 * assets with the security headers and caching they need, served only where
 * no API route is (GET / was a 404 problem before; it stays one without a
 * built UI), and the API's own answers unchanged.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRestApp } from '../../../src/api/rest/app.js';
import type { AppStoreService } from '../../../src/api/grpc/app-store-service.js';
import { loadUiConfig } from '../../../src/api/web/ui-config.js';
import { webUiRoutes } from '../../../src/api/web/web-ui.js';
import { ConfigError } from '../../../src/config-error.js';
import { AppStoreError } from '../../../src/domain/errors.js';
import { createLogger } from '../../../src/observability/logger.js';

function builtUi(): string {
  const dir = mkdtempSync(join(tmpdir(), 'appstore-ui-unit-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1);\n'.repeat(500));
  return dir;
}

async function serve(ui: ReturnType<typeof webUiRoutes>): Promise<{ base: string; server: Server }> {
  const app = createRestApp({
    service: {} as AppStoreService,
    authenticate: async () => {
      throw new AppStoreError('Unauthenticated', 'no identity in this test');
    },
    log: createLogger('silent'),
    readiness: {},
    ...(ui && { ui }),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('settings', () => {
  test('an OIDC client for the UI uses the API issuer unless given its own', () => {
    expect(loadUiConfig({ APPSTORE_UI_OIDC_CLIENT_ID: 'ui', APPSTORE_OIDC_ISSUER: 'https://id.example.org' }).oidc).toEqual({
      issuer: 'https://id.example.org',
      clientId: 'ui',
      scope: 'openid profile',
    });
    expect(
      loadUiConfig({ APPSTORE_UI_OIDC_CLIENT_ID: 'ui', APPSTORE_OIDC_ISSUER: 'https://a.example.org', APPSTORE_UI_OIDC_ISSUER: 'https://b.example.org' })
        .oidc?.issuer,
    ).toBe('https://b.example.org');
  });

  test('a client id without an issuer, or a bad switch, stops the store at start naming the variable', () => {
    expect(() => loadUiConfig({ APPSTORE_UI_OIDC_CLIENT_ID: 'ui' })).toThrow(ConfigError);
    expect(() => loadUiConfig({ APPSTORE_UI_TOKEN_SIGN_IN: 'yes' })).toThrow(/APPSTORE_UI_TOKEN_SIGN_IN/);
    expect(() => loadUiConfig({ APPSTORE_UI_OIDC_CLIENT_ID: 'ui', APPSTORE_OIDC_ISSUER: 'ftp://x' })).toThrow(/APPSTORE_UI_OIDC_ISSUER/);
  });

  test('the token field shows with static tokens or when there is no OIDC client', () => {
    expect(loadUiConfig({}).tokenSignIn).toBe(true);
    expect(loadUiConfig({ APPSTORE_UI_OIDC_CLIENT_ID: 'ui', APPSTORE_OIDC_ISSUER: 'https://id.example.org' }).tokenSignIn).toBe(false);
    expect(
      loadUiConfig({ APPSTORE_UI_OIDC_CLIENT_ID: 'ui', APPSTORE_OIDC_ISSUER: 'https://id.example.org', APPSTORE_TOKENS_FILE: '/t' }).tokenSignIn,
    ).toBe(true);
  });
});

describe('serving', () => {
  test('without a built UI, GET / stays the 404 problem it was', async () => {
    expect(webUiRoutes(loadUiConfig({ APPSTORE_UI_DIR: mkdtempSync(join(tmpdir(), 'appstore-empty-')) }))).toBeUndefined();
    const { base, server } = await serve(undefined);
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    server.close();
  });

  describe('with a built UI', () => {
    let base: string;
    let server: Server;
    beforeAll(async () => {
      const ui = webUiRoutes(
        loadUiConfig({ APPSTORE_UI_DIR: builtUi(), APPSTORE_UI_OIDC_CLIENT_ID: 'ui', APPSTORE_OIDC_ISSUER: 'https://id.example.org/realm' }),
      );
      ({ base, server } = await serve(ui));
    });
    afterAll(() => server.close());

    test('the shell has a strict CSP, no framing, no sniffing, no referrer, and is revalidated', async () => {
      const res = await fetch(`${base}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp.split('; ')).toEqual(
        expect.arrayContaining([
          "default-src 'none'",
          "script-src 'self'",
          "img-src 'self' data: https:",
          "connect-src 'self' https://id.example.org",
          "frame-ancestors 'none'",
          "object-src 'none'",
        ]),
      );
      expect(csp).not.toMatch(/unsafe-(inline|eval)/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-cache');
    });

    test('hashed assets are cached for a year and sent gzipped; a missing one is the API 404', async () => {
      const asset = await fetch(`${base}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-encoding')).toBe('gzip');
      expect(await asset.text()).toBe('console.log(1);\n'.repeat(500));
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('content-security-policy')).toContain("script-src 'self'");
      const missing = await fetch(`${base}/assets/nope.js`);
      expect(missing.status).toBe(404);
    });

    test('the UI settings carry the public client only', async () => {
      expect(await (await fetch(`${base}/ui/config.json`)).json()).toEqual({
        oidc: { issuer: 'https://id.example.org/realm', clientId: 'ui', scope: 'openid profile' },
        tokenSignIn: false,
      });
    });

    test('API paths answer as before: /releases still needs credentials and answers problem+json', async () => {
      const res = await fetch(`${base}/releases`);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('content-security-policy')).toBeNull();
    });
  });
});
