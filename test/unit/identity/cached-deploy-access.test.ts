import type { Principal } from '../../../src/domain/principal.js';
import { CachedDeployAccess } from '../../../src/identity/cached-deploy-access.js';
import type { DeployAccessReviewer } from '../../../src/identity/rbac-deploy-access.js';

const erin: Principal = { id: 'erin', groups: ['b', 'a'], kind: 'user', source: 'oidc' };

function reviewer(verdicts: Record<string, boolean | Error>) {
  const asked: string[] = [];
  const api: DeployAccessReviewer = {
    async mayDeploy(p, ns) {
      asked.push(`${p.id}@${ns}`);
      await new Promise((r) => setTimeout(r, 5));
      const v = verdicts[ns];
      if (v instanceof Error) throw v;
      return v ?? false;
    },
    namespaces: async () => Object.keys(verdicts),
  };
  return { asked, api };
}

test('an allowed answer is remembered; concurrent questions share one review', async () => {
  const { asked, api } = reviewer({ apps: true });
  const cached = new CachedDeployAccess(api, { successTtlMs: 60_000, failureTtlMs: 0, maxEntries: 10 });
  expect(await Promise.all([cached.mayDeploy(erin, 'apps'), cached.mayDeploy(erin, 'apps')])).toEqual([true, true]);
  expect(await cached.mayDeploy({ ...erin, groups: ['a', 'b'] }, 'apps')).toBe(true);
  expect(asked).toEqual(['erin@apps']);
});

test('a refusal is remembered only for the failure TTL, an outage not at all; other groups are asked anew', async () => {
  const { asked, api } = reviewer({ locked: false, down: new Error('API server unavailable') });
  const cached = new CachedDeployAccess(api, { successTtlMs: 60_000, failureTtlMs: 30, maxEntries: 10 });
  expect(await cached.mayDeploy(erin, 'locked')).toBe(false);
  expect(await cached.mayDeploy(erin, 'locked')).toBe(false);
  await new Promise((r) => setTimeout(r, 40));
  expect(await cached.mayDeploy(erin, 'locked')).toBe(false);
  await expect(cached.mayDeploy(erin, 'down')).rejects.toThrow(/unavailable/);
  await expect(cached.mayDeploy(erin, 'down')).rejects.toThrow(/unavailable/);
  await cached.mayDeploy({ ...erin, groups: ['c'] }, 'locked');
  expect(asked).toEqual(['erin@locked', 'erin@locked', 'erin@down', 'erin@down', 'erin@locked']);
});
