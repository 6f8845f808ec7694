import { parentPort } from 'node:worker_threads';
import { resultBuffers, runFromQueue } from './range-task';
import type { RangeTaskQueue } from './range-task';

// Entry point of a worker thread started by `aggregateFile`: the read's task queue, handed over as a message (the
// thread starts while the caller plans the ranges), and one message back with the results of the tasks this thread
// took. The duration arrays are transferred, not copied, so a range's figures cost no second copy on their way to
// the merge. A task that throws rejects here, which the worker reports as its 'error' event.
parentPort!.once('message', (queue: RangeTaskQueue) => {
  void runFromQueue(queue).then((results) => parentPort!.postMessage(results, results.flatMap(([, r]) => resultBuffers(r))));
});
