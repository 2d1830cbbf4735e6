/** Composition root: read config, build the store, start the servers, stop them on SIGTERM. Nothing else. */
import type { Server } from 'node:http';
import { composeAppStore } from './compose.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';

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
  const log = createLogger(config.logLevel);
  const store = await composeAppStore(config, process.env, log);
  const http: Server = store.rest.listen(config.httpPort);
  const grpcPort = await store.grpc.listen(config.grpcPort);
  log.info({ httpPort: config.httpPort, grpcPort, helmHost: config.helmHost }, 'appstore listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), 30_000).unref();
    http.close();
    void store.grpc
      .close()
      .then(() => store.close())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`appstore: failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
