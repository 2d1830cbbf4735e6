import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { AppStoreError, invalidArgument } from '../domain/errors.js';
import type { ChartFile } from './chart-files.js';
import { entrySegments } from './entry-path.js';
import { ArchiveBudget, resolveLimits, type ArchiveLimits } from './limits.js';
import { errorText } from '../domain/error-text.js';

/**
 * Reads a chart archive (a gzip-compressed tar whose entries all live under
 * one top-level directory, `<chartname>/...`) into files relative to the
 * chart root.
 *
 * The archive is decompressed as a stream and every byte is counted against
 * the budget as it arrives, so that a gzip bomb is stopped at the limit
 * instead of being inflated into memory first. Only regular files and
 * directories are accepted: links could make one path alias another, and
 * devices or fifos have no meaning in a chart.
 *
 * @param archive the .tgz bytes
 * @param budget the limits, or a budget shared with an enclosing archive
 * @param where prefix for error messages, naming a nested archive
 * @throws AppStoreError InvalidArgument for any hostile, corrupt or
 *   oversized archive, naming the offending entry
 */
export async function readChartArchive(
  archive: Buffer,
  budget: ArchiveBudget | Partial<ArchiveLimits> = {},
  where = '',
): Promise<ChartFile[]> {
  const shared = budget instanceof ArchiveBudget ? budget : new ArchiveBudget(resolveLimits(budget));
  const gunzip = createGunzip();
  const meter = new ByteMeter(shared.decompressedByteCap(), where);
  const tar = extract();
  // Settles to the pipeline's error (or undefined); never rejects, so a
  // failure while we are busy with an entry is not an unhandled rejection.
  const flowing = pipeline(Readable.from(archive), gunzip, meter, tar).then(
    () => undefined,
    (err: unknown) => err,
  );
  const collector = new EntryCollector(shared, where);
  try {
    for await (const entry of tar) {
      await collector.accept(entry.header, entry);
    }
    const err = await flowing;
    if (err !== undefined) throw err;
  } catch (err) {
    gunzip.destroy();
    tar.destroy();
    throw describeFailure(err, collector.current, where);
  }
  return collector.finish();
}

/** Passes decompressed bytes through, failing once more than `cap` went by. */
class ByteMeter extends Transform {
  private seen = 0;

  constructor(
    private readonly cap: number,
    private readonly where: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.cap) {
      callback(
        invalidArgument(
          `${this.where}chart archive expands beyond the uncompressed size limit (limit maxTotalBytes)`,
          { limit: 'maxTotalBytes', bytesRead: this.seen },
        ),
      );
      return;
    }
    callback(null, chunk);
  }
}

/** Validates tar entries one by one and buffers the files. */
class EntryCollector {
  /** Raw name of the entry being read, for error messages. */
  current: string | undefined;
  private topDir: string | undefined;
  private readonly seen = new Set<string>();
  private readonly files: ChartFile[] = [];

  constructor(
    private readonly budget: ArchiveBudget,
    private readonly where: string,
  ) {}

  async accept(header: Header, body: AsyncIterable<unknown> & { resume(): unknown }): Promise<void> {
    const name = header.name;
    this.current = name;
    const label = `${this.where}entry '${name}'`;
    if (header.type === 'symlink' || header.type === 'link') {
      const kind = header.type === 'symlink' ? 'a symbolic link' : 'a hard link';
      throw invalidArgument(`${label} is ${kind} (to '${header.linkname}'); links are not allowed in a chart`, {
        entry: name,
      });
    }
    if (header.type !== 'file' && header.type !== 'directory') {
      throw invalidArgument(`${label} has unsupported type '${header.type}'; only files and directories are allowed`, {
        entry: name,
      });
    }
    const segments = entrySegments(name, this.where);
    this.budget.countEntry(name, this.where);
    if (header.type === 'directory') {
      if (segments.length > 0) this.checkTopDir(segments, label);
      body.resume();
      return;
    }
    if (segments.length < 2) {
      throw invalidArgument(`${label} is not inside the chart's top-level directory`, { entry: name });
    }
    this.checkTopDir(segments, label);
    const path = segments.slice(1).join('/');
    if (this.seen.has(path)) throw invalidArgument(`${this.where}duplicate entry '${name}'`, { entry: name });
    this.seen.add(path);
    this.files.push({ path, data: await this.readBody(name, header.size, body) });
    this.current = undefined;
  }

  finish(): ChartFile[] {
    if (this.files.length === 0) throw invalidArgument(`${this.where}chart archive contains no files`);
    return this.files;
  }

  private checkTopDir(segments: string[], label: string): void {
    const top = segments[0];
    this.topDir ??= top;
    if (top !== this.topDir) {
      throw invalidArgument(
        `${label} is outside the top-level directory '${this.topDir}'; a chart archive must have exactly one`,
        { entry: this.current },
      );
    }
  }

  private async readBody(name: string, size: number, body: AsyncIterable<unknown>): Promise<Buffer> {
    // The declared size is what tar will deliver; refusing it up front means
    // an oversized entry costs nothing, and the buffer is allocated once.
    this.budget.checkDeclaredSize(name, size, this.where);
    const data = Buffer.allocUnsafe(size);
    let offset = 0;
    for await (const chunk of body) {
      if (!(chunk instanceof Uint8Array)) throw new Error('tar entry yielded a non-binary chunk');
      this.budget.countBytes(name, offset + chunk.length, chunk.length, this.where);
      if (offset + chunk.length > size) throw new Error('entry is longer than its header says');
      data.set(chunk, offset);
      offset += chunk.length;
    }
    if (offset !== size) throw new Error(`entry ended after ${offset} of ${size} bytes`);
    return data;
  }
}

function describeFailure(err: unknown, entry: string | undefined, where: string): AppStoreError {
  if (err instanceof AppStoreError) return err;
  const reason = errorText(err);
  const at = entry === undefined ? '' : ` (at entry '${entry}')`;
  return new AppStoreError(
    'InvalidArgument',
    `${where}chart archive is not a valid gzip-compressed tar, or is truncated${at}: ${reason}`,
    entry === undefined ? {} : { entry },
    { cause: err },
  );
}
