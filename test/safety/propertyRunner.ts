import fc from 'fast-check';
import { replayOutputs, runScenario } from './runScenario';
import { scenarioArbitrary } from './scenarios';
import { type TestArm, allArms } from './testEmbodiments';

/**
 * Runs the safety layer's property tests for some arms, in a plain Node process: jest runs tests in a vm
 * context where every read of a global (Math, Infinity, Number) goes through an interceptor and costs
 * ~100x more, which would make 100,000 steps per arm take minutes instead of seconds. The jest test
 * (src/safety/SafetyLayer.property.test.ts) forks this script and asserts on the results it sends back.
 *
 * Usage: node --import tsx test/safety/propertyRunner.ts ARM_NAME...
 */

export const STEPS_PER_RUN = 500;
export const STEPS_PER_ARM = 100_000;
export const REPLAY_RUNS = 40;
export const REPLAY_STEPS = 200;

export interface PropertyResult {
  arm: string;
  property: 'invariants' | 'replay';
  ok: boolean;
  /** Steps checked. */
  steps: number;
  message?: string;
}

/** DESIGN §5 invariants 1-4, 6, 7 over STEPS_PER_ARM steps of random and adversarial streams. */
export function checkInvariants(arm: TestArm): PropertyResult {
  let steps = 0;
  const details = fc.check(
    fc.property(scenarioArbitrary(STEPS_PER_RUN), (scenario) => {
      const run = runScenario(arm, arm.makeLayer(), scenario);
      steps += run.outputs.length;
      if (run.violation !== undefined) throw new Error(run.violation);
    }),
    { numRuns: STEPS_PER_ARM / STEPS_PER_RUN },
  );
  return {
    arm: arm.name,
    property: 'invariants',
    ok: !details.failed,
    steps,
    message: details.failed ? fc.defaultReportMessage(details) : undefined,
  };
}

/**
 * Liveness: every run's output, fed back as proposals, passes bit for bit. Without jerk limits: where the
 * Cartesian limits need it, the layer relaxes a jerk limit (a smoothness limit), and such an output is not a
 * limit-satisfying stream; jerk liveness has its own test.
 */
export function checkReplay(arm: TestArm): PropertyResult {
  const limits = arm.limits.map((l) => ({ ...l, maxJerk: Infinity }));
  let steps = 0;
  const details = fc.check(
    fc.property(
      scenarioArbitrary(REPLAY_STEPS).filter((s) => !s.startOutside),
      (scenario) => {
        const run = runScenario(arm, arm.makeLayer({ limits }), scenario);
        if (run.violation !== undefined) throw new Error(run.violation);
        const difference = replayOutputs(arm, arm.makeLayer({ limits }), run);
        steps += run.outputs.length;
        if (difference !== undefined) throw new Error(difference);
      },
    ),
    { numRuns: REPLAY_RUNS },
  );
  return {
    arm: arm.name,
    property: 'replay',
    ok: !details.failed,
    steps,
    message: details.failed ? fc.defaultReportMessage(details) : undefined,
  };
}

function main(names: readonly string[]): void {
  const arms = allArms().filter((a) => names.includes(a.name));
  for (const arm of arms) {
    for (const result of [checkInvariants(arm), checkReplay(arm)]) {
      if (process.send !== undefined) process.send(result);
      else process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  }
}

if (require.main === module) main(process.argv.slice(2));
