/**
 * A real local Kubernetes control plane plus a release engine, all on
 * 127.0.0.1 with free ports: etcd, kube-apiserver (RBAC on),
 * kube-controller-manager, kube-scheduler, kwok (a simulated kubelet for one
 * fake Node, so Pods turn Running and Ready) and Tiller v2.17 with secret
 * storage, or with APPSTORE_ENGINE=helm4 the store's Helm 4 engine (engine/)
 * on Tiller's protocol in its place. Used by jest's globalSetup and by
 * `make run`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { connect } from 'node:net';
import { ensureLazyPeer, ensurePeers, type PeerPaths, type Progress } from './peers.js';
import { ProcessGroup } from './processes.js';
import { freePort, waitFor } from './net.js';
import { repoRoot } from './paths.js';

/**
 * Revisions Tiller keeps per release, as deploy/base/deployment.yaml sets it (test/integration/deploy.test.ts checks
 * that they agree): without a bound, a purge removes every stored revision through Tiller's rate-limited client.
 */
export const TILLER_HISTORY_MAX = 20;

export interface ClusterInfo {
  /** Admin kubeconfig (system:masters through a static token). */
  readonly kubeconfig: string;
  readonly apiServerUrl: string;
  readonly adminToken: string;
  /** CA bundle of the API server's serving certificate. */
  readonly caFile: string;
  /** host:port of Tiller's gRPC endpoint (or the engine's), as HELM_HOST names it. */
  readonly helmHost: string;
  /** What answers at helmHost. */
  readonly engine: ReleaseEngineName;
  readonly tillerNamespace: string;
  readonly peers: PeerPaths;
  readonly dir: string;
}

/** Tiller v2.17 (the design's), or the store's Helm 4 engine (engine/) speaking Tiller's protocol. */
export type ReleaseEngineName = 'tiller' | 'helm4';

/** The engine APPSTORE_ENGINE asks for: `make run` and `make test`'s second pass set it. */
export function releaseEngineFromEnv(env: NodeJS.ProcessEnv = process.env): ReleaseEngineName {
  const name = env.APPSTORE_ENGINE ?? 'tiller';
  if (name !== 'tiller' && name !== 'helm4') throw new Error(`APPSTORE_ENGINE must be tiller or helm4, not '${name}'`);
  return name;
}

export interface Cluster extends ClusterInfo {
  /** Restarts Tiller (or the engine) on the same address (fault tests, recovery). */
  restartTiller(): Promise<void>;
  stopTiller(): Promise<void>;
  /** SIGKILL, without the grace a SIGTERM gives Tiller to finish calls in flight. */
  killTiller(): Promise<void>;
  /** Stops kube-apiserver (fault tests); startApiServer brings it back on the same port and flags (no-op if it runs). */
  stopApiServer(): Promise<void>;
  startApiServer(): Promise<void>;
  stop(): Promise<void>;
}

export const FAKE_NODE = 'kwok-node-0';

