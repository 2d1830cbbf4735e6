import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ConfigError } from '../../../src/config.js';
import { AppStoreError } from '../../../src/domain/errors.js';
import { createIdentityService, loadIdentityConfig } from '../../../src/identity/index.js';

const dir = mkdtempSync(join(tmpdir(), 'identity-service-'));
const tokensFile = join(dir, 'tokens.csv');
const namespacesFile = join(dir, 'namespaces.yaml');
writeFileSync(tokensFile, 'dev-alice-token,alice,"fc:org:example.org,fc:adhoc:appstore-devs"\ndev-bob-token,bob,"fc:org:example.org"\n');
writeFileSync(namespacesFile, 'default: ["fc:org:example.org"]\nplayground: ["alice"]\n');
const logger = pino({ level: 'silent' });

test("make run's development identity: static tokens and the namespaces file, built from the environment", async () => {
  const identity = createIdentityService(
    loadIdentityConfig({ APPSTORE_TOKENS_FILE: tokensFile, APPSTORE_NAMESPACES_FILE: namespacesFile }),
    { logger },
  );
  const alice = await identity.authenticate({ bearer: 'dev-alice-token', headers: {} });
  expect(alice).toEqual({ id: 'alice', groups: ['fc:org:example.org', 'fc:adhoc:appstore-devs'], kind: 'user', source: 'static' });
  const bob = await identity.authenticate({ bearer: 'dev-bob-token', headers: {} });
  await expect(identity.access.namespacesFor(alice)).resolves.toEqual(['default', 'playground']);
  await expect(identity.access.namespacesFor(bob)).resolves.toEqual(['default']);
  await expect(identity.access.assertMayDeploy(bob, 'playground')).rejects.toMatchObject({ code: 'PermissionDenied' });
  expect(() => identity.access.assertAdminGroupsAllowed(bob, ['fc:adhoc:appstore-devs'])).toThrow(AppStoreError);

  const err = await identity.authenticate({ bearer: 'dev-carol-token', headers: {} }).then(() => undefined, (e: unknown) => e);
  expect(err).toMatchObject({ code: 'Unauthenticated' });
  expect(JSON.stringify((err as AppStoreError).details)).not.toContain('dev-carol-token');
});

test('a bad file stops the start, naming its variable', () => {
  writeFileSync(join(dir, 'bad.csv'), 'only-a-token\n');
  expect(() => createIdentityService(loadIdentityConfig({ APPSTORE_TOKENS_FILE: join(dir, 'bad.csv') }), { logger })).toThrow(
    /^APPSTORE_TOKENS_FILE line 1/,
  );
  expect(() =>
    createIdentityService(loadIdentityConfig({ APPSTORE_NAMESPACES_FILE: join(dir, 'missing.yaml') }), { logger }),
  ).toThrow(/^APPSTORE_NAMESPACES_FILE: cannot read/);
});

test('service-account tokens and namespace RBAC need a Kubernetes configuration', () => {
  expect(() => createIdentityService(loadIdentityConfig({ APPSTORE_AUTHENTICATORS: 'serviceaccount' }), { logger })).toThrow(ConfigError);
  expect(() => createIdentityService(loadIdentityConfig({ APPSTORE_NAMESPACE_RBAC: 'true' }), { logger })).toThrow(
    /APPSTORE_NAMESPACE_RBAC needs a Kubernetes configuration/,
  );
});
