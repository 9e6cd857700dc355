import { median, percentile } from '../stats/orderStatistics';
import type { Embodiment } from '../config/Embodiment';
import type { TickInfo } from '../control/ControlLoop';
import { type EpisodeStats, sumEpisodeStats } from '../control/EpisodeStats';
import { createEpisodeLoop, runEpisode } from '../control/runEpisode';
import type { Handover } from '../control/queue/ActionQueue';
import type { LatencyCompensation } from '../control/queue/latencyCompensation';
import type { SafetyGate } from '../control/SafetyGate';
import { nsToSeconds, secondsToNs } from '../time/rosTime';
import type { Policy } from '../policy/Policy';
import type { SafetyEvent } from '../safety/SafetyEvent';
import { type ReachTaskOptions, sampleReachTask } from './ReachTask';
import { Rng } from './Rng';
import { ScriptedReachPolicy } from './ScriptedReachPolicy';
import { SimRecorder } from './SimRecorder';
import { SimTransport, type SimTransportOptions } from './SimTransport';
import type { FaultReport, FaultSchedule } from './faults/FaultSchedule';
import { FaultyPolicy } from './faults/FaultyPolicy';
import { FaultyTransport } from './faults/FaultyTransport';

export interface SimRunOptions {
  embodiment: Embodiment;
  /** `scripted`: the reaching expert (reads the simulator's state); else a loaded policy. */
  policy: 'scripted' | Policy;
  episodes: number;
  seed: number;
  realtime?: boolean;
  /** Write an MCAP recording here (a `.mcap` file or a bag folder). */
  recordPath?: string;
  handover?: Handover;
  /** Inference latency modelled in simulated time, s (lockstep). */
  inferenceLatencyS?: number;
  latencyCompensation?: LatencyCompensation;
  task?: ReachTaskOptions;
  sim?: SimTransportOptions;
  /** Safety layer per episode (default: the embodiment's). */
  safety?: (embodiment: Embodiment) => SafetyGate;
  /** Called after each episode. */
  onEpisode?: (result: EpisodeResult) => void;
  /** Called on every control tick with the simulated seconds since the run started (progress of long runs). */
  onTick?: (simulatedS: number) => void;
  /** Faults injected in every episode (`sim --fault`); their reports land in the summary. */
  faults?: FaultSchedule;
  /** Called with every inference error (the loop keeps going: the watchdog stops the arm). */
  onInferenceError?: (error: unknown) => void;
}

