import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createIdentityService, loadIdentityConfig } from '../../../src/identity/index.js';
import { tokenFingerprint } from '../../../src/identity/token-hash.js';

function identityWithLog(perMinute: string) {
  const dir = mkdtempSync(join(tmpdir(), 'sign-ins-'));
  writeFileSync(join(dir, 'tokens.csv'), 'alice-secret,alice,"team"\n');
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const clock = { now: 1_000_000 };
  const identity = createIdentityService(
    loadIdentityConfig({ APPSTORE_TOKENS_FILE: join(dir, 'tokens.csv'), APPSTORE_AUTH_FAILURES_PER_MINUTE: perMinute }),
    { logger: pino({ level: 'info' }, stream), now: () => clock.now, fileCheckIntervalMs: 0 },
  );
  return { identity, lines, clock };
}

const from = (client: string, bearer?: string) => ({ ...(bearer !== undefined && { bearer }), headers: {}, client });

test('a failed sign-in is an audit record with the token fingerprint and the client, never the token', async () => {
  const { identity, lines } = identityWithLog('20');
  await expect(identity.authenticate(from('10.0.0.1', 'guess-number-1'))).rejects.toMatchObject({ code: 'Unauthenticated' });
  const audit = lines.filter((l) => l.audit === true);
  expect(audit).toEqual([
    expect.objectContaining({
      action: 'authenticate',
      outcome: 'denied',
      who: null,
      client: '10.0.0.1',
      tokenHash: tokenFingerprint('guess-number-1'),
      reason: 'the credentials were not recognised',
    }),
  ]);
  expect(tokenFingerprint('guess-number-1')).toMatch(/^[0-9a-f]{16}$/);
  expect(JSON.stringify(lines)).not.toContain('guess-number-1');
});

test('after perMinute failures the client is refused unheard, even with a good token, until the minute is over', async () => {
  const { identity, lines, clock } = identityWithLog('3');
  for (let i = 0; i < 3; i++) {
    await expect(identity.authenticate(from('10.0.0.1', `guess-${i}`))).rejects.toMatchObject({ code: 'Unauthenticated' });
  }
  const refused = await identity.authenticate(from('10.0.0.1', 'alice-secret')).catch((e: unknown) => e);
  expect(refused).toMatchObject({ code: 'ResourceExhausted', details: { retryAfterSeconds: 60 } });
  // Another address is not concerned.
  await expect(identity.authenticate(from('10.0.0.2', 'alice-secret'))).resolves.toMatchObject({ id: 'alice' });
  expect(lines.filter((l) => l.audit === true)).toHaveLength(3);
  expect(lines.filter((l) => l.msg === 'too many failed sign-ins: the client is refused for up to a minute')).toEqual([
    expect.objectContaining({ client: '10.0.0.1' }),
  ]);
  expect(identity.status().signIns).toEqual({ failed: 3, limited: 1 });
  clock.now += 60_000;
  await expect(identity.authenticate(from('10.0.0.1', 'alice-secret'))).resolves.toMatchObject({ id: 'alice' });
});

test('successes and requests without credentials are not counted', async () => {
  const { identity } = identityWithLog('2');
  for (let i = 0; i < 10; i++) await identity.authenticate(from('10.0.0.1', 'alice-secret'));
  for (let i = 0; i < 10; i++) {
    await expect(identity.authenticate(from('10.0.0.1'))).rejects.toMatchObject({ code: 'Unauthenticated' });
  }
  await expect(identity.authenticate(from('10.0.0.1', 'alice-secret'))).resolves.toMatchObject({ id: 'alice' });
  expect(identity.status().signIns).toEqual({ failed: 0, limited: 0 });
});
