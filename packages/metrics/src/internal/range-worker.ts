import { parentPort } from 'node:worker_threads';
import { resultBuffers, runRangeTask } from './range-task';
import type { RangeTaskData } from './range-task';

// Entry point of a worker thread started by `aggregateFile`: one task, handed over as a message (the thread starts
// while the caller plans the ranges), and one message back. The duration arrays are transferred, not copied, so a
// range's figures cost no second copy on their way to the merge. A task that throws rejects here, which the
// worker reports as its 'error' event.
parentPort!.once('message', (data: RangeTaskData) => {
  void runRangeTask(data).then((result) => parentPort!.postMessage(result, resultBuffers(result)));
});
