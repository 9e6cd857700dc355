import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { VlaError, VlaErrorList } from '../errors';
import { KinematicChain } from '../robot/KinematicChain';
import { parseUrdfFile } from '../robot/parseUrdf';
import type { Embodiment } from './Embodiment';
import { COMMAND_TYPES_BY_MODE, type EmbodimentConfig, EmbodimentConfigSchema } from './EmbodimentConfig';
import { packageRoot } from './packageRoot';
import { embodimentRoot, resolveInside } from './resolveInside';
import { readYamlFile, zodIssuesToErrors } from './yamlSource';
import { resolveJointLimits } from './resolveJointLimits';

/** Names of the embodiments shipped in config/ (a YAML there is an embodiment). */
export function shippedEmbodiments(): string[] {
  const dir = join(packageRoot(), 'config');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && !f.startsWith('_'))
    .map((f) => basename(f, '.yaml'))
    .sort();
}

/** A shipped name (`franka_panda`) or a path to a YAML file -> the YAML's absolute path. */
export function resolveEmbodimentPath(nameOrPath: string, cwd = process.cwd()): string {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes('\\') || /\.ya?ml$/i.test(nameOrPath);
  if (looksLikePath) return isAbsolute(nameOrPath) ? nameOrPath : resolve(cwd, nameOrPath);
  const file = join(packageRoot(), 'config', `${nameOrPath}.yaml`);
  if (!existsSync(file)) {
    throw new VlaError('EMBODIMENT_NOT_FOUND', `no shipped embodiment named "${nameOrPath}"`, {
      hint: `use one of ${shippedEmbodiments().join(', ')}, or give the path to an embodiment YAML`,
    });
  }
  return file;
}

/**
 * Loads and validates an embodiment: the YAML against its schema, the URDF it names, the kinematic chain,
 * every joint name, and the limit layering. Every problem found in the YAML is reported together.
 */
export function loadEmbodiment(nameOrPath: string, cwd = process.cwd()): Embodiment {
  const configFile = resolveEmbodimentPath(nameOrPath, cwd);
  const source = readYamlFile(configFile);
  const parsed = EmbodimentConfigSchema.safeParse(source.value, { reportInput: true });
  if (!parsed.success) {
    throw new VlaErrorList(zodIssuesToErrors(parsed.error.issues, source));
  }
  const config = parsed.data;
  const at = (path: (string | number)[], joint?: string) => ({ file: configFile, path: path.join('.'), line: source.lineOf(path), joint });

  const urdfFile = resolveInside(embodimentRoot(configFile), dirname(configFile), config.urdf, at(['urdf']), 'urdf');
  if (!existsSync(urdfFile)) {
    throw new VlaError('FILE_NOT_FOUND', `urdf "${config.urdf}" not found (looked at ${urdfFile})`, {
      ...at(['urdf']),
      hint: 'the urdf path is relative to the embodiment YAML',
    });
  }
  const robot = parseUrdfFile(urdfFile);
  const chain = KinematicChain.build(robot, config.base_link, config.tool_link);

  const errors: VlaError[] = [];
  const problem = (
    path: (string | number)[],
    message: string,
    hint: string,
    joint?: string,
    code: 'CONFIG_INVALID' | 'CONFIG_UNKNOWN_JOINT' = 'CONFIG_INVALID',
  ) => errors.push(new VlaError(code, message, { ...at(path, joint), hint }));

  checkJointList(config, robot.jointByName, chain, problem);
  const armJointNames = config.joints;
  const gripperJoint = config.gripper?.joint;
  const commandJointNames = gripperJoint === undefined ? [...armJointNames] : [...armJointNames, gripperJoint];
  const policyJointNames = config.policy_joints ?? armJointNames;
  policyJointNames.forEach((name, i) => {
    if (!commandJointNames.includes(name)) {
      problem(
        ['policy_joints', i],
        `policy joint "${name}" is not one of the commanded joints`,
        `use names from joints${gripperJoint === undefined ? '' : ' or the gripper joint'}`,
        name,
        'CONFIG_UNKNOWN_JOINT',
      );
    }
  });
  const cameraNames = new Set<string>();
  config.topics.cameras.forEach((camera, i) => {
    if (cameraNames.has(camera.name))
      problem(['topics', 'cameras', i, 'name'], `camera name "${camera.name}" is used twice`, 'give every camera its own name');
    cameraNames.add(camera.name);
  });
  const allowed = COMMAND_TYPES_BY_MODE[config.control.mode];
  if (!allowed.includes(config.control.command_type)) {
    problem(
      ['control', 'command_type'],
      `command_type ${config.control.command_type} cannot carry control mode ${config.control.mode}`,
      `use one of ${allowed.join(', ')}`,
    );
  }
  if (errors.length > 0) throw new VlaErrorList(errors);

  const { limits, warnings } = resolveJointLimits(robot, commandJointNames, config.safety, { configFile, lineOf: source.lineOf });
  if (config.gripper !== undefined) {
    const g = config.gripper;
    const urdfLimit = robot.jointByName.get(g.joint)?.limit ?? {};
    const lower = urdfLimit.lower ?? -Infinity;
    const upper = urdfLimit.upper ?? Infinity;
    for (const key of ['open_position', 'closed_position'] as const) {
      if (g[key] < lower || g[key] > upper) {
        throw new VlaError(
          'CONFIG_INVALID',
          `gripper.${key} ${g[key]} is outside joint "${g.joint}"'s range [${lower}, ${upper}] in the URDF`,
          {
            ...at(['gripper', key], g.joint),
            hint: 'use a position inside the gripper joint limits',
          },
        );
      }
    }
  }
  const commanded = new Set(commandJointNames);
  const urdfWarnings = robot.warnings.filter((w) => w.element === undefined || commanded.has(w.element)).map((w) => w.message);
  const chainJointIndices = Int32Array.from(chain.jointNames.map((name) => commandJointNames.indexOf(name)));
  return {
    name: config.name,
    configFile,
    urdfFile,
    config,
    robot,
    armJointNames,
    commandJointNames,
    limits,
    policyJointNames,
    chain,
    chainJointIndices,
    warnings: [...urdfWarnings, ...warnings],
  };
}