export interface EpisodeResult {
  index: number;
  instruction: string;
  /** The colour of the cube to reach. */
  target: string;
  success: boolean;
  /** Simulated time to success, or to the time limit. */
  durationS: number;
  finalDistanceM: number;
  /** Safety interventions (the counting rule of EpisodeStats). */
  safetyInterventions: number;
  stats: EpisodeStats;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface SimSummary {
  embodiment: string;
  policy: string;
  episodes: number;
  seed: number;
  /** Simulated time was paced to wall time. */
  realtime: boolean;
  success_rate: number;
  /** Safety interventions (the counting rule of EpisodeStats), in all and per limit. */
  safety_interventions: number;
  safety_interventions_by_limit: Record<string, number>;
  /** Control ticks and command messages sent (a command and its gripper on two topics are two), all episodes. */
  ticks: number;
  commands_sent: number;
  /** Per target colour: episodes and success rate. */
  per_task: Record<string, { episodes: number; success_rate: number }>;
  /** Clock-time lateness of the loop's ticks (0 on simulated time unless --realtime), ms. */
  loop_lateness_ms: Percentiles;
  /** Wall time one control tick took (observation, queue, safety, publishing), ms. */
  tick_compute_ms: Percentiles;
  overruns: number;
  inferences: number;
  inference_failures: number;
  /** Ticks the queue ran dry or the policy was overdue. */
  overdue_ticks: number;
  /** Chunks run later than their observation's time to keep the queue fed, and the largest delay, ms. */
  late_chunks: number;
  max_chunk_delay_ms: number;
  simulated_s: number;
  wall_s: number;
  recording?: string;
  /** Each injected fault and what the safety layer did about it. */
  faults?: FaultReport[];
  results: readonly EpisodeResult[];
}

export function percentiles(values: readonly number[], scale = 1): Percentiles {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  return { p50: median(values) * scale, p99: percentile(values, 99) * scale, max: Math.max(...values) * scale };
}

/**
 * Closed-loop episodes of the reaching task in the built-in simulator: for each episode a seeded scene (three
 * cubes, one named in the instruction) and start pose, then the bridge's control loop (observation, policy,
 * action queue, safety layer, command publisher) drives the simulated arm until the tool reaches the goal or
 * the time limit passes. Deterministic for a seed: simulated time runs in lockstep with inference.
 */
export async function runSimEpisodes(options: SimRunOptions): Promise<SimSummary> {
  const { embodiment } = options;
  const wallStart = performance.now();
  const sim = new SimTransport(embodiment, { ...options.sim, realtime: options.realtime ?? false });
  const basePolicy = options.policy === 'scripted' ? new ScriptedReachPolicy(sim.world) : options.policy;
  const faults = options.faults;
  // Faults sit between the simulator and the bridge: the world stays true, the bridge sees the fault.
  const transport = faults === undefined ? sim : new FaultyTransport(sim, faults, embodiment);
  const policy =
    faults === undefined ? basePolicy : new FaultyPolicy(basePolicy, faults, sim.clock, 1.5 * embodiment.config.timeouts.policy_deadline_s);
  const recorder = options.recordPath === undefined ? undefined : await SimRecorder.open(options.recordPath, sim, embodiment);
  const results: EpisodeResult[] = [];
  const simStartS = sim.clock.nowS();
  try {
    for (let index = 0; index < options.episodes; index++) {
      const task = sampleReachTask(
        sim.world.geometry,
        Rng.forEpisode(options.seed, index),
        embodiment.limits,
        embodiment.armJointNames.length,
        options.task,
      );
      const startS = sim.clock.nowS();
      sim.world.reset(task, startS);
      faults?.startEpisode(index, startS);
      const onEvent = (event: SafetyEvent): void => {
        recorder?.safetyEvent(event);
        faults?.onSafetyEvent(event);
      };
      const loop = createEpisodeLoop({
        embodiment,
        transport,
        policy,
        safety: options.safety?.(embodiment),
        instruction: task.instruction,
        handover: options.handover,
        // Under faults a policy may not answer at all: the clock moves on after a short wall-time wait.
        inference: { kind: 'lockstep', latencyS: options.inferenceLatencyS ?? 0.1, ...(faults === undefined ? {} : { waitLimitS: 0.05 }) },
        latencyCompensation: options.latencyCompensation,
        recordTiming: true,
        listeners: {
          safetyEvent: onEvent,
          inferenceError: options.onInferenceError,
          ...(faults === undefined ? {} : { tick: (info: TickInfo) => info.command?.holding === true && faults.onHold(info.tS) }),
        },
      });
      recorder?.instruction(task.instruction);
      // Sensors start publishing once the bridge listens (a driver's first messages on connect).
      sim.restartSensors(startS);
      let previousS = sim.clock.nowS();
      const { stats } = await runEpisode(loop, {
        until: (tS) => {
          options.onTick?.(tS - simStartS);
          if (faults !== undefined) {
            if (faults.startsBetween('estop', previousS, tS).length > 0) loop.estop();
            if (faults.endsBetween('estop', previousS, tS).length > 0) loop.reset();
            previousS = tS;
          }
          return sim.world.succeeded;
        },
        timeLimitS: task.timeLimitS,
        ending: () => faults?.endEpisode(),
      });
      const result: EpisodeResult = {
        index,
        instruction: task.instruction,
        target: task.cubes[task.targetIndex]!.color,
        success: sim.world.succeeded,
        durationS: sim.clock.nowS() - startS,
        finalDistanceM: sim.world.distanceToGoalM(),
        safetyInterventions: stats.safetyInterventions,
        stats,
      };
      results.push(result);
      options.onEpisode?.(result);
      // A quiet second between episodes keeps them apart in the recording. The next episode starts at a time a
      // bag stores exactly (whole nanoseconds), so that replaying the recording runs on the same tick times.
      await sim.clock.sleepUntil(nsToSeconds(secondsToNs(sim.clock.nowS() + 1)));
    }
  } finally {
    if (options.policy === 'scripted') await basePolicy.close();
    await recorder?.close();
    await sim.close();
  }
  const total = sumEpisodeStats(results.map((r) => r.stats));
  const perTask: Record<string, { episodes: number; success_rate: number }> = {};
  for (const r of results) {
    const entry = (perTask[r.target] ??= { episodes: 0, success_rate: 0 });
    entry.episodes++;
    entry.success_rate += r.success ? 1 : 0;
  }
  for (const entry of Object.values(perTask)) entry.success_rate /= entry.episodes;
  const summary: SimSummary = {
    embodiment: embodiment.name,
    policy: policy.name,
    episodes: results.length,
    seed: options.seed,
    realtime: options.realtime ?? false,
    success_rate: results.length === 0 ? 0 : results.filter((r) => r.success).length / results.length,
    safety_interventions: total.safetyInterventions,
    safety_interventions_by_limit: { ...total.interventionsByLimit },
    ticks: total.ticks,
    commands_sent: total.commandsSent,
    per_task: perTask,
    loop_lateness_ms: percentiles(total.latenessS, 1000),
    tick_compute_ms: percentiles(total.tickComputeS, 1000),
    overruns: total.overruns,
    inferences: total.inferences.completed,
    inference_failures: total.inferences.failed,
    overdue_ticks: total.overdueTicks,
    late_chunks: total.lateChunks.count,
    max_chunk_delay_ms: total.lateChunks.maxDelayS * 1000,
    simulated_s: sim.clock.nowS() - simStartS,
    wall_s: (performance.now() - wallStart) / 1000,
    results,
  };
  if (recorder !== undefined) summary.recording = recorder.file;
  if (faults !== undefined) summary.faults = faults.report();
  return summary;
}
