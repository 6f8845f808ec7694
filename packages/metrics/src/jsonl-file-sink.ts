import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MetricsError } from './errors';
import type { ExecutionRecord } from './record';
import type { MetricsSink } from './sink';
import { toSnakeCaseRecord } from './validate';

/** Options of `JsonlFileSink`. */
export interface JsonlFileSinkOptions {
  /**
   * Flush each record to disk (fsync) before `write` returns (default true), so that a crash or a kill
   * loses at most the run in flight. Turn off only where throughput matters more than durability.
   */
  fsync?: boolean;
  /** Record shape on disk: autotune's own camelCase (default) or the original's snake_case. */
  shape?: 'autotune' | 'snake_case';
}

/**
 * Appends one JSON record per line to a file, creating it (and its folder) if needed. Each record is one
 * `write` of one whole line to a file opened for appending, then fsync'd: a completed run is on disk
 * when `write` returns. If the file ends in a partial line (a writer killed mid-write), a newline is
 * added first, so that the damage stays on that one line, which lenient reading skips.
 */
export class JsonlFileSink implements MetricsSink {
  private fd: number | undefined;
  private readonly sync: boolean;
  private readonly shape: 'autotune' | 'snake_case';

  constructor(
    readonly path: string,
    options: JsonlFileSinkOptions = {},
  ) {
    this.sync = options.fsync ?? true;
    this.shape = options.shape ?? 'autotune';
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(path, 'a+');
      this.terminateLastLine(this.fd);
    } catch (e) {
      throw new MetricsError('METRICS_IO', `cannot open metrics file for appending: ${(e as Error).message}`, { location: { file: path }, cause: e });
    }
  }

  private terminateLastLine(fd: number): void {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] !== 0x0a) writeSync(fd, '\n');
  }

  write(record: ExecutionRecord): void {
    if (this.fd === undefined) {
      throw new MetricsError('METRICS_USAGE', 'JsonlFileSink.write called after close()', { location: { file: this.path } });
    }
    const body = this.shape === 'snake_case' ? toSnakeCaseRecord(record) : record;
    try {
      const line = Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
      // One call normally writes it all; the loop covers the rare short write.
      for (let off = 0; off < line.length; ) off += writeSync(this.fd, line, off, line.length - off);
      if (this.sync) fsyncSync(this.fd);
    } catch (e) {
      throw new MetricsError('METRICS_IO', `cannot append to metrics file: ${(e as Error).message}`, { location: { file: this.path }, cause: e });
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}
