import { DEFAULT_HANDOVER_NAME, HANDOVERS } from '../../control/queue/handovers';
import { LATENCY_COMPENSATIONS } from '../../control/queue/latencyCompensation';
import { VlaError } from '../../errors';
import { EXECUTION_PROVIDERS } from '../../policy/manifest/PolicyManifest';
import type { ParameterKind, ParameterSpec, ParameterValue } from '../host/NodeHost';

export const WATCHDOG_RESUME_MODES = ['manual', 'auto'] as const;

/**
 * The node's parameters as one declarative table (type, default, description, range, read-only), in the
 * spirit of generate_parameter_library: the descriptors `ros2 param describe` shows and the `NodeParameters`
 * type both come from here. Rates and timeouts of 0 mean "as the embodiment YAML says".
 */
export const NODE_PARAMETERS = [
  {
    name: 'embodiment',
    kind: 'string',
    default: '',
    readOnly: true,
    description: 'The robot: a shipped embodiment name (franka_panda, ur5e, widowx_250s, so101) or the path of an embodiment YAML',
    additionalConstraints: 'required before configure',
  },
  {
    name: 'policy',
    kind: 'string',
    default: '',
    readOnly: true,
    description: 'The policy folder (ONNX model, manifest, tokenizer, normalization statistics), or a served policy folder',
    additionalConstraints: 'required before configure',
  },
  {
    name: 'policy_server',
    kind: 'string',
    default: '',
    readOnly: true,
    description:
      "A served policy's server URL (ws://host:port), instead of its manifest's server.url; empty: the manifest's. API key from VLA_BRIDGE_POLICY_API_KEY",
  },
  {
    name: 'execution_provider',
    kind: 'string',
    default: '',
    readOnly: true,
    description:
      'onnxruntime execution providers of a local ONNX policy in order of preference (e.g. cuda,cpu) instead of ' +
      "its manifest's runtime.execution_providers; empty: the manifest's. With cpu listed last, a missing provider falls back with a warning",
    additionalConstraints: `comma-separated, each one of ${EXECUTION_PROVIDERS.join(', ')}`,
  },
  {
    name: 'instruction',
    kind: 'string',
    default: '',
    readOnly: false,
    description: 'The language instruction; the ~/instruction topic and the ~/set_instruction service set it too',
    additionalConstraints: 'at most 2000 characters; not empty once set',
  },
  {
    name: 'autostart',
    kind: 'bool',
    default: false,
    readOnly: true,
    description:
      'Configure and activate by itself once the policy has loaded (simulation, replay); on a physical arm leave it false and activate explicitly',
  },
  {
    name: 'dry_run',
    kind: 'bool',
    default: false,
    readOnly: true,
    description: 'Publish commands only on ~/preview/<command topic>, never to the controllers',
  },
  {
    name: 'command_rate_hz',
    kind: 'double',
    default: 0,
    readOnly: true,
    range: { from: 0, to: 1000 },
    description: 'Rate of safety-checked commands, Hz; 0 takes rates.command_hz from the embodiment',
  },
  {
    name: 'policy_rate_hz',
    kind: 'double',
    default: 0,
    readOnly: true,
    range: { from: 0, to: 100 },
    description: 'Rate of policy inferences, Hz; 0 takes rates.policy_hz from the embodiment',
  },
  {
    name: 'chunk_handover',
    kind: 'string',
    default: DEFAULT_HANDOVER_NAME,
    readOnly: true,
    description:
      'How consecutive action chunks hand over: overlap_blend (cross-fade over 0.3 s), receding_horizon (hard switch) or temporal_ensemble (ACT)',
    additionalConstraints: `one of ${Object.keys(HANDOVERS).join(', ')}`,
  },
  {
    name: 'latency_compensation',
    kind: 'string',
    default: 'keep_fed',
    readOnly: true,
    description:
      "How a chunk is lined up with the clock: keep_fed runs it on its observation's time while that " +
      "keeps the action queue fed and later otherwise; strict always on its observation's time " +
      '(a policy slower than half a chunk then runs the queue dry and the arm stops)',
    additionalConstraints: `one of ${LATENCY_COMPENSATIONS.join(', ')}`,
  },
  {
    name: 'joint_state_timeout_s',
    kind: 'double',
    default: 0,
    readOnly: true,
    range: { from: 0, to: 10 },
    description: 'Joint states older than this stop the arm, s; 0 takes timeouts.joint_state_s from the embodiment',
  },
  {
    name: 'camera_timeout_s',
    kind: 'double',
    default: 0,
    readOnly: true,
    range: { from: 0, to: 10 },
    description: "Camera frames older than this stop the arm, s; 0 takes each camera's timeout_s from the embodiment",
  },
  {
    name: 'policy_deadline_s',
    kind: 'double',
    default: 0,
    readOnly: true,
    range: { from: 0, to: 60 },
    description: 'An inference slower than this stops the arm, s; 0 takes timeouts.policy_deadline_s from the embodiment',
  },
  {
    name: 'watchdog_resume',
    kind: 'string',
    default: 'manual',
    readOnly: true,
    description:
      'After a watchdog stop (stale joint states or camera frames, a late policy), when fresh data ' +
      'returns: manual holds the arm until ~/reset, like the e-stop (a physical arm); auto moves ' +
      'again by itself (Gazebo, replay). A gap shorter than watchdog_grace_s resumes by itself ' +
      'either way',
    additionalConstraints: `one of ${WATCHDOG_RESUME_MODES.join(', ')}`,
  },
  {
    name: 'watchdog_grace_s',
    kind: 'double',
    default: 0.25,
    readOnly: true,
    range: { from: 0, to: 10 },
    description: 'A watchdog stop shorter than this resumes by itself even with watchdog_resume manual, s',
  },
  {
    name: 'status_rate_hz',
    kind: 'double',
    default: 5,
    readOnly: true,
    range: { from: 0.1, to: 100 },
    description: 'Rate of ~/status messages, Hz (/diagnostics is published at 1 Hz)',
  },
  {
    name: 'use_sim_time',
    kind: 'bool',
    default: false,
    readOnly: false,
    description: 'Use ROS time from /clock (Gazebo, bag replay) instead of the wall clock; fixed at start',
  },
] as const satisfies readonly ParameterSpec[];

