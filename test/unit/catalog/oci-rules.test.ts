import { parseChallenge } from '../../../src/catalog/oci/oci-challenge.js';
import { retryAfterMs } from '../../../src/catalog/oci/oci-client.js';
import { HELM_CHART_LAYER, HELM_CONFIG, parseChartConfig, parseChartManifest } from '../../../src/catalog/oci/oci-manifest.js';
import { chartVersionOfTag, nextPageUrl, tagOfChartVersion } from '../../../src/catalog/oci/oci-tags.js';

describe('tags as chart versions (Helm\'s rule)', () => {
  it.each([
    ['1.0.0', '1.0.0'],
    ['1.2.3-rc.1', '1.2.3-rc.1'],
    ['1.0.0_build.7', '1.0.0+build.7'],
    ['2.0.0-beta.1_sha.abc', '2.0.0-beta.1+sha.abc'],
  ])('keeps the SemVer tag %s as version %s', (tag, version) => {
    expect(chartVersionOfTag(tag)?.version).toBe(version);
  });

  it.each(['latest', 'v1.0.0', '=1.0.0', '1.0', '01.0.0', '1.0.0.0', 'sha256-abc.sig', ''])('leaves out %j', (tag) => {
    expect(chartVersionOfTag(tag)).toBeUndefined();
  });

  it('writes build metadata with _ when tagging', () => {
    expect(tagOfChartVersion('1.0.0+build.7')).toBe('1.0.0_build.7');
  });
});

describe('Link paging', () => {
  const page = 'https://reg.example.org/v2/charts/hello/tags/list?n=2';

  it('follows rel="next", relative or absolute on the same origin', () => {
    expect(nextPageUrl('</v2/charts/hello/tags/list?n=2&last=b>; rel="next"', page)).toBe(
      'https://reg.example.org/v2/charts/hello/tags/list?n=2&last=b',
    );
    expect(nextPageUrl('<https://reg.example.org/v2/_catalog?last=x>; rel=next', page)).toBe('https://reg.example.org/v2/_catalog?last=x');
    expect(nextPageUrl('</a>; rel="prev", </b>; rel="next"', page)).toBe('https://reg.example.org/b');
  });

  it('ends without a next link', () => {
    expect(nextPageUrl(null, page)).toBeUndefined();
    expect(nextPageUrl('</a>; rel="prev"', page)).toBeUndefined();
  });

  it('refuses a next page on another origin (the credentials would follow it)', () => {
    expect(() => nextPageUrl('<https://evil.example.net/v2/_catalog>; rel="next"', page)).toThrow(/another origin/);
  });
});

describe('WWW-Authenticate challenges', () => {
  it('reads a Bearer challenge with realm, service and scope (a scope may hold commas)', () => {
    expect(parseChallenge('Bearer realm="https://auth.example.org/token",service="reg",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.example.org/token',
      service: 'reg',
      scope: 'repository:a/b:pull,push',
    });
  });

  it('reads Basic, and skips what cannot be answered', () => {
    expect(parseChallenge('Basic realm="Registry"')).toEqual({ scheme: 'basic' });
    expect(parseChallenge('Bearer service="reg"')).toBeUndefined();
    expect(parseChallenge('Negotiate, Bearer realm="https://a/t"')).toEqual({ scheme: 'bearer', realm: 'https://a/t' });
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and waits 1 s when it says nothing usable', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs(null, now)).toBe(1000);
    expect(retryAfterMs('soon', now)).toBe(1000);
  });
});

describe('a chart manifest', () => {
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  const manifest = (overrides: Record<string, unknown> = {}) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: HELM_CONFIG, digest: digest('a'), size: 100 },
        layers: [
          { mediaType: HELM_CHART_LAYER, digest: digest('b'), size: 2000 },
          { mediaType: 'application/vnd.cncf.helm.chart.provenance.v1.prov', digest: digest('c'), size: 10 },
        ],
        annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
        ...overrides,
      }),
    );

  it('gives the config and the chart layer, beside a provenance layer', () => {
    expect(parseChartManifest(manifest())).toEqual({
      configDigest: digest('a'),
      configSize: 100,
      layerDigest: digest('b'),
      layerSize: 2000,
      created: '2026-01-01T00:00:00Z',
    });
  });

  it.each([
    ['a container image', { config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest('a'), size: 1 } }, /not a Helm chart config/],
    ['an image index', { mediaType: 'application/vnd.oci.image.index.v1+json' }, /manifest is a application\/vnd.oci.image.index/],
    ['no chart layer', { layers: [] }, /exactly one chart layer/],
    ['a digest that is not sha256', { config: { mediaType: HELM_CONFIG, digest: 'md5:abc', size: 1 } }, /no valid config/],
  ])('is not a chart when it is %s', (_what, overrides, expected) => {
    expect(parseChartManifest(manifest(overrides))).toMatch(expected);
  });

  it('reads Chart.yaml from the config, which must name the chart and the tag\'s version', () => {
    const config = Buffer.from(JSON.stringify({ apiVersion: 'v2', name: 'nginx', version: '1.0.0', description: 'web', keywords: ['http'] }));
    expect(parseChartConfig(config, 'nginx', '1.0.0')).toMatchObject({ apiVersion: 'v2', name: 'nginx', description: 'web', keywords: ['http'] });
    expect(parseChartConfig(config, 'redis', '1.0.0')).toMatch(/names the chart "nginx"/);
    expect(parseChartConfig(config, 'nginx', '1.0.1')).toMatch(/gives the version "1.0.0"/);
  });
});