type Problem = (
  path: (string | number)[],
  message: string,
  hint: string,
  joint?: string,
  code?: 'CONFIG_INVALID' | 'CONFIG_UNKNOWN_JOINT',
) => void;

/** The arm joints are exactly the moving joints of the chain from base_link to tool_link (in any order). */
function checkJointList(config: EmbodimentConfig, known: ReadonlyMap<string, unknown>, chain: KinematicChain, problem: Problem): void {
  const seen = new Set<string>();
  config.joints.forEach((name, i) => {
    if (!known.has(name)) {
      problem(
        ['joints', i],
        `joint "${name}" is not in the URDF`,
        `the chain's joints are: ${chain.jointNames.join(', ')}`,
        name,
        'CONFIG_UNKNOWN_JOINT',
      );
    } else if (!chain.jointNames.includes(name)) {
      problem(
        ['joints', i],
        `joint "${name}" is not on the chain from ${chain.baseLink} to ${chain.toolLink}`,
        `the chain's joints are: ${chain.jointNames.join(', ')}`,
        name,
      );
    }
    if (seen.has(name)) problem(['joints', i], `joint "${name}" is listed twice`, 'list each joint once', name);
    seen.add(name);
  });
  const missing = chain.jointNames.filter((name) => !seen.has(name));
  if (missing.length > 0) {
    problem(
      ['joints'],
      `joints must list every moving joint from ${chain.baseLink} to ${chain.toolLink}; missing: ${missing.join(', ')}`,
      'add them (in the order your driver and policy use)',
    );
  }
  const gripper = config.gripper?.joint;
  if (gripper !== undefined) {
    if (!known.has(gripper))
      problem(
        ['gripper', 'joint'],
        `gripper joint "${gripper}" is not in the URDF`,
        'use the URDF joint that opens the gripper',
        gripper,
        'CONFIG_UNKNOWN_JOINT',
      );
    if (seen.has(gripper))
      problem(['gripper', 'joint'], `gripper joint "${gripper}" is also an arm joint`, 'list it only under gripper', gripper);
  }
}
