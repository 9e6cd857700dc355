"""Helpers shared by the vla_bridge launch files.

Plain Python (os, subprocess, xml, PyYAML) and no launch imports, so the package's tests run every function
here without ROS. The launch files read the embodiment as the package itself reads it (`vla-bridge check
--json`: validated, schema defaults applied), so topic, joint, controller names and rates come from one place.
"""

import json
import os
import subprocess
import xml.etree.ElementTree as ET

import yaml

PACKAGE = 'vla_bridge'
NODE_EXECUTABLE = 'vla_bridge_node'
NODE_NAME = 'vla_bridge'


class LaunchConfigError(RuntimeError):
    """A launch argument or config file that cannot be used; the message says what to do."""


def shipped_embodiments(share_dir):
    """Names of the embodiments in <share>/config (every YAML directly in that folder)."""
    config_dir = os.path.join(share_dir, 'config')
    return sorted(f[:-5] for f in os.listdir(config_dir) if f.endswith('.yaml') and not f.startswith('_'))


def embodiment_path(name_or_path, share_dir):
    """A shipped name (franka_panda) or a path to an embodiment YAML -> the YAML's absolute path."""
    looks_like_path = '/' in name_or_path or '\\' in name_or_path or name_or_path.lower().endswith(('.yaml', '.yml'))
    if looks_like_path:
        path = os.path.abspath(name_or_path)
    else:
        path = os.path.join(share_dir, 'config', name_or_path + '.yaml')
    if not os.path.isfile(path):
        raise LaunchConfigError(
            'embodiment "%s" not found (looked at %s); use one of %s, or the path of an embodiment YAML'
            % (name_or_path, path, ', '.join(shipped_embodiments(share_dir))))
    return path


def cli_path(share_dir):
    """The package's command line in its share folder (a checkout's bin/ too)."""
    return os.path.join(share_dir, 'bin', 'vla-bridge.js')


def load_embodiment(name_or_path, share_dir, cli=None):
    """The embodiment as `vla-bridge check --json` reports it (YAML and URDF validated, defaults applied), as a
    dict: name, file (the YAML's path), urdf_file, joints (the YAML's joint order), gripper (or None), control,
    topics (joint_states, cameras), rates (command_hz, policy_hz) and workspace (or None).
    `cli` is the vla-bridge.js to run (default: the one in share_dir)."""
    path = embodiment_path(name_or_path, share_dir)
    command = ['node', cli or cli_path(share_dir), 'check', path, '--json']
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise LaunchConfigError('could not run %s: %s (Node.js must be on PATH; see docs/ROS.md)' % (' '.join(command), err))
    if done.returncode != 0:
        raise LaunchConfigError('embodiment %s is not usable: %s' % (path, done.stderr.strip() or 'vla-bridge check failed'))
    summary = json.loads(done.stdout)
    return {
        'name': summary['name'],
        'file': summary['config'],
        'urdf_file': summary['urdf'],
        'joints': summary['policy_joints'],
        'gripper': summary['gripper'],
        'control': summary['control'],
        'command_topics': summary['command_topics'],
        'preview_topics': summary['preview_topics'],
        'topics': {'joint_states': summary['joint_states'], 'cameras': summary['cameras']},
        'rates': summary['rates'],
        'workspace': summary['workspace'],
    }


def command_joints(embodiment):
    """The joints a command carries: the arm joints, then the gripper joint if there is one."""
    joints = list(embodiment['joints'])
    gripper = embodiment.get('gripper')
    if gripper:
        joints.append(gripper['joint'])
    return joints


def command_topics(embodiment):
    """Every topic the embodiment's commands go out on (arm, and the gripper when it has its own topic), as the
    package reports them (`vla-bridge check --json`)."""
    return list(embodiment['command_topics'])


def preview_topics(embodiment):
    """Where the node (named vla_bridge) sends its commands with dry_run:=true, as the package reports them."""
    return list(embodiment['preview_topics'])


