/**
 * A loopback HTTP endpoint of the test services process through which fault
 * tests stop and restart peers that run there: POST /tiller/stop,
 * POST /tiller/start, POST /tiller/kill (SIGKILL), POST /apiserver/stop, POST /apiserver/start.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cluster } from './cluster.js';

export interface FaultControl {
  readonly url: string;
  close(): Promise<void>;
}

export async function startFaultControl(cluster: Cluster): Promise<FaultControl> {
  const actions: Record<string, () => Promise<void>> = {
    'POST /tiller/stop': () => cluster.stopTiller(),
    'POST /tiller/start': () => cluster.restartTiller(),
    'POST /tiller/kill': () => cluster.killTiller(),
    'POST /apiserver/stop': () => cluster.stopApiServer(),
    'POST /apiserver/start': () => cluster.startApiServer(),
  };
  const server = createServer((req, res) => {
    const action = actions[`${req.method} ${req.url}`];
    if (!action) {
      res.writeHead(404).end();
      return;
    }
    action().then(
      () => res.writeHead(204).end(),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** From a test: asks the test services process to act on a peer. */
export async function fault(controlUrl: string, action: 'tiller/stop' | 'tiller/kill' | 'tiller/start' | 'apiserver/stop' | 'apiserver/start'): Promise<void> {
  const res = await fetch(`${controlUrl}/${action}`, { method: 'POST' });
  if (res.status !== 204) throw new Error(`fault control ${action} failed: ${res.status} ${await res.text()}`);
}
