"""Runs the vla_bridge node against a Gazebo simulation of the embodiment.

    ros2 launch vla_bridge gazebo.launch.py embodiment:=franka_panda policy:=/path/to/policy \
        instruction:="pick up the red cube"

Starts gz sim with a table-top world (or world:=FILE), spawns the robot from urdf/ with what Gazebo needs added
at launch time (ros2_control hardware and controllers from config/ros2_control/<embodiment>.yaml, a joint state
publisher, and the cameras mounted as config/gazebo/<embodiment>.yaml says), runs robot_state_publisher,
bridges /clock, joint states and camera images with ros_gz_bridge, spawns the controllers the embodiment's
command topics name, and then the bridge with use_sim_time (autostart by default).
"""

import os
import sys
import tempfile

from ament_index_python.packages import PackageNotFoundError, get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription, LogInfo, OpaqueFunction, RegisterEventHandler
from launch.event_handlers import OnProcessExit
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import LifecycleNode, Node
from launch_ros.parameter_descriptions import ParameterValue

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vla_bridge_launch_utils as utils  # noqa: E402

ARGUMENTS = [
    ('embodiment', 'franka_panda', 'A shipped embodiment or the path of an embodiment YAML'),
    ('policy', '', 'The policy folder'),
    ('instruction', '', 'The language instruction'),
    ('world', '', 'A Gazebo world SDF; empty for the built-in table-top world'),
    ('gui', 'true', 'Show the Gazebo window (false runs the server only)'),
    ('autostart', 'true', 'Configure and activate the bridge once the policy has loaded'),
    ('dry_run', 'false', 'Publish commands only on ~/preview/<command topic>'),
    ('log_level', 'info', 'Log level of the node: debug, info, warn, error'),
]


def _package_path(package):
    try:
        return get_package_share_directory(package)
    except PackageNotFoundError:
        return None


def launch_setup(context):
    share = get_package_share_directory('vla_bridge')
    flavour = utils.gazebo_flavour(os.environ.get('ROS_DISTRO', ''))
    embodiment = utils.load_embodiment(LaunchConfiguration('embodiment').perform(context), share)
    gazebo_config = utils.load_gazebo_config(embodiment, share)
    controllers_file = utils.controllers_config_path(embodiment, share)
    manager, controllers = utils.controller_plan(embodiment, share)
    description, warnings = utils.gazebo_robot_description(embodiment, gazebo_config, controllers_file, flavour, _package_path)

    world = LaunchConfiguration('world').perform(context)
    if world == '':
        handle, world = tempfile.mkstemp(prefix='vla_bridge_world_', suffix='.sdf')
        with os.fdopen(handle, 'w') as f:
            f.write(utils.world_sdf(flavour, utils.reach(embodiment)))
    gz_args = '-r ' + world + ('' if LaunchConfiguration('gui').perform(context).lower() == 'true' else ' -s')

    actions = [LogInfo(msg='vla_bridge gazebo: ' + w) for w in warnings]
    actions.append(IncludeLaunchDescription(
        PythonLaunchDescriptionSource(os.path.join(get_package_share_directory('ros_gz_sim'), 'launch', 'gz_sim.launch.py')),
        launch_arguments={'gz_args': gz_args}.items(),
    ))
    actions.append(Node(
        package='robot_state_publisher',
        executable='robot_state_publisher',
        output='screen',
        parameters=[{'robot_description': ParameterValue(description, value_type=str), 'use_sim_time': True}],
        remappings=[('joint_states', utils.joint_state_topic(embodiment))],
    ))
    spawn = Node(
        package='ros_gz_sim',
        executable='create',
        output='screen',
        arguments=['-name', embodiment['name'], '-topic', 'robot_description'],
    )
    actions.append(spawn)
    actions.append(Node(
        package='ros_gz_bridge',
        executable='parameter_bridge',
        output='screen',
        arguments=utils.bridge_arguments(embodiment, flavour),
    ))
    for raw, compressed in utils.compressed_republishers(embodiment):
        actions.append(Node(
            package='image_transport',
            executable='republish',
            output='screen',
            arguments=['raw', 'compressed'],
            parameters=[{'in_transport': 'raw', 'out_transport': 'compressed', 'use_sim_time': True}],
            remappings=[('in', raw), ('out/compressed', compressed)],
        ))
    spawners = [
        Node(
            package='controller_manager',
            executable='spawner',
            output='screen',
            arguments=[name, '--controller-manager', manager, '--controller-manager-timeout', '120'],
        )
        for name, _joints in controllers
    ]
    actions.append(RegisterEventHandler(OnProcessExit(target_action=spawn, on_exit=spawners)))
    actions.append(LifecycleNode(
        package='vla_bridge',
        executable='vla_bridge_node',
        name='vla_bridge',
        namespace='',
        output='screen',
        emulate_tty=True,
        parameters=[{
            # Strings stay strings (an instruction such as "yes" or "a: b" is not YAML).
            'embodiment': ParameterValue(embodiment['file'], value_type=str),
            'policy': ParameterValue(LaunchConfiguration('policy'), value_type=str),
            'instruction': ParameterValue(LaunchConfiguration('instruction'), value_type=str),
            'autostart': LaunchConfiguration('autostart').perform(context).lower() == 'true',
            'dry_run': LaunchConfiguration('dry_run').perform(context).lower() == 'true',
            # A simulated arm resumes by itself after a watchdog stop; a physical one waits for ~/reset.
            'watchdog_resume': 'auto',
            'use_sim_time': True,
        }],
        arguments=['--ros-args', '--log-level', LaunchConfiguration('log_level').perform(context)],
    ))
    return actions


def generate_launch_description():
    declared = [DeclareLaunchArgument(name, default_value=default, description=text) for name, default, text in ARGUMENTS]
    return LaunchDescription(declared + [OpaqueFunction(function=launch_setup)])
