/**
 * CNCF distribution's registry (the lazy peer 'registry'), started for the
 * tests and `make run` on a loopback port with its own storage folder: open
 * to anonymous pulls and pushes, or behind token authentication (see
 * oci-token-issuer.ts) when `auth` is given.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { freePort, waitFor } from './net.js';
import { ensureLazyPeer, type Progress } from './peers.js';
import { ProcessGroup } from './processes.js';

export interface RegistryAuthConfig {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The JWKS file of the keys tokens are signed with. */
  readonly jwks: string;
}

export interface OciRegistry {
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The storage folder (blobs under docker/registry/v2/blobs/sha256/<2>/<hex>/data). */
  readonly rootDir: string;
  stop(): Promise<void>;
}

/** Starts a registry in `dir` (config, storage and log); resolves once /v2/ answers. */
export async function startOciRegistry(
  dir: string,
  options: { auth?: RegistryAuthConfig; progress?: Progress } = {},
): Promise<OciRegistry> {
  const bin = await ensureLazyPeer('registry', options.progress);
  const port = await freePort();
  const rootDir = join(dir, 'storage');
  mkdirSync(rootDir, { recursive: true });
  const config = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: rootDir }, delete: { enabled: true } },
    http: { addr: `127.0.0.1:${port}`, secret: 'appstore-test-registry' },
    ...(options.auth && {
      auth: {
        token: {
          realm: options.auth.realm,
          service: options.auth.service,
          issuer: options.auth.issuer,
          jwks: options.auth.jwks,
          signingalgorithms: ['ES256'],
        },
      },
    }),
  };
  const configPath = join(dir, 'config.yml');
  writeFileSync(configPath, yaml.dump(config));
  // A watched process group: the registry never outlives the test process, even one killed by SIGKILL.
  const group = new ProcessGroup(dir);
  // OTEL_TRACES_EXPORTER=none: the registry would otherwise try to export traces to a collector that is not there.
  const { child } = group.start('registry', bin, ['serve', configPath], { OTEL_TRACES_EXPORTER: 'none' });
  const origin = `http://127.0.0.1:${port}`;
  await waitFor(
    'the OCI registry',
    async () => {
      if (child.exitCode !== null) throw new Error(`the registry exited (${child.exitCode})`);
      const res = await fetch(`${origin}/v2/`);
      return res.status === 200 || res.status === 401;
    },
    30_000,
    () => group.tail('registry', 20),
  ).catch(async (err: unknown) => {
    await group.stopAll(1000);
    throw err;
  });
  return {
    host: `127.0.0.1:${port}`,
    origin,
    rootDir,
    stop: () => group.stopAll(5000),
  };
}
