import type { Embodiment } from '../config/Embodiment';
import type { ControlLoop } from '../control/ControlLoop';
import type { Handover } from '../control/queue/ActionQueue';
import { addEpisodeStats, emptyEpisodeStats, type EpisodeStats } from '../control/EpisodeStats';
import { createEpisodeLoop, runEpisode } from '../control/runEpisode';
import { VlaError } from '../errors';
import { isObservation } from '../observation/ObservationAssembler';
import type { ActionChunk, Policy } from '../policy/Policy';
import { CUBE_COLORS, type ReachTask, sampleReachTask } from '../sim/ReachTask';
import { mix32, Rng } from '../sim/Rng';
import { ScriptedReachPolicy, type ScriptedReachOptions } from '../sim/ScriptedReachPolicy';
import type { SimWorld } from '../sim/SimWorld';
import { SimTransport } from '../sim/SimTransport';
import type { VideoCodec } from '../export/VideoEncoder';
import { type DemoEpisode, DemoDatasetWriter } from './DemoDatasetWriter';
import { type PerturbationOptions, PerturbedPolicy } from './PerturbedPolicy';

/** The expert's chunking for demonstrations: 4 waypoints 0.2 s apart, 2 executed (no safety interventions). */
export const DEMO_EXPERT: Required<Pick<ScriptedReachOptions, 'horizon' | 'stepsToExecute' | 'stepDtS'>> = {
  horizon: 4,
  stepsToExecute: 2,
  stepDtS: 0.2,
};

/** `vla-bridge sim`'s default handover (overlap_blend) and modelled latency: demonstrations run the loop as evaluation does. */
export const DEMO_HANDOVER: Handover = { kind: 'receding_horizon', blendS: 0.3 };
export const DEMO_LATENCY_S = 0.1;

export interface RecordDemosOptions {
  embodiment: Embodiment;
  episodes: number;
  /** Episode i's scene comes from Rng.forEpisode(seed, i), as in `vla-bridge sim --seed`. */
  seed: number;
  /** First episode index (to extend a dataset without repeating scenes). */
  firstEpisode?: number;
  /** The LeRobot dataset folder to create (refused when it holds files, unless `overwrite`). */
  outDir: string;
  overwrite?: boolean;
  /** Video codec of the camera frames (default av1, as LeRobot). */
  codec?: VideoCodec;
  /** Camera frame size, px (square); default the simulator's. */
  imageSize?: number;
  /** The expert's chunking (default DEMO_EXPERT). */
  expert?: ScriptedReachOptions;
  /** DART noise on the executed chunks (labels stay the expert's). */
  perturbation?: PerturbationOptions;
  /**
   * DAgger: in this share of the episodes a learned policy drives the arm and the expert only labels, so the data
   * covers the states the learned policy gets itself into.
   */
  actor?: { policy: Policy; share: number };
  /** A labelled observation every this many control ticks (default 10: 10 Hz at a 100 Hz command rate). */
  sampleEveryTicks?: number;
  /**
   * Keep recording this long after the tool first reached the goal, s. Default 0: an episode ends at success, as
   * in `vla-bridge sim` (holding still at the goal looks like the last centimetres before it, and teaches stopping short).
   */
  holdAfterSuccessS?: number;
  onEpisode?(episode: DemoEpisode): void;
}

export interface RecordDemosSummary {
  dir: string;
  episodes: number;
  successes: number;
  samples: number;
  /** Safety interventions (the counting rule of EpisodeStats) while recording, all episodes. */
  safetyInterventions: number;
  /** The episodes' loop statistics, summed. */
  stats: EpisodeStats;
}

const NOISE_STREAM = 0x6e6f6973;

/**
 * Records scripted expert demonstrations of the reaching task in the built-in simulator. Each episode samples a
 * scene (three cubes, the named target, a random start pose) exactly as `vla-bridge sim` does for the same seed
 * and index, then runs the real control loop (action queue, safety layer, command publisher, simulated arm).
 * At a fixed rate the observation the policy would get (camera frame, joint state, instruction) is labelled by
 * the expert, aiming at the named cube and, as counterfactual labels, at each of the other cubes.
 */
