import { parentPort, workerData } from 'node:worker_threads';
import type { ModelExecutor } from '../model/ModelExecutor';
import { OnnxExecutor } from '../model/OnnxExecutor';
import { serializeError, transferList, type WorkerInit, type WorkerReply, type WorkerRequest } from './protocol';

/**
 * Worker-thread entry: hosts an OnnxExecutor (onnxruntime only; never OpenCV, see preprocess/opencv.ts) and
 * answers requests one at a time, in order.
 */
function main(): void {
  const port = parentPort;
  if (port === null) throw new Error('executorWorker runs in a worker thread');
  const init = workerData as WorkerInit;
  const cancel = new Int32Array(init.cancelFlag);
  const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []) => {
    try {
      port.postMessage(reply, transfer);
    } catch {
      // Buffers onnxruntime owns natively cannot always be transferred: copy them instead.
      port.postMessage(reply);
    }
  };

  OnnxExecutor.load(init.spec, () => Atomics.load(cancel, 0) === 1).then(
    (executor) => {
      post({ type: 'ready', io: executor.io });
      let queue: Promise<void> = Promise.resolve();
      port.on('message', (msg: WorkerRequest) => {
        queue = queue.then(() => handle(executor, msg, post));
      });
    },
    (err: unknown) => post({ type: 'failed', error: serializeError(err) }),
  );
}

async function handle(
  executor: ModelExecutor,
  msg: WorkerRequest,
  post: (reply: WorkerReply, transfer?: ArrayBuffer[]) => void,
): Promise<void> {
  try {
    if (msg.type === 'runOnce') {
      const out = await executor.runOnce(msg.feeds, msg.outputs);
      post({ type: 'result', id: msg.id, value: out }, transferList(Object.values(out)));
    } else if (msg.type === 'generate') {
      const result = await executor.generate(msg.request);
      post(
        { type: 'result', id: msg.id, value: result },
        (result.logits ?? []).map((l) => l.buffer as ArrayBuffer),
      );
    } else {
      await executor.close();
      post({ type: 'result', id: msg.id, value: null });
      parentPort?.close();
    }
  } catch (err) {
    post({ type: 'error', id: msg.id, error: serializeError(err) });
  }
}

main();