def joint_state_topic(embodiment):
    return embodiment['topics']['joint_states']


def cameras(embodiment):
    return embodiment['topics']['cameras']


def sensor_topics(embodiment):
    """What the bridge reads: joint states and every camera."""
    return [joint_state_topic(embodiment)] + [c['topic'] for c in cameras(embodiment)]


def is_compressed(camera):
    return camera['type'] == 'sensor_msgs/msg/CompressedImage'


def camera_raw_topic(camera):
    """The raw image topic a simulated camera publishes; compressed cameras get it republished as compressed."""
    topic = camera['topic']
    if not is_compressed(camera):
        return topic
    return topic[:-len('/compressed')] if topic.endswith('/compressed') else topic + '/raw'


def clock_rate_hz(embodiment):
    """The /clock rate for a replay: twice the command rate, so that every control tick sees ROS time advance
    (rosbag2 publishes /clock at 40 Hz by default, fewer times than a 100 Hz loop ticks)."""
    return 2.0 * float(embodiment['rates']['command_hz'])


def bag_play_command(bag, rate, embodiment):
    """`ros2 bag play` for a replay: only the topics the bridge reads, /clock at clock_rate_hz."""
    return ['ros2', 'bag', 'play', bag, '--clock', '%g' % clock_rate_hz(embodiment), '--rate', str(rate),
            '--topics'] + sensor_topics(embodiment)


def replay_remappings(embodiment, prefix):
    """Command topic -> prefix + topic, so that a replay's commands reach nothing real."""
    prefix = '/' + prefix.strip('/')
    return [(topic, prefix + (topic if topic.startswith('/') else '/' + topic)) for topic in command_topics(embodiment)]


def gazebo_config_path(embodiment, share_dir):
    return os.path.join(share_dir, 'config', 'gazebo', embodiment['name'] + '.yaml')


def controllers_config_path(embodiment, share_dir):
    return os.path.join(share_dir, 'config', 'ros2_control', embodiment['name'] + '.yaml')


def _read_yaml(path, what, embodiment):
    if not os.path.isfile(path):
        raise LaunchConfigError(
            '%s for embodiment %s not found: %s; add one (see docs/ROS.md, "Adding a robot")' % (what, embodiment['name'], path))
    with open(path, 'r', encoding='utf-8') as f:
        return yaml.safe_load(f)


def load_gazebo_config(embodiment, share_dir):
    return _read_yaml(gazebo_config_path(embodiment, share_dir), 'Gazebo config', embodiment)


def controller_plan(embodiment, share_dir):
    """(controller manager, [(controller name, joints)]) from the embodiment's ros2_control YAML."""
    data = _read_yaml(controllers_config_path(embodiment, share_dir), 'ros2_control config', embodiment)
    manager_keys = [k for k in data if k.rstrip('/').split('/')[-1] == 'controller_manager']
    if len(manager_keys) != 1:
        raise LaunchConfigError('%s must configure exactly one controller_manager' % controllers_config_path(embodiment, share_dir))
    manager = manager_keys[0]
    namespace = manager[:-len('controller_manager')].rstrip('/')
    controllers = []
    for name, value in data[manager]['ros__parameters'].items():
        if isinstance(value, dict) and 'type' in value:
            params = data.get((namespace + '/' + name) if namespace else name, {}).get('ros__parameters', {})
            controllers.append((name, list(params.get('joints', []))))
    return ('/' + manager.lstrip('/')), controllers


def command_interface(embodiment):
    mode = embodiment['control']['mode']
    if mode == 'joint_position':
        return 'position'
    if mode == 'joint_velocity':
        return 'velocity'
    raise LaunchConfigError(
        'embodiment %s uses control mode %s; gazebo.launch.py drives joint_position and joint_velocity embodiments '
        '(run MoveIt Servo between the bridge and the controllers for Cartesian modes)' % (embodiment['name'], mode))


