import { invalidArgument } from '../domain/errors.js';

/**
 * Resource limits applied while reading a chart. Chart archives come from
 * repositories and uploads we do not control, so every count and size is
 * capped before it can exhaust memory (gzip bombs, millions of tiny entries,
 * archives nested inside archives).
 */
export interface ArchiveLimits {
  /** Maximum number of entries (files and directories), across all nesting. */
  readonly maxFiles: number;
  /** Maximum uncompressed bytes of file content, across all nesting. */
  readonly maxTotalBytes: number;
  /** Maximum uncompressed bytes of any single file. */
  readonly maxFileBytes: number;
  /** Maximum depth of subcharts inside subcharts (charts/a/charts/b/...). */
  readonly maxDepth: number;
}

const MiB = 1024 * 1024;

/** The limits used when the caller passes none: generous for any real chart. */
export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxFiles: 5000,
  maxTotalBytes: 50 * MiB,
  maxFileBytes: 10 * MiB,
  maxDepth: 16,
});

/**
 * Tar spends bytes beyond file content: a 512-byte header per entry, padding
 * to 512 bytes, optional pax/long-name headers, and the end-of-archive
 * blocks padded to a 10 KiB record. This allowance bounds how many
 * decompressed bytes may pass through the tar parser per entry on top of the
 * content itself, so that a stream of zeros (which tar reads as empty
 * headers) cannot keep the decompressor busy forever.
 */
const TAR_OVERHEAD_PER_ENTRY = 4096;
const TAR_OVERHEAD_SLACK = 64 * 1024;

/** Fills in defaults and rejects nonsensical values (a programming error). */
export function resolveLimits(limits?: Partial<ArchiveLimits>): ArchiveLimits {
  const resolved: ArchiveLimits = { ...DEFAULT_ARCHIVE_LIMITS, ...stripUndefined(limits ?? {}) };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw invalidArgument(`archive limit ${key} must be a non-negative integer, got ${String(value)}`);
    }
  }
  return resolved;
}

function stripUndefined(limits: Partial<ArchiveLimits>): Partial<ArchiveLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}

/**
 * The running totals shared by an archive and every archive nested in it.
 * One budget is created per top-level load and passed down, so nesting a
 * bomb inside charts/x.tgz does not get a fresh allowance.
 */
export class ArchiveBudget {
  private entries = 0;
  private bytes = 0;

  constructor(readonly limits: ArchiveLimits) {}

  /** Bytes of content consumed so far (reported in errors). */
  get bytesUsed(): number {
    return this.bytes;
  }

  /**
   * Counts one more entry; throws once the entry count exceeds maxFiles.
   * `where` (here and below) prefixes messages, naming a nested archive.
   */
  countEntry(entry: string, where = ''): void {
    this.entries += 1;
    if (this.entries > this.limits.maxFiles) {
      throw invalidArgument(
        `${where}chart has more than ${this.limits.maxFiles} entries (limit maxFiles), at entry '${entry}'`,
        { entry, limit: 'maxFiles' },
      );
    }
  }

  /**
   * Checks a file's declared size before any of it is read, so that an
   * oversized entry is refused without decompressing it.
   */
  checkDeclaredSize(entry: string, size: number, where = ''): void {
    this.checkFileSize(entry, size, where);
    this.checkTotal(entry, this.bytes + size, where);
  }

  /** Counts content bytes as they stream in; throws as soon as a limit is crossed. */
  countBytes(entry: string, fileBytesSoFar: number, chunkBytes: number, where = ''): void {
    this.checkFileSize(entry, fileBytesSoFar, where);
    this.bytes += chunkBytes;
    this.checkTotal(entry, this.bytes, where);
  }

  /**
   * How many decompressed bytes an archive read now may produce in all:
   * the remaining content allowance plus tar's per-entry overhead.
   */
  decompressedByteCap(): number {
    const remainingEntries = Math.max(0, this.limits.maxFiles - this.entries);
    const remainingBytes = Math.max(0, this.limits.maxTotalBytes - this.bytes);
    return remainingBytes + (remainingEntries + 1) * TAR_OVERHEAD_PER_ENTRY + TAR_OVERHEAD_SLACK;
  }

  private checkFileSize(entry: string, size: number, where: string): void {
    if (size > this.limits.maxFileBytes) {
      throw invalidArgument(
        `${where}entry '${entry}' is larger than ${this.limits.maxFileBytes} bytes uncompressed (limit maxFileBytes)`,
        { entry, limit: 'maxFileBytes' },
      );
    }
  }

  private checkTotal(entry: string, total: number, where: string): void {
    if (total > this.limits.maxTotalBytes) {
      throw invalidArgument(
        `${where}chart is larger than ${this.limits.maxTotalBytes} bytes uncompressed (limit maxTotalBytes), at entry '${entry}'`,
        { entry, limit: 'maxTotalBytes', bytesRead: this.bytes },
      );
    }
  }
}
