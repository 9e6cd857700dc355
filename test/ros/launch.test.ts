import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_PARAMETERS } from '../../src/ros/node/nodeParameters';
import { loadEmbodiment } from '../../src/config/loadEmbodiment';
import { commandTopics, NODE_SERVICES, NODE_TOPICS, resolvedPreviewTopic } from '../../src/outputs/nodeTopics';

/**
 * The launch files without ROS: each compiles (py_compile), every launch argument it uses is declared, every
 * node parameter it sets is one the node declares, every file it reads exists, the Gazebo model it builds for
 * each shipped embodiment drives the embodiment's command joints through controllers named after its command
 * topics, and package.xml lists every package the launch files, configs and CMakeLists.txt use.
 */

const ROOT = join(__dirname, '../..');
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'check_launch.py');

interface LaunchReport {
  problems: string[];
  packages: string[];
  embodiments: string[];
  installed_programs: string[];
  installed_directories: string[];
  files: Record<string, { arguments: string[]; node_parameters: string[]; executables: string[] }>;
}

function check(root: string): LaunchReport {
  return JSON.parse(
    execFileSync(PYTHON, [SCRIPT, root], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } }),
  ) as LaunchReport;
}

const report = check(ROOT);

describe('launch files', () => {
  it('have no problems', () => {
    expect(report.problems).toEqual([]);
  });

  it('are the three the package documents, each declaring its arguments', () => {
    expect(Object.keys(report.files).sort()).toEqual(['bringup.launch.py', 'gazebo.launch.py', 'replay.launch.py']);
    expect(report.files['bringup.launch.py']!.arguments).toEqual([
      'embodiment',
      'policy',
      'instruction',
      'autostart',
      'watchdog_resume',
      'dry_run',
      'log_level',
    ]);
    expect(report.files['replay.launch.py']!.arguments).toEqual(expect.arrayContaining(['bag', 'embodiment', 'policy', 'instruction']));
    expect(report.files['gazebo.launch.py']!.arguments).toEqual(
      expect.arrayContaining(['embodiment', 'policy', 'instruction', 'world', 'gui']),
    );
  });

  it('set only parameters the node declares', () => {
    const declared = NODE_PARAMETERS.map((p) => p.name as string);
    for (const [file, info] of Object.entries(report.files)) {
      expect([file, info.node_parameters.filter((p) => !declared.includes(p))]).toEqual([file, []]);
    }
    expect(report.files['gazebo.launch.py']!.node_parameters).toContain('use_sim_time');
    expect(report.files['replay.launch.py']!.node_parameters).toContain('use_sim_time');
    for (const file of ['bringup.launch.py', 'gazebo.launch.py', 'replay.launch.py'])
      expect(report.files[file]!.node_parameters).toContain('watchdog_resume');
  });

  it('start the executable CMakeLists.txt installs, which runs `vla-bridge run`', () => {
    expect(report.installed_programs).toEqual(['vla_bridge_node']);
    for (const info of Object.values(report.files)) expect(info.executables).toContain('vla_bridge/vla_bridge_node');
    expect(readFileSync(join(ROOT, 'scripts/vla_bridge_node'), 'utf8')).toMatch(/exec node "\$share\/bin\/vla-bridge\.js" run "\$@"/);
    expect(report.installed_directories).toEqual(expect.arrayContaining(['launch', 'config', 'urdf', 'msg', 'srv', 'bin']));
  });

  it('cover every shipped embodiment', () => {
    expect(report.embodiments).toEqual(['franka_panda', 'so101', 'ur5e', 'widowx_250s']);
    expect(report.packages).toEqual(
      expect.arrayContaining([
        'ros_gz_sim',
        'ros_gz_bridge',
        'robot_state_publisher',
        'controller_manager',
        'ros2bag',
        'joint_trajectory_controller',
      ]),
    );
  });

  it('report what is wrong in a broken copy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vla-launch-'));
    try {
      for (const entry of ['launch', 'config', 'urdf', 'package.xml', 'CMakeLists.txt'])
        cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
      const bringup = join(dir, 'launch/bringup.launch.py');
      writeFileSync(bringup, readFileSync(bringup, 'utf8').replace("LaunchConfiguration('log_level')", "LaunchConfiguration('log_levle')"));
      const xml = join(dir, 'package.xml');
      writeFileSync(xml, readFileSync(xml, 'utf8').replace('<exec_depend>ros_gz_bridge</exec_depend>', ''));
      const controllers = join(dir, 'config/ros2_control/ur5e.yaml');
      writeFileSync(
        controllers,
        readFileSync(controllers, 'utf8').replaceAll('scaled_joint_trajectory_controller', 'joint_trajectory_controller'),
      );
      const gazebo = join(dir, 'config/gazebo/so101.yaml');
      writeFileSync(gazebo, readFileSync(gazebo, 'utf8').replace('parent: gripper_link', 'parent: no_such_link'));
      const broken = check(dir);
      expect(broken.problems).toEqual(
        expect.arrayContaining([
          "bringup.launch.py: uses LaunchConfiguration('log_levle') but declares no such argument",
          'package.xml: does not list ros_gz_bridge, which the launch files, configs or CMakeLists.txt use',
          expect.stringMatching(/^embodiment ur5e: no controller scaled_joint_trajectory_controller for command topic/),
          expect.stringMatching(/^embodiment so101: camera "wrist" is mounted on link no_such_link/),
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** What vla_bridge_launch_utils.load_embodiment returns (the parts these tests read). */
interface HelperEmbodiment {
  rates: { command_hz: number; policy_hz: number };
  topics: { joint_states: string; cameras: Record<string, unknown>[] };
  joints: string[];
  command_topics: string[];
  preview_topics: string[];
}

describe('launch helpers read embodiments through the package', () => {
  /** Runs vla_bridge_launch_utils.load_embodiment on `yamlText` (written next to the shipped ones). */
  function loadWithHelpers(yamlText: string): { ok: true; embodiment: HelperEmbodiment } | { ok: false; error: string } {
    const dir = mkdtempSync(join(tmpdir(), 'vla-launch-emb-'));
    try {
      // An embodiment names its URDF inside its own ROS package: lay out a package with config/ and urdf/ as shipped.
      mkdirSync(join(dir, 'config'));
      cpSync(join(ROOT, 'urdf'), join(dir, 'urdf'), { recursive: true });
      cpSync(join(ROOT, 'package.xml'), join(dir, 'package.xml'));
      const file = join(dir, 'config', 'robot.yaml');
      writeFileSync(file, yamlText);
      const script = [
        'import json, sys',
        `sys.path.insert(0, ${JSON.stringify(join(ROOT, 'launch'))})`,
        'import vla_bridge_launch_utils as utils',
        'try:',
        `    print(json.dumps({"ok": True, "embodiment": utils.load_embodiment(${JSON.stringify(file)}, ${JSON.stringify(ROOT)})}))`,
        'except utils.LaunchConfigError as err:',
        '    print(json.dumps({"ok": False, "error": str(err)}))',
      ].join('\n');
      return JSON.parse(execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' })) as never;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const so101 = readFileSync(join(ROOT, 'config/so101.yaml'), 'utf8');

  it('get the schema defaults the node uses, not a copy of them', () => {
    const trimmed = so101
      .replace(/^rates:\n( {2}.*\n)+/m, '')
      .replace(/^ {2}joint_states: .*\n/m, '')
      .replace('      type: sensor_msgs/msg/Image\n', '');
    const result = loadWithHelpers(trimmed);
    expect(result.ok).toBe(true);
    const e = (result as { embodiment: HelperEmbodiment }).embodiment;
    expect(e.rates).toEqual({ command_hz: 100, policy_hz: 10 });
    expect(e.topics.joint_states).toBe('/joint_states');
    expect(e.topics.cameras[0]).toEqual({ name: 'front', topic: '/front_camera/image_raw', type: 'sensor_msgs/msg/Image', timeout_s: 0.5 });
    expect(e.joints).toEqual(['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll']);
  });

  it('get the command and dry-run preview topics from the package, gripper topic included', () => {
    const result = loadWithHelpers(readFileSync(join(ROOT, 'config/franka_panda.yaml'), 'utf8'));
    expect(result.ok).toBe(true);
    const e = (result as { embodiment: HelperEmbodiment }).embodiment;
    const panda = loadEmbodiment('franka_panda');
    expect(e.command_topics).toEqual(commandTopics(panda));
    expect(e.command_topics).toEqual(['/panda_arm_controller/joint_trajectory', '/gripper_controller/commands']);
    expect(e.preview_topics).toEqual(commandTopics(panda).map(resolvedPreviewTopic));
  });

  it('refuse an embodiment the package refuses, with its message', () => {
    const result = loadWithHelpers(so101.replace('command_hz: 50', 'command_hz: -50'));
    expect(result.ok).toBe(false);
    expect((result as { error: string }).error).toMatch(/robot\.yaml is not usable: .*rates\.command_hz/s);
  });
});

describe('docs/ROS.md', () => {
  const docs = readFileSync(join(ROOT, 'docs/ROS.md'), 'utf8');

  it('documents every parameter, topic, service and launch argument', () => {
    const missing = [
      ...NODE_PARAMETERS.map((p) => `\`${p.name}\``),
      ...Object.values(NODE_TOPICS).map((t) => `\`${t}\``),
      ...Object.values(NODE_SERVICES).map((s) => `\`${s}\``),
      ...Object.entries(report.files).flatMap(([file, info]) => [file, ...info.arguments.map((a) => `\`${a}\``)]),
    ].filter((needle) => !docs.includes(needle));
    expect(missing).toEqual([]);
  });

  it('gives the lifecycle commands and the colcon steps', () => {
    for (const t of ['configure', 'activate', 'deactivate', 'cleanup', 'shutdown'])
      expect(docs).toContain(`ros2 lifecycle set /vla_bridge ${t}`);
    expect(docs).toMatch(/scripts\/setup\.sh --no-run[\s\S]*rosdep install[\s\S]*colcon build[\s\S]*source install\/setup\.bash/);
  });
});