export async function startCluster(
  dir: string,
  progress: Progress = (l) => console.error(`[cluster] ${l}`),
  engine: ReleaseEngineName = releaseEngineFromEnv(),
): Promise<Cluster> {
  const peers = await ensurePeers(progress);
  // Built only when asked for (minutes on a cold cache), before anything starts.
  const engineBin = engine === 'helm4' ? await ensureLazyPeer('appstore-engine', progress) : undefined;
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['logs', 'etcd', 'pki']) mkdirSync(join(dir, sub), { recursive: true });
  const procs = new ProcessGroup(join(dir, 'logs'));
  const onExit = () => procs.killAllNow();
  process.once('exit', onExit);

  try {
    const pki = join(dir, 'pki');
    const adminToken = randomBytes(24).toString('hex');
    writeFileSync(join(pki, 'tokens.csv'), `${adminToken},admin,admin,"system:masters"\n`, { mode: 0o600 });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(pki, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(join(pki, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));

    progress('starting etcd');
    const [etcdClient, etcdPeer] = [await freePort(), await freePort()];
    procs.start('etcd', peers.etcd, [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
      '--quota-backend-bytes=2147483648',
    ]);
    await waitFor('etcd', () => httpOk(`http://127.0.0.1:${etcdClient}/health`), 30_000, () => procs.tail('etcd'));

    progress('starting kube-apiserver');
    const apiPort = await freePort();
    const certDir = join(pki, 'apiserver');
    const apiArgs = [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      `--cert-dir=${certDir}`,
      `--secure-port=${apiPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--authorization-mode=Node,RBAC',
      `--token-auth-file=${join(pki, 'tokens.csv')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      '--api-audiences=https://kubernetes.default.svc.cluster.local',
      '--allow-privileged=true',
      '--enable-priority-and-fairness=false',
      '--endpoint-reconciler-type=none',
    ];
    const apiServerUrl = `https://127.0.0.1:${apiPort}`;
    const caFile = join(certDir, 'apiserver.crt');
    const startApiServer = async () => {
      procs.start('kube-apiserver', peers['kube-apiserver'], apiArgs);
      await waitFor(
        'kube-apiserver /readyz',
        () => httpsOk(`${apiServerUrl}/readyz`, caFile, adminToken),
        90_000,
        () => procs.tail('kube-apiserver'),
      );
    };
    await startApiServer();
    let apiServerUp = true;

    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigYaml(apiServerUrl, caFile, adminToken), { mode: 0o600 });

    progress('starting kube-controller-manager, kube-scheduler and kwok');
    const serving = async () => [
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
    ];
    procs.start('kube-controller-manager', peers['kube-controller-manager'], [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      ...(await serving()),
      `--service-account-private-key-file=${join(pki, 'sa.key')}`,
      `--root-ca-file=${caFile}`,
      '--use-service-account-credentials=false',
      '--concurrent-deployment-syncs=10',
      '--concurrent-replicaset-syncs=10',
    ]);
    procs.start('kube-scheduler', peers['kube-scheduler'], [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      ...(await serving()),
    ]);
    procs.start('kwok', peers.kwok, [
      `--kubeconfig=${kubeconfig}`,
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--cidr=10.244.0.0/16',
      '--node-ip=127.0.0.1',
      '--node-lease-duration-seconds=40',
      `--config=${join(repoRoot, 'test', 'cluster', 'kwok', 'stages.yaml')}`,
    ]);
    await createFakeNode(apiServerUrl, caFile, adminToken);

    const tillerNamespace = 'kube-system';
    const [tillerPort, probePort] = [await freePort(), await freePort()];
    const helmHost = `127.0.0.1:${tillerPort}`;
    const engineProcess = engine === 'tiller' ? 'tiller' : 'appstore-engine';
    const startTiller = async () => {
      if (engineBin === undefined) {
        const tillerArgs = [`--listen=${helmHost}`, `--probe-listen=127.0.0.1:${probePort}`, '--storage=secret'];
        const tillerEnv = { KUBECONFIG: kubeconfig, TILLER_NAMESPACE: tillerNamespace, TILLER_HISTORY_MAX: String(TILLER_HISTORY_MAX) };
        procs.start('tiller', peers.tiller, tillerArgs, tillerEnv);
        await waitFor('Tiller readiness probe', () => httpOk(`http://127.0.0.1:${probePort}/readiness`), 60_000, () => procs.tail('tiller'));
      } else {
        const engineArgs = [`-listen=${helmHost}`, `-kubeconfig=${kubeconfig}`, `-history-max=${TILLER_HISTORY_MAX}`];
        procs.start('appstore-engine', engineBin, engineArgs);
        await waitFor('the Helm 4 engine to listen', () => tcpOpen(helmHost), 60_000, () => procs.tail('appstore-engine'));
      }
    };
    progress(engine === 'tiller' ? 'starting Tiller' : 'starting the Helm 4 engine');
    await startTiller();
    progress(`ready: kube-apiserver ${apiServerUrl}, ${engine === 'tiller' ? 'Tiller' : 'the Helm 4 engine'} ${helmHost}`);

    return {
      kubeconfig,
      apiServerUrl,
      adminToken,
      caFile,
      helmHost,
      engine,
      tillerNamespace,
      peers,
      dir,
      stopTiller: () => procs.stop(engineProcess),
      killTiller: () => procs.stop(engineProcess, 0),
      stopApiServer: async () => {
        apiServerUp = false;
        await procs.stop('kube-apiserver');
      },
      startApiServer: async () => {
        if (apiServerUp) return;
        await startApiServer();
        apiServerUp = true;
      },
      restartTiller: async () => {
        await procs.stop(engineProcess);
        await startTiller();
      },
      stop: async () => {
        await procs.stopAll();
        process.removeListener('exit', onExit);
      },
    };
  } catch (err) {
    await procs.stopAll();
    process.removeListener('exit', onExit);
    throw err;
  }
}

function kubeconfigYaml(server: string, caFile: string, token: string): string {
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'appstore-local', cluster: { server, 'certificate-authority-data': readFileSync(caFile).toString('base64') } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'appstore-local', context: { cluster: 'appstore-local', user: 'admin' } }],
    'current-context': 'appstore-local',
  });
}

/** A Node that kwok manages: Pods scheduled to it are reported Running and Ready. */
async function createFakeNode(apiServerUrl: string, caFile: string, token: string): Promise<void> {
  const resources = { cpu: '32', memory: '256Gi', pods: '250' };
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: FAKE_NODE,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/hostname': FAKE_NODE, 'kubernetes.io/os': 'linux', type: 'kwok' },
    },
    status: { allocatable: resources, capacity: resources },
  };
  const res = await httpsJson('POST', `${apiServerUrl}/api/v1/nodes`, caFile, token, node);
  if (res.status !== 201 && res.status !== 409) throw new Error(`creating the fake node failed: ${res.status} ${res.body}`);
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpGet(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

async function httpsOk(url: string, caFile: string, token: string): Promise<boolean> {
  try {
    return (await httpsJson('GET', url, caFile, token)).status === 200;
  } catch {
    return false;
  }
}

function httpsJson(
  method: string,
  url: string,
  caFile: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ca: readFileSync(caFile),
        timeout: 5000,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Whether something accepts TCP connections at host:port. */
function tcpOpen(hostPort: string): Promise<boolean> {
  const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(':')), Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
