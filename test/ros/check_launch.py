"""Static checks of the launch files, run by test/ros/launch.test.ts with /usr/bin/python3 (no ROS needed).

Prints one JSON object: the problems found (an empty list when all is well) and what the launch files name
(arguments, node parameters, packages), so that the TypeScript test can compare those with the node.
"""

import ast
import json
import os
import py_compile
import re
import sys
import tempfile
import xml.etree.ElementTree as ET

import yaml

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..'))
LAUNCH = os.path.join(ROOT, 'launch')
sys.path.insert(0, LAUNCH)
import vla_bridge_launch_utils as utils  # noqa: E402

problems = []
report = {'files': {}, 'packages': [], 'problems': problems}

# Python modules the launch files import -> the ROS package (rosdep key) that provides them.
MODULE_PACKAGES = {
    'launch': 'launch',
    'launch_ros': 'launch_ros',
    'ament_index_python': 'ament_index_python',
    'yaml': 'python3-yaml',
}
STDLIB = {'os', 'sys', 'tempfile', 'xml', 'ast', 'json', 're', 'copy', 'subprocess'}
# The package's command line (built by `npm run build`), which reads embodiments for the launch files.
CLI = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'bin', 'vla-bridge.js')


def problem(where, text):
    problems.append('%s: %s' % (where, text))


def const(node):
    return node.value if isinstance(node, ast.Constant) else None


def call_name(node):
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return None


def check_launch_file(path):
    name = os.path.basename(path)
    info = {'arguments': [], 'configurations': [], 'node_parameters': [], 'packages': [], 'executables': [], 'utils': []}
    report['files'][name] = info
    with tempfile.TemporaryDirectory() as tmp:
        try:
            py_compile.compile(path, cfile=os.path.join(tmp, 'out.pyc'), doraise=True)
        except py_compile.PyCompileError as err:
            problem(name, 'does not compile: %s' % err.msg)
            return
    tree = ast.parse(open(path, encoding='utf-8').read(), filename=path)
    if not any(isinstance(n, ast.FunctionDef) and n.name == 'generate_launch_description' for n in tree.body):
        problem(name, 'has no generate_launch_description()')
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == 'ARGUMENTS' for t in node.targets):
            for item in node.value.elts:
                info['arguments'].append(const(item.elts[0]))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or '']
            for module in modules:
                top = module.split('.')[0]
                if top in MODULE_PACKAGES:
                    info['packages'].append(MODULE_PACKAGES[top])
                elif top not in STDLIB and top != 'vla_bridge_launch_utils':
                    problem(name, 'imports %s, which no package provides' % module)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == 'utils':
            info['utils'].append(node.attr)
        elif isinstance(node, ast.Call):
            fn = call_name(node)
            args = [const(a) for a in node.args]
            kwargs = {k.arg: k.value for k in node.keywords}
            if fn == 'DeclareLaunchArgument' and args and args[0] is not None:
                info['arguments'].append(args[0])
            elif fn == 'LaunchConfiguration' and args and args[0] is not None:
                info['configurations'].append(args[0])
            elif fn == 'get_package_share_directory' and args and args[0] is not None:
                info['packages'].append(args[0])
            elif fn in ('Node', 'LifecycleNode'):
                package = const(kwargs.get('package'))
                executable = const(kwargs.get('executable'))
                if package is None or executable is None:
                    problem(name, '%s without a literal package and executable' % fn)
                    continue
                info['packages'].append(package)
                info['executables'].append('%s/%s' % (package, executable))
                if package == 'vla_bridge':
                    for params in kwargs.get('parameters', ast.List(elts=[])).elts:
                        if isinstance(params, ast.Dict):
                            info['node_parameters'].extend(const(k) for k in params.keys)
                    if const(kwargs.get('name')) != utils.NODE_NAME:
                        problem(name, 'the vla_bridge node must be named %s' % utils.NODE_NAME)
            elif fn == 'ExecuteProcess':
                cmd = kwargs.get('cmd')
                if isinstance(cmd, ast.BinOp):
                    cmd = cmd.left
                words = [const(e) for e in getattr(cmd, 'elts', [])]
                if isinstance(cmd, ast.Call) and call_name(cmd) == 'bag_play_command':
                    words = utils.bag_play_command('bag', 1.0, {'rates': {'command_hz': 1}, 'topics': {'joint_states': '/j', 'cameras': []}})
                if words[:2] == ['ros2', 'bag']:
                    info['packages'].append('ros2bag')
                elif words:
                    problem(name, 'runs %s, which no declared package provides' % words[0])
    for used in info['configurations']:
        if used not in info['arguments']:
            problem(name, 'uses LaunchConfiguration(%r) but declares no such argument' % used)
    for attr in info['utils']:
        if not hasattr(utils, attr):
            problem(name, 'calls utils.%s, which vla_bridge_launch_utils does not define' % attr)
    report['packages'].extend(info['packages'])


