import { join } from 'node:path';
import { packageRoot } from '../../config/packageRoot';
import { ManualClock } from '../../time/ManualClock';
import { LoopbackTransport } from '../../transport/LoopbackTransport';
import { InProcessNodeHost } from '../host/InProcessNodeHost';
import { disposeRigs, errors, rig } from '../../../test/support/ros/nodeRig';
import { pipelineBridgeFactory } from './PipelineBridge';
import { VlaBridgeNode } from './VlaBridgeNode';

// The execution_provider parameter: onnxruntime execution providers for a local policy, as --execution-provider
// gives them to the other commands.

afterEach(disposeRigs);

describe('VlaBridgeNode execution_provider', () => {
  it('is a read-only string, empty by default (the manifest decides), and reaches the pipeline as a list', () => {
    const plain = rig();
    expect(plain.host.describeParameter('execution_provider')).toMatchObject({ kind: 'string', readOnly: true });
    expect(plain.host.getParameter('execution_provider')).toBe('');
    expect(plain.host.trigger('configure')).toBe('inactive');
    expect(plain.factory.settings[0]!.executionProviders).toBeUndefined();

    const gpu = rig({ execution_provider: 'CUDA, cpu' });
    expect(gpu.host.trigger('configure')).toBe('inactive');
    expect(gpu.factory.settings[0]!.executionProviders).toEqual(['cuda', 'cpu']);
  });

  it('refuses an unknown provider at configure, naming it and the parameter', () => {
    const r = rig({ execution_provider: 'cuda,tpu' });
    expect(r.host.trigger('configure')).toBe('unconfigured');
    expect(errors(r.host).join('\n')).toMatch(/execution_provider: unknown execution provider "tpu"[\s\S]*cpu, cuda, tensorrt/);
    expect(r.factory.settings).toHaveLength(0);
  });

  it('a provider onnxruntime does not have here: the policy fails to load with an error naming it; cpu after it falls back', async () => {
    const policy = join(packageRoot(), 'policies', 'reach_demo');
    const start = (providers: string) => {
      const bus = new LoopbackTransport(new ManualClock(10));
      const host = new InProcessNodeHost({ bus, overrides: { embodiment: 'franka_panda', policy, execution_provider: providers } });
      const node = new VlaBridgeNode({ host, createBridge: pipelineBridgeFactory() });
      node.start();
      expect(host.trigger('configure')).toBe('inactive');
      return { host, node };
    };
    const settled = async (node: VlaBridgeNode) => {
      for (let i = 0; i < 600 && node.snapshot().mode === 'loading'; i++) await new Promise((r) => setTimeout(r, 50));
      return node.snapshot();
    };
    const refused = start('cuda');
    const fallback = start('cuda,cpu');
    try {
      expect(await settled(refused.node)).toMatchObject({ mode: 'fault' });
      expect(refused.node.snapshot().reason).toMatch(
        /the policy failed to load: .*onnxruntime execution provider "cuda" is not available here/,
      );
      expect(refused.host.trigger('activate')).toBe('inactive');
      expect((await settled(fallback.node)).mode).toBe('ready');
      const warnings = fallback.host.logs.map((l) => l.message).join('\n');
      expect(warnings).toMatch(/execution provider "cuda" is not available \(.*\): falling back to "cpu"/);
    } finally {
      await Promise.all([refused.node.dispose(), fallback.node.dispose()]);
    }
  }, 60_000);
});
