/**
 * The real store as a child process (`node --import tsx src/main.ts`, or the
 * compiled `node dist/src/main.js` after `make build`), as it runs in production: its own ports, signals, exit code and JSON log lines
 * on stdout. Used by the operate tests (graceful shutdown, several replicas),
 * with a TCP proxy in front of Tiller that can hold Tiller's answers, so that
 * a change is certainly in flight (asked of Tiller, not yet answered) rather
 * than probably, by timing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { freePort } from '../harness/net.js';
import type { TestEnv } from '../harness/test-env.js';
import { STORE_NODE_FLAGS } from '../harness/store-node-flags.js';
import { storeEnv, type StoreOptions } from './store.js';

export interface ChildStore {
  readonly url: string;
  readonly grpcAddress: string;
  readonly process: ChildProcess;
  /** Parsed JSON log lines so far. */
  readonly logs: Record<string, unknown>[];
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGKILL, if still running. */
  kill(): Promise<void>;
}

export async function startChildStore(
  env: TestEnv,
  options: StoreOptions & {
    readonly compiled?: boolean;
    /** Append the store's log lines to this file instead of collecting them in `logs`. */
    readonly logFile?: string;
  },
): Promise<ChildStore> {
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const args = [...STORE_NODE_FLAGS, ...(options.compiled ? ['dist/src/main.js'] : ['--import', 'tsx', 'src/main.ts'])];
  const logFd = options.logFile === undefined ? undefined : openSync(options.logFile, 'a');
  const child = spawn(process.execPath, args, {
    cwd: process.cwd(),
    stdio: ['ignore', logFd ?? 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...storeEnv(env, options),
      APPSTORE_HTTP_PORT: String(httpPort),
      APPSTORE_GRPC_PORT: String(grpcPort),
      APPSTORE_LOG_LEVEL: 'info',
      ...options.extraEnv,
    },
  });
  if (logFd !== undefined) closeSync(logFd);
  const logs: Record<string, unknown>[] = [];
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    });
  }
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${httpPort}`;
  const running: ChildStore = {
    url,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    process: child,
    logs,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  // Ready: Tiller, the API server and the catalog answer.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the store exited (${child.exitCode}) at start: ${stderr}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) return running;
    if (Date.now() > deadline) {
      await running.kill();
      throw new Error(`the store did not become ready within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A TCP proxy in front of Tiller that can hold Tiller's answers (Tiller has
 * been asked, the store waits), or everything (the store's requests do not
 * reach Tiller either), and then let it all through.
 */
export interface TillerProxy {
  readonly address: string;
  hold(what?: 'answers' | 'everything'): void;
  release(): void;
  close(): Promise<void>;
}

export async function startTillerProxy(target: string): Promise<TillerProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let held: 'answers' | 'everything' | undefined;
  const pause = (pair: { client: Socket; upstream: Socket }) => {
    if (held) pair.upstream.pause();
    if (held === 'everything') pair.client.pause();
  };
  const server = createServer((client) => {
    const upstream = connect(port, host);
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    pause(pair);
    const done = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold: (what = 'answers') => {
      held = what;
      for (const pair of pairs) pause(pair);
    },
    release: () => {
      held = undefined;
      for (const { client, upstream } of pairs) {
        client.resume();
        upstream.resume();
      }
    },
    close: async () => {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
