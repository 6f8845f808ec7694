import { parentPort, workerData } from 'node:worker_threads';
import { transferables } from './aggregator-state';
import { aggregateRange } from './range-reader';
import type { RangeTask } from './range-reader';

// Entry point of a worker thread started by `aggregateFile`: one byte range, one message back. The duration
// arrays are transferred, not copied, so a range's figures cost no second copy on their way to the merge.
const result = aggregateRange(workerData as RangeTask);
parentPort!.postMessage(result, transferables(result.state));
