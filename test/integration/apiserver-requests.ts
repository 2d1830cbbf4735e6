/**
 * Requests the API server has served for Secrets so far, from its own
 * counter (apiserver_request_total on the kube-apiserver's /metrics), every
 * client together: what a test or a benchmark reads before and after the
 * work it measures.
 */
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** The sum of apiserver_request_total for Secrets, of one verb (LIST, GET, WATCH, …) or of every verb. */
export async function apiserverSecretRequests(config: KubeConfig, verb?: string): Promise<number> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster in the kubeconfig');
  const url = new URL('/metrics', cluster.server);
  const opts: Parameters<typeof request>[1] = { method: 'GET' };
  await config.applyToHTTPSOptions(opts);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(url, opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`apiserver /metrics answered ${res.statusCode}: ${body.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end();
  });
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{') || !line.includes('resource="secrets"')) continue;
    if (verb !== undefined && !line.includes(`verb="${verb}"`)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
