import { isSafeCommand } from '../../src/safety/SafeCommand';
import type { SafetyLayer } from '../../src/safety/SafetyLayer';
import { InvariantChecker } from './InvariantChecker';
import { type Scenario, ScenarioStream } from './scenarios';
import type { TestArm } from './testEmbodiments';

export interface ScenarioRun {
  violation?: string;
  /** Tick times and outputs, seed first. */
  times: number[];
  outputs: Float64Array[];
  start: ScenarioStream['start'];
}

/**
 * Runs a scenario in closed loop (the next measured position is the last output) through `layer` and checks
 * every output with the independent InvariantChecker, the SafeCommand brand and the holding flag.
 */
export function runScenario(arm: TestArm, layer: SafetyLayer, scenario: Scenario): ScenarioRun {
  const stream = new ScenarioStream(scenario, arm.limits, { jointStateS: arm.jointStateTimeoutS, cameraS: arm.cameraTimeoutS });
  const checker = new InvariantChecker(arm.limits);
  const { start } = stream;
  const run: ScenarioRun = { times: [], outputs: [], start };
  const first = layer.enforce({
    tS: start.tS,
    measured: { stampS: start.tS, position: start.position, velocity: start.velocity },
    proposal: null,
  });
  run.violation = checker.start(start.tS, start.position, start.velocity, first.command.positions);
  let last = first.command.positions;
  run.times.push(start.tS);
  run.outputs.push(last);
  const cameras = arm.cameraNames.length > 0 ? arm.cameraNames : ['camera'];
  for (let k = 1; k < scenario.steps && run.violation === undefined; k++) {
    const tick = stream.next(last);
    if (tick.estop) layer.estop();
    if (tick.reset) layer.reset();
    const cameraAgesS: Record<string, number> = {};
    for (const c of cameras) cameraAgesS[c] = tick.cameraAgeS;
    const { command } = layer.enforce({
      tS: tick.tS,
      measured: { stampS: tick.tS, position: last },
      proposal: tick.proposal,
      watchdog: { jointStateAgeS: tick.jointStateAgeS, cameraAgesS, policyOverdue: tick.policyOverdue },
    });
    if (!isSafeCommand(command)) run.violation = `tick ${k}: the layer returned an unbranded command`;
    else if (tick.stopExpected && !command.holding)
      run.violation = `tick ${k} t=${tick.tS}: a stop is expected but the command is not holding`;
    else run.violation = checker.check(tick.tS, command.positions, tick.stopExpected);
    if (run.violation !== undefined) run.violation = `${arm.name} step ${k}: ${run.violation}`;
    last = command.positions;
    run.times.push(tick.tS);
    run.outputs.push(last);
  }
  return run;
}

/**
 * Feeds a run's outputs back as proposals to a fresh layer (same start, same tick times, nothing stale): they
 * satisfy every limit, so they must pass unchanged, bit for bit. Returns the first difference, if any.
 */
export function replayOutputs(arm: TestArm, layer: SafetyLayer, run: ScenarioRun): string | undefined {
  const { start } = run;
  let last = layer.enforce({
    tS: start.tS,
    measured: { stampS: start.tS, position: start.position, velocity: start.velocity },
    proposal: null,
  }).command.positions;
  for (let k = 1; k < run.outputs.length; k++) {
    const wanted = run.outputs[k]!;
    const { command } = layer.enforce({ tS: run.times[k]!, measured: { stampS: run.times[k]!, position: last }, proposal: wanted });
    for (let j = 0; j < wanted.length; j++) {
      if (!Object.is(command.positions[j], wanted[j])) {
        return (
          `${arm.name} step ${k} t=${run.times[k]} joint ${arm.limits[j]!.name}: proposal ` +
          `${wanted[j]} came out as ${command.positions[j]} (previous ${last[j]})`
        );
      }
    }
    last = command.positions;
  }
  return undefined;
}
