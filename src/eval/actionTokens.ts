import type { Embodiment } from '../config/Embodiment';
import { VlaError } from '../errors';
import { UniformBins } from '../policy/decode/uniformBins';
import { actionSpaceOf } from '../policy/manifest/actionSpaceOf';
import { isServedFormat, loadPolicyManifest, readManifestSource } from '../policy/manifest/loadPolicyManifest';
import { loadNormalization } from '../policy/normalization/loadNormalization';
import { type Normalization, normalize } from '../policy/normalization/Normalization';
import { secondsToNs } from '../time/rosTime';
import type { ActionChunk, ActionSpace } from '../policy/Policy';
import { alignStreams } from './alignStreams';
import type { CommandStream } from './CommandStream';

/**
 * How a tokenized policy's training turned actions into tokens, redone for the recorded actions so that token
 * accuracy compares like with like: OpenVLA's uniform bins (DESIGN §6) after the policy's own normalization.
 */
export interface ActionTokenizer {
  space: ActionSpace;
  horizon: number;
  stepDtS: number;
  /** The gripper dimension's raw range: the chunk's [0, 1] value v was from + v (to - from) before normalization. */
  gripper?: { index: number; from: number; to: number };
  /** Tokens of a chunk of actions as the policy outputs them (horizon x dims, unnormalized, gripper in [0, 1]). */
  encode(actions: Float64Array): number[];
}

export function uniformBinTokenizer(options: {
  space: ActionSpace;
  horizon: number;
  stepDtS: number;
  normalization: Normalization;
  bins: UniformBins;
  gripper?: { index: number; from: number; to: number };
}): ActionTokenizer {
  const { normalization, bins, gripper } = options;
  const dims = options.space.names.length;
  return {
    space: options.space,
    horizon: options.horizon,
    stepDtS: options.stepDtS,
    gripper,
    encode(actions) {
      const tokens: number[] = [];
      const raw = new Float64Array(dims);
      const n = new Float64Array(dims);
      for (let s = 0; s * dims < actions.length; s++) {
        raw.set(actions.subarray(s * dims, (s + 1) * dims));
        if (gripper !== undefined) raw[gripper.index] = gripper.from + raw[gripper.index]! * (gripper.to - gripper.from);
        normalize(normalization, raw, n);
        for (let d = 0; d < dims; d++) tokens.push(bins.encodeValue(n[d]!));
      }
      return tokens;
    },
  };
}

/**
 * The tokenizer of a policy folder, or why token accuracy cannot be computed for it: it is defined here for
 * uniform-bin decoders (OpenVLA style) with joint actions, where a recorded joint command is an action of the
 * policy's space. Reads the manifest and the statistics only (no model). A served policy has none here.
 */
export function actionTokenizerFor(policyDir: string): ActionTokenizer | { reason: string } {
  if (isServedFormat(readManifestSource(policyDir).source.value)) {
    return { reason: 'the policy is served: its server returns actions, not tokens' };
  }
  const folder = loadPolicyManifest(policyDir);
  const m = folder.manifest;
  const decoder = m.action.decoder;
  if (decoder.type !== 'uniform_bins') {
    return {
      reason:
        decoder.type === 'continuous'
          ? 'the policy is not tokenized (continuous actions)'
          : `token accuracy covers uniform-bin decoders; this policy's decoder is ${decoder.type}`,
    };
  }
  const space = actionSpaceOf(m);
  if (space.frame !== 'joint') return { reason: 'the policy acts on the tool pose; recorded joint commands are compared as joints only' };
  const dims = space.names.length;
  const normalization = loadNormalization({
    spec: m.action.normalization,
    dims,
    role: 'action',
    resolveFile: folder.resolve,
    where: folder.at(['action', 'normalization']),
  });
  const g = m.action.space.gripper;
  return uniformBinTokenizer({
    space,
    horizon: m.action.chunk.horizon,
    stepDtS: m.action.chunk.step_dt_s,
    normalization,
    bins: new UniformBins(decoder.vocab_size, decoder.num_bins),
    gripper: g === undefined ? undefined : { index: space.names.indexOf(g.dimension), from: g.range[0], to: g.range[1] },
  });
}

/**
 * The recorded actions a chunk should have been, in the policy's action space: for step i, the recorded
 * command at `observationStampS + (i + 1) * stepDtS` (when the chunk's waypoint i is due), as an absolute
 * target, an offset from the observed state, or an increment on the previous step, as the policy's actions
 * are; the gripper joint's position as the [0, 1] value the policy writes. Undefined when a step falls where
 * nothing was recorded (`recordedAt` says so).
 *
 * `state` and `recordedAt` are in the embodiment's command joint order (NaN where a joint was not recorded).
 */