export async function recordDemos(options: RecordDemosOptions): Promise<RecordDemosSummary> {
  const { embodiment } = options;
  if (!Number.isInteger(options.episodes) || options.episodes < 1)
    throw new VlaError('ARGUMENT_INVALID', `episodes must be a positive integer, got ${options.episodes}`, { path: '--episodes' });
  const camera = embodiment.config.topics.cameras[0];
  if (camera === undefined) {
    throw new VlaError('CONFIG_INVALID', `embodiment "${embodiment.name}" has no camera to record`, {
      file: embodiment.configFile,
      path: 'topics.cameras',
      hint: 'add a camera under topics.cameras',
    });
  }
  const transport = new SimTransport(
    embodiment,
    options.imageSize === undefined ? {} : { imageWidth: options.imageSize, imageHeight: options.imageSize },
  );
  const world = transport.world;
  const expertOptions: ScriptedReachOptions = { ...DEMO_EXPERT, ...options.expert };
  const probe = new ScriptedReachPolicy(world, expertOptions);
  const every = options.sampleEveryTicks ?? 10;
  const writer = new DemoDatasetWriter(
    options.outDir,
    {
      embodiment: embodiment.name,
      camera: { name: camera.name, width: world.imageWidth, height: world.imageHeight },
      stateNames: embodiment.commandJointNames,
      actionNames: probe.space.names,
      actionKind: probe.space.kind,
      actionFrame: probe.space.frame,
      horizon: probe.horizon,
      stepDtS: probe.stepDtS,
      objectCount: CUBE_COLORS.length,
      fps: embodiment.config.rates.command_hz / every,
    },
    { overwrite: options.overwrite, codec: options.codec },
  );
  let successes = 0;
  let total = emptyEpisodeStats();
  const first = options.firstEpisode ?? 0;
  let done = false;
  try {
    for (let index = first; index < first + options.episodes; index++) {
      const task = sampleReachTask(world.geometry, Rng.forEpisode(options.seed, index), embodiment.limits, embodiment.armJointNames.length);
      const noise = Rng.forEpisode(mix32(options.seed ^ NOISE_STREAM), index);
      const expert = new ScriptedReachPolicy(world, expertOptions);
      const learned = options.actor !== undefined && noise.next() < options.actor.share ? options.actor.policy : undefined;
      const act =
        learned === undefined ? actorFor(expert, options.perturbation, noise) : { policy: learned, label: `policy ${learned.name}` };
      const labellers = task.cubes.map((_, k) => new ScriptedReachPolicy(worldAimingAt(world, goalOf(task, k)), expertOptions));
      const startS = transport.clock.nowS();
      world.reset(task, startS);
      writer.beginEpisode(task.instruction);
      let ticks = 0;
      const loop: ControlLoop = createEpisodeLoop({
        embodiment,
        transport,
        policy: act.policy,
        instruction: task.instruction,
        handover: DEMO_HANDOVER,
        inference: { kind: 'lockstep', latencyS: DEMO_LATENCY_S },
        listeners: {
          tick: () => {
            if (ticks++ % every !== 0) return;
            const observation = loop.assembler.assemble(task.instruction, act.policy.cameras);
            if (!isObservation(observation)) return;
            // The expert plans synchronously from the world as it is now; the promises only carry the result.
            const labels = labellers.map((l) => l.infer(observation));
            void Promise.all(labels).then((chunks: ActionChunk[]) =>
              writer.add({ observation, label: chunks[task.targetIndex]!, objectLabels: chunks }),
            );
          },
        },
      });
      // Sensors publish at once, now that the loop listens: the first tick sees a fresh frame and joint state.
      transport.restartSensors(startS);
      // Until the time limit, or `holdAfterSuccessS` after the tool first came within the success radius.
      const holdS = options.holdAfterSuccessS ?? 0;
      let successAtS: number | undefined;
      const { endS, stats } = await runEpisode(loop, {
        until: (tS) => {
          if (successAtS === undefined && world.succeeded) successAtS = tS;
          return successAtS !== undefined && tS >= successAtS + holdS;
        },
        timeLimitS: task.timeLimitS,
      });
      total = addEpisodeStats(total, stats);
      if (successAtS !== undefined) successes++;
      const target = task.cubes[task.targetIndex]!;
      const episode = await writer.endEpisode({
        index,
        seed: options.seed,
        instruction: task.instruction,
        targetColor: target.color,
        cubes: task.cubes.map((c) => ({ color: c.color, centerM: [...c.center] })),
        goalM: [...task.goalM],
        startPositions: Array.from(task.startPositions),
        success: successAtS !== undefined,
        timeToSuccessS: successAtS === undefined ? null : successAtS - startS,
        durationS: endS - startS,
        actor: act.label,
        safetyInterventions: stats.safetyInterventions,
        interventionsByLimit: { ...stats.interventionsByLimit },
      });
      options.onEpisode?.(episode);
    }
    done = true;
  } finally {
    if (!done) await writer.abort();
    else
      await writer.close({
        seed: options.seed,
        first_episode: first,
        expert: { horizon: probe.horizon, steps_to_execute: probe.stepsToExecute, step_dt_s: probe.stepDtS },
        loop: { handover: DEMO_HANDOVER, inference_latency_s: DEMO_LATENCY_S, sample_every_ticks: every },
        perturbation: options.perturbation ?? null,
        dagger: options.actor === undefined ? null : { policy: options.actor.policy.name, share: options.actor.share },
      });
    await transport.close();
  }
  return {
    dir: options.outDir,
    episodes: options.episodes,
    successes,
    samples: writer.samples,
    safetyInterventions: total.safetyInterventions,
    stats: total,
  };
}

/** The goal point above cube `k`, at the clearance sampleReachTask put above the target. */
function goalOf(task: ReachTask, k: number): [number, number, number] {
  const target = task.cubes[task.targetIndex]!;
  const cube = task.cubes[k]!;
  return [cube.center[0], cube.center[1], cube.center[2] + (task.goalM[2] - target.center[2])];
}

/** The world as the expert reads it, with the goal moved to `goalM` (everything else shared, live). */
function worldAimingAt(world: SimWorld, goalM: [number, number, number]): SimWorld {
  return Object.create(world, {
    task: { get: () => (world.task === undefined ? undefined : { ...world.task, goalM }) },
  }) as SimWorld;
}

function actorFor(expert: ScriptedReachPolicy, perturbation: PerturbationOptions | undefined, rng: Rng): { policy: Policy; label: string } {
  if (perturbation !== undefined && perturbation.amplitude > 0 && perturbation.probability > 0) {
    return {
      policy: new PerturbedPolicy(expert, rng, perturbation),
      label: `perturbed ${perturbation.amplitude} rad p=${perturbation.probability}`,
    };
  }
  return { policy: expert, label: 'expert' };
}
