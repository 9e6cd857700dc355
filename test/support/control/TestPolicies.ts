import type { Observation } from '../../../src/observation/Observation';
import type { ActionChunk, ActionSpace, InferOptions, Policy } from '../../../src/policy/Policy';

export interface ScriptedChunkPolicyOptions {
  names: readonly string[];
  horizon: number;
  stepDtS: number;
  stepsToExecute: number;
  /** Action for step `i` of a chunk whose observation is `obs` (absolute joint targets, one per name). */
  action: (obs: Observation, i: number, call: number) => number[];
  /** After this many calls, infer never settles (a hung policy). */
  hangAfter?: number;
}

/** A policy for loop tests: chunks computed by a function, answered at once, optionally hanging forever. */
export class ScriptedChunkPolicy implements Policy {
  readonly name = 'test_policy';
  readonly space: ActionSpace;
  readonly horizon: number;
  readonly stepDtS: number;
  readonly stepsToExecute: number;
  readonly cameras: readonly string[] = [];
  calls = 0;
  readonly observationStamps: number[] = [];
  private readonly options: ScriptedChunkPolicyOptions;

  constructor(options: ScriptedChunkPolicyOptions) {
    this.options = options;
    this.space = { names: options.names, kind: 'absolute', frame: 'joint' };
    this.horizon = options.horizon;
    this.stepDtS = options.stepDtS;
    this.stepsToExecute = options.stepsToExecute;
  }

  infer(observation: Observation, _options?: InferOptions): Promise<ActionChunk> {
    const call = this.calls++;
    this.observationStamps.push(observation.stampS);
    if (this.options.hangAfter !== undefined && call >= this.options.hangAfter) return new Promise<ActionChunk>(() => {});
    const dims = this.options.names.length;
    const actions = new Float64Array(this.horizon * dims);
    for (let i = 0; i < this.horizon; i++) actions.set(this.options.action(observation, i, call), i * dims);
    return Promise.resolve({
      observationStampS: observation.stampS,
      actions,
      horizon: this.horizon,
      dims,
      stepsToExecute: this.stepsToExecute,
      stepDtS: this.stepDtS,
      space: this.space,
    });
  }

  async close(): Promise<void> {}
}
