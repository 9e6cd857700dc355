import type { Observation } from '../observation/Observation';
import type { ActionChunk } from './Policy';
import type { PolicyStep } from './runtime/PolicyRuntime';
import { type PolicyStepper, GuardedPolicy } from './GuardedPolicy';

/** A stepper whose inferences end when the test says so. */
class ManualStepper implements PolicyStepper {
  readonly name = 'manual';
  readonly space = { names: ['x'], kind: 'delta' as const, frame: 'joint' as const };
  readonly horizon = 1;
  readonly stepDtS = 0.1;
  readonly stepsToExecute = 1;
  readonly cameras = [];
  cancels = 0;
  closed = false;
  private finishers: ((chunk: ActionChunk) => void)[] = [];
  step(observation: Observation): Promise<PolicyStep> {
    return new Promise((resolve) => {
      this.finishers.push((chunk) =>
        resolve({
          chunk: { ...chunk, observationStampS: observation.stampS },
          promptIds: [],
          timings: { preprocessS: 0, tokenizeS: 0, inferenceS: 0, decodeS: 0, totalS: 0 },
        }),
      );
    });
  }
  finish(): void {
    this.finishers.shift()?.({
      observationStampS: 0,
      actions: Float64Array.from([0.5]),
      horizon: 1,
      dims: 1,
      stepsToExecute: 1,
      stepDtS: 0.1,
      space: this.space,
    });
  }
  cancel(): void {
    this.cancels++;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const obs = (stampS: number): Observation => ({
  stampS,
  images: new Map(),
  jointState: { stampS, position: new Float64Array(0) },
  instruction: 'x',
});

describe('GuardedPolicy', () => {
  test('resolves with the chunk of the observation it was given', async () => {
    const stepper = new ManualStepper();
    const policy = new GuardedPolicy(stepper);
    const p = policy.infer(obs(3));
    expect(policy.busy).toBe(true);
    stepper.finish();
    await expect(p).resolves.toMatchObject({ observationStampS: 3 });
    expect(policy.busy).toBe(false);
  });

  test('one inference at a time: a second call is refused while the first runs', async () => {
    const stepper = new ManualStepper();
    const policy = new GuardedPolicy(stepper);
    const first = policy.infer(obs(1));
    await expect(policy.infer(obs(2))).rejects.toMatchObject({ code: 'INFERENCE_BUSY' });
    stepper.finish();
    await first;
    const third = policy.infer(obs(3));
    stepper.finish();
    await expect(third).resolves.toMatchObject({ observationStampS: 3 });
  });

  test('a missed deadline rejects, asks the runtime to cancel, and stays busy until the inference really ends', async () => {
    const stepper = new ManualStepper();
    const policy = new GuardedPolicy(stepper, 0.005);
    await expect(policy.infer(obs(1))).rejects.toMatchObject({
      code: 'INFERENCE_TIMEOUT',
      message: 'policy manual missed its 0.005 s deadline',
    });
    expect(stepper.cancels).toBe(1);
    await expect(policy.infer(obs(2))).rejects.toMatchObject({ code: 'INFERENCE_BUSY' });
    stepper.finish(); // the late result is dropped
    await new Promise((r) => setImmediate(r));
    const next = policy.infer(obs(4), { deadlineS: 10 });
    stepper.finish();
    await expect(next).resolves.toMatchObject({ observationStampS: 4 });
  });

  test('a deadline that is not a positive number is refused', async () => {
    const policy = new GuardedPolicy(new ManualStepper());
    await expect(policy.infer(obs(1), { deadlineS: 0 })).rejects.toMatchObject({ code: 'ARGUMENT_INVALID' });
    expect(policy.busy).toBe(false);
  });

  test('closed policies refuse to infer', async () => {
    const stepper = new ManualStepper();
    const policy = new GuardedPolicy(stepper);
    await policy.close();
    expect(stepper.closed).toBe(true);
    await expect(policy.infer(obs(1))).rejects.toMatchObject({ code: 'INFERENCE_FAILED' });
  });
});
