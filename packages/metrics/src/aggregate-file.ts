import { closeSync, openSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MetricsAggregator } from './aggregator';
import { MetricsError } from './errors';
import { AGGREGATOR_MERGE_STATE, AGGREGATOR_TEAM_FILTER } from './internal/aggregator-state';
import { countNewlines, findElementStart } from './internal/array-range-reader';
import type { ArrayRangeResult } from './internal/array-range-reader';
import { toMetricsError } from './internal/range-reader';
import type { PlainError, RangeResult, RangeTask } from './internal/range-reader';
import { openText } from './internal/open-text';
import { OtlpEarlyBuildConflict, OtlpSkipConflict, isOtlpDocument } from './otlp';
import { WHOLE_FILE_PLAN, aggregateOtlpRange, aggregatingSink, mergeOtlpRanges, planOtlpRanges } from './internal/otlp-range';
import { NotStreamable, streamOtlpDocument } from './internal/otlp-document';
import { documentPartTasks, findDocumentCut, mergeDocumentParts } from './internal/otlp-document-parts';
import type { OtlpDocumentPartResult, OtlpDocumentPartTask } from './internal/otlp-document-parts';
import type { OtlpPlan, OtlpRangeResult } from './internal/otlp-range';
import { rangeTaskQueue, runFromQueue } from './internal/range-task';
import type { RangeTaskData, RangeTaskQueue, RangeTaskResult } from './internal/range-task';
import { RecordParser } from './internal/record-parser';
import { emptyReport } from './read-options';
import type { ReadOptions, ReadReport, SkippedInput } from './read-options';
import type { ExecutionRecord } from './record';

/** With `threads: 'auto'`, files below this size are read on one thread: starting workers would cost more. */
export const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

/** Options of `aggregateFile`. */
export interface AggregateFileOptions extends ReadOptions {
  /**
   * Count only this team's runs. Lines and array elements of other teams are skipped before they are
   * parsed (a byte search for the team id), so they are neither validated nor counted in the report.
   */
  teamId?: string | undefined;
  /**
   * Worker threads for JSON Lines files (of records or of OTLP documents) and JSON arrays of records: a
   * number (1 = this thread only), or `'auto'` (the default): one per core (`os.availableParallelism()`) for
   * files of at least `PARALLEL_MIN_BYTES`, else 1. One OTLP document uses two threads at most (a head and a
   * tail part); `.gz` files and reads with an `onSkip` callback use one thread. OTLP input whose traces cannot
   * be split exactly (see docs/metrics.md) is read again on one thread: `AggregateFileResult.threads` is then 1.
   * With n threads the calling thread reads shares itself (its event loop is busy meanwhile) beside n - 1 worker
   * threads.
   */
  threads?: number | 'auto';
}

/** What `aggregateFile` produced. */
export interface AggregateFileResult {
  /** Holds the file's runs (of `teamId` only, when given); add or merge more as usual. */
  aggregator: MetricsAggregator;
  report: ReadReport;
  /** Threads that read the file (1 when it was read on the calling thread). */
  threads: number;
}

/**
 * Read a metrics file in any supported format straight into a `MetricsAggregator`: the fast path for
 * summaries and analysis. It differs from `readRecords` + `add` in three ways, none visible in the summary:
 * records are not handed out (so none needs a derived execution id, the costliest step for the original's
 * snake_case files); `teamId` skips other teams before parsing; and large JSON Lines files and JSON arrays are
 * split into byte ranges at record boundaries, each aggregated on a thread of its own and merged exactly, so the summary
 * equals the single-thread one to the last bit (see `MetricsAggregator.merge`). For OTLP JSON Lines, the spans
 * of traces near a range boundary are assembled on the calling thread, with the watermark a single-thread read
 * would have, so late spans and grace windows come out the same.
 *
 * Errors and lenient skips are as for `readRecords`, with the same file, line and field; with several
 * threads the first error in file order is the one thrown.
 */
