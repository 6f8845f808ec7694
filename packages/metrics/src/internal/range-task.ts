import { transferables } from './aggregator-state';
import { aggregateArrayRange } from './array-range-reader';
import type { ArrayRangeResult, ArrayRangeTask } from './array-range-reader';
import { aggregateOtlpDocumentPart } from './otlp-document-parts';
import type { OtlpDocumentPartResult, OtlpDocumentPartTask } from './otlp-document-parts';
import { aggregateOtlpRange } from './otlp-range';
import type { OtlpRangeResult, OtlpRangeTask } from './otlp-range';
import { aggregateRange } from './range-reader';
import type { RangeResult, RangeTask } from './range-reader';

/** One share of a file that `aggregateFile` reads on several threads: run by a worker, or by the caller itself. */
export type RangeTaskData =
  | { kind: 'lines'; task: RangeTask }
  | { kind: 'array'; task: ArrayRangeTask }
  | { kind: 'otlp'; task: OtlpRangeTask }
  | { kind: 'otlp-document'; task: OtlpDocumentPartTask };

/** What a task of each kind produces. */
export type RangeTaskResult = RangeResult | ArrayRangeResult | OtlpRangeResult | OtlpDocumentPartResult;

/** Run one task on this thread. Only a streamed document part reads asynchronously; the others are done on return. */
async function runRangeTask(data: RangeTaskData): Promise<RangeTaskResult> {
  switch (data.kind) {
    case 'lines':
      return aggregateRange(data.task);
    case 'array':
      return aggregateArrayRange(data.task);
    case 'otlp':
      return aggregateOtlpRange(data.task);
    case 'otlp-document':
      return aggregateOtlpDocumentPart(data.task);
  }
}

/** A result's buffers, moved to the caller rather than copied: its state's, and an OTLP range's lists of traces. */
export function resultBuffers(result: RangeTaskResult): ArrayBuffer[] {
  const own = transferables(result.state);
  return 'localTraces' in result ? [...own, result.localTraces.buffer as ArrayBuffer, result.skippedTraces.buffer as ArrayBuffer] : own;
}

/**
 * The tasks of one read, shared by the threads that run them: each takes the next task not yet taken (`next`, a
 * counter in shared memory) until none is left, so a thread on a busier core runs fewer of them.
 */
export interface RangeTaskQueue {
  tasks: readonly RangeTaskData[];
  /** One Int32 on a SharedArrayBuffer: the index of the next task to take (posting it to a worker shares it). */
  next: Int32Array;
}

/**
 * A queue of `tasks` whose task 0 is kept for the thread that made it (`runFromQueue(queue, 0)`), so that it is that
 * thread's whatever the workers' timing; the other threads start at task 1.
 */
export function rangeTaskQueue(tasks: readonly RangeTaskData[]): RangeTaskQueue {
  const next = new Int32Array(new SharedArrayBuffer(4));
  next[0] = 1;
  return { tasks, next };
}

/** Run tasks from `queue` until none is left, `first` (already taken) first; each result with its task's index. */
export async function runFromQueue(queue: RangeTaskQueue, first?: number): Promise<[number, RangeTaskResult][]> {
  const done: [number, RangeTaskResult][] = [];
  for (let k = first ?? Atomics.add(queue.next, 0, 1); k < queue.tasks.length; k = Atomics.add(queue.next, 0, 1)) {
    done.push([k, await runRangeTask(queue.tasks[k]!)]); // k < queue.tasks.length
  }
  return done;
}
