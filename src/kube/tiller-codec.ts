/**
 * A release as Tiller stores it in a Secret (--storage=secret): the
 * protobuf hapi.release.Release, gzipped, in Tiller's own base64 text, which
 * the API carries base64-encoded again as the Secret's `release` value.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { Release } from '../../gen/hapi/release/release.js';

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

/** The Release → a Secret's `release` value as Tiller writes it (gzip, base64), base64 again for the API. */
export function encodeStoredRelease(release: Release): string {
  const tillerText = gzipSync(Release.encode(release).finish()).toString('base64');
  return Buffer.from(tillerText, 'ascii').toString('base64');
}

/** A Secret's `release` value (base64, as the API returns Secret data) → the Release's protobuf bytes. */
export function unpackStoredRelease(secretValue: string): Uint8Array {
  // The Secret holds Tiller's own base64 text, itself base64-encoded by the API.
  const stored = Buffer.from(Buffer.from(secretValue, 'base64').toString('ascii'), 'base64');
  const compressed = GZIP_MAGIC.every((b, i) => stored[i] === b);
  return compressed ? gunzipSync(stored) : stored;
}

/** A Secret's `release` value (base64, as the API returns Secret data) → the Release Tiller stored. */
export function decodeStoredRelease(secretValue: string): Release {
  return Release.decode(unpackStoredRelease(secretValue));
}
