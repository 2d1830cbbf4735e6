/**
 * `make run`: the whole system on one machine. Starts the local control plane
 * and Tiller, or the Helm 4 engine with APPSTORE_ENGINE=helm4 (unless HELM_HOST
 * and KUBECONFIG point elsewhere), serves the
 * sample chart repository, writes a development identity (alice and bob),
 * starts a local OpenID Provider with dynamic client registration (so that
 * installing sample/oidc-app registers its OAuth client there), serves the
 * same charts from a local OCI registry (see ociRegistryWanted), and runs the
 * store until interrupted. Everything stops on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildChartRepo, SAMPLE_CHARTS_DIR } from './chart-repo.js';
import { serveChartRepo } from './serve-chart-repo.js';
import { startCluster, type Cluster } from './cluster.js';
import { startOciRegistry, type OciRegistry } from './oci-registry.js';
import { pushChartRepo } from './oci-push.js';
import { startOidcProvider, type OidcTestProvider } from './oidc-provider.js';
import { repoRoot, runDir } from './paths.js';
import { STORE_NODE_FLAGS } from './store-node-flags.js';

/** People who sign in to the web UI on the local OpenID Provider's login page (same ids and groups as the tokens). */
const DEV_USERS = [
  { username: 'alice', password: 'alice', name: 'Alice (development)', groups: ['fc:org:example.org', 'fc:adhoc:appstore-devs'] },
  { username: 'bob', password: 'bob', name: 'Bob (development)', groups: ['fc:org:example.org'] },
];
const UI_CLIENT_ID = 'appstore-ui';

const DEV_TOKENS = [
  ['dev-alice-token', 'alice', ['fc:org:example.org', 'fc:adhoc:appstore-devs']],
  ['dev-bob-token', 'bob', ['fc:org:example.org']],
] as const;

mkdirSync(runDir, { recursive: true });
const external = Boolean(process.env.HELM_HOST && process.env.KUBECONFIG);
let cluster: Cluster | undefined;
if (!external) {
  cluster = await startCluster(join(runDir, 'cluster'));
  copyFileSync(cluster.kubeconfig, join(runDir, 'kubeconfig'));
}

const repoDir = join(runDir, 'repo');
await buildChartRepo(SAMPLE_CHARTS_DIR, repoDir);
const repo = await serveChartRepo(repoDir);

/**
 * The OCI registry (CNCF distribution) serves the sample charts beside the HTTP repository, so a newcomer sees both
 * kinds; its first build takes about 5 minutes on two cores (with progress), once. APPSTORE_RUN_OCI=0 leaves it out.
 */
function ociRegistryWanted(): boolean {
  return process.env.APPSTORE_RUN_OCI !== '0';
}
let registry: OciRegistry | undefined;
if (ociRegistryWanted()) {
  registry = await startOciRegistry(join(runDir, 'oci-registry'), { progress: (line) => console.error(`[peers] ${line}`) });
  await pushChartRepo(registry.origin, repoDir, 'samples');
}
const repos = [`sample=${repo.url}`, ...(registry ? [`sample-oci=oci+http://${registry.host}/samples`] : [])].join(',');

const tokensFile = process.env.APPSTORE_TOKENS_FILE ?? join(runDir, 'tokens.csv');
if (!process.env.APPSTORE_TOKENS_FILE) {
  writeFileSync(
    tokensFile,
    DEV_TOKENS.map(([token, user, groups]) => `${token},${user},"${groups.join(',')}"`).join('\n') + '\n',
    { mode: 0o600 },
  );
}

const namespacesFile = process.env.APPSTORE_NAMESPACES_FILE ?? join(runDir, 'namespaces.yaml');
if (!process.env.APPSTORE_NAMESPACES_FILE) {
  // Both development users (through their shared group) may deploy into default.
  writeFileSync(namespacesFile, 'default: ["fc:org:example.org"]\n');
}

