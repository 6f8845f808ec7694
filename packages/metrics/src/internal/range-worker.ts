import { parentPort } from 'node:worker_threads';
import { transferables } from './aggregator-state';
import { aggregateArrayRange } from './array-range-reader';
import type { ArrayRangeTask } from './array-range-reader';
import { aggregateOtlpDocumentPart } from './otlp-document-parts';
import type { OtlpDocumentPartTask } from './otlp-document-parts';
import { aggregateOtlpRange } from './otlp-range';
import type { OtlpRangeResult, OtlpRangeTask } from './otlp-range';
import { aggregateRange } from './range-reader';
import type { RangeTask } from './range-reader';

/** What `aggregateFile` starts a worker with. */
export type WorkerData =
  | { kind: 'lines'; task: RangeTask }
  | { kind: 'array'; task: ArrayRangeTask }
  | { kind: 'otlp'; task: OtlpRangeTask }
  | { kind: 'otlp-document'; task: OtlpDocumentPartTask };

// Entry point of a worker thread started by `aggregateFile`: one task, handed over as a message (the thread starts
// while the caller plans the ranges), and one message back. The duration arrays are transferred, not copied, so a
// range's figures cost no second copy on their way to the merge.
parentPort!.once('message', (data: WorkerData) => {
  if (data.kind === 'otlp-document') {
    // A streamed document reads asynchronously; an error rejects, which the worker reports as its 'error' event.
    void aggregateOtlpDocumentPart(data.task).then((result) => parentPort!.postMessage(result, otlpTransferables(result)));
  } else if (data.kind === 'otlp') {
    const result = aggregateOtlpRange(data.task);
    parentPort!.postMessage(result, otlpTransferables(result));
  } else {
    const result = data.kind === 'array' ? aggregateArrayRange(data.task) : aggregateRange(data.task);
    parentPort!.postMessage(result, transferables(result.state));
  }
});

/** An OTLP range's buffers: its state's, and its lists of traces. */
function otlpTransferables(result: OtlpRangeResult): ArrayBuffer[] {
  return [...transferables(result.state), result.localTraces.buffer as ArrayBuffer, result.skippedTraces.buffer as ArrayBuffer];
}