export async function aggregateFile(path: string, options: AggregateFileOptions = {}): Promise<AggregateFileResult> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw ioError(path, e);
  }
  const wanted = resolveThreads(options.threads, size);
  // Byte ranges of a compressed file mean nothing: a .gz file is read in one pass.
  const kind = path.endsWith('.gz') ? undefined : await sniff(path);
  if (kind === 'otlp-document') {
    let result: AggregateFileResult | undefined;
    // With a team wanted, other teams' spans are skipped unparsed, as long as that cannot change the team's runs.
    if (options.teamId !== undefined && options.onSkip === undefined) {
      try {
        result = await aggregateOtlpDocument(path, options, true);
      } catch (e) {
        if (!(e instanceof OtlpSkipConflict)) throw e;
      }
    }
    if (result === undefined && wanted > 1 && options.onSkip === undefined) result = await aggregateOtlpDocumentInParts(path, size, options);
    result ??= await aggregateOtlpDocument(path, options, false);
    if (result !== undefined) return result;
  }
  // OTLP JSON Lines with a team wanted: other teams' documents are skipped unread, as long as the assembler
  // can show that the team's runs come out as in a full read; where it cannot, the file is read in full.
  if (kind === 'otlp-lines' && options.teamId !== undefined && options.onSkip === undefined) {
    try {
      return await aggregateKind(path, size, kind, wanted, options, true);
    } catch (e) {
      if (!(e instanceof OtlpSkipConflict)) throw e;
    }
  }
  return aggregateKind(path, size, kind, wanted, options, false);
}

async function aggregateKind(
  path: string,
  size: number,
  kind: Awaited<ReturnType<typeof sniff>>,
  wanted: number,
  options: AggregateFileOptions,
  otlpSkip: boolean,
): Promise<AggregateFileResult> {
  if (kind === 'otlp-lines' && otlpSkip) {
    if (wanted > 1) {
      const result = await aggregateOtlpInWorkers(path, size, wanted, options, true);
      if (result !== undefined) return result;
    }
    const whole = aggregateOtlpRange({ ...taskOptions(path, options), start: 0, end: size, otlp: options.otlp, plan: WHOLE_FILE_PLAN, otlpSkip: true });
    const merged = whole.skipConflict ? undefined : mergeOtlpRanges(path, [whole], [WHOLE_FILE_PLAN], options);
    if (merged !== undefined) return { ...merged, threads: 1 };
    throw new OtlpSkipConflict('a check of the one-thread read failed');
  }
  if (wanted > 1 && options.onSkip === undefined) {
    const result =
      kind === 'lines'
        ? await aggregateInWorkers(path, size, wanted, options)
        : kind === 'otlp-lines'
          ? await aggregateOtlpInWorkers(path, size, wanted, options, otlpSkip)
          : kind === 'array'
            ? await aggregateArrayInWorkers(path, size, wanted, options)
            : undefined;
    if (result !== undefined) return result;
  }
  return aggregateHere(path, options);
}

function resolveThreads(threads: AggregateFileOptions['threads'], size: number): number {
  if (threads === undefined || threads === 'auto') return size >= PARALLEL_MIN_BYTES ? availableParallelism() : 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new MetricsError('METRICS_USAGE', `threads must be a whole number >= 1 or "auto", got ${JSON.stringify(threads)}`);
  }
  return threads;
}

function ioError(path: string, e: unknown): MetricsError {
  const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
  return new MetricsError('METRICS_IO', `cannot read metrics file: ${reason}`, { location: { file: path }, cause: e });
}

async function aggregateHere(path: string, options: AggregateFileOptions): Promise<AggregateFileResult> {
  const aggregator = new MetricsAggregator();
  aggregator[AGGREGATOR_TEAM_FILTER](options.teamId);
  const report = emptyReport(path);
  const parser = new RecordParser(report, options, { summaryOnly: true, teamId: options.teamId });
  const out: ExecutionRecord[] = [];
  const stream = openText(path, 1 << 16);
  try {
    const it = stream[Symbol.asyncIterator]();
    for (;;) {
      let step: IteratorResult<string | Buffer>;
      try {
        step = await it.next();
      } catch (e) {
        throw ioError(path, e);
      }
      if (step.done) break;
      // The stream is set to UTF-8, so its chunks are strings.
      parser.push(step.value as string, out);
      for (const r of out) aggregator.add(r);
      out.length = 0;
    }
    parser.end(out);
    for (const r of out) aggregator.add(r);
  } finally {
    stream.destroy();
  }
  aggregator[AGGREGATOR_TEAM_FILTER](undefined);
  return { aggregator, report, threads: 1 };
}

/** Bytes read to find the first line or a range boundary; a line longer than this keeps a file on one thread. */
const PROBE_BYTES = 1 << 20;

/**
 * 'lines' for JSON Lines of records, 'otlp-lines' for JSON Lines of OTLP documents (decided by the first
 * line alone), 'array' for a JSON array, undefined for anything else (read on one thread).
 */
