/**
 * Starts the Helm 4 engine (engine/, built through the harness on first use) on the test cluster, with the flags a
 * test needs, and answers a client of the store's own (TillerClient) plus a raw one for per-call metadata, which the
 * store's client does not send.
 */
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ReleaseServiceClient, type InstallReleaseRequest, type InstallReleaseResponse } from '../../gen/hapi/services/tiller.js';
import { TillerClient } from '../../src/tiller/index.js';
import { freePort, waitFor } from '../harness/net.js';
import { ensureLazyPeer } from '../harness/peers.js';
import { ProcessGroup } from '../harness/processes.js';
import { testDir, type TestEnv } from '../harness/test-env.js';

export interface RunningEngine {
  /** Where it listens (HELM_HOST for a store on the engine). */
  readonly address: string;
  readonly client: TillerClient;
  /** InstallRelease with extra gRPC metadata (e.g. x-appstore-allow-cluster-scoped). */
  installWith(md: Record<string, string>, req: Partial<InstallReleaseRequest>): Promise<InstallReleaseResponse>;
  stop(): Promise<void>;
}

export async function startEngine(env: TestEnv, label: string, flags: readonly string[] = []): Promise<RunningEngine> {
  const progress = (line: string) => process.stderr.write(`[peers] ${line}\n`);
  const bin = await ensureLazyPeer('appstore-engine', progress);
  const logs = join(testDir(), label, 'logs');
  mkdirSync(logs, { recursive: true });
  const procs = new ProcessGroup(logs);
  const address = `127.0.0.1:${await freePort()}`;
  procs.start('appstore-engine', bin, [`-listen=${address}`, `-kubeconfig=${env.cluster.kubeconfig}`, '-log-level=debug', ...flags]);
  const client = new TillerClient(address, { readTimeoutMs: 5000 });
  await waitFor('the engine to answer GetVersion', async () => (await client.version()) !== '', 60_000, () => procs.tail('appstore-engine'));
  const raw = new ReleaseServiceClient(address, credentials.createInsecure());
  return {
    address,
    client,
    installWith: (md, req) =>
      new Promise((resolve, reject) => {
        const metadata = new Metadata();
        metadata.set('x-helm-api-client', 'v2.17.0');
        for (const [k, v] of Object.entries(md)) metadata.set(k, v);
        const request: InstallReleaseRequest = {
          chart: undefined, values: undefined, dryRun: false, name: '', disableHooks: false, namespace: '', reuseName: false,
          timeout: 300, wait: false, disableCrdHook: false, description: '', subNotes: false, ...req,
        };
        raw.installRelease(request, metadata, { deadline: Date.now() + 60_000 }, (err: ServiceError | null, res) =>
          err ? reject(err) : resolve(res),
        );
      }),
    stop: async () => {
      client.close();
      raw.close();
      await procs.stopAll();
    },
  };
}