// Unless another provisioner is configured: OAuth clients are registered (RFC 7591) at a local provider.
// It is also where the web UI signs people in (a public client for http://127.0.0.1:<port>/ and localhost).
const httpPort = process.env.APPSTORE_HTTP_PORT ?? '8080';
let oidc: OidcTestProvider | undefined;
if (!process.env.APPSTORE_PROVISIONER) {
  oidc = await startOidcProvider({
    users: DEV_USERS,
    publicClients: [{ clientId: UI_CLIENT_ID, redirectUris: [`http://127.0.0.1:${httpPort}/`, `http://localhost:${httpPort}/`] }],
  });
}

const grpcPort = process.env.APPSTORE_GRPC_PORT ?? '9090';
const env = {
  ...process.env,
  HELM_HOST: process.env.HELM_HOST ?? cluster?.helmHost,
  KUBECONFIG: process.env.KUBECONFIG ?? join(runDir, 'kubeconfig'),
  APPSTORE_HTTP_PORT: httpPort,
  APPSTORE_GRPC_PORT: grpcPort,
  APPSTORE_NAMESPACES_FILE: namespacesFile,
  APPSTORE_REPOS: process.env.APPSTORE_REPOS ?? repos,
  APPSTORE_TOKENS_FILE: tokensFile,
  // The issuer too, so that charts receive its endpoints (appstore_generated_data.aai.*); its tokens are accepted.
  ...(oidc && {
    APPSTORE_PROVISIONER: 'oidc-registration',
    APPSTORE_OIDC_REGISTRATION_URL: `${oidc.issuer}/reg`,
    ...(!process.env.APPSTORE_OIDC_ISSUER && {
      APPSTORE_OIDC_ISSUER: oidc.issuer,
      APPSTORE_OIDC_AUDIENCE: oidc.audience,
      APPSTORE_UI_OIDC_CLIENT_ID: UI_CLIENT_ID,
      APPSTORE_UI_OIDC_SCOPE: 'openid profile api',
    }),
  }),
};
const store = spawn(process.execPath, [...STORE_NODE_FLAGS, join(repoRoot, 'dist', 'src', 'main.js')], { env, stdio: 'inherit' });

console.log(`
appstore is starting: REST http://127.0.0.1:${httpPort}, gRPC 127.0.0.1:${grpcPort}
  web UI                 http://127.0.0.1:${httpPort}/  (sign in as alice/alice or bob/bob${oidc ? ` at ${oidc.issuer}` : ''}, or with a token below)
  ${`${cluster?.engine === 'helm4' ? 'Helm 4 engine' : 'Tiller'} (HELM_HOST)`.padEnd(23)}${env.HELM_HOST}
  KUBECONFIG             ${env.KUBECONFIG}   (kubectl --kubeconfig ${env.KUBECONFIG} get pods -A)
  chart repositories     ${env.APPSTORE_REPOS}
  OCI registry           ${registry ? `${registry.origin} (the sample charts under samples/: helm4 pull oci://${registry.host}/samples/hello --plain-http)` : 'left out (APPSTORE_RUN_OCI=0)'}
  development tokens     ${tokensFile}  (alice: dev-alice-token, bob: dev-bob-token)
  namespace policy       ${namespacesFile}
  OAuth clients          ${oidc ? `registered at ${oidc.issuer}/reg (a local OpenID Provider)` : `APPSTORE_PROVISIONER=${env.APPSTORE_PROVISIONER}`}
  ${cluster?.engine === 'helm4' ? `releases are Helm releases: helm list -A --kubeconfig ${env.KUBECONFIG}` : `helm v2 CLI            ${cluster ? `${cluster.peers.helm} --host ${cluster.helmHost} list` : '(external Tiller)'}`}
Try: curl -s http://127.0.0.1:${httpPort}/readyz
     curl -s http://127.0.0.1:${httpPort}/packages
     (the README has the rest: install, status, upgrade, delete)
Ctrl-C stops everything.
`);

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  store.kill('SIGTERM');
  await repo.close();
  await registry?.stop();
  await oidc?.close();
  await cluster?.stop();
  process.exit(code);
}
store.on('exit', (code) => void stop(code ?? 1));
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