async function sniff(path: string): Promise<'lines' | 'otlp-lines' | 'otlp-document' | 'array' | undefined> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(PROBE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, PROBE_BYTES, 0);
    let text = buf.toString('utf8', 0, bytesRead);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.trimStart().startsWith('[')) return 'array';
    // One OTLP document (on one line longer than the probe, or over many lines) is streamed.
    const otlpDocument = /^\s*\{\s*"resourceSpans"\s*:/.test(text) ? 'otlp-document' : undefined;
    // Blank lines before the first record change nothing for the detector; keep the simple case only.
    if (text.charCodeAt(0) !== 123 /* { */) return otlpDocument;
    const nl = text.indexOf('\n');
    if (nl < 0) return otlpDocument;
    let first: unknown;
    try {
      first = JSON.parse(text.slice(0, nl));
    } catch {
      return otlpDocument;
    }
    if (isOtlpDocument(first)) return 'otlp-lines';
    const o = first as Record<string, unknown>;
    return typeof o === 'object' && o !== null && ('teamId' in o || 'team_id' in o) ? 'lines' : undefined;
  } finally {
    await fh.close();
  }
}

/** Up to `n` byte ranges of about equal size, each starting just after a newline. */
async function splitAtLines(path: string, size: number, n: number): Promise<[number, number][]> {
  const fh = await open(path, 'r');
  try {
    const cuts = [0];
    let lastCut = 0;
    const buf = Buffer.allocUnsafe(PROBE_BYTES);
    for (let k = 1; k < n; k++) {
      let at = Math.max(Math.floor((size * k) / n), lastCut);
      let cut = -1;
      while (at < size && cut < 0) {
        const { bytesRead } = await fh.read(buf, 0, PROBE_BYTES, at);
        if (bytesRead === 0) break;
        const nl = buf.subarray(0, bytesRead).indexOf(10);
        if (nl >= 0) cut = at + nl + 1;
        else at += bytesRead;
      }
      if (cut < 0 || cut >= size) break;
      if (cut > lastCut) {
        cuts.push(cut);
        lastCut = cut;
      }
    }
    cuts.push(size);
    const ranges: [number, number][] = [];
    let from = 0;
    for (const to of cuts.slice(1)) {
      ranges.push([from, to]);
      from = to;
    }
    return ranges;
  } finally {
    await fh.close();
  }
}

/**
 * Young-generation size of a worker, below V8's default for a thread. A worker's garbage is short-lived
 * (a parsed line, a built run), so a smaller young generation costs no CPU measurably and keeps the process under
 * the 300 MB target with two workers: 1M OTLP spans, all teams, peak RSS 279-292 MB -> 249-257 MB, CPU 15.7-18.1 s
 * -> 12.1-15.6 s (same build, alternating, load 4 to 6); 1M snake_case lines 221 MB -> 202-204 MB.
 */
const WORKER_YOUNG_GENERATION_MB = 16;

/**
 * Young-generation size of an OTLP JSON Lines worker. OTLP garbage is not all short-lived: the assembler holds a
 * run's spans until its grace has passed, several documents later. 150 MB of the benchmark's OTLP lines on two
 * workers (alternating, load about 2): 16 MB 2.03-2.18 s wall, 3.7-4.1 s CPU; 24 MB 2.18-2.37 s; 32 MB 1.56-2.00 s,
 * 2.9-3.8 s; 64 MB no better. Much of what 16 MB cost was V8 pretenuring spans (see `PackedDivertedDoc` in
 * otlp.ts, now avoided); without it, the 1M-span file on two workers still spent 2.1-2.8 s of CPU on the
 * collector's helper threads with 16 MB against 1.0-1.3 s with 32 MB (64 MB no better), at 213-234 MB peak RSS
 * with 32 MB (load 5-6; tools/bench/README.md).
 */
const OTLP_WORKER_YOUNG_GENERATION_MB = 32;

/**
 * The worker's entry: the compiled `range-worker.js` beside this file. Started through `eval` so that a
 * process running the TypeScript sources under a require hook (the tests) starts the `.ts` file the same way.
 */
function newWorker(kind: RangeTaskData['kind']): Worker {
  const ext = __filename.endsWith('.ts') ? '.ts' : '.js';
  const entry = join(__dirname, 'internal', `range-worker${ext}`);
  // A part of one OTLP document holds a batch of spans (`OTLP_BATCH_SPANS`) at a time whatever the young
  // generation: a larger one bought no CPU there, only RSS (two parts of 200,000 spans: 332-343 MB at 32 MB
  // against 289-299 MB at 16).
  const youngMb = kind === 'otlp' ? OTLP_WORKER_YOUNG_GENERATION_MB : WORKER_YOUNG_GENERATION_MB;
  return new Worker(`require(${JSON.stringify(entry)});`, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: youngMb } });
}