export function expectedActions(
  embodiment: Embodiment,
  tokenizer: Pick<ActionTokenizer, 'space' | 'horizon' | 'stepDtS'>,
  observationStampS: number,
  state: Float64Array,
  recordedAt: (tS: number) => Float64Array | undefined,
): Float64Array | undefined {
  const { space, horizon, stepDtS } = tokenizer;
  const dims = space.names.length;
  const gi = space.gripperIndex;
  const jointOf = embodiment.policyJointNames.map((n) => embodiment.commandJointNames.indexOf(n));
  const gripper = embodiment.config.gripper;
  const gripperJoint = gripper === undefined ? -1 : embodiment.commandJointNames.indexOf(gripper.joint);
  const armDims = space.names.map((_, d) => d).filter((d) => d !== gi);
  if (armDims.length !== jointOf.length) {
    throw new VlaError(
      'MODEL_MISMATCH',
      `the policy's action has ${armDims.length} joint dimensions, embodiment "${embodiment.name}" drives ${jointOf.length} policy joints`,
      { file: embodiment.configFile, path: 'policy_joints' },
    );
  }
  const out = new Float64Array(horizon * dims);
  let previous = state;
  for (let s = 0; s < horizon; s++) {
    const command = recordedAt(observationStampS + (s + 1) * stepDtS);
    if (command === undefined) return undefined;
    armDims.forEach((d, k) => {
      const j = jointOf[k]!;
      const target = command[j]!;
      out[s * dims + d] = space.kind === 'absolute' ? target : target - (space.deltaConvention === 'cumulative' ? previous[j]! : state[j]!);
    });
    if (gi !== undefined && gripper !== undefined && gripperJoint >= 0) {
      const p = command[gripperJoint]!;
      const convention = space.gripperConvention ?? gripper.action_convention;
      const span = gripper.open_position - gripper.closed_position;
      const v = convention === 'open_is_1' ? (p - gripper.closed_position) / span : (gripper.open_position - p) / span;
      out[s * dims + gi] = Math.min(1, Math.max(0, v));
    }
    previous = command;
    for (let d = 0; d < dims; d++) if (Number.isNaN(out[s * dims + d]!)) return undefined;
  }
  return out;
}

/** The recorded commands of one topic, as token accuracy samples them. */
export interface RecordedChannel {
  recorded: CommandStream;
  /** Spacing above which the recorded stream has a gap (nothing is interpolated across it). */
  maxGapNs: bigint | undefined;
}

/**
 * Predicted tokens of each chunk next to the tokens of the recorded actions at its step times (chunks with a
 * step where nothing was recorded are left out). `state` is the joint state the chunk was computed from.
 */
export function tokenPairs(
  embodiment: Embodiment,
  tokenizer: ActionTokenizer,
  chunks: readonly { chunk: ActionChunk; state: Float64Array | undefined }[],
  channels: readonly RecordedChannel[],
): { predicted: readonly number[]; expected: readonly number[] }[] {
  const withTokens = chunks.filter((c) => c.chunk.tokens !== undefined && c.state !== undefined);
  const stepTimes = (stampS: number): number[] => Array.from({ length: tokenizer.horizon }, (_, i) => stampS + (i + 1) * tokenizer.stepDtS);
  const times = [...new Set(withTokens.flatMap((c) => stepTimes(c.chunk.observationStampS).map(secondsToNs)))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  // Every channel's recorded values at every step time, by joint name, in one pass per channel.
  const names = embodiment.commandJointNames;
  const at = new Map<bigint, Float64Array>(times.map((t) => [t, new Float64Array(names.length).fill(NaN)]));
  for (const { recorded, maxGapNs } of channels) {
    const queries: CommandStream = {
      names: recorded.names,
      samples: times.map((tNs) => ({ tNs, values: new Float64Array(recorded.names.length) })),
    };
    const columns = recorded.names.map((n) => names.indexOf(n));
    for (const pair of alignStreams(queries, recorded, maxGapNs ?? 0n).pairs) {
      const row = at.get(pair.tNs)!;
      columns.forEach((j, k) => {
        if (j >= 0) row[j] = pair.recorded[k]!;
      });
    }
  }
  const pairs: { predicted: readonly number[]; expected: readonly number[] }[] = [];
  for (const { chunk, state } of withTokens) {
    const actions = expectedActions(embodiment, tokenizer, chunk.observationStampS, state!, (tS) => at.get(secondsToNs(tS)));
    if (actions !== undefined) pairs.push({ predicted: chunk.tokens!, expected: tokenizer.encode(actions) });
  }
  return pairs;
}
