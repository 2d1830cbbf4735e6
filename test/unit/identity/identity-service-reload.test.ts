import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createIdentityService, loadIdentityConfig } from '../../../src/identity/index.js';

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'identity-reload-'));
  const tokens = join(dir, 'tokens.csv');
  const namespaces = join(dir, 'namespaces.yaml');
  writeFileSync(tokens, 'alice-secret,alice,"team"\nbob-secret,bob,"team"\n');
  writeFileSync(namespaces, 'default: ["team"]\nplayground: ["team"]\n');
  return { tokens, namespaces };
}

function service(paths: { tokens: string; namespaces: string }, fileCheckIntervalMs = 0) {
  return createIdentityService(
    // A long cache, so that only the reload can end a cached principal.
    loadIdentityConfig({ APPSTORE_TOKENS_FILE: paths.tokens, APPSTORE_NAMESPACES_FILE: paths.namespaces, APPSTORE_AUTH_CACHE_TTL_SECONDS: '3600', APPSTORE_AUTH_FAILURE_TTL_SECONDS: '300' }),
    { logger: pino({ level: 'silent' }), fileCheckIntervalMs },
  );
}

const bearer = (token: string) => ({ bearer: token, headers: {}, client: '10.0.0.1' });

test('a token removed from the file stops working at the reload, although its principal was cached', async () => {
  const paths = files();
  const identity = service(paths);
  await expect(identity.authenticate(bearer('bob-secret'))).resolves.toMatchObject({ id: 'bob' });
  writeFileSync(paths.tokens, 'alice-secret,alice,"team"\n');
  await expect(identity.authenticate(bearer('bob-secret'))).resolves.toMatchObject({ id: 'bob' }); // not yet re-read
  expect(identity.reload()).toEqual({ APPSTORE_TOKENS_FILE: 'changed', APPSTORE_NAMESPACES_FILE: 'unchanged' });
  await expect(identity.authenticate(bearer('bob-secret'))).rejects.toMatchObject({ code: 'Unauthenticated' });
  await expect(identity.authenticate(bearer('alice-secret'))).resolves.toMatchObject({ id: 'alice' });
});

test('a token added to the file works at once, although its refusal was cached', async () => {
  const paths = files();
  const identity = service(paths);
  await expect(identity.authenticate(bearer('carol-secret'))).rejects.toMatchObject({ code: 'Unauthenticated' });
  writeFileSync(paths.tokens, 'alice-secret,alice,"team"\ncarol-secret,carol,"team"\n');
  identity.reload();
  await expect(identity.authenticate(bearer('carol-secret'))).resolves.toMatchObject({ id: 'carol', groups: ['team'] });
});

test('a namespace removed from the file is refused at the reload', async () => {
  const paths = files();
  const identity = service(paths);
  const alice = await identity.authenticate(bearer('alice-secret'));
  await expect(identity.access.assertMayDeploy(alice, 'playground')).resolves.toBeUndefined();
  writeFileSync(paths.namespaces, 'default: ["team"]\n');
  identity.reload();
  await expect(identity.access.assertMayDeploy(alice, 'playground')).rejects.toMatchObject({ code: 'PermissionDenied' });
  await expect(identity.access.namespacesFor(alice)).resolves.toEqual(['default']);
});

test('an invalid change keeps the last good files in use, and status() says so', async () => {
  const paths = files();
  const identity = service(paths);
  writeFileSync(paths.tokens, 'alice-secret\n');
  writeFileSync(paths.namespaces, 'Not_A_Namespace: ["team"]\n');
  expect(identity.reload()).toEqual({ APPSTORE_TOKENS_FILE: 'failed', APPSTORE_NAMESPACES_FILE: 'failed' });
  const alice = await identity.authenticate(bearer('alice-secret'));
  await expect(identity.authenticate(bearer('bob-secret'))).resolves.toMatchObject({ id: 'bob' });
  await expect(identity.access.assertMayDeploy(alice, 'playground')).resolves.toBeUndefined();
  expect(identity.status().files).toEqual([
    { variable: 'APPSTORE_TOKENS_FILE', reloads: 0, failures: 1, failing: true },
    { variable: 'APPSTORE_NAMESPACES_FILE', reloads: 0, failures: 1, failing: true },
  ]);
});

test('the files are checked by themselves every fileCheckIntervalMs, until close()', async () => {
  const paths = files();
  const identity = service(paths, 25);
  await identity.authenticate(bearer('bob-secret'));
  writeFileSync(paths.tokens, 'alice-secret,alice,"team"\n');
  const refused = async () => identity.authenticate(bearer('bob-secret')).then(() => false, () => true);
  for (let i = 0; i < 100 && !(await refused()); i++) await new Promise((r) => setTimeout(r, 10));
  await expect(refused()).resolves.toBe(true);
  identity.close();
  writeFileSync(paths.tokens, 'alice-secret,alice,"team"\nbob-secret,bob,"team"\n');
  await new Promise((r) => setTimeout(r, 100));
  await expect(refused()).resolves.toBe(true);
});
