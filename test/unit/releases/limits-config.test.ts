import { ConfigError } from '../../../src/config-error.js';
import { loadLimitsConfig } from '../../../src/releases/limits-config.js';

describe('loadLimitsConfig', () => {
  test('has defaults: 50 releases per user, 200 per group, 2 changes in flight per user, Tiller 5/s burst 10', () => {
    expect(loadLimitsConfig({})).toEqual({
      quotas: { releasesPerUser: 50, releasesPerGroup: 200 },
      maxChangesInFlightPerUser: 2,
      engineConcurrency: 4,
      tillerStorage: { qps: 5, burst: 10 },
    });
  });

  test('0 turns a quota, the per-user limit and pacing off', () => {
    const config = loadLimitsConfig({
      APPSTORE_QUOTA_RELEASES_PER_USER: '0',
      APPSTORE_QUOTA_RELEASES_PER_GROUP: '0',
      APPSTORE_MAX_CHANGES_IN_FLIGHT_PER_USER: '0',
      APPSTORE_TILLER_STORAGE_QPS: '0',
    });
    expect(config).toMatchObject({ quotas: { releasesPerUser: 0, releasesPerGroup: 0 }, maxChangesInFlightPerUser: 0, tillerStorage: { qps: 0 } });
  });

  test('a bad value stops the store, naming the variable', () => {
    expect(() => loadLimitsConfig({ APPSTORE_QUOTA_RELEASES_PER_USER: '-1' })).toThrow(ConfigError);
    expect(() => loadLimitsConfig({ APPSTORE_ENGINE_CONCURRENCY: '0' })).toThrow(/APPSTORE_ENGINE_CONCURRENCY/);
  });
});