# Names that changed between Gazebo Fortress (ROS 2 Humble) and Gazebo Harmonic (Jazzy and later).
_FORTRESS = {
    'system_file': 'ignition-gazebo-%s-system',
    'system_name': 'ignition::gazebo::systems::%s',
    'control_file': 'libign_ros2_control-system.so',
    'control_name': 'ign_ros2_control::IgnitionROS2ControlPlugin',
    'hardware': 'ign_ros2_control/IgnitionSystem',
    'msgs': 'ignition.msgs.',
    'control_package': 'ign_ros2_control',
}
_HARMONIC = {
    'system_file': 'gz-sim-%s-system',
    'system_name': 'gz::sim::systems::%s',
    'control_file': 'gz_ros2_control-system',
    'control_name': 'gz_ros2_control::GazeboSimROS2ControlPlugin',
    'hardware': 'gz_ros2_control/GazeboSimSystem',
    'msgs': 'gz.msgs.',
    'control_package': 'gz_ros2_control',
}


def gazebo_flavour(ros_distro):
    """Plugin and message names for the Gazebo that goes with a ROS 2 distribution."""
    return dict(_FORTRESS if ros_distro == 'humble' else _HARMONIC)


def _system_plugin(flavour, kebab, camel):
    plugin = ET.Element('plugin')
    plugin.set('filename', flavour['system_file'] % kebab)
    plugin.set('name', flavour['system_name'] % camel)
    return plugin


def _sub(parent, tag, text=None, **attrs):
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    return element


def _fmt(values):
    return ' '.join(repr(float(v)) for v in values)


def _mesh_file(filename, urdf_dir, package_path):
    """Where a mesh reference points on this machine, or None when it cannot be found."""
    if filename.startswith('package://'):
        package, _, rest = filename[len('package://'):].partition('/')
        root = package_path(package)
        return os.path.join(root, rest) if root else None
    if filename.startswith('file://'):
        return filename[len('file://'):]
    return filename if os.path.isabs(filename) else os.path.join(urdf_dir, filename)


