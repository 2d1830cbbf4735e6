/** Composition root: read config, build adapters and services, start servers. Nothing else. */
import express from 'express';
import { ConfigError, loadConfig } from './config.js';
import { healthRoutes } from './api/rest/health.js';
import { createLogger } from './observability/logger.js';
import { TillerClient } from './tiller/index.js';

function main(): void {
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
  const tiller = new TillerClient(config.helmHost);

  const app = express();
  app.disable('x-powered-by');
  app.use(
    healthRoutes({
      tiller: async () => {
        await tiller.version();
      },
    }),
  );
  const server = app.listen(config.httpPort, () => {
    log.info({ httpPort: config.httpPort, helmHost: config.helmHost }, 'appstore listening');
  });

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.close(() => {
      tiller.close();
      process.exit(0);
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main();
