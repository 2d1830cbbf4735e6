import { gzipSync } from 'node:zlib';
import { Release } from '../../../gen/hapi/release/release.js';
import { Status_Code } from '../../../gen/hapi/release/status.js';
import { decodeStoredRelease, encodeStoredRelease } from '../../../src/kube/tiller-codec.js';

const release = Release.fromPartial({ name: 'wise-silver-ibis', version: 2, namespace: 'apps', info: { status: { code: Status_Code.FAILED }, Description: 'hook failed' } });

test('a release written as Tiller writes it (gzip, base64, base64 again by the API) reads back the same', () => {
  expect(decodeStoredRelease(encodeStoredRelease(release))).toEqual(release);
});

test('what Tiller wrote is read: its own base64 of gzip, inside the API base64', () => {
  const tillerText = gzipSync(Release.encode(release).finish()).toString('base64');
  expect(decodeStoredRelease(Buffer.from(tillerText).toString('base64'))).toEqual(release);
  expect(encodeStoredRelease(release)).toBe(Buffer.from(tillerText).toString('base64'));
});
