import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack, type Header, type Pack } from 'tar-stream';

/** A raw tar entry, written verbatim (no top-level directory is prepended). */
export interface RawEntry {
  name: string;
  type?: Header['type'];
  content?: string | Buffer;
  linkname?: string;
}

export interface MakeArchiveOptions {
  /** Top-level directory prepended to every key of `files` (default `mychart`). */
  topDir?: string;
  /** Also write a directory entry for the top-level directory. */
  withDirEntry?: boolean;
  /** Entries appended verbatim after `files`: symlinks, hard links, hostile names... */
  extra?: RawEntry[];
}

/**
 * Packs `{ path: content }` into a chart .tgz held in memory, as `helm
 * package` would lay it out (`<topDir>/<path>`).
 */
export async function makeArchive(
  files: Record<string, string | Buffer>,
  options: MakeArchiveOptions = {},
): Promise<Buffer> {
  const top = options.topDir ?? 'mychart';
  const entries: RawEntry[] = [];
  if (options.withDirEntry) entries.push({ name: `${top}/`, type: 'directory' });
  for (const [path, content] of Object.entries(files)) entries.push({ name: `${top}/${path}`, content });
  entries.push(...(options.extra ?? []));
  return makeTgz(entries);
}

/** Packs raw entries into a .tgz held in memory. */
export async function makeTgz(entries: RawEntry[]): Promise<Buffer> {
  const tar = pack();
  const done = collect(tar);
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    if (type === 'file') {
      await addEntry(tar, { name: entry.name, type }, Buffer.from(entry.content ?? ''));
    } else {
      await addEntry(tar, { name: entry.name, type, linkname: entry.linkname ?? '' }, undefined);
    }
  }
  tar.finalize();
  return done;
}

/**
 * A gzip bomb: `fileCount` files of `fileBytes` zeros each, produced as a
 * stream so the test never holds the uncompressed bytes (~1000:1 ratio).
 */
export async function makeZeroBomb(fileCount: number, fileBytes: number, topDir = 'bomb'): Promise<Buffer> {
  const tar = pack();
  const done = collect(tar);
  await addEntry(tar, { name: `${topDir}/Chart.yaml`, type: 'file' }, Buffer.from('name: bomb\nversion: 1.0.0\n'));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < fileCount; i++) {
    await new Promise<void>((resolve, reject) => {
      const sink = tar.entry({ name: `${topDir}/zeros-${i}.bin`, size: fileBytes, type: 'file' }, (err) =>
        err ? reject(err) : resolve(),
      );
      void (async () => {
        for (let left = fileBytes; left > 0; left -= zeros.length) {
          const chunk = left >= zeros.length ? zeros : zeros.subarray(0, left);
          if (!sink.write(chunk)) await new Promise<void>((r) => sink.once('drain', () => r()));
        }
        sink.end(undefined);
      })();
    });
  }
  tar.finalize();
  return done;
}

/** gzip of `bytes` zeros with no tar structure at all. */
export async function gzipZeros(bytes: number): Promise<Buffer> {
  const zeros = Buffer.alloc(1024 * 1024);
  async function* source(): AsyncGenerator<Buffer> {
    for (let left = bytes; left > 0; left -= zeros.length) yield left >= zeros.length ? zeros : zeros.subarray(0, left);
  }
  return gzipToBuffer(Readable.from(source()));
}

function addEntry(tar: Pack, header: Partial<Header> & { name: string }, body: Buffer | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err?: Error | null) => (err ? reject(err) : resolve());
    if (body === undefined) tar.entry(header, cb);
    else tar.entry(header, body, cb);
  });
}

function collect(tar: Pack): Promise<Buffer> {
  return gzipToBuffer(tar);
}

async function gzipToBuffer(source: NodeJS.ReadableStream | Pack): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(source, createGzip(), async (gzipped: AsyncIterable<Buffer>) => {
    for await (const chunk of gzipped) chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}