def urdf_limits(urdf_file):
    root = ET.parse(urdf_file).getroot()
    limits = {}
    for joint in root.findall('joint'):
        limit = joint.find('limit')
        if limit is not None and joint.get('type') in ('revolute', 'prismatic'):
            limits[joint.get('name')] = (float(limit.get('lower', '-inf')), float(limit.get('upper', 'inf')))
    return limits


def check_embodiment(name):
    where = 'embodiment %s' % name
    emb = utils.load_embodiment(name, ROOT, cli=CLI)
    if not os.path.isfile(emb['urdf_file']):
        problem(where, 'URDF %s not found' % emb['urdf_file'])
        return
    for label, path in (('Gazebo config', utils.gazebo_config_path(emb, ROOT)), ('ros2_control config', utils.controllers_config_path(emb, ROOT))):
        if not os.path.isfile(path):
            problem(where, '%s %s not found' % (label, path))
            return
    gz = utils.load_gazebo_config(emb, ROOT)
    manager, controllers = utils.controller_plan(emb, ROOT)
    if manager != gz.get('controller_manager', '/controller_manager'):
        problem(where, 'Gazebo config names controller manager %s, ros2_control config %s' % (gz.get('controller_manager'), manager))
    namespace = manager[:-len('controller_manager')].rstrip('/')
    by_name = dict(controllers)
    joints = utils.command_joints(emb)
    gripper = emb.get('gripper') or {}
    separate_gripper = bool(gripper.get('command_topic'))
    expected = {emb['control']['command_topic']: [j for j in joints if not (separate_gripper and j == gripper['joint'])]}
    if separate_gripper:
        expected[gripper['command_topic']] = [gripper['joint']]
    for topic, topic_joints in expected.items():
        match = re.match(r'^(.*)/([A-Za-z0-9_]+)/[A-Za-z0-9_]+$', topic)
        if match is None:
            problem(where, 'command topic %s is not <namespace>/<controller>/<topic>' % topic)
            continue
        ns, controller = match.group(1), match.group(2)
        if ns != namespace:
            problem(where, 'command topic %s is in namespace %r, the controller manager in %r' % (topic, ns, namespace))
        if controller not in by_name:
            problem(where, 'no controller %s for command topic %s in %s' % (controller, topic, utils.controllers_config_path(emb, ROOT)))
        elif by_name[controller] != topic_joints:
            problem(where, 'controller %s drives %s; the embodiment commands %s on %s' % (controller, by_name[controller], topic_joints, topic))
    with open(utils.controllers_config_path(emb, ROOT), encoding='utf-8') as f:
        data = yaml.safe_load(f)
    for key, value in data.items():
        if key.rstrip('/').endswith('controller_manager'):
            for controller, spec in value['ros__parameters'].items():
                if isinstance(spec, dict) and 'type' in spec:
                    report['packages'].append(spec['type'].split('/')[0])

    limits = urdf_limits(emb['urdf_file'])
    for joint, q in gz.get('initial_positions', {}).items():
        if joint not in limits:
            problem(where, 'initial position for %s, which is not a limited joint of the URDF' % joint)
        elif not limits[joint][0] <= q <= limits[joint][1]:
            problem(where, 'initial position %s of %s is outside [%s, %s]' % (q, joint, limits[joint][0], limits[joint][1]))
    for distro in ('humble', 'jazzy'):
        flavour = utils.gazebo_flavour(distro)
        report['packages'].append(flavour['control_package'])
        try:
            text, _warnings = utils.gazebo_robot_description(emb, gz, utils.controllers_config_path(emb, ROOT), flavour)
        except utils.LaunchConfigError as err:
            problem(where, str(err))
            continue
        root = ET.fromstring(text)
        urdf_joints = {j.get('name') for j in root.findall('joint')}
        controlled = [j.get('name') for j in root.findall('ros2_control/joint')]
        missing = [j for j in joints if j not in controlled]
        if missing or any(j not in urdf_joints for j in controlled):
            problem(where, 'ros2_control joints %s do not cover the command joints %s' % (controlled, joints))
        topics = sorted(s.findtext('topic') for s in root.iter('sensor'))
        if topics != sorted(utils.camera_raw_topic(c) for c in utils.cameras(emb)):
            problem(where, 'camera sensors publish %s' % topics)
        for plugin in root.iter('plugin'):
            for params in plugin.findall('parameters'):
                if not os.path.isfile(params.text):
                    problem(where, 'gz_ros2_control parameters file %s not found' % params.text)
        if 'world' not in {l.get('name') for l in root.findall('link')}:
            problem(where, 'the Gazebo model is not fixed to the world')
        ET.fromstring(utils.world_sdf(flavour, utils.reach(emb)))
        bridged = utils.bridge_arguments(emb, flavour)
        for topic in [utils.joint_state_topic(emb), '/clock'] + [utils.camera_raw_topic(c) for c in utils.cameras(emb)]:
            if not any(arg.startswith(topic + '@') for arg in bridged):
                problem(where, 'ros_gz_bridge does not bridge %s' % topic)
    play = utils.bag_play_command('/bags/run', '1.0', emb)
    clock_hz = float(play[play.index('--clock') + 1])
    if clock_hz < float(emb['rates']['command_hz']):
        problem(where, 'replay publishes /clock at %g Hz, below the command rate %g Hz' % (clock_hz, emb['rates']['command_hz']))
    if play[play.index('--topics') + 1:] != utils.sensor_topics(emb):
        problem(where, 'replay plays %s, not the sensor topics' % play[play.index('--topics') + 1:])
    remapped = dict(utils.replay_remappings(emb, '/replay'))
    if utils.command_topics(emb) != list(expected):
        problem(where, 'the package reports command topics %s; the embodiment commands on %s' % (utils.command_topics(emb), list(expected)))
    for topic in expected:
        if remapped.get(topic) != '/replay' + topic:
            problem(where, 'replay does not remap %s' % topic)


