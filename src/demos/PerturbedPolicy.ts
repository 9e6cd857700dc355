import type { Observation } from '../observation/Observation';
import type { ActionChunk, InferOptions, Policy } from '../policy/Policy';
import type { Rng } from '../sim/Rng';
import { DelegatingPolicy } from '../policy/DelegatingPolicy';

export interface PerturbationOptions {
  /** Largest offset added to each joint dimension, rad or m (uniform in +/- this). */
  amplitude: number;
  /** Share of chunks that get an offset, in [0, 1]. */
  probability: number;
}

/**
 * Noise injection for demonstrations (DART, Laskey et al. 2017): with `probability`, a chunk of absolute joint
 * targets gets one random offset per joint, held over the chunk, so the arm drifts off the expert's path and
 * the recorded labels show the way back. The gripper dimension is left alone.
 */
export class PerturbedPolicy extends DelegatingPolicy {
  private readonly rng: Rng;
  private readonly options: PerturbationOptions;

  constructor(inner: Policy, rng: Rng, options: PerturbationOptions) {
    if (inner.space.kind !== 'absolute' || inner.space.frame !== 'joint')
      throw new RangeError('perturbation applies to absolute joint actions');
    super(inner, `perturbed(${inner.name})`);
    this.rng = rng;
    this.options = options;
  }

  override async infer(observation: Observation, options?: InferOptions): Promise<ActionChunk> {
    const chunk = await this.inner.infer(observation, options);
    if (this.rng.next() >= this.options.probability) return chunk;
    const { dims } = chunk;
    const gi = this.space.gripperIndex;
    const offset = Float64Array.from({ length: dims }, (_, d) =>
      d === gi ? 0 : this.rng.uniform(-this.options.amplitude, this.options.amplitude),
    );
    return { ...chunk, actions: Float64Array.from(chunk.actions, (a, i) => a + offset[i % dims]!) };
  }
}
