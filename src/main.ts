/**
 * Composition root: read config, build the store, start the servers, re-read
 * the identity files on SIGHUP, stop on SIGTERM. Nothing else.
 */
import { createServer } from 'node:http';
import { composeAppStore } from './compose.js';
import { ConfigError, loadConfig } from './config.js';
import { asyncStdout, createLogger } from './observability/logger.js';

/** In-flight requests get this long after SIGTERM (Kubernetes' default grace period is 30 s). */
const SHUTDOWN_GRACE_MS = 25_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`appstore: configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel, asyncStdout());
  const store = await composeAppStore(config, process.env, log);
  let draining = false;
  const http = createServer((req, res) => {
    if (!draining) return store.rest(req, res);
    // A request on a connection kept alive from before SIGTERM: refused, and the connection closed.
    res.writeHead(503, { 'Content-Type': 'application/problem+json', Connection: 'close', 'Retry-After': '5' });
    res.end(JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the store is shutting down' }));
  });
  // While draining, a connection whose response is done is closed rather than kept alive.
  http.on('request', (_req, res) => res.on('finish', () => draining && setImmediate(() => http.closeIdleConnections())));
  await new Promise<void>((resolve) => http.listen(config.httpPort, resolve));
  const grpcPort = await store.grpc.listen(config.grpcPort);
  log.info({ httpPort: config.httpPort, grpcPort, helmHost: config.helmHost }, 'appstore listening');

  /** Stop accepting, let in-flight requests finish (bounded), then close Tiller's connection and the rest. */
  const shutdown = async (signal: string) => {
    if (draining) return;
    draining = true;
    log.info({ signal, graceMs: SHUTDOWN_GRACE_MS }, 'shutting down: refusing new requests, finishing in-flight ones');
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 5_000).unref();
    let cut = false;
    const forceAfterGrace = setTimeout(() => {
      cut = true;
      log.warn('in-flight requests did not finish within the grace period; closing their connections');
      http.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    const httpDrained = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    await Promise.all([httpDrained, store.grpc.close(SHUTDOWN_GRACE_MS)]);
    clearTimeout(forceAfterGrace);
    await store.close();
    log.info({ signal, cut }, 'stopped');
    process.exit(cut ? 1 : 0);
  };
  // on, not once: a second signal while draining must not kill the process (the default action).
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // The files are also checked every few seconds; SIGHUP makes a change (a revoked token) count at once.
  process.on('SIGHUP', () => log.info({ signal: 'SIGHUP', files: store.reloadFiles() }, 'identity files re-read'));
}

main().catch((err: unknown) => {
  console.error(`appstore: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
