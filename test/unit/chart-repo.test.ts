import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import yaml from 'js-yaml';
import { extract } from 'tar-stream';
import {
  buildChartRepo,
  packChart,
  SAMPLE_CHARTS_DIR,
  sha256Hex,
  type ChartRepo,
  type RepoIndex,
} from '../harness/chart-repo.js';
import { serveChartRepo, type ServedChartRepo } from '../harness/serve-chart-repo.js';

interface Entry {
  name: string;
  type: string;
  mode: number;
  mtime: Date;
  uid: number;
  gid: number;
  data: Buffer;
}

async function untar(tgz: Buffer): Promise<Entry[]> {
  const entries: Entry[] = [];
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const h = entry.header;
      entries.push({ name: h.name, type: h.type, mode: h.mode, mtime: h.mtime, uid: h.uid, gid: h.gid, data: Buffer.concat(chunks) });
    }
  })();
  ex.end(gunzipSync(tgz));
  await done;
  return entries;
}

function file(entries: Entry[], name: string): Buffer {
  const e = entries.find((x) => x.name === name && x.type === 'file');
  if (!e) throw new Error(`no ${name} in ${entries.map((x) => x.name).join(', ')}`);
  return e.data;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP request: the path is sent as is (no URL normalisation of `..`). */
function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

let tmp: string;
let repo: ChartRepo;
let index: RepoIndex;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'chart-repo-'));
  repo = await buildChartRepo(SAMPLE_CHARTS_DIR, join(tmp, 'repo'));
  index = yaml.load(await readFile(join(tmp, 'repo', 'index.yaml'), 'utf8')) as RepoIndex;
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('buildChartRepo: index.yaml', () => {
  it('lists hello (newest first), stack, oidc-app, notebook, wiki and the apiVersion v2 charts dashboard and widgets', () => {
    expect(index.apiVersion).toBe('v1');
    expect(Object.keys(index.entries).sort()).toEqual(['dashboard', 'hello', 'notebook', 'oidc-app', 'stack', 'widgets', 'wiki']);
    expect(index.entries.hello?.map((e) => e.version)).toEqual(['1.1.0', '1.0.0']);
    expect(index.entries.stack?.map((e) => e.version)).toEqual(['0.1.0']);
    expect(index.entries['oidc-app']?.map((e) => e.version)).toEqual(['0.1.0']);
    expect(typeof index.generated).toBe('string');
    expect(repo.index).toEqual(index);
  });

  it('carries the chart metadata, created, digest and relative urls', () => {
    const [newest, oldest] = index.entries.hello ?? [];
    expect(newest).toMatchObject({
      apiVersion: 'v1',
      name: 'hello',
      version: '1.1.0',
      keywords: ['demo', 'web', 'hello'],
      home: expect.stringMatching(/^https:\/\//),
      sources: [expect.stringMatching(/^https:\/\//)],
      maintainers: [expect.objectContaining({ name: expect.any(String) })],
      icon: expect.stringMatching(/^https:\/\//),
      description: expect.any(String),
      urls: ['hello-1.1.0.tgz'],
    });
    expect(newest?.appVersion).not.toEqual(oldest?.appVersion);
    for (const entry of Object.values(index.entries).flat()) {
      expect(entry.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
      expect(entry.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(entry.urls).toEqual([`${entry.name}-${entry.version}.tgz`]);
    }
  });

  it('has digests equal to the sha256 of the archives', async () => {
    for (const entry of Object.values(index.entries).flat()) {
      const data = await readFile(join(repo.dir, entry.urls[0] ?? ''));
      expect(entry.digest).toBe(sha256Hex(data));
    }
    expect(repo.charts.map((c) => c.file)).toEqual([
      'dashboard-2.0.0.tgz',
      'hello-1.1.0.tgz',
      'hello-1.0.0.tgz',
      'notebook-0.1.0.tgz',
      'oidc-app-0.1.0.tgz',
      'stack-0.1.0.tgz',
      'widgets-0.1.0.tgz',
      'wiki-0.3.0.tgz',
    ]);
  });

  it('writes absolute urls with baseUrl', async () => {
    const built = await buildChartRepo(SAMPLE_CHARTS_DIR, join(tmp, 'abs'), { baseUrl: 'http://127.0.0.1:9/charts/' });
    expect(built.index.entries.stack?.[0]?.urls).toEqual(['http://127.0.0.1:9/charts/stack-0.1.0.tgz']);
    const onDisk = yaml.load(await readFile(built.indexPath, 'utf8')) as RepoIndex;
    expect(onDisk.entries.hello?.[1]?.urls).toEqual(['http://127.0.0.1:9/charts/hello-1.0.0.tgz']);
  });

  it('is deterministic: two builds give identical archives and index', async () => {
    const again = await buildChartRepo(SAMPLE_CHARTS_DIR, join(tmp, 'again'));
    expect(again.charts.map((c) => [c.file, c.digest])).toEqual(repo.charts.map((c) => [c.file, c.digest]));
    expect(await readFile(again.indexPath)).toEqual(await readFile(repo.indexPath));
  });
});

describe('buildChartRepo: archives', () => {
  it('packs hello under hello/, sorted, with fixed owner, modes and mtime', async () => {
    for (const version of ['1.0.0', '1.1.0']) {
      const entries = await untar(await readFile(join(repo.dir, `hello-${version}.tgz`)));
      const names = entries.map((e) => e.name);
      expect(names).toEqual(expect.arrayContaining([
        'hello/Chart.yaml',
        'hello/values.yaml',
        'hello/values.schema.json',
        'hello/.helmignore',
        'hello/README.md',
        'hello/templates/deployment.yaml',
        'hello/templates/service.yaml',
        'hello/templates/configmap.yaml',
        'hello/templates/NOTES.txt',
        'hello/templates/_helpers.tpl',
      ]));
      expect(names.every((n) => n === 'hello/' || n.startsWith('hello/'))).toBe(true);
      expect([...names].sort()).toEqual(names);
      for (const e of entries) {
        expect(e.mode).toBe(e.type === 'directory' ? 0o755 : 0o644);
        expect(e.uid).toBe(0);
        expect(e.gid).toBe(0);
        expect(e.mtime.getTime()).toBe(entries[0]?.mtime.getTime());
      }
      const chart = yaml.load(file(entries, 'hello/Chart.yaml').toString()) as Record<string, unknown>;
      expect(chart).toMatchObject({ apiVersion: 'v1', name: 'hello', version });
      const values = yaml.load(file(entries, 'hello/values.yaml').toString()) as Record<string, unknown>;
      expect(values).toMatchObject({
        replicaCount: 1,
        message: 'Hello from appstore',
        image: { repository: 'nginx', tag: '1.25' },
        exports: { data: { helloVersion: version } },
      });
      const schema = JSON.parse(file(entries, 'hello/values.schema.json').toString()) as {
        properties: Record<string, Record<string, unknown>>;
      };
      expect(schema.properties.replicaCount).toMatchObject({ type: 'integer', minimum: 0, maximum: 10 });
      expect(schema.properties.message).toMatchObject({ type: 'string', maxLength: 200 });
      expect(schema.properties.host).toMatchObject({ type: 'string' });
    }
  });

  it('shows the 1.1.0 changes', async () => {
    const v1 = await untar(await readFile(join(repo.dir, 'hello-1.0.0.tgz')));
    const v2 = await untar(await readFile(join(repo.dir, 'hello-1.1.0.tgz')));
    expect(file(v1, 'hello/templates/configmap.yaml').toString()).not.toContain('version:');
    expect(file(v2, 'hello/templates/configmap.yaml').toString()).toContain('version: "1.1.0"');
    expect(file(v2, 'hello/templates/deployment.yaml').toString()).toContain('app.kubernetes.io/component: web');
  });

  it('leaves out the files .helmignore names', async () => {
    // The sources do have them, or this test would prove nothing.
    expect(existsSync(join(SAMPLE_CHARTS_DIR, 'hello-1.0.0', 'values.yaml.bak'))).toBe(true);
    expect(existsSync(join(SAMPLE_CHARTS_DIR, 'hello-1.1.0', 'notes.tmp'))).toBe(true);
    for (const version of ['1.0.0', '1.1.0']) {
      const names = (await untar(await readFile(join(repo.dir, `hello-${version}.tgz`)))).map((e) => e.name);
      expect(names.filter((n) => /\.(bak|tmp)$/.test(n))).toEqual([]);
    }
  });

  it('vendors hello 1.0.0 into stack, with requirements and a lock', async () => {
    const entries = await untar(await readFile(join(repo.dir, 'stack-0.1.0.tgz')));
    const nested = file(entries, 'stack/charts/hello-1.0.0.tgz');
    expect(nested).toEqual(await readFile(join(repo.dir, 'hello-1.0.0.tgz')));
    expect((await untar(nested)).map((e) => e.name)).toContain('hello/templates/deployment.yaml');

    const requirements = yaml.load(file(entries, 'stack/requirements.yaml').toString()) as {
      dependencies: Array<Record<string, unknown>>;
    };
    expect(requirements.dependencies).toEqual([
      expect.objectContaining({
        name: 'hello',
        version: '1.0.0',
        condition: 'hello.enabled',
        tags: ['frontend'],
        'import-values': [{ child: 'exports.data', parent: 'imported' }],
      }),
    ]);
    const lock = yaml.load(file(entries, 'stack/requirements.lock').toString()) as Record<string, unknown>;
    expect(lock).toMatchObject({
      dependencies: [{ name: 'hello', version: '1.0.0', repository: expect.any(String) }],
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    const values = yaml.load(file(entries, 'stack/values.yaml').toString()) as Record<string, unknown>;
    expect(values).toMatchObject({ hello: { enabled: true }, tags: { frontend: true } });
    expect(file(entries, 'stack/templates/configmap.yaml').toString()).toContain('imported');
    expect(repo.charts.find((c) => c.name === 'stack')?.vendored).toEqual(['hello-1.0.0.tgz']);
  });

  it('packs oidc-app with its resources.yaml', async () => {
    const entries = await untar(await readFile(join(repo.dir, 'oidc-app-0.1.0.tgz')));
    const resources = yaml.load(file(entries, 'oidc-app/resources.yaml').toString());
    expect(resources).toEqual({
      dataporten: { scopes_requested: ['openid', 'profile', 'email', 'groups'], redirect_uri: ['/oauth2/callback'] },
    });
    const values = yaml.load(file(entries, 'oidc-app/values.yaml').toString()) as Record<string, unknown>;
    expect(values.host).toBe('oidc-app.local');
    expect(file(entries, 'oidc-app/templates/configmap.yaml').toString()).toContain('oidc-app.clientId');
  });
});

describe('packChart: .helmignore, by the store\'s Helm 2 rules', () => {
  it('skips ignored folders, ignored files and dotfiles in templates/', async () => {
    const dir = join(tmp, 'ignoring');
    for (const sub of ['templates', 'docs/sub', '.git']) await mkdir(join(dir, sub), { recursive: true });
    const files: Record<string, string> = {
      'Chart.yaml': 'apiVersion: v1\nname: ignoring\nversion: 0.1.0\n',
      '.helmignore': '# comment\n*.bak\n.git/\n/top.txt\ndocs/*.md\n',
      'values.yaml.bak': '',
      'top.txt': '',
      'docs/a.md': '',
      'docs/sub/a.md': '',
      'docs/sub/top.txt': '',
      '.git/HEAD': '',
      'templates/.hidden.yaml': '',
      'templates/cm.yaml': '',
    };
    for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
    const names = (await untar(await packChart(dir))).map((e) => e.name);
    expect(names).toEqual([
      'ignoring/',
      'ignoring/.helmignore',
      'ignoring/Chart.yaml',
      'ignoring/docs/',
      'ignoring/docs/sub/',
      'ignoring/docs/sub/a.md',
      'ignoring/docs/sub/top.txt',
      'ignoring/templates/',
      'ignoring/templates/cm.yaml',
    ]);
  });
});

describe('serveChartRepo', () => {
  let served: ServedChartRepo;

  beforeAll(async () => {
    await writeFile(join(tmp, 'secret.txt'), 'outside the repository\n');
    served = await serveChartRepo(repo.dir);
  });

  afterAll(async () => {
    await served.close();
  });

  it('listens on loopback', () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves index.yaml with an ETag and answers If-None-Match with 304', async () => {
    const first = await get(served.url, '/index.yaml');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/yaml/);
    expect(first.headers['last-modified']).toBeDefined();
    const etag = first.headers.etag;
    expect(typeof etag).toBe('string');
    expect(first.body).toEqual(await readFile(repo.indexPath));

    const again = await get(served.url, '/index.yaml', { 'if-none-match': String(etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);

    const other = await get(served.url, '/index.yaml', { 'if-none-match': '"something-else"' });
    expect(other.status).toBe(200);

    const since = await get(served.url, '/index.yaml', { 'if-modified-since': String(first.headers['last-modified']) });
    expect(since.status).toBe(304);
  });

  it('serves the archives', async () => {
    const reply = await get(served.url, '/stack-0.1.0.tgz');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/gzip');
    expect(sha256Hex(reply.body)).toBe(index.entries.stack?.[0]?.digest);
    const head = await get(served.url, '/stack-0.1.0.tgz', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(reply.body.length));
    expect(head.body.length).toBe(0);
  });

  it('answers 404 for unknown files and directories, 405 for other methods', async () => {
    expect((await get(served.url, '/nope-1.0.0.tgz')).status).toBe(404);
    expect((await get(served.url, '/')).status).toBe(404);
    expect((await get(served.url, '/index.yaml', {}, 'POST')).status).toBe(405);
    expect((await get(served.url, '/index.yaml', {}, 'DELETE')).status).toBe(405);
  });

  it('does not serve files outside its folder', async () => {
    for (const path of [
      '/../package.json',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/../../../../../../etc/passwd',
      '/%00index.yaml',
      '/%zz',
      `/${encodeURIComponent(join(tmp, 'secret.txt'))}`,
    ]) {
      const reply = await get(served.url, path);
      expect([400, 404]).toContain(reply.status);
      expect(reply.body.toString()).not.toContain('outside the repository');
    }
  });

  it('records the requests', () => {
    expect(served.requests).toEqual(
      expect.arrayContaining([{ method: 'GET', url: '/index.yaml', status: 304 }]),
    );
  });
});
