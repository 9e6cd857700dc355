import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { VlaError } from '../../errors';
import type { ExecutorIo, ExecutorSpec, GenerateRequest, GenerateResult, ModelExecutor } from '../model/ModelExecutor';
import type { Feeds, TensorData } from '../model/tensors';
import { deserializeError, type SerializedError, transferList, type WorkerInit, type WorkerReply, type WorkerRequest } from './protocol';

/**
 * Starts the worker entry next to this file: compiled JavaScript from dist, or TypeScript source (under jest or
 * tsx), which the worker loads through tsx's CommonJS hook.
 */
function spawnWorker(init: WorkerInit): Worker {
  const ext = extname(__filename);
  const entry = join(__dirname, `executorWorker${ext}`);
  if (ext === '.ts') {
    const hook = require.resolve('tsx/cjs');
    return new Worker(`require(${JSON.stringify(hook)}); require(${JSON.stringify(entry)});`, { eval: true, workerData: init });
  }
  return new Worker(entry, { workerData: init });
}

/** How long close() waits for the worker to finish a running session.run before terminating it. */
const CLOSE_WAIT_MS = 2000;

type Pending = { resolve(value: unknown): void; reject(err: Error): void };

/**
 * A ModelExecutor whose onnxruntime sessions live in a worker thread: the control loop's thread never blocks on
 * session.run. Inputs go over as copies, results come back transferred; the KV cache never leaves the worker.
 */
export class WorkerExecutor implements ModelExecutor {
  readonly io: ExecutorIo;
  private readonly worker: Worker;
  private readonly cancelFlag: Int32Array;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: VlaError | undefined;

  private constructor(worker: Worker, io: ExecutorIo, cancelFlag: Int32Array) {
    this.worker = worker;
    this.io = io;
    this.cancelFlag = cancelFlag;
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    worker.on('error', (err) => this.fail(`the policy worker failed: ${err.message}`));
    worker.on('exit', (code) => this.fail(`the policy worker exited (code ${code})`));
    worker.unref();
  }

  static start(spec: ExecutorSpec): Promise<WorkerExecutor> {
    const flag = new SharedArrayBuffer(4);
    const worker = spawnWorker({ spec, cancelFlag: flag });
    return new Promise((resolve, reject) => {
      const onMessage = (reply: WorkerReply) => {
        cleanup();
        if (reply.type === 'ready') resolve(new WorkerExecutor(worker, reply.io, new Int32Array(flag)));
        else {
          void worker.terminate();
          reject(
            reply.type === 'failed'
              ? deserializeError(reply.error)
              : new VlaError('INFERENCE_FAILED', 'the policy worker answered before it was ready'),
          );
        }
      };
      const onError = (err: Error) => {
        cleanup();
        reject(new VlaError('INFERENCE_FAILED', `the policy worker could not start: ${err.message}`));
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new VlaError('INFERENCE_FAILED', `the policy worker exited while loading (code ${code})`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  async runOnce(feeds: Feeds, outputs: readonly string[]): Promise<Record<string, TensorData>> {
    return (await this.call({ type: 'runOnce', id: 0, feeds, outputs: [...outputs] })) as Record<string, TensorData>;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    return (await this.call({ type: 'generate', id: 0, request })) as GenerateResult;
  }

  cancel(): void {
    Atomics.store(this.cancelFlag, 0, 1);
  }

  /** Stops a running decoding, lets the worker release its sessions (for at most CLOSE_WAIT_MS), then ends it. */
  async close(): Promise<void> {
    if (this.dead === undefined) {
      this.cancel();
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      });
      await Promise.race([this.call({ type: 'close', id: 0 }).catch(() => undefined), waited]);
      clearTimeout(timer);
    }
    this.dead ??= new VlaError('INFERENCE_FAILED', 'the policy is closed');
    await this.worker.terminate();
  }

  private call(request: WorkerRequest): Promise<unknown> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    const id = this.nextId++;
    // A new request starts uncancelled; a cancelled one still running keeps its flag until it ends.
    if (this.pending.size === 0) Atomics.store(this.cancelFlag, 0, 0);
    const message = { ...request, id } as WorkerRequest;
    const transfer =
      message.type === 'runOnce'
        ? transferList(Object.values(message.feeds))
        : message.type === 'generate'
          ? transferList(Object.values(message.request.feeds))
          : [];
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(message, transfer);
    });
  }

  private onReply(reply: WorkerReply): void {
    if (reply.type !== 'result' && reply.type !== 'error') return;
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.type === 'result') p.resolve(reply.value);
    else p.reject(deserializeError(reply.error as SerializedError));
  }

  private fail(message: string): void {
    this.dead ??= new VlaError('INFERENCE_FAILED', message, { hint: 'load the policy again' });
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }
}
