import { loadEmbodiment } from '../../config/loadEmbodiment';
import type { Observation } from '../../observation/Observation';
import type { InferOptions } from '../../policy/Policy';
import { ManualClock } from '../../time/ManualClock';
import { LoopbackTransport } from '../../transport/LoopbackTransport';
import { ScriptedChunkPolicy } from '../../../test/support/control/TestPolicies';
import { InProcessNodeHost } from '../host/InProcessNodeHost';
import { pipelineBridgeFactory } from './PipelineBridge';
import { VlaBridgeNode } from './VlaBridgeNode';

/** A scripted policy that needs cameras and records what it was asked. */
class CameraPolicy extends ScriptedChunkPolicy {
  override readonly cameras: readonly string[];
  readonly seen: Observation[] = [];
  failFirst = false;

  constructor(names: readonly string[], cameras: readonly string[]) {
    super({
      names,
      horizon: 4,
      stepDtS: 0.1,
      stepsToExecute: 2,
      action: (obs) => Array.from(obs.jointState.position.subarray(0, names.length)),
    });
    this.cameras = cameras;
  }

  override infer(observation: Observation, options?: InferOptions) {
    this.seen.push(observation);
    if (this.failFirst && this.seen.length === 1)
      return Promise.reject(new Error('Non-zero status code returned while running Gather node'));
    return super.infer(observation, options);
  }
}

async function configured(embodimentName: string, policy: CameraPolicy) {
  const host = new InProcessNodeHost({
    bus: new LoopbackTransport(new ManualClock(10)),
    overrides: { embodiment: embodimentName, policy: '/p', instruction: 'reach the cube' },
  });
  const node = new VlaBridgeNode({ host, createBridge: pipelineBridgeFactory({ loadPolicy: async () => policy }) });
  node.start();
  host.trigger('configure');
  await node.whenLoaded();
  return { host, node };
}

describe('configure warms the policy up', () => {
  it('runs one inference before activation, with a frame for each camera the policy needs', async () => {
    const panda = loadEmbodiment('franka_panda');
    const policy = new CameraPolicy(panda.policyJointNames, ['primary']);
    const { host, node } = await configured('franka_panda', policy);
    expect(host.lifecycleState).toBe('inactive');
    expect(policy.calls).toBe(1);
    const obs = policy.seen[0]!;
    expect(obs.instruction).toBe('reach the cube');
    expect(obs.images.get('primary')).toMatchObject({ kind: 'raw', encoding: 'rgb8', width: 320, height: 240 });
    panda.limits.forEach((l, j) => {
      expect(obs.jointState.position[j]).toBeGreaterThanOrEqual(l.minPosition);
      expect(obs.jointState.position[j]).toBeLessThanOrEqual(l.maxPosition);
    });
    expect(host.logs.map((l) => l.message)).toContainEqual(expect.stringMatching(/^policy test_policy warmed up in \d+\.\d\d s$/));
    expect(node.snapshot().mode).toBe('ready');
    await node.dispose();
  });

  it('gives a compressed camera a JPEG frame', async () => {
    const so101 = loadEmbodiment('so101');
    const policy = new CameraPolicy(so101.policyJointNames, ['wrist']);
    const { node } = await configured('so101', policy);
    expect(policy.seen[0]!.images.get('wrist')).toMatchObject({ kind: 'compressed', format: 'jpeg' });
    await node.dispose();
  });

  it('a policy that fails its warm-up fails to load, and activation is refused with the reason', async () => {
    const panda = loadEmbodiment('franka_panda');
    const policy = new CameraPolicy(panda.policyJointNames, ['primary']);
    policy.failFirst = true;
    const { host, node } = await configured('franka_panda', policy);
    expect(node.snapshot()).toMatchObject({
      mode: 'fault',
      reason: expect.stringMatching(/the warm-up inference failed: Non-zero status code/),
    });
    expect(host.trigger('activate')).toBe('inactive');
    await node.dispose();
  });
});
