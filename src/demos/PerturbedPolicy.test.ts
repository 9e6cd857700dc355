import type { Observation } from '../observation/Observation';
import type { ActionChunk, ActionSpace, Policy } from '../policy/Policy';
import { Rng } from '../sim/Rng';
import { PerturbedPolicy } from './PerturbedPolicy';

const space: ActionSpace = { names: ['a', 'b', 'gripper'], kind: 'absolute', frame: 'joint', gripperIndex: 2 };

function fixed(actions: number[]): Policy {
  const chunk: ActionChunk = {
    observationStampS: 0,
    actions: Float64Array.from(actions),
    horizon: actions.length / 3,
    dims: 3,
    stepsToExecute: 1,
    stepDtS: 0.1,
    space,
  };
  return {
    name: 'fixed',
    space,
    horizon: chunk.horizon,
    stepDtS: 0.1,
    stepsToExecute: 1,
    cameras: [],
    infer: () => Promise.resolve(chunk),
    close: () => Promise.resolve(),
  };
}

const observation = {} as Observation;

describe('PerturbedPolicy', () => {
  it('adds one offset per joint, held over the chunk, within the amplitude; the gripper is left alone', async () => {
    const p = new PerturbedPolicy(fixed([1, 2, 1, 1.5, 2.5, 0]), new Rng(1), { amplitude: 0.05, probability: 1 });
    const c = await p.infer(observation);
    const d0 = c.actions[0]! - 1;
    const d1 = c.actions[1]! - 2;
    expect(Math.abs(d0)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(d1)).toBeLessThanOrEqual(0.05);
    expect(d0).not.toBe(0);
    expect(c.actions[3]! - 1.5).toBeCloseTo(d0, 12);
    expect(c.actions[4]! - 2.5).toBeCloseTo(d1, 12);
    expect([c.actions[2], c.actions[5]]).toEqual([1, 0]);
    expect(p.name).toBe('perturbed(fixed)');
  });

  it('perturbs about the given share of chunks, and none at probability 0', async () => {
    const p = new PerturbedPolicy(fixed([0, 0, 1]), new Rng(2), { amplitude: 0.1, probability: 0.3 });
    let changed = 0;
    for (let i = 0; i < 400; i++) if ((await p.infer(observation)).actions[0] !== 0) changed++;
    expect(changed).toBeGreaterThan(80);
    expect(changed).toBeLessThan(160);
    const none = new PerturbedPolicy(fixed([0, 0, 1]), new Rng(2), { amplitude: 0.1, probability: 0 });
    expect(Array.from((await none.infer(observation)).actions)).toEqual([0, 0, 1]);
  });

  it('refuses delta or end-effector actions (an offset there means something else)', () => {
    const delta = { ...fixed([0, 0, 1]), space: { ...space, kind: 'delta' as const } };
    expect(() => new PerturbedPolicy(delta, new Rng(1), { amplitude: 0.1, probability: 1 })).toThrow(/absolute joint/);
  });
});
