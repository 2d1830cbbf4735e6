/**
 * The store itself, composed in-process exactly as main.ts does, on the test
 * cluster's Tiller and API server and the sample repository, with a static
 * token file of three users and a namespace policy.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeAppStore, type AppStore } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import type { TestEnv } from '../harness/test-env.js';

export const USERS = {
  alice: { token: 'alice-token', id: 'alice', groups: ['fc:org:example.org', 'fc:adhoc:team-a'] },
  bob: { token: 'bob-token', id: 'bob', groups: ['fc:org:example.org'] },
  carol: { token: 'carol-token', id: 'carol', groups: ['fc:org:elsewhere.org'] },
} as const;

export interface RunningStore {
  readonly store: AppStore;
  readonly url: string;
  readonly grpcAddress: string;
  stop(): Promise<void>;
}

export interface StoreOptions {
  readonly namespace: string;
  readonly deployNamespaces: readonly string[];
  readonly extraEnv?: Record<string, string>;
  /** The store's logger (e.g. one that captures lines); by default, pino at APPSTORE_LOG_LEVEL. */
  readonly log?: Logger;
  /** The REST port; a free one by default (the web UI's tests need it known before the OpenID Provider starts). */
  readonly httpPort?: number;
}

/** The store's environment on the test cluster: a token file of USERS and a namespace policy for deployNamespaces. */
export function storeEnv(env: TestEnv, options: StoreOptions): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'appstore-it-'));
  const tokens = join(dir, 'tokens.csv');
  writeFileSync(tokens, Object.values(USERS).map((u) => `${u.token},${u.id},"${u.groups.join(',')}"`).join('\n') + '\n');
  const namespaces = join(dir, 'namespaces.yaml');
  writeFileSync(namespaces, options.deployNamespaces.map((ns) => `${ns}: ["fc:org:example.org", "carol"]`).join('\n') + '\n');
  return {
    HELM_HOST: env.cluster.helmHost,
    KUBECONFIG: env.cluster.kubeconfig,
    APPSTORE_REPOS: `sample=${env.repoUrl}`,
    APPSTORE_TOKENS_FILE: tokens,
    APPSTORE_NAMESPACES_FILE: namespaces,
    APPSTORE_NAMESPACE: options.namespace,
    APPSTORE_LOG_LEVEL: process.env.APPSTORE_TEST_LOG_LEVEL ?? 'silent',
    ...options.extraEnv,
  };
}

export async function startStore(env: TestEnv, options: StoreOptions): Promise<RunningStore> {
  const vars = storeEnv(env, options);
  const config = loadConfig(vars);
  const store = await composeAppStore(config, vars, options.log ?? createLogger(config.logLevel));
  const http: Server = await new Promise((resolve) => {
    const server = createServer(store.rest).listen(options.httpPort ?? 0, '127.0.0.1', () => resolve(server));
  });
  const grpcPort = await store.grpc.listen(0, '127.0.0.1');
  // The catalog loads in the background; wait for it.
  for (let i = 0; i < 100 && !store.catalog.ready(); i++) await new Promise((r) => setTimeout(r, 100));
  return {
    store,
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    stop: async () => {
      await new Promise((resolve) => http.close(resolve));
      await store.grpc.close(1000);
      await store.close();
    },
  };
}

/** fetch with a user's bearer token and JSON. */
export function api(baseUrl: string) {
  return async (
    method: string,
    path: string,
    options: { user?: keyof typeof USERS; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token ?? (options.user ? USERS[options.user].token : undefined);
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json: json as Record<string, unknown> & unknown[], text };
  };
}
