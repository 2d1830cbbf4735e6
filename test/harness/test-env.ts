/**
 * What the integration tests' globalSetup started, shared with the test
 * files through a JSON file (jest runs tests in other contexts than
 * globalSetup, so in-memory state does not reach them).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterInfo } from './cluster.js';
import type { OidcTestProviderInfo } from './oidc-provider.js';
import { runDir } from './paths.js';

export interface TestEnv {
  readonly cluster: Omit<ClusterInfo, 'peers'> & { peers: Record<string, string> };
  /** Base URL of the sample chart repository served over HTTP. */
  readonly repoUrl: string;
  /** Folder of the built repository (archives + index.yaml). */
  readonly repoDir: string;
  /** The real OpenID Provider (npm oidc-provider) of test/harness/oidc-provider.ts. */
  readonly oidc: OidcTestProviderInfo;
  /** The test services' fault control endpoint (see fault-control.ts). */
  readonly controlUrl: string;
}

/**
 * The folder of one test run's services. Each run gets its own (globalSetup
 * sets APPSTORE_TEST_DIR), so that concurrent runs never share a cluster.
 */
export function testDir(): string {
  return process.env.APPSTORE_TEST_DIR ?? join(runDir, 'test');
}

export function writeTestEnv(env: TestEnv): void {
  writeFileSync(join(testDir(), 'env.json'), JSON.stringify(env, null, 2));
}

export function readTestEnv(): TestEnv {
  return JSON.parse(readFileSync(join(testDir(), 'env.json'), 'utf8')) as TestEnv;
}
