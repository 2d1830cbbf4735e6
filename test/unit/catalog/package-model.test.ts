import { findVersion } from '../../../src/catalog/package-model.js';
import { entry } from '../../fixtures/catalog/index-yaml.js';
import { records } from '../../fixtures/catalog/records.js';

function only(list: ReturnType<typeof records>) {
  expect(list).toHaveLength(1);
  return list[0]!;
}

describe('buildPackages', () => {
  it('identifies a package as <repo>/<name> and orders versions newest first by semver, not by text', () => {
    const pkg = only(
      records([entry('web', '1.9.0'), entry('web', '1.10.0'), entry('web', '1.10.0-rc.1'), entry('web', '0.9.0')]),
    ).package;
    expect(pkg.id).toBe('stable/web');
    expect(pkg.repo).toBe('stable');
    expect(pkg.versions.map((v) => v.version)).toEqual(['1.10.0', '1.10.0-rc.1', '1.9.0', '0.9.0']);
  });

  it('shows the newest stable version as the chart, never a newer prerelease', () => {
    const pkg = only(
      records([
        entry('web', '2.0.0-beta.1', { description: 'beta' }),
        entry('web', '1.1.0', { description: 'stable' }),
        entry('web', '1.0.0', { description: 'old' }),
      ]),
    ).package;
    expect(pkg.chart.version).toBe('1.1.0');
    expect(pkg.chart.description).toBe('stable');
  });

  it('shows the newest prerelease when there is no stable version', () => {
    const pkg = only(records([entry('web', '0.1.0-alpha.1'), entry('web', '0.1.0-alpha.2')])).package;
    expect(pkg.chart.version).toBe('0.1.0-alpha.2');
  });

  it('takes the deprecated flag from the chart shown', () => {
    const deprecatedStable = only(
      records([entry('a', '2.0.0-rc.1'), entry('a', '1.0.0', { deprecated: true })]),
    ).package;
    expect(deprecatedStable.chart.deprecated).toBe(true);
    const deprecatedPrerelease = only(
      records([entry('b', '2.0.0-rc.1', { deprecated: true }), entry('b', '1.0.0')]),
    ).package;
    expect(deprecatedPrerelease.chart.deprecated).toBe(false);
  });

  it('marks prereleases, and every version of a development repository', () => {
    const stable = only(records([entry('a', '1.0.0-rc.1'), entry('a', '1.0.0')])).package;
    expect(stable.versions.map((v) => [v.version, v.prerelease, v.development])).toEqual([
      ['1.0.0', false, false],
      ['1.0.0-rc.1', true, false],
    ]);
    const dev = only(records([entry('a', '1.0.0')], 'testing', true)).package;
    expect(dev.versions.map((v) => v.development)).toEqual([true]);
  });

  it('lists version fields as the index has them', () => {
    const digest = 'c'.repeat(64);
    const pkg = only(records([entry('a', '1.0.0', { appVersion: '3.2', created: '2024-05-06T07:08:09Z', digest })]));
    expect(pkg.package.versions[0]).toEqual({
      version: '1.0.0',
      appVersion: '3.2',
      created: '2024-05-06T07:08:09Z',
      digest,
      prerelease: false,
      development: false,
    });
  });
});

describe('findVersion', () => {
  const record = only(records([entry('a', '1.0.0'), entry('a', 'v2.0.0')]));

  it('finds the version by its string, or by semver equality', () => {
    expect(findVersion(record, '1.0.0')?.version.version).toBe('1.0.0');
    expect(findVersion(record, 'v1.0.0')?.version.version).toBe('1.0.0');
    expect(findVersion(record, '2.0.0')?.version.version).toBe('v2.0.0');
  });

  it('finds nothing for an unknown or invalid version', () => {
    expect(findVersion(record, '3.0.0')).toBeUndefined();
    expect(findVersion(record, 'latest')).toBeUndefined();
  });
});