/** A worker thread started before its task is known (see `inThreads`). */
interface BootingWorker {
  /** Hands the worker the read's task queue; resolves with the one message it sends back. */
  run<R>(queue: RangeTaskQueue): Promise<R>;
  /** Stops a worker that is given no task. */
  cancel(): void;
}

function bootWorker(kind: RangeTaskData['kind']): BootingWorker {
  const worker = newWorker(kind);
  let given: RangeTaskQueue | undefined;
  let answered = false;
  const answer = new Promise<unknown>((resolve, reject) => {
    // Settled by the message, not by the thread's exit: tearing down a worker's heap took 15-130 ms, which the
    // merge need not wait for.
    worker.once('message', (m: unknown) => {
      answered = true;
      resolve(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (answered) return;
      const task = given?.tasks[0]?.task;
      const what = task === undefined ? 'before its task' : `reading ${task.path}`;
      reject(new Error(`metrics worker thread ${what} exited with code ${code} and no result`));
    });
  });
  // A worker that fails before `run` is reported by `run`, not as an unhandled rejection.
  answer.catch(() => undefined);
  return {
    run<R>(queue: RangeTaskQueue): Promise<R> {
      given = queue;
      worker.postMessage(queue);
      return answer as Promise<R>;
    },
    cancel(): void {
      void worker.terminate();
    },
  };
}

/**
 * The tasks `plan` gives, run on this thread (which would otherwise only wait) and up to `n - 1` workers: this
 * thread runs the first task, then each thread takes the next task not yet taken until none is left (more tasks
 * than threads balance the threads when one core is slower for a while). The workers are started before `plan`
 * runs, so that they start up (a thread, an isolate, the module loaded: 40-100 ms) while this thread finds the
 * ranges and scans their boundaries. Undefined when `plan` gives no task (workers given none are stopped); else
 * the results, in the tasks' order, and the threads that ran them.
 */
async function inThreads<R extends RangeTaskResult>(
  kind: RangeTaskData['kind'],
  n: number,
  plan: () => Promise<RangeTaskData[] | undefined> | RangeTaskData[] | undefined,
): Promise<{ results: R[]; threads: number } | undefined> {
  const workers = Array.from({ length: n - 1 }, () => bootWorker(kind));
  let tasks: RangeTaskData[] | undefined;
  try {
    tasks = await plan();
  } catch (e) {
    for (const w of workers) w.cancel();
    throw e;
  }
  const given = tasks ?? [];
  const helpers = Math.max(0, Math.min(workers.length, given.length - 1));
  for (const w of workers.slice(helpers)) w.cancel();
  if (given.length === 0) return undefined;
  const queue = rangeTaskQueue(given);
  const running = workers.slice(0, helpers).map((w) => w.run<[number, R][]>(queue));
  let mine: [number, RangeTaskResult][];
  try {
    mine = await runFromQueue(queue, 0);
  } catch (e) {
    for (const w of workers) w.cancel();
    throw e;
  }
  const results: R[] = new Array<R>(given.length);
  // A task of kind `kind` gives an R; every index below given.length is taken by exactly one thread.
  for (const [k, r] of [...mine, ...(await Promise.all(running)).flat()]) results[k] = r as R;
  return { results, threads: helpers + 1 };
}

/** What every range task carries from the caller's options. */
function taskOptions(path: string, options: AggregateFileOptions): Omit<RangeTask, 'start' | 'end'> {
  return { path, lenient: options.lenient === true, maxReportedSkips: options.maxReportedSkips, teamId: options.teamId, formations: options.formations };
}

/**
 * Byte ranges per thread for JSON Lines of records. More ranges than threads let the threads even out (see
 * `inThreads`): a thread on a core slowed for a while, or reading records that cost more per byte (teams that grew
 * over the year), takes fewer of them. With one range each, one run waited 10.6 s for the slower thread against
 * 7.0 s for the other. Each range costs a merge of its figures: nothing measurable on a quiet machine (1M autotune
 * lines, median ratio of alternating pairs 0.993).
 */
const LINES_RANGES_PER_THREAD = 4;

/** JSON Lines of records over byte ranges; undefined when the file has no second range. */
async function aggregateInWorkers(path: string, size: number, n: number, options: AggregateFileOptions): Promise<AggregateFileResult | undefined> {
  const base = taskOptions(path, options);
  const read = await inThreads<RangeResult>('lines', n, async () => {
    const ranges = await splitAtLines(path, size, n * LINES_RANGES_PER_THREAD);
    return ranges.length > 1 ? ranges.map(([start, end]): RangeTaskData => ({ kind: 'lines', task: { ...base, start, end } })) : undefined;
  });
  return read === undefined ? undefined : mergeInFileOrder(path, 'jsonl', read.results, options, read.threads);
}

/**
 * The ranges' figures merged in file order: the result is that of one thread reading the ranges one after
 * the other. Lines (and array indexes) in errors are shifted from range-relative to file positions; the first
 * error in file order is thrown. A JSON array part that was not `verified` (its successor's start was a wrong
 * guess) read on to the end of the array, so the parts after it are dropped. A JSON array part may not have
 * counted its lines (`ArrayRangeResult.lines`): a later part's first line is then counted in the file, which
 * only an error or a skip needs.
 */
function mergeInFileOrder(
  path: string,
  format: 'jsonl' | 'json-array',
  results: readonly (Omit<RangeResult, 'lines'> & { lines: number | undefined; start?: number; elements?: number; verified?: boolean })[],
  options: AggregateFileOptions,
  threads: number,
): AggregateFileResult {
  const maxSkips = options.maxReportedSkips ?? 5;
  const aggregator = new MetricsAggregator();
  const report = emptyReport(path);
  report.format = format;
  let firstLine: number | undefined = 1;
  let firstIndex = 0;
  for (const r of results) {
    if (r.error !== undefined || (r.firstSkips.length > 0 && report.firstSkips.length < maxSkips)) {
      firstLine ??= 1 + countFileNewlines(path, r.start ?? 0);
    }
    const shift = (p: PlainError): MetricsError => {
      const index = p.location.index;
      return toMetricsError(index === undefined ? p : { ...p, location: { ...p.location, index: index + firstIndex } }, firstLine!); // set just above for any part with an error or a reported skip
    };
    if (r.error !== undefined) throw shift(r.error);
    aggregator[AGGREGATOR_MERGE_STATE](r.state);
    report.records += r.records;
    report.skipped += r.skipped;
    for (const s of r.firstSkips) {
      if (report.firstSkips.length >= maxSkips) break;
      const error = shift(s);
      report.firstSkips.push({ location: error.location, reason: error.message, error });
    }
    firstLine = firstLine === undefined || r.lines === undefined ? undefined : firstLine + r.lines;
    firstIndex += r.elements ?? 0;
    if (r.verified === false) break;
  }
  return { aggregator, report, threads };
}

/** Newlines in the first `end` bytes of a file. */
function countFileNewlines(path: string, end: number): number {
  const fd = openSync(path, 'r');
  try {
    return countNewlines(fd, 0, end, Buffer.allocUnsafe(1 << 20));
  } finally {
    closeSync(fd);
  }
}

/**
 * Where the parts of a JSON array start: byte 0, then a guessed element start (`findElementStart`) near each
 * equal share of the file. A guess is checked by the part before it (see `ArrayRangeTask`).
 */
function splitArray(path: string, size: number, n: number): number[] {
  const starts = [0];
  let last = 0;
  for (let k = 1; k < n; k++) {
    const at = findElementStart(path, Math.max(Math.floor((size * k) / n), last + 1));
    if (at > last) {
      starts.push(at);
      last = at;
    }
  }
  return starts;
}

/** A JSON array of records in parts; undefined when no second part start was found. */
async function aggregateArrayInWorkers(path: string, size: number, n: number, options: AggregateFileOptions): Promise<AggregateFileResult | undefined> {
  const base = taskOptions(path, options);
  const read = await inThreads<ArrayRangeResult>('array', n, () => {
    const starts = splitArray(path, size, n);
    return starts.length > 1 ? starts.map((start, k): RangeTaskData => ({ kind: 'array', task: { ...base, start, stopAt: starts[k + 1] ?? -1 } })) : undefined;
  });
  return read === undefined ? undefined : mergeInFileOrder(path, 'json-array', read.results, options, read.threads);
}

/**
 * OTLP JSON Lines over byte ranges: spans of traces near a range boundary are replayed on this thread, the
 * rest assembled in the workers, and the result checked against what one thread would do (see
 * internal/otlp-range.ts). Undefined when a check fails: the caller then reads the file on one thread.
 */
async function aggregateOtlpInWorkers(path: string, size: number, n: number, options: AggregateFileOptions, otlpSkip: boolean): Promise<AggregateFileResult | undefined> {
  const planned: { plans?: OtlpPlan[] } = {};
  const read = await inThreads<OtlpRangeResult>('otlp', n, async () => {
    const ranges = await splitAtLines(path, size, n);
    if (ranges.length <= 1) return undefined;
    const plans = (planned.plans = planOtlpRanges(path, ranges));
    return ranges.map(([start, end], k): RangeTaskData => ({ kind: 'otlp', task: { ...taskOptions(path, options), start, end, otlp: options.otlp, plan: plans[k]!, otlpSkip } }));
  });
  if (read === undefined || planned.plans === undefined) return undefined;
  const plans = planned.plans;
  if (read.results.some((r) => r.skipConflict)) throw new OtlpSkipConflict('a range could not skip other teams exactly');
  const merged = mergeOtlpRanges(path, read.results, plans, options);
  return merged === undefined ? undefined : { ...merged, threads: read.threads };
}

/**
 * One OTLP document on two threads, each streaming one part of it (internal/otlp-document-parts.ts), merged as
 * OTLP JSON Lines ranges are. Undefined when the document cannot be cut so, or a check of the parts fails: the
 * caller then streams it on this thread. Runs are built before their batch ends where that is exact; where a part
 * found it was not, both parts are read again without.
 */
async function aggregateOtlpDocumentInParts(path: string, size: number, options: AggregateFileOptions, earlyBuilds = true): Promise<AggregateFileResult | undefined> {
  // The head is streamed on this thread (see `inThreads`), the tail on a worker.
  const planned: { tasks?: [OtlpDocumentPartTask, OtlpDocumentPartTask] } = {};
  const parts = await inThreads<OtlpDocumentPartResult>('otlp-document', 2, () => {
    const cut = findDocumentCut(path, size);
    if (cut <= 0) return undefined;
    const tasks = (planned.tasks = documentPartTasks(path, size, cut, { ...taskOptions(path, options), otlp: options.otlp, earlyBuilds }));
    return tasks.map((task): RangeTaskData => ({ kind: 'otlp-document', task }));
  });
  if (parts === undefined || planned.tasks === undefined) return undefined;
  const [head, tail] = parts.results;
  // A run built early that a later span of its batch would have joined: read again, without early builds.
  if (head!.earlyConflict || tail!.earlyConflict) return aggregateOtlpDocumentInParts(path, size, options, false);
  const merged = mergeDocumentParts(path, planned.tasks, head!, tail!, options);
  return merged === undefined ? undefined : { ...merged, threads: parts.threads };
}

/**
 * One OTLP document, streamed (internal/otlp-document.ts): memory follows the runs in flight, not the
 * document. Undefined when the file is not one document of the streamed shape; the caller then reads it the
 * general way (which reports whatever is wrong with it), and what was gathered here is dropped. Runs are built
 * before their batch ends where that is exact (`OTLP_EARLY_BUILDS`); where it was not, the document is read again
 * without.
 */
async function aggregateOtlpDocument(
  path: string,
  options: AggregateFileOptions,
  skipOtherTeams: boolean,
  earlyBuilds = true,
): Promise<AggregateFileResult | undefined> {
  const aggregator = new MetricsAggregator();
  aggregator[AGGREGATOR_TEAM_FILTER](options.teamId);
  const report = emptyReport(path);
  // Passed to onSkip only once the document is known to stream, so that a fallback does not report twice.
  const skips: SkippedInput[] = [];
  const sink = aggregatingSink(
    aggregator,
    report,
    options,
    (e) => {
      throw e;
    },
    options.onSkip === undefined ? undefined : (skip) => skips.push(skip),
  );
  let streamed;
  try {
    streamed = await streamOtlpDocument(path, options, path, sink, skipOtherTeams, undefined, earlyBuilds);
  } catch (e) {
    if (e instanceof NotStreamable) return undefined;
    if (e instanceof OtlpEarlyBuildConflict) return aggregateOtlpDocument(path, options, skipOtherTeams, false);
    throw e;
  }
  report.format = streamed.format;
  const stats = streamed.assembler.stats();
  report.unattachedSpans = stats.unattachedSpans;
  report.lateSpans = stats.lateSpans;
  report.rootSpanRuns = stats.rootSpanRuns;
  for (const s of skips) options.onSkip!(s);
  aggregator[AGGREGATOR_TEAM_FILTER](undefined);
  return { aggregator, report, threads: 1 };
}