type ValueOf<K extends ParameterKind> = K extends 'bool' ? boolean : K extends 'string' ? string : number;

/** The node's parameter values, typed from the table. */
export type NodeParameters = { -readonly [P in (typeof NODE_PARAMETERS)[number] as P['name']]: ValueOf<P['kind']> };

export type NodeParameterName = keyof NodeParameters;

/** Reads the declared values into the typed record (the host has already checked each against its spec). */
export function toNodeParameters(values: ReadonlyMap<string, ParameterValue>): NodeParameters {
  const out: Record<string, ParameterValue> = {};
  for (const spec of NODE_PARAMETERS) {
    const v = values.get(spec.name);
    if (v === undefined) throw new Error(`parameter ${spec.name} was not declared`);
    out[spec.name] = v;
  }
  return out as NodeParameters;
}

export type WatchdogResumeMode = (typeof WATCHDOG_RESUME_MODES)[number];

/** The watchdog_resume value, or a CONFIG_INVALID error naming the parameter and the choices. */
export function watchdogResumeNamed(value: string): WatchdogResumeMode {
  if ((WATCHDOG_RESUME_MODES as readonly string[]).includes(value)) return value as WatchdogResumeMode;
  throw new VlaError('CONFIG_INVALID', `unknown watchdog_resume "${value}"`, {
    path: 'watchdog_resume',
    hint: `use one of ${WATCHDOG_RESUME_MODES.join(', ')}`,
  });
}

export const MAX_INSTRUCTION_LENGTH = 2000;

/** Why an instruction is refused, or undefined when it is acceptable. */
export function instructionProblem(text: string): string | undefined {
  if (text.trim() === '') return 'the instruction must not be empty';
  if (text.length > MAX_INSTRUCTION_LENGTH) return `the instruction has ${text.length} characters; the limit is ${MAX_INSTRUCTION_LENGTH}`;
  return undefined;
}
