import { ConfigError, loadConfig } from '../../src/config.js';

test('defaults: Tiller on loopback 44134, HTTP 8080, gRPC 9090, no repos', () => {
  expect(loadConfig({})).toEqual({
    helmHost: '127.0.0.1:44134',
    kubeconfig: undefined,
    httpPort: 8080,
    grpcPort: 9090,
    repos: [],
    tokensFile: undefined,
    namespacesFile: undefined,
    tillerNamespace: 'kube-system',
    namespace: 'appstore',
    logLevel: 'info',
    maxValuesBytes: 262144,
    trustProxy: undefined,
    tillerTimeoutSeconds: 300,
  });
});

test('the Tiller timeout (hooks, waits) is read and bounded', () => {
  expect(loadConfig({ APPSTORE_TILLER_TIMEOUT_SECONDS: '20' }).tillerTimeoutSeconds).toBe(20);
  expect(() => loadConfig({ APPSTORE_TILLER_TIMEOUT_SECONDS: '0' })).toThrow(/APPSTORE_TILLER_TIMEOUT_SECONDS/);
});

test('APPSTORE_TRUST_PROXY: a hop count or a list of addresses and ranges; anything else names the entry', () => {
  expect(loadConfig({ APPSTORE_TRUST_PROXY: '1' }).trustProxy).toBe(1);
  expect(loadConfig({ APPSTORE_TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 192.168.1.7' }).trustProxy).toEqual([
    'loopback',
    '10.0.0.0/8',
    'fd00::/8',
    '192.168.1.7',
  ]);
  expect(() => loadConfig({ APPSTORE_TRUST_PROXY: 'true' })).toThrow(/APPSTORE_TRUST_PROXY: "true" is not a hop count/);
  expect(() => loadConfig({ APPSTORE_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/"10.0.0.0\/33"/);
});

test('every documented variable is read', () => {
  const config = loadConfig({
    HELM_HOST: 'tiller.kube-system:44134',
    KUBECONFIG: '/etc/kube/config',
    APPSTORE_HTTP_PORT: '8081',
    APPSTORE_GRPC_PORT: '9091',
    APPSTORE_REPOS: 'stable=https://charts.example.org/stable/, dev=http://127.0.0.1:8879',
    APPSTORE_TOKENS_FILE: '/etc/appstore/tokens.csv',
    APPSTORE_NAMESPACES_FILE: '/etc/appstore/namespaces.yaml',
    APPSTORE_MAX_VALUES_BYTES: '100000',
  });
  expect(config).toMatchObject({
    helmHost: 'tiller.kube-system:44134',
    kubeconfig: '/etc/kube/config',
    httpPort: 8081,
    grpcPort: 9091,
    repos: [
      { name: 'stable', url: 'https://charts.example.org/stable' },
      { name: 'dev', url: 'http://127.0.0.1:8879' },
    ],
    tokensFile: '/etc/appstore/tokens.csv',
    namespacesFile: '/etc/appstore/namespaces.yaml',
    maxValuesBytes: 100000,
  });
});

test.each([
  [{ APPSTORE_HTTP_PORT: 'eighty' }, /APPSTORE_HTTP_PORT must be a port number/],
  [{ APPSTORE_GRPC_PORT: '70000' }, /APPSTORE_GRPC_PORT must be a port number/],
  [{ HELM_HOST: 'tiller' }, /HELM_HOST must be host:port/],
  [{ APPSTORE_REPOS: 'noequals' }, /APPSTORE_REPOS: "noequals" is not name=url/],
  [{ APPSTORE_REPOS: 'a=ftp://x' }, /repo a must use http, https, oci or oci\+http/],
  [{ APPSTORE_REPOS: 'a=http://x,a=http://y' }, /repo name a appears twice/],
  [{ APPSTORE_LOG_LEVEL: 'loud' }, /APPSTORE_LOG_LEVEL must be one of/],
  [{ APPSTORE_NAMESPACE: 'Not_A_Label' }, /APPSTORE_NAMESPACE must be a DNS-1123 label/],
  [{ APPSTORE_MAX_VALUES_BYTES: '2000000' }, /APPSTORE_MAX_VALUES_BYTES must be an integer from 1024 to 1048576/],
])('a bad value fails fast naming the variable: %j', (env, message) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(message);
});
