/**
 * The storefront end to end in a real browser (Debian's chromium through
 * playwright-core): the store as composed in production, serving its built
 * web UI, on the real Tiller and kube-apiserver, with a real OpenID Provider
 * whose login page people sign in on. alice installs hello with a changed
 * value, watches it become DEPLOYED with its Deployment ready 1/1, upgrades,
 * rolls back and deletes it; bob (sharing a group) sees the release, a stranger
 * does not; a README carrying script does not run it; axe-core finds no
 * serious violation on any page.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildChartRepo } from '../harness/chart-repo.js';
import { freePort } from '../harness/net.js';
import { startOidcProvider, type HarnessUser, type OidcTestProvider } from '../harness/oidc-provider.js';
import { serveChartRepo } from '../harness/serve-chart-repo.js';
import { readTestEnv } from '../harness/test-env.js';
import { ensureNamespace, kubeClients } from './kube.js';
import { startStore, type RunningStore } from './store.js';
import { buildUi, launch, screenshot, seriousViolations, signIn } from './web-browser.js';

jest.setTimeout(240_000);
const env = readTestEnv();
const kube = kubeClients(env);
const namespace = 'apps-web';
const USERS: Record<'alice' | 'bob' | 'eve', HarnessUser> = {
  alice: { username: 'alice', password: 'alice-pw', name: 'Alice Example', groups: ['fc:org:example.org', 'fc:adhoc:team-a'] },
  bob: { username: 'bob', password: 'bob-pw', name: 'Bob Example', groups: ['fc:org:example.org'] },
  eve: { username: 'eve', password: 'eve-pw', name: 'Eve Stranger', groups: ['fc:org:elsewhere.org'] },
};

let uiDir: string;
let oidc: OidcTestProvider;
let store: RunningStore;
let storeUrl: string;
let browser: Browser;
let untrusted: Awaited<ReturnType<typeof serveChartRepo>>;
let alice: BrowserContext;
let page: Page;
let releaseId: string;

/** A chart whose README tries every way to run script. */
function untrustedRepo(): string {
  const charts = mkdtempSync(join(tmpdir(), 'appstore-untrusted-'));
  const chart = join(charts, 'sneaky');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v1\nname: sneaky\nversion: 0.1.0\ndescription: A chart whose README carries script\n');
  writeFileSync(join(chart, 'values.yaml'), 'greeting: hi\n');
  writeFileSync(join(chart, 'templates', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-sneaky\ndata:\n  greeting: {{ .Values.greeting | quote }}\n');
  writeFileSync(
    join(chart, 'README.md'),
    [
      '# sneaky',
      '',
      'Plain text survives.',
      '',
      '<script>window.__pwned = "script";</script>',
      '<img src="x" onerror="window.__pwned = \'onerror\'">',
      '',
      '[click me](javascript:window.__pwned=\'link\')',
      '',
      '<a href="#" onclick="window.__pwned=\'onclick\'">and me</a>',
    ].join('\n'),
  );
  return charts;
}

async function axeClean(where: string): Promise<void> {
  expect({ where, violations: await seriousViolations(page) }).toEqual({ where, violations: [] });
}

beforeAll(async () => {
  await ensureNamespace(kube, namespace);
  uiDir = await buildUi();
  const repoDir = mkdtempSync(join(tmpdir(), 'appstore-untrusted-repo-'));
  await buildChartRepo(untrustedRepo(), repoDir);
  untrusted = await serveChartRepo(repoDir);
  const port = await freePort();
  storeUrl = `http://127.0.0.1:${port}`;
  oidc = await startOidcProvider({ users: Object.values(USERS), publicClients: [{ clientId: 'appstore-ui', redirectUris: [`${storeUrl}/`] }] });
  store = await startStore(env, {
    namespace: 'appstore-web',
    deployNamespaces: [namespace],
    httpPort: port,
    extraEnv: {
      APPSTORE_REPOS: `sample=${env.repoUrl},untrusted=${untrusted.url}`,
      APPSTORE_OIDC_ISSUER: oidc.issuer,
      APPSTORE_OIDC_AUDIENCE: oidc.audience,
      APPSTORE_UI_DIR: uiDir,
      APPSTORE_UI_OIDC_CLIENT_ID: 'appstore-ui',
      APPSTORE_UI_OIDC_SCOPE: 'openid profile api',
    },
  });
  browser = await launch();
  alice = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await alice.newPage();
});

afterAll(async () => {
  await browser?.close();
  await store?.stop();
  await oidc?.close();
  await untrusted?.close();
  if (uiDir) rmSync(uiDir, { recursive: true, force: true });
});

test('the UI is served with a strict CSP and caching, and the JSON API is unchanged beside it', async () => {
  const shell = await fetch(`${storeUrl}/`);
  expect(shell.status).toBe(200);
  const csp = shell.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(shell.headers.get('x-content-type-options')).toBe('nosniff');
  expect(shell.headers.get('referrer-policy')).toBe('no-referrer');
  const html = await shell.text();
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  expect(asset).toBeDefined();
  const js = await fetch(`${storeUrl}${asset}`);
  expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  const packages = await fetch(`${storeUrl}/packages`);
  expect(packages.headers.get('content-type')).toMatch(/^application\/json/);
  const missing = await fetch(`${storeUrl}/no-such-route`);
  expect(missing.status).toBe(404);
  expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
});

test('alice signs in through the OpenID Provider and finds hello by searching', async () => {
  await page.goto(`${storeUrl}/#/sign-in`);
  await page.getByRole('button', { name: 'Continue to the identity provider' }).waitFor();
  await axeClean('sign-in');
  await screenshot(page, 'sign-in');
  await signIn(page, storeUrl, 'alice', USERS.alice.password);
  await page.getByText('Alice Example').waitFor();
  await page.getByRole('link', { name: 'Catalog' }).click();
  await page.getByLabel('Search applications').fill('hello');
  await page.getByText('match “hello”').waitFor();
  await axeClean('catalog');
  await screenshot(page, 'catalog');
  await page.getByRole('link', { name: 'hello', exact: true }).click();
  await page.getByRole('heading', { name: 'hello', level: 1 }).waitFor();
  await page.locator('.readme table').waitFor();
  await axeClean('package');
  await screenshot(page, 'package');
});

test('alice installs hello with a changed value, previews it, and sees it DEPLOYED with 1/1 ready', async () => {
  await page.getByLabel('Version').selectOption('1.0.0');
  await page.getByRole('link', { name: 'Install hello' }).click();
  await page.getByRole('heading', { name: 'Install hello 1.0.0' }).waitFor();
  await page.getByLabel('Namespace').selectOption(namespace);
  await page.getByRole('checkbox', { name: 'fc:org:example.org' }).check();
  // A value the chart's values.schema.json refuses: the store's 422 shows on the field.
  await page.getByLabel('replicaCount').fill('11');
  await page.getByRole('button', { name: 'Install', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'Install failed' }).waitFor();
  const replicaField = page.locator('.form-group', { has: page.locator('#root_replicaCount') }).last();
  expect(await replicaField.textContent()).toMatch(/must be <= 10/);
  await screenshot(page, 'install-field-error');
  await page.getByLabel('replicaCount').fill('1');
  await page.getByLabel('message').fill('Hello from the browser');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('heading', { name: 'Preview' }).waitFor();
  expect(await page.locator('details pre').textContent()).toContain('Hello from the browser');
  await axeClean('install');
  await screenshot(page, 'install');
  await page.getByRole('button', { name: 'Install', exact: true }).click();
  await page.waitForURL(/#\/releases\/[a-z]+-[a-z]+-[a-z]+$/, { timeout: 120_000 });
  releaseId = decodeURIComponent(new URL(page.url()).hash.split('/')[2] ?? '');
  await page.getByLabel('Status').filter({ hasText: 'DEPLOYED' }).waitFor({ timeout: 60_000 });
  await page.getByRole('row', { name: /Deployment .* 1\/1/ }).waitFor({ timeout: 60_000 });
  const token = await oidc.mint({ sub: 'alice', groups: USERS.alice.groups });
  const release = (await (await fetch(`${storeUrl}/releases/${releaseId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    values: Record<string, unknown>;
    adminGroups: string[];
  };
  expect(release.values).toEqual({ message: 'Hello from the browser' });
  expect(release.adminGroups).toEqual(['fc:org:example.org']);
  await axeClean('release');
  await screenshot(page, 'release');
});

test('alice upgrades to 1.1.0 and rolls back to revision 1, each after its values and manifest diffs', async () => {
  await page.getByLabel('To version').selectOption('1.1.0');
  await page.getByRole('button', { name: 'Upgrade' }).click();
  // The dry run's diffs come first, and nothing has changed yet.
  const upgrade = page.getByRole('dialog', { name: `Upgrade ${releaseId} to 1.1.0?` });
  await upgrade.waitFor({ timeout: 60_000 });
  const upgradeDiff = (await upgrade.locator('pre.diff-lines').allTextContents()).join('\n');
  expect(upgradeDiff).toMatch(/^- +helm\.sh\/chart: hello-1\.0\.0$/m);
  expect(upgradeDiff).toMatch(/^\+ +version: "1\.1\.0"$/m);
  expect(await upgrade.locator('figure', { hasText: 'Values' }).textContent()).toContain('No changes');
  await axeClean('upgrade diff');
  await screenshot(page, 'upgrade-diff', false);
  expect(await page.getByRole('row', { name: /^2 / }).count()).toBe(0);
  await upgrade.getByRole('button', { name: 'Upgrade to 1.1.0' }).click();
  await page.getByText(`sample/hello 1.1.0 in namespace ${namespace}`).waitFor({ timeout: 120_000 });
  await page.getByRole('row', { name: /^2 1\.1\.0 DEPLOYED/ }).waitFor();
  await page.getByLabel('To revision').selectOption('1');
  await page.getByRole('button', { name: 'Roll back' }).click();
  const rollback = page.getByRole('dialog', { name: `Roll ${releaseId} back to revision 1?` });
  await rollback.waitFor({ timeout: 60_000 });
  const rollbackDiff = (await rollback.locator('pre.diff-lines').allTextContents()).join('\n');
  expect(rollbackDiff).toMatch(/^- +version: "1\.1\.0"$/m);
  expect(rollbackDiff).toMatch(/^\+ +helm\.sh\/chart: hello-1\.0\.0$/m);
  expect(await page.getByRole('row', { name: /^3 / }).count()).toBe(0);
  await rollback.getByRole('button', { name: 'Roll back to revision 1' }).click();
  await page.getByText(`sample/hello 1.0.0 in namespace ${namespace}`).waitFor({ timeout: 120_000 });
  await page.getByRole('row', { name: /^3 1\.0\.0 DEPLOYED/ }).waitFor();
  await page.getByLabel('Status').filter({ hasText: 'DEPLOYED' }).waitFor({ timeout: 60_000 });
  // Each revision's values, on demand.
  const showValues = page.getByRole('button', { name: 'Values of revision 1' });
  await showValues.click();
  expect(await showValues.getAttribute('aria-expanded')).toBe('true');
  expect(await page.locator('#revision-1-values').textContent()).toContain('Hello from the browser');
  await axeClean('release history');
  await screenshot(page, 'release-history');
});

test('bob, who shares the group, sees the release; a stranger does not', async () => {
  const bob = await browser.newContext();
  const bobPage = await bob.newPage();
  await signIn(bobPage, storeUrl, 'bob', USERS.bob.password);
  await bobPage.getByRole('region', { name: 'My releases' }).getByRole('link', { name: releaseId }).waitFor();
  await bob.close();
  const eve = await browser.newContext();
  const evePage = await eve.newPage();
  await signIn(evePage, storeUrl, 'eve', USERS.eve.password);
  const region = evePage.getByRole('region', { name: 'My releases' });
  await region.getByText('No releases yet').waitFor();
  expect(await region.getByRole('link', { name: releaseId }).count()).toBe(0);
  await evePage.goto(`${storeUrl}/#/releases/${releaseId}`);
  await evePage.getByRole('alert').filter({ hasText: 'not found' }).waitFor();
  await eve.close();
});

test('My releases lists the release with its live status; alice deletes it after a confirmation naming it', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My releases' }).click();
  const region = page.getByRole('region', { name: 'My releases' });
  await region.getByRole('row', { name: new RegExp(`${releaseId} .*DEPLOYED 1/1`) }).waitFor({ timeout: 30_000 });
  await axeClean('releases');
  await screenshot(page, 'releases');
  await region.getByRole('link', { name: releaseId }).click();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${releaseId}?` });
  await dialog.waitFor();
  await screenshot(page, 'delete-confirmation', false);
  await dialog.getByRole('button', { name: `Delete ${releaseId}` }).click();
  await page.getByRole('heading', { name: 'My releases' }).waitFor();
  await region.getByText('No releases yet').waitFor({ timeout: 60_000 });
});

test('with a static token: a wrong one is refused in words, a right one signs in', async () => {
  const context = await browser.newContext();
  const p = await context.newPage();
  await p.goto(`${storeUrl}/#/sign-in`);
  await p.getByLabel('Access token').fill('not-a-token');
  await p.getByRole('button', { name: 'Sign in', exact: true }).click();
  await p.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
  await p.getByLabel('Access token').fill('carol-token');
  await p.getByRole('button', { name: 'Sign in', exact: true }).click();
  await p.getByRole('region', { name: 'My releases' }).waitFor();
  await p.getByRole('button', { name: 'Sign out' }).click();
  await p.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
  await context.close();
});

test('the keyboard alone finds and opens a package', async () => {
  const context = await browser.newContext();
  const p = await context.newPage();
  await p.goto(`${storeUrl}/#/`);
  await p.getByRole('link', { name: 'hello', exact: true }).waitFor();
  const tabTo = async (done: () => Promise<boolean>) => {
    for (let i = 0; i < 15 && !(await done()); i++) await p.keyboard.press('Tab');
    expect(await done()).toBe(true);
  };
  await tabTo(async () => (await p.evaluate('document.activeElement?.id')) === 'search');
  await p.keyboard.type('hello');
  await p.getByText('match “hello”').waitFor();
  await tabTo(async () => (await p.evaluate('document.activeElement?.textContent')) === 'hello');
  await p.keyboard.press('Enter');
  // The page's own heading (the README, once loaded, may have one of the same name).
  await p.getByRole('heading', { name: 'hello', level: 1 }).first().waitFor();
  await context.close();
});

test('the catalog narrows to a repository and a keyword', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const p = await context.newPage();
  await signIn(p, storeUrl, 'bob', USERS.bob.password);
  await p.getByRole('link', { name: 'Catalog' }).click();
  await p.getByRole('link', { name: 'hello', exact: true }).waitFor();
  await p.getByLabel('Repository').selectOption('sample');
  await p.getByLabel('Keyword').fill('oauth2');
  await p.getByText('1 application in sample with keyword “oauth2”').waitFor();
  expect(await p.getByRole('link', { name: 'notebook', exact: true }).count()).toBe(1);
  expect(await p.getByRole('link', { name: 'hello', exact: true }).count()).toBe(0);
  expect({ where: 'catalog filters', violations: await seriousViolations(p) }).toEqual({ where: 'catalog filters', violations: [] });
  await screenshot(p, 'catalog-filters');
  await context.close();
});

test("a chart README's script, event handlers and javascript: links do not run", async () => {
  // Without the CSP too: the sanitizer alone must hold.
  for (const bypassCSP of [false, true]) {
    const context = await browser.newContext({ bypassCSP });
    const p = await context.newPage();
    await p.goto(`${storeUrl}/#/packages/untrusted/sneaky`);
    await p.getByText('Plain text survives.').waitFor();
    await p.getByRole('link', { name: 'click me' }).click({ modifiers: [] }).catch(() => undefined);
    await p.getByRole('link', { name: 'and me' }).click().catch(() => undefined);
    await p.waitForTimeout(300);
    expect(await p.evaluate('window.__pwned')).toBeUndefined();
    expect(await p.locator('.readme script, .readme [onerror], .readme [onclick], .readme a[href^="javascript"]').count()).toBe(0);
    await context.close();
  }
});

test('at 360 px in the dark theme the catalog and a package page fit the screen', async () => {
  const narrow = await browser.newContext({ viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
  const p = await narrow.newPage();
  await p.goto(`${storeUrl}/#/`);
  await p.getByRole('link', { name: 'hello', exact: true }).waitFor();
  expect(await p.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
  await screenshot(p, 'catalog-360-dark');
  await p.getByRole('link', { name: 'hello', exact: true }).click();
  await p.locator('.readme table').waitFor();
  await screenshot(p, 'package-360-dark');
  const original = page;
  page = p;
  await axeClean('package (360 px, dark)');
  page = original;
  await narrow.close();
});
