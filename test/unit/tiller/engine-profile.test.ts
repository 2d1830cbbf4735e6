import { EngineDetector, profileOf } from '../../../src/tiller/engine-profile.js';

test('v2.x is Tiller; v3 and later a Helm engine; what is no version is refused as Unavailable', () => {
  expect(profileOf('v2.17.0')).toEqual({ kind: 'tiller', version: 'v2.17.0' });
  expect(profileOf('v4.3.2+appstore-engine').kind).toBe('helm');
  expect(profileOf('v3.19.0').kind).toBe('helm');
  expect(() => profileOf('')).toThrow(expect.objectContaining({ code: 'Unavailable' }));
});

test('the engine is asked once, concurrent callers share the question, a failure is asked again, listeners hear once', async () => {
  const answers: Array<() => Promise<string>> = [() => Promise.reject(new Error('down')), () => Promise.resolve('v2.17.0')];
  let asked = 0;
  const detector = new EngineDetector(() => answers[asked++]!());
  const heard: string[] = [];
  detector.onKnown((p) => heard.push(p.kind));
  await expect(detector.profile()).rejects.toThrow('down');
  expect(detector.current()).toBeUndefined();
  const [a, b] = await Promise.all([detector.profile(), detector.profile()]);
  expect([a.kind, b.kind, asked]).toEqual(['tiller', 'tiller', 2]);
  expect(await detector.profile()).toBe(a);
  detector.onKnown((p) => heard.push(`late ${p.kind}`));
  expect(heard).toEqual(['tiller', 'late tiller']);
});
