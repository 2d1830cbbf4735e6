/**
 * Reads releases where Tiller keeps them with --storage=secret: one Secret
 * per revision in Tiller's namespace, labelled NAME, OWNER=TILLER, VERSION,
 * holding base64(gzip(hapi.release.Release)). Status reads come from here
 * instead of Tiller's GetReleaseContent, which Tiller throttles (its API
 * client is limited to 5 requests a second) and which is unavailable while
 * Tiller is. Writes always go through Tiller.
 */
import { gunzipSync } from 'node:zlib';
import type { CoreV1Api } from '@kubernetes/client-node';
import { Release } from '../../gen/hapi/release/release.js';
import type { StoredReleaseReader } from '../releases/types.js';
import { fromKubeError } from './kube-errors.js';

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

export class TillerSecretStorage implements StoredReleaseReader {
  constructor(
    private readonly core: CoreV1Api,
    private readonly tillerNamespace: string,
  ) {}

  async latest(name: string): Promise<Release | undefined> {
    let items;
    try {
      items = (await this.core.listNamespacedSecret({ namespace: this.tillerNamespace, labelSelector: `NAME=${name},OWNER=TILLER` })).items;
    } catch (err) {
      throw fromKubeError('read Tiller release storage', err);
    }
    const newest = items
      .map((s) => ({ version: Number(s.metadata?.labels?.VERSION ?? NaN), data: s.data?.release }))
      .filter((s): s is { version: number; data: string } => Number.isInteger(s.version) && typeof s.data === 'string')
      .sort((a, b) => b.version - a.version)[0];
    return newest ? decodeStoredRelease(newest.data) : undefined;
  }
}

/** A Secret's `release` value (base64, as the API returns Secret data) → the Release Tiller stored. */
export function decodeStoredRelease(secretValue: string): Release {
  // The Secret holds Tiller's own base64 text, itself base64-encoded by the API.
  const stored = Buffer.from(Buffer.from(secretValue, 'base64').toString('ascii'), 'base64');
  const compressed = GZIP_MAGIC.every((b, i) => stored[i] === b);
  return Release.decode(compressed ? gunzipSync(stored) : stored);
}
