/**
 * A synthetic chart repository for the benchmark: an index.yaml with N
 * charts × M versions shaped like a real one (descriptions, keywords,
 * maintainers, a few prereleases and deprecated charts), deterministic so
 * that two runs measure the same thing. No archives: listing and search
 * never open one.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';

const NOUNS = [
  'redis', 'postgres', 'mysql', 'mongodb', 'kafka', 'nginx', 'grafana', 'prometheus', 'jupyter', 'rstudio',
  'wordpress', 'drupal', 'gitlab', 'jenkins', 'minio', 'rabbitmq', 'elastic', 'kibana', 'spark', 'airflow',
  'superset', 'keycloak', 'vault', 'consul', 'etcd', 'memcached', 'mariadb', 'cassandra', 'zookeeper', 'nats',
];
const ADJECTIVES = ['fast', 'secure', 'tiny', 'scalable', 'managed', 'simple', 'clustered', 'lightweight'];

export interface SyntheticRepoOptions {
  readonly charts: number;
  readonly versions: number;
}

export interface SyntheticRepo {
  readonly dir: string;
  readonly indexBytes: number;
  readonly entries: number;
}

/** Writes `<dir>/index.yaml`. */
export async function writeSyntheticRepo(dir: string, options: SyntheticRepoOptions): Promise<SyntheticRepo> {
  const entries: Record<string, unknown[]> = {};
  for (let c = 0; c < options.charts; c += 1) {
    const noun = NOUNS[c % NOUNS.length] ?? 'chart';
    const name = `${noun}-${String(c).padStart(4, '0')}`;
    const keywords = [noun, NOUNS[(c * 7 + 3) % NOUNS.length] ?? 'x', c % 3 === 0 ? 'database' : 'web'];
    const description =
      `A ${ADJECTIVES[c % ADJECTIVES.length] ?? 'plain'} ${noun} for ` +
      `${NOUNS[(c * 11 + 5) % NOUNS.length] ?? 'x'} workloads, packaged for the App Store.`;
    const list: unknown[] = [];
    for (let v = options.versions - 1; v >= 0; v -= 1) {
      // 20 versions: 1.0.0 … 1.3.4, the newest of every fifth chart a release candidate.
      const base = `${1 + Math.floor(v / 20)}.${Math.floor((v % 20) / 5)}.${v % 5}`;
      const version = v === options.versions - 1 && c % 5 === 0 ? `${base}-rc.1` : base;
      list.push({
        apiVersion: 'v1',
        name,
        version,
        appVersion: `${2 + (v % 3)}.${v}.0`,
        description,
        keywords,
        home: `https://charts.example.org/${name}`,
        sources: [`https://git.example.org/charts/${name}`],
        maintainers: [{ name: 'Bench Maintainers', email: 'bench@example.org' }],
        icon: `https://charts.example.org/icons/${noun}.svg`,
        ...(c % 50 === 49 ? { deprecated: true } : {}),
        created: new Date(Date.UTC(2024, 0, 1) + v * 86_400_000).toISOString(),
        digest: createHash('sha256').update(`${name}-${version}`).digest('hex'),
        urls: [`${name}-${version}.tgz`],
      });
    }
    entries[name] = list;
  }
  const text = yaml.dump({ apiVersion: 'v1', entries, generated: '2024-01-01T00:00:00Z' }, { lineWidth: -1, noRefs: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'index.yaml'), text);
  return { dir, indexBytes: Buffer.byteLength(text), entries: options.charts * options.versions };
}