def gazebo_robot_description(embodiment, gazebo_config, controllers_file, flavour, package_path=lambda package: None):
    """The embodiment's URDF made ready for Gazebo, as a string, and a list of warnings.

    Adds what the shipped URDFs leave out: a fixed joint to the world, a <ros2_control> block driving the
    command joints through the simulator's ros2_control hardware (a mimic finger is left to the URDF's
    <mimic>, which recent Gazebo versions honour; ros2_control's ways of declaring mimic joints differ
    between distributions), the
    gz_ros2_control plugin with the embodiment's controllers, a joint state publisher on the embodiment's
    joint state topic, and one camera sensor per embodiment camera, mounted as the Gazebo config says.
    Mesh references that do not resolve on this machine are dropped (with a warning) so the model loads;
    `package_path(name)` returns an installed package's share folder, or None.
    """
    warnings = []
    urdf_file = embodiment['urdf_file']
    urdf_dir = os.path.dirname(urdf_file)
    root = ET.parse(urdf_file).getroot()
    links = {link.get('name') for link in root.findall('link')}
    joints = {joint.get('name'): joint for joint in root.findall('joint')}
    children = {joint.find('child').get('link') for joint in joints.values() if joint.find('child') is not None}
    roots = [name for name in links if name not in children]
    if len(roots) != 1:
        raise LaunchConfigError('%s: expected one root link, found %s' % (urdf_file, ', '.join(sorted(roots)) or 'none'))

    for link in root.findall('link'):
        for kind in ('visual', 'collision'):
            for element in link.findall(kind):
                mesh = element.find('geometry/mesh')
                if mesh is None:
                    continue
                path = _mesh_file(mesh.get('filename', ''), urdf_dir, package_path)
                if path is None or not os.path.isfile(path):
                    link.remove(element)
                    warnings.append('%s %s of link %s dropped: mesh %s not found' % (kind, element.get('name', ''), link.get('name'), mesh.get('filename')))
                else:
                    mesh.set('filename', 'file://' + os.path.abspath(path))

    if 'world' not in links:
        _sub(root, 'link', name='world')
        fixed = _sub(root, 'joint', name='vla_world_joint', type='fixed')
        _sub(fixed, 'parent', link='world')
        _sub(fixed, 'child', link=roots[0])
        _sub(fixed, 'origin', xyz='0 0 0', rpy='0 0 0')

    camera_mounts = gazebo_config.get('cameras', {})
    for camera in cameras(embodiment):
        mount = camera_mounts.get(camera['name'])
        if mount is None:
            raise LaunchConfigError('the Gazebo config of %s has no mount for camera "%s"' % (embodiment['name'], camera['name']))
        if mount['parent'] not in links:
            raise LaunchConfigError('camera "%s" is mounted on link %s, which %s does not have' % (camera['name'], mount['parent'], urdf_file))
        link_name = 'vla_camera_%s_link' % camera['name']
        link = _sub(root, 'link', name=link_name)
        inertial = _sub(link, 'inertial')
        _sub(inertial, 'mass', value='0.01')
        _sub(inertial, 'inertia', ixx='1e-6', ixy='0', ixz='0', iyy='1e-6', iyz='0', izz='1e-6')
        joint = _sub(root, 'joint', name='vla_camera_%s_joint' % camera['name'], type='fixed')
        _sub(joint, 'parent', link=mount['parent'])
        _sub(joint, 'child', link=link_name)
        _sub(joint, 'origin', xyz=_fmt(mount['xyz']), rpy=_fmt(mount['rpy']))
        gazebo = _sub(root, 'gazebo', reference=link_name)
        sensor = _sub(gazebo, 'sensor', name='vla_camera_%s' % camera['name'], type='camera')
        _sub(sensor, 'always_on', 1)
        _sub(sensor, 'update_rate', mount.get('rate_hz', 30))
        _sub(sensor, 'visualize', 'false')
        _sub(sensor, 'topic', camera_raw_topic(camera))
        cam = _sub(sensor, 'camera')
        _sub(cam, 'horizontal_fov', mount.get('horizontal_fov', 1.05))
        image = _sub(cam, 'image')
        _sub(image, 'width', mount.get('width', 320))
        _sub(image, 'height', mount.get('height', 240))
        _sub(image, 'format', 'R8G8B8')
        clip = _sub(cam, 'clip')
        _sub(clip, 'near', 0.02)
        _sub(clip, 'far', 10.0)

    interface = command_interface(embodiment)
    initial = gazebo_config.get('initial_positions', {})
    control = _sub(root, 'ros2_control', name='GazeboSimSystem', type='system')
    hardware = _sub(control, 'hardware')
    _sub(hardware, 'plugin', flavour['hardware'])
    commanded = command_joints(embodiment)
    for name in commanded:
        if name not in joints:
            raise LaunchConfigError('joint %s of embodiment %s is not in %s' % (name, embodiment['name'], urdf_file))
        element = _sub(control, 'joint', name=name)
        _sub(element, 'command_interface', name=interface)
        position = _sub(element, 'state_interface', name='position')
        if name in initial:
            _sub(position, 'param', initial[name], name='initial_value')
        _sub(element, 'state_interface', name='velocity')
    manager = gazebo_config.get('controller_manager', '/controller_manager')
    namespace = manager[:-len('controller_manager')].rstrip('/')
    gazebo = _sub(root, 'gazebo')
    plugin = _sub(gazebo, 'plugin', filename=flavour['control_file'], name=flavour['control_name'])
    _sub(plugin, 'parameters', controllers_file)
    if namespace:
        ros = _sub(plugin, 'ros')
        _sub(ros, 'namespace', namespace)
    states = _system_plugin(flavour, 'joint-state-publisher', 'JointStatePublisher')
    _sub(states, 'topic', joint_state_topic(embodiment))
    gazebo.append(states)
    return ET.tostring(root, encoding='unicode'), warnings


def reach(embodiment):
    """How far the arm reaches forward, m: the x extent of its safety workspace (0.8 without one)."""
    workspace = embodiment['workspace']
    return float(workspace['max'][0]) if workspace else 0.8


