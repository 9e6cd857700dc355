import type { JointStateSample } from '../observation/Observation';
import type { CartesianGuard } from './CartesianGuard';
import { CommandLimiter, type SafetyTickInput, type SharedSafetyState } from './CommandLimiter';
import type { JointLimiter } from './JointLimiter';
import { type SafeJointCommand, mintSafeCommand } from './SafeCommand';
import type { SafetyEvent } from './SafetyEvent';

/**
 * Joint position commands (mode `joint_position`): joint limits per joint, then the Cartesian checks on the
 * resulting step.
 *
 * - A proposal with a non-finite entry is not executed: the whole arm stops within its limits that tick (one
 *   `non_finite` event per bad joint), since one bad entry makes the whole action suspect.
 * - Tracking error: when the measured position of a joint is farther from the last output than the joint can
 *   travel in `trackingErrorS` at its velocity limit, the arm is not following its commands (collision, a
 *   controller fault, an external stop). The layer then stops the command stream within the limits and holds,
 *   and moves again once the measured position is back within that distance. The output never jumps to the
 *   measured position: commands stay continuous, as the hardware interface requires.
 */
export class JointCommandLimiter extends CommandLimiter<Float64Array, SafeJointCommand> {
  protected readonly jointCount: number;
  private readonly joints: JointLimiter;
  private readonly guard: CartesianGuard | undefined;
  private readonly trackingTolerance: Float64Array;

  constructor(shared: SharedSafetyState, joints: JointLimiter, guard: CartesianGuard | undefined, trackingErrorS: number) {
    super(shared);
    this.joints = joints;
    this.jointCount = joints.size;
    this.guard = guard?.active === true ? guard : undefined;
    this.trackingTolerance = Float64Array.from(joints.bounds, (b) => b.maxVelocity * trackingErrorS);
  }

  protected override onConditions(input: SafetyTickInput<Float64Array>, measuredFinite: boolean, events: SafetyEvent[]): void {
    const q = input.measured.position;
    let worst = -1;
    let worstRatio = 1;
    if (measuredFinite) {
      for (let j = 0; j < this.jointCount; j++) {
        const ratio = Math.abs(q[j]! - this.joints.position[j]!) / this.trackingTolerance[j]!;
        if (ratio > worstRatio) {
          worstRatio = ratio;
          worst = j;
        }
      }
    }
    const stops = this.shared.stops;
    const on = worst >= 0 || (stops.has('tracking') && !measuredFinite);
    if (!stops.changes('tracking', on)) return;
    const name = worst >= 0 ? this.joints.jointNames[worst] : undefined;
    const message =
      worst >= 0
        ? `joint "${name}" is ${Math.abs(q[worst]! - this.joints.position[worst]!)} from its last ` +
          `command (more than ${this.trackingTolerance[worst]}): stopping`
        : '';
    stops.update(input.tS, 'tracking', 'tracking', on, name, message, events);
  }

  protected onSeed(tS: number, measured: JointStateSample): SafeJointCommand {
    this.joints.seed(measured.position, measured.velocity);
    this.guard?.forget();
    return this.command(tS, false);
  }

  protected onRepeat(tS: number): SafeJointCommand {
    return this.command(tS, true);
  }

  protected onEnforce(
    tS: number,
    dt: number,
    input: SafetyTickInput<Float64Array>,
    stopping: boolean,
    events: SafetyEvent[],
  ): SafeJointCommand {
    const proposal = input.proposal;
    let track = !stopping && proposal !== null;
    if (proposal !== null) {
      if (proposal.length !== this.jointCount)
        throw new RangeError(`proposal has ${proposal.length} positions, the layer commands ${this.jointCount} joints`);
      if (track) {
        for (let j = 0; j < this.jointCount; j++) {
          const p = proposal[j]!;
          if (Number.isFinite(p)) continue;
          track = false;
          events.push({
            tS,
            limit: 'non_finite',
            target: this.joints.jointNames[j],
            requested: p,
            applied: this.joints.position[j],
            severity: 'error',
            message: 'non-finite proposal: stopping this tick',
          });
        }
      }
    }
    this.joints.step(tS, dt, track ? 'track' : 'stop', track ? proposal : null, events);
    if (this.guard !== undefined) {
      if (track) this.guard.limit(tS, dt, this.joints.position, this.joints.candidate, this.joints.windows, events);
      else this.guard.forget();
    }
    this.joints.commit(this.joints.candidate, dt);
    return this.command(tS, !track);
  }

  private command(tS: number, holding: boolean): SafeJointCommand {
    return mintSafeCommand({
      kind: 'joint',
      stampS: tS,
      jointNames: this.joints.jointNames,
      positions: this.joints.position,
      velocities: this.joints.velocity,
      holding,
    });
  }
}