def check_package_xml():
    root = ET.parse(os.path.join(ROOT, 'package.xml')).getroot()
    if root.get('format') != '3':
        problem('package.xml', 'must be format 3')
    declared = {e.text.strip() for e in root if e.tag.endswith('depend') and e.text}
    groups = {e.text.strip() for e in root.findall('member_of_group')}
    if 'rosidl_interface_packages' not in groups:
        problem('package.xml', 'must be a member of rosidl_interface_packages')
    build_type = root.findtext('export/build_type')
    if build_type != 'ament_cmake':
        problem('package.xml', 'build_type must be ament_cmake, is %s' % build_type)
    cmake = open(os.path.join(ROOT, 'CMakeLists.txt'), encoding='utf-8').read()
    needed = set(report['packages']) | set(re.findall(r'find_package\((\w+)', cmake)) | {'rosidl_default_runtime'}
    needed.discard('vla_bridge')
    for package in sorted(needed):
        if package not in declared:
            problem('package.xml', 'does not list %s, which the launch files, configs or CMakeLists.txt use' % package)
    report['declared_dependencies'] = sorted(declared)
    installed = re.findall(r'install\(PROGRAMS\s+scripts/(\S+)\s+DESTINATION\s+lib/\$\{PROJECT_NAME\}\)', cmake)
    report['installed_programs'] = installed
    install_dirs = re.search(r'install\(DIRECTORY ([^\n]*)\n', cmake)
    report['installed_directories'] = install_dirs.group(1).split() if install_dirs else []


for launch_file in sorted(f for f in os.listdir(LAUNCH) if f.endswith('.launch.py')):
    check_launch_file(os.path.join(LAUNCH, launch_file))
with tempfile.TemporaryDirectory() as tmp:
    py_compile.compile(os.path.join(LAUNCH, 'vla_bridge_launch_utils.py'), cfile=os.path.join(tmp, 'utils.pyc'), doraise=True)
for node in ast.walk(ast.parse(open(os.path.join(LAUNCH, 'vla_bridge_launch_utils.py'), encoding='utf-8').read())):
    if isinstance(node, ast.Import):
        for alias in node.names:
            top = alias.name.split('.')[0]
            if top in MODULE_PACKAGES:
                report['packages'].append(MODULE_PACKAGES[top])
            elif top not in STDLIB:
                problem('vla_bridge_launch_utils.py', 'imports %s, which no package provides' % alias.name)
report['embodiments'] = utils.shipped_embodiments(ROOT)
for embodiment in report['embodiments']:
    try:
        check_embodiment(embodiment)
    except (utils.LaunchConfigError, KeyError, OSError) as err:
        problem('embodiment %s' % embodiment, '%s: %s' % (type(err).__name__, err))
check_package_xml()
report['packages'] = sorted(set(report['packages']))
print(json.dumps(report))
