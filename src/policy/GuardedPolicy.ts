import { VlaError } from '../errors';
import type { Observation } from '../observation/Observation';
import type { ActionChunk, ActionSpace, InferOptions, Policy, PolicyServerStats, StateInput } from './Policy';
import type { PolicyStep } from './runtime/PolicyRuntime';

/** What GuardedPolicy drives: a PolicyRuntime, or a double in tests. */
export interface PolicyStepper extends Pick<
  Policy,
  'name' | 'space' | 'horizon' | 'stepDtS' | 'stepsToExecute' | 'cameras' | 'stateInput'
> {
  step(observation: Observation): Promise<PolicyStep>;
  cancel(): void;
  close(): Promise<void>;
}

/**
 * The Policy the control loop calls: one inference in flight at a time (a second call while one runs is refused
 * with INFERENCE_BUSY, even after its deadline passed and until it really ends), and a deadline after which the
 * call rejects with INFERENCE_TIMEOUT and the decoding is asked to stop at its next token.
 */
export class GuardedPolicy implements Policy {
  readonly name: string;
  readonly space: ActionSpace;
  readonly horizon: number;
  readonly stepDtS: number;
  readonly stepsToExecute: number;
  readonly cameras: readonly string[];
  readonly stateInput: StateInput | undefined;
  private readonly stepper: PolicyStepper;
  private readonly defaultDeadlineS: number | undefined;
  private running: { startedMs: number } | undefined;
  private closed = false;

  constructor(stepper: PolicyStepper, defaultDeadlineS?: number) {
    this.stepper = stepper;
    this.name = stepper.name;
    this.space = stepper.space;
    this.horizon = stepper.horizon;
    this.stepDtS = stepper.stepDtS;
    this.stepsToExecute = stepper.stepsToExecute;
    this.cameras = stepper.cameras;
    this.stateInput = stepper.stateInput;
    this.defaultDeadlineS = defaultDeadlineS;
  }

  /** True while an inference runs (including one whose caller already got INFERENCE_TIMEOUT). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  infer(observation: Observation, options: InferOptions = {}): Promise<ActionChunk> {
    if (this.closed) return Promise.reject(new VlaError('INFERENCE_FAILED', `policy ${this.name} is closed`));
    if (this.running !== undefined) {
      const ms = (performance.now() - this.running.startedMs).toFixed(0);
      return Promise.reject(
        new VlaError('INFERENCE_BUSY', `policy ${this.name} is still running an inference (started ${ms} ms ago)`, {
          hint: 'one inference at a time: wait for it, or for its deadline',
        }),
      );
    }
    const deadlineS = options.deadlineS ?? this.defaultDeadlineS;
    if (deadlineS !== undefined && !(deadlineS > 0 && Number.isFinite(deadlineS))) {
      return Promise.reject(
        new VlaError('ARGUMENT_INVALID', `deadline ${deadlineS} s must be a positive number of seconds`, { path: 'deadlineS' }),
      );
    }
    const running = { startedMs: performance.now() };
    this.running = running;
    const work = this.stepper.step(observation).then((s) => s.chunk);
    const release = () => {
      if (this.running === running) this.running = undefined;
    };
    work.then(release, release);
    if (deadlineS === undefined) return work;
    return new Promise<ActionChunk>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stepper.cancel();
        reject(
          new VlaError('INFERENCE_TIMEOUT', `policy ${this.name} missed its ${deadlineS} s deadline`, {
            hint: 'the control loop holds; the late result will be dropped',
          }),
        );
      }, deadlineS * 1000);
      work.then(
        (chunk) => {
          clearTimeout(timer);
          resolve(chunk);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** A local policy has no server: undefined (RemotePolicy reports its server's latency). */
  serverStats(): PolicyServerStats | undefined {
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stepper.close();
  }
}
