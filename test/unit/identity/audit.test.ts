import { Writable } from 'node:stream';
import pino from 'pino';
import type { Principal } from '../../../src/domain/principal.js';
import { createAuditLog } from '../../../src/identity/audit.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, audit: createAuditLog(pino({ level: 'info' }, stream)) };
}

const alice: Principal = { id: 'alice', groups: ['g'], kind: 'user', source: 'static' };

test('a change is one info record: who, what, which release, where, outcome', () => {
  const { lines, audit } = capture();
  audit.record({ principal: alice, action: 'install', releaseId: 'r-123', namespace: 'default', outcome: 'succeeded' });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: 30,
    audit: true,
    who: { id: 'alice', source: 'static', kind: 'user' },
    action: 'install',
    release: 'r-123',
    namespace: 'default',
    outcome: 'succeeded',
    msg: 'install succeeded',
  });
  expect(lines[0]).not.toHaveProperty('reason');
});

test('a denied attempt is a warning with its reason, also when nobody could be authenticated', () => {
  const { lines, audit } = capture();
  audit.record({ principal: alice, action: 'delete', releaseId: 'r-9', outcome: 'denied', reason: 'not the owner' });
  audit.record({ action: 'authenticate', outcome: 'denied', reason: 'invalid credentials: expired' });
  expect(lines.map((l) => [l.level, l.outcome, l.reason])).toEqual([
    [40, 'denied', 'not the owner'],
    [40, 'denied', 'invalid credentials: expired'],
  ]);
  expect(lines[1]).toMatchObject({ who: null, release: null, namespace: null });
});
