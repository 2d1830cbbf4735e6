/**
 * Helpers of the deploy/ tests: kubectl (the peer built from Go modules, with kustomize built in) on the test
 * cluster, rendering an overlay, finding rendered objects, and a kubeconfig that carries a ServiceAccount's token.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { repoRoot } from '../harness/paths.js';
import type { TestEnv } from '../harness/test-env.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML */
export type Obj = Record<string, any>;

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Kubectl {
  (args: readonly string[], stdin?: string): Promise<Run>;
}

/** kubectl as the cluster's admin, run from the repository root. */
export function kubectlFor(env: TestEnv): Kubectl {
  const path = env.cluster.peers.kubectl;
  if (path === undefined) throw new Error('the test services did not report a kubectl peer (test/harness/peers.ts)');
  return (args, stdin) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        path,
        ['--kubeconfig', env.cluster.kubeconfig, ...args],
        { cwd: repoRoot, maxBuffer: 32 * 1024 * 1024, timeout: 60_000 },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
          if (err !== null && typeof err.code !== 'number') reject(err);
          else resolve({ code, stdout, stderr });
        },
      );
      child.stdin?.end(stdin ?? '');
    });
}

export async function render(kubectl: Kubectl, dir: string): Promise<string> {
  const run = await kubectl(['kustomize', dir]);
  if (run.code !== 0) throw new Error(`kubectl kustomize ${dir} failed (${run.code}):\n${run.stderr}`);
  return run.stdout;
}

export const parseAll = (text: string): Obj[] => yaml.loadAll(text).filter((d): d is Obj => typeof d === 'object' && d !== null);

export function find(objects: readonly Obj[], kind: string, name: string, namespace?: string): Obj {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name && (namespace === undefined || o.metadata?.namespace === namespace));
  if (found === undefined) throw new Error(`no ${kind} ${namespace ?? '*'}/${name} in the rendered overlay`);
  return found;
}

/** Writes a kubeconfig (in dir) that authenticates with a token of ServiceAccount namespace/name, as its pod would. */
export async function serviceAccountKubeconfig(kubectl: Kubectl, env: TestEnv, namespace: string, name: string, dir: string): Promise<string> {
  const token = await kubectl(['create', 'token', name, '-n', namespace, '--duration=1h']);
  if (token.code !== 0) throw new Error(`kubectl create token ${namespace}/${name} failed:\n${token.stderr}`);
  const path = join(dir, `kubeconfig-${namespace}-${name}`);
  writeFileSync(
    path,
    yaml.dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: env.cluster.apiServerUrl, 'certificate-authority': env.cluster.caFile } }],
      users: [{ name, user: { token: token.stdout.trim() } }],
      contexts: [{ name, context: { cluster: 'test', user: name, namespace } }],
      'current-context': name,
    }),
  );
  return path;
}
