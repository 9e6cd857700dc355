import type { Observation } from '../../observation/Observation';
import { DelegatingPolicy } from '../../policy/DelegatingPolicy';
import type { ActionChunk, InferOptions, Policy } from '../../policy/Policy';
import type { Clock } from '../../time/Clock';
import type { FaultSchedule } from './FaultSchedule';

/** Wall milliseconds between looks at the simulated clock while a faulty answer waits for its time. */
const POLL_MS = 1;

/**
 * The policy as the bridge sees it under the fault schedule: during `policy_frozen` an inference does not answer
 * until the fault ends; during `policy_slow` it answers `slowByS` of simulated time late; during `policy_nan`
 * its actions are NaN.
 */
export class FaultyPolicy extends DelegatingPolicy {
  constructor(
    inner: Policy,
    private readonly faults: FaultSchedule,
    private readonly clock: Clock,
    /** How late a slow policy answers, simulated seconds (beyond the policy deadline). */
    private readonly slowByS: number,
  ) {
    super(inner);
  }

  private async until(tS: number): Promise<void> {
    while (this.clock.nowS() < tS && !this.faults.episodeOver) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }

  override async infer(observation: Observation, options?: InferOptions): Promise<ActionChunk> {
    const requestedS = this.clock.nowS();
    const frozenUntil = this.faults.endOf('policy_frozen', requestedS);
    const slow = this.faults.active('policy_slow', requestedS);
    const nan = this.faults.active('policy_nan', requestedS);
    const chunk = await this.inner.infer(observation, options);
    if (frozenUntil !== undefined) await this.until(frozenUntil);
    if (slow) await this.until(requestedS + this.slowByS);
    if (!nan) return chunk;
    return { ...chunk, actions: new Float64Array(chunk.actions.length).fill(NaN) };
  }
}
