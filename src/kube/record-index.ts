/**
 * The release records' Secrets held in memory, indexed by owner and by
 * adminGroup and counted by state, so that a caller's releases, a scrape's
 * counts and one record are answered without a request to the API server and
 * in time that grows with what is asked for, not with everything stored.
 *
 * What arrives here comes from two sides that may cross: the watch (events,
 * and a full list at each (re)start) and this process's own writes (the API
 * server's answer to a create or an update, a delete). Every object carries
 * its resourceVersion, and an older one never replaces a newer: a watch event
 * delayed behind this process's own write cannot undo it, and a record this
 * process deleted is not brought back by an event from before the delete.
 * The feeding (informer, restarts) is record-cache.ts and secret-watch.ts.
 */
import type { V1Secret } from '@kubernetes/client-node';
import type { ReleaseRecord, ReleaseSummary } from '../releases/types.js';
import { releaseIdOf, summaryOfMetadata, summaryOfRecord } from './release-summary.js';
import { older, parseVersion, versionOf } from './resource-versions.js';

interface Entry {
  readonly secret: V1Secret;
  readonly version: bigint | undefined;
  readonly summary: ReleaseSummary | undefined;
  /** Decoded on first read, then kept for as long as this version of the Secret is. */
  record?: ReleaseRecord | null;
}

/** Decodes a record Secret's data; undefined when it holds none or an unreadable one. */
export type RecordParser = (secret: V1Secret) => ReleaseRecord | undefined;

/** How a change seen in the index reaches its listeners: the new summary, or undefined when the record is gone. */
export type RecordListener = (id: string, summary: ReleaseSummary | undefined) => void;

export class RecordIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly byGroup = new Map<string, Set<string>>();
  private readonly states = new Map<string, number>();
  /** Records this process deleted, with the last version it knew: events up to that version are stale. */
  private readonly deleted = new Map<string, bigint | undefined>();
  private readonly listeners: RecordListener[] = [];

  constructor(private readonly parse: RecordParser) {}

  get size(): number {
    return this.entries.size;
  }

  onChange(listener: RecordListener): void {
    this.listeners.push(listener);
  }

  /** A Secret seen (watch, list, or the API's answer to a write); kept unless what is known is newer. */
  upsert(secret: V1Secret): void {
    const id = releaseIdOf(secret.metadata);
    if (!id) return;
    const version = versionOf(secret);
    const current = this.entries.get(id);
    if (current && older(version, current.version)) return;
    if (this.deleted.has(id)) {
      if (older(version, this.deleted.get(id))) return;
      this.deleted.delete(id);
    }
    const summary = summaryOfMetadata(secret.metadata) ?? this.summaryOfData(secret);
    this.unindex(id);
    this.entries.set(id, { secret, version, summary });
    if (summary) this.index(summary);
    this.emit(id, summary);
  }

  /**
   * A record gone: `seen` is the deleted object as the watch reported it (its version is the deletion's, newer than
   * any other) or, for this process's own delete, undefined (the last known version then bounds stale events).
   */
  remove(id: string, seen?: V1Secret): void {
    const current = this.entries.get(id);
    const version = versionOf(seen);
    if (seen && current && older(version, current.version)) return;
    if (!seen) this.deleted.set(id, current?.version);
    else this.deleted.delete(id);
    this.forget(id);
  }

  /**
   * A full list at `listVersion`: what it holds is upserted, and a record it lacks is dropped unless this process
   * wrote it after the list was taken.
   */
  replace(items: readonly V1Secret[], listVersion: string | undefined): void {
    const listed = new Set<string>();
    for (const secret of items) {
      const id = releaseIdOf(secret.metadata);
      if (id) listed.add(id);
      this.upsert(secret);
    }
    const at = parseVersion(listVersion);
    for (const [id, entry] of [...this.entries]) {
      if (!listed.has(id) && (at === undefined || entry.version === undefined || entry.version <= at)) this.forget(id);
    }
    for (const [id, version] of [...this.deleted]) {
      if (at === undefined || version === undefined || version <= at) this.deleted.delete(id);
    }
  }

  /** The record's Secret as last seen, for its resourceVersion. */
  secret(id: string): V1Secret | undefined {
    return this.entries.get(id)?.secret;
  }

  record(id: string): ReleaseRecord | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.record === undefined) entry.record = this.parse(entry.secret) ?? null;
    return entry.record ?? undefined;
  }

  summaries(): ReleaseSummary[] {
    return [...this.entries.values()].flatMap((e) => e.summary ?? []);
  }

  /** The summaries of the records owned by `owner` or shared with one of `groups`: the caller's visible ones. */
  summariesOf(owner: string, groups: readonly string[]): ReleaseSummary[] {
    const ids = new Set(owner === '' ? [] : this.byOwner.get(owner));
    for (const group of groups) for (const id of this.byGroup.get(group) ?? []) ids.add(id);
    return [...ids].flatMap((id) => this.entries.get(id)?.summary ?? []);
  }

  countByState(): Record<string, number> {
    return Object.fromEntries(this.states);
  }

  /** A record written before summaries existed: its summary is read from its data. */
  private summaryOfData(secret: V1Secret): ReleaseSummary | undefined {
    const record = this.parse(secret);
    return record && summaryOfRecord(record);
  }

  private index(summary: ReleaseSummary): void {
    add(this.byOwner, summary.owner, summary.id);
    for (const group of summary.adminGroups) add(this.byGroup, group, summary.id);
    this.states.set(summary.state, (this.states.get(summary.state) ?? 0) + 1);
  }

  private unindex(id: string): void {
    const summary = this.entries.get(id)?.summary;
    if (!summary) return;
    drop(this.byOwner, summary.owner, id);
    for (const group of summary.adminGroups) drop(this.byGroup, group, id);
    const n = (this.states.get(summary.state) ?? 1) - 1;
    if (n > 0) this.states.set(summary.state, n);
    else this.states.delete(summary.state);
  }

  private forget(id: string): void {
    if (!this.entries.has(id)) return;
    this.unindex(id);
    this.entries.delete(id);
    this.emit(id, undefined);
  }

  private emit(id: string, summary: ReleaseSummary | undefined): void {
    for (const listener of this.listeners) listener(id, summary);
  }
}

function add(index: Map<string, Set<string>>, key: string, id: string): void {
  let ids = index.get(key);
  if (!ids) index.set(key, (ids = new Set()));
  ids.add(id);
}

function drop(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(key);
}
