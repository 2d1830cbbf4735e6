/**
 * Helpers of the web UI's browser tests: Debian's chromium driven by
 * playwright-core (no browser download), the built SPA, sign-in through the
 * OpenID Provider's login page, axe-core on each page, and screenshots kept
 * in docs/screenshots/ (the README shows them).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../harness/paths.js';

const run = promisify(execFile);

export const CHROMIUM = process.env.APPSTORE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = process.env.APPSTORE_SCREENSHOTS_DIR ?? join(repoRoot, 'docs', 'screenshots');

/** Builds the SPA from the current source into a fresh folder (a stale dist/web cannot pass for it). */
export async function buildUi(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'appstore-web-'));
  await run(process.execPath, [join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: repoRoot,
    env: { ...process.env, APPSTORE_UI_OUT_DIR: out },
  });
  return out;
}

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium (or set APPSTORE_CHROMIUM)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

/** Signs in through the UI: the sign-in page, the provider's login form, and back to the store. */
export async function signIn(page: Page, storeUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${storeUrl}/#/sign-in`);
  await page.getByRole('button', { name: 'Continue to the identity provider' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My releases' }).waitFor();
}

export interface AxeViolation { id: string; impact: string | null | undefined; help: string; nodes: number }

/** axe-core in the page (run through the debugger protocol, which the page's CSP does not govern). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axe.source);
  const results = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as {
    violations: Array<{ id: string; impact?: string | null; help: string; nodes: unknown[] }>;
  };
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
}

/** The whole page, or only the viewport (a modal dialog's backdrop covers the viewport only). */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}
