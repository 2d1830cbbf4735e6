/**
 * First load of the web UI's catalog page, cold cache, on localhost, with a
 * synthetic catalog of BENCH_WEB_CHARTS charts (20 000 by default) served by
 * the store's own REST app and UI routes: from navigation to the first page
 * of cards on screen with their links ready (the page is interactive then),
 * in a fresh Chromium context each time. Baseline in the same run: the same
 * browser fetching the catalog's first page of JSON (GET /packages?limit=24)
 * from a blank page, which any UI must wait for. Also the JavaScript the
 * catalog page loads, as sent (gzip) and unpacked.
 *
 *   make bench-web   (npx tsx bench/web/first-load.ts; needs Debian's chromium; builds the UI first)
 *
 * Prints the figures and writes them to docs/BENCHMARKS-WEB.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { loadUiConfig } from '../../src/api/web/ui-config.js';
import { webUiRoutes } from '../../src/api/web/web-ui.js';
import { createCatalog } from '../../src/catalog/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { loadCatalog, startSyntheticRepo } from '../catalog/run.js';
import { serveStoreRestApp } from '../catalog/store-server.js';

const charts = Number(process.env.BENCH_WEB_CHARTS ?? 20_000);
const rounds = Number(process.env.BENCH_WEB_ROUNDS ?? 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const uiDir = mkdtempSync(join(tmpdir(), 'appstore-web-bench-'));
execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
  env: { ...process.env, APPSTORE_UI_OUT_DIR: uiDir },
  stdio: 'inherit',
});
const repo = await startSyntheticRepo({ charts, versions: 1 });
const catalog = createCatalog({ repos: [{ name: 'bench', url: repo.url }] }, createLogger('warn'));
const loadMs = await loadCatalog(catalog);
const server = await serveStoreRestApp(catalog, webUiRoutes(loadUiConfig({ APPSTORE_UI_DIR: uiDir })));
const browser = await chromium.launch({ executablePath: process.env.APPSTORE_CHROMIUM ?? '/usr/bin/chromium' });
const browserVersion = browser.version();

const uiMs: number[] = [];
const jsonMs: number[] = [];
let jsSent = 0;
let jsUnpacked = 0;
try {
  for (let i = 0; i < rounds; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const js: Array<Promise<[number, number]>> = [];
    page.on('response', (res) => {
      if (!res.url().endsWith('.js')) return;
      js.push(
        (async () => {
          const sizes = await res.request().sizes();
          return [sizes.responseBodySize, (await res.body()).length];
        })(),
      );
    });
    await page.goto(`${server.url}/#/`);
    await page.locator('.package-card h2 a').first().waitFor();
    uiMs.push(Number(await page.evaluate('performance.now()')));
    const sizes = await Promise.all(js);
    jsSent = sizes.reduce((sum, [sent]) => sum + sent, 0);
    jsUnpacked = sizes.reduce((sum, [, unpacked]) => sum + unpacked, 0);
    await context.close();

    const blank = await browser.newContext();
    const p = await blank.newPage();
    await p.goto(`${server.url}/ui/config.json`);
    jsonMs.push(Number(await p.evaluate(`(async () => { const t = performance.now(); await (await fetch('/packages?limit=24')).json(); return performance.now() - t; })()`)));
    await blank.close();
  }
} finally {
  await browser.close();
  await server.close();
  await catalog.stop();
  await repo.close();
}

const ui = median(uiMs);
const json = median(jsonMs);
const lines = [
  `catalog: ${charts} charts (loaded in ${Math.round(loadMs)} ms); ${rounds} cold loads each, Chromium ${browserVersion}, ${cpus().length} cores`,
  `first load of the catalog page, to cards on screen: median ${ui.toFixed(0)} ms (min ${Math.min(...uiMs).toFixed(0)}, max ${Math.max(...uiMs).toFixed(0)})`,
  `baseline, GET /packages?limit=24 from the browser: median ${json.toFixed(0)} ms (the page is ${(ui / json).toFixed(1)}× the bare data fetch)`,
  `JavaScript of the catalog page: ${(jsSent / 1024).toFixed(0)} kB sent (gzip), ${(jsUnpacked / 1024).toFixed(0)} kB unpacked`,
];
console.log(lines.join('\n'));
writeFileSync(
  'docs/BENCHMARKS-WEB.md',
  `# Web UI: first load of the catalog page\n\nWritten by \`make bench-web\` (bench/web/first-load.ts) on ${new Date().toISOString().slice(0, 10)}. ` +
    'Cold cache (a fresh browser context per load), localhost, the store\'s REST app and UI routes around a synthetic catalog; ' +
    '"to cards on screen" is `performance.now()` when the first page of cards and their links are rendered.\n\n' +
    lines.map((l) => `- ${l}`).join('\n') +
    '\n\nTargets of the storefront issue: ≤ 1 s to interactive with a 20 000-entry catalog, ≤ 250 kB of JavaScript (gzip) for the first page.\n',
);