def bridge_arguments(embodiment, flavour):
    """ros_gz_bridge parameter_bridge arguments: clock, joint states and every camera, Gazebo -> ROS."""
    msgs = flavour['msgs']
    arguments = ['/clock@rosgraph_msgs/msg/Clock[%sClock' % msgs,
                 '%s@sensor_msgs/msg/JointState[%sModel' % (joint_state_topic(embodiment), msgs)]
    for camera in cameras(embodiment):
        arguments.append('%s@sensor_msgs/msg/Image[%sImage' % (camera_raw_topic(camera), msgs))
    return arguments


def compressed_republishers(embodiment):
    """(raw topic, compressed topic) for every camera the embodiment reads as CompressedImage."""
    return [(camera_raw_topic(c), c['topic']) for c in cameras(embodiment) if is_compressed(c)]


def world_sdf(flavour, reach_m=0.8):
    """A table-top world: ground, light, a mat in front of the robot and three objects on it, placed at about
    0.6 of the arm's reach (`reach_m`, e.g. the x extent of the embodiment's safety workspace)."""
    x = 0.6 * reach_m
    sdf = ET.Element('sdf', version='1.8')
    world = _sub(sdf, 'world', name='vla_tabletop')
    physics = _sub(world, 'physics', name='1ms', type='ignored')
    _sub(physics, 'max_step_size', 0.001)
    _sub(physics, 'real_time_factor', 1.0)
    for kebab, camel in (('physics', 'Physics'), ('user-commands', 'UserCommands'), ('scene-broadcaster', 'SceneBroadcaster')):
        world.append(_system_plugin(flavour, kebab, camel))
    sensors = _system_plugin(flavour, 'sensors', 'Sensors')
    _sub(sensors, 'render_engine', 'ogre2')
    world.append(sensors)
    light = _sub(world, 'light', name='sun', type='directional')
    _sub(light, 'cast_shadows', 'true')
    _sub(light, 'pose', '0 0 10 0 0 0')
    _sub(light, 'diffuse', '0.9 0.9 0.9 1')
    _sub(light, 'direction', '-0.4 0.2 -0.9')

    def box(name, pose, size, rgba, static):
        model = _sub(world, 'model', name=name)
        _sub(model, 'static', 'true' if static else 'false')
        _sub(model, 'pose', pose)
        link = _sub(model, 'link', name='link')
        if not static:
            inertial = _sub(link, 'inertial')
            _sub(inertial, 'mass', 0.1)
        for kind in ('collision', 'visual'):
            element = _sub(link, kind, name=kind)
            geometry = _sub(element, 'geometry')
            _sub(_sub(geometry, 'box'), 'size', size)
            if kind == 'visual':
                material = _sub(element, 'material')
                _sub(material, 'diffuse', rgba)
                _sub(material, 'ambient', rgba)

    box('ground', '0 0 -0.005 0 0 0', '10 10 0.01', '0.6 0.6 0.6 1', True)
    size = max(0.02, min(0.04, 0.05 * reach_m))
    box('mat', '%g 0 0.0005 0 0 0' % x, '%g %g 0.001' % (reach_m, 1.2 * reach_m), '0.55 0.4 0.25 1', True)
    box('red_cube', '%g %g %g 0 0 0' % (x - 0.1 * reach_m, 0.15 * reach_m, size / 2 + 0.001), '%g %g %g' % (size, size, size), '0.8 0.1 0.1 1', False)
    box('green_cube', '%g %g %g 0 0 0.4' % (x, -0.15 * reach_m, size / 2 + 0.001), '%g %g %g' % (size, size, size), '0.1 0.7 0.2 1', False)
    box('blue_plate', '%g 0 0.004 0 0 0' % (x + 0.1 * reach_m), '%g %g 0.005' % (3 * size, 3 * size), '0.15 0.3 0.8 1', False)
    return ET.tostring(sdf, encoding='unicode')
