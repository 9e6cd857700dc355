import type { Observation } from '../observation/Observation';
import type { ActionChunk, ActionSpace, Policy } from '../policy/Policy';
import { InstructionOverridePolicy, wrongCubeInstruction } from './InstructionOverridePolicy';

describe('wrongCubeInstruction', () => {
  it('names the next cube colour in the same words', () => {
    expect(wrongCubeInstruction('reach the red cube')).toBe('reach the green cube');
    expect(wrongCubeInstruction('move to the green cube')).toBe('move to the blue cube');
    expect(wrongCubeInstruction('touch the blue block')).toBe('touch the red block');
    expect(wrongCubeInstruction('Reach the Blue cube')).toBe('Reach the red cube');
  });

  it('leaves an instruction without a cube colour alone', () => {
    expect(wrongCubeInstruction('reach the bored cube')).toBe('reach the bored cube');
  });
});

describe('InstructionOverridePolicy', () => {
  it('hands the inner policy the rewritten instruction and nothing else changed', async () => {
    const space: ActionSpace = { names: ['a'], kind: 'absolute', frame: 'joint' };
    const seen: Observation[] = [];
    const inner: Policy = {
      name: 'inner',
      space,
      horizon: 1,
      stepDtS: 0.1,
      stepsToExecute: 1,
      cameras: ['primary'],
      infer: (o) => {
        seen.push(o);
        return Promise.resolve({
          observationStampS: o.stampS,
          actions: Float64Array.of(0),
          horizon: 1,
          dims: 1,
          stepsToExecute: 1,
          stepDtS: 0.1,
          space,
        } as ActionChunk);
      },
      close: () => Promise.resolve(),
    };
    const p = new InstructionOverridePolicy(inner, wrongCubeInstruction);
    const observation: Observation = {
      stampS: 3,
      images: new Map(),
      jointState: { stampS: 3, position: Float64Array.of(1) },
      instruction: 'reach the red cube',
    };
    await p.infer(observation);
    expect(seen[0]).toEqual({ ...observation, instruction: 'reach the green cube' });
    expect(observation.instruction).toBe('reach the red cube');
    expect([p.name, p.cameras, p.horizon]).toEqual(['inner', ['primary'], 1]);
  });
});
