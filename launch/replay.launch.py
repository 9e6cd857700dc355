"""Runs the vla_bridge node against a recorded bag, on the bag's time.

    ros2 launch vla_bridge replay.launch.py bag:=/path/to/bag embodiment:=widowx_250s policy:=/path/to/policy \
        instruction:="put the spoon in the pot"

`ros2 bag play` replays only the topics the bridge reads (joint states and cameras, as the embodiment names
them) and publishes /clock at twice the embodiment's command rate; the node runs with use_sim_time and autostart, and its command topics are
remapped under remap_prefix (default /replay), so nothing real moves. Record the predictions with e.g.
`ros2 bag record /replay/panda_arm_controller/joint_trajectory /vla_bridge/action_chunk`.
"""

import os
import sys

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, ExecuteProcess, OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import LifecycleNode
from launch_ros.parameter_descriptions import ParameterValue

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vla_bridge_launch_utils as utils  # noqa: E402

ARGUMENTS = [
    ('bag', '', 'The bag to replay (a rosbag2 folder, MCAP or sqlite3)'),
    ('embodiment', 'franka_panda', 'A shipped embodiment or the path of an embodiment YAML'),
    ('policy', '', 'The policy folder'),
    ('instruction', '', 'The language instruction'),
    ('rate', '1.0', 'Playback rate of the bag'),
    ('remap_prefix', '/replay', 'Command topics are remapped under this prefix'),
    ('log_level', 'info', 'Log level of the node: debug, info, warn, error'),
]


def launch_setup(context):
    share = get_package_share_directory('vla_bridge')
    embodiment = utils.load_embodiment(LaunchConfiguration('embodiment').perform(context), share)
    bag = LaunchConfiguration('bag').perform(context)
    if bag == '':
        raise utils.LaunchConfigError('replay.launch.py needs bag:=/path/to/bag')
    play = ExecuteProcess(
        cmd=utils.bag_play_command(bag, LaunchConfiguration('rate').perform(context), embodiment),
        output='screen',
    )
    node = LifecycleNode(
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
            'autostart': True,
            # A replay resumes by itself after a watchdog stop (a gap in the bag); a physical arm waits for ~/reset.
            'watchdog_resume': 'auto',
            'use_sim_time': True,
        }],
        remappings=utils.replay_remappings(embodiment, LaunchConfiguration('remap_prefix').perform(context)),
        arguments=['--ros-args', '--log-level', LaunchConfiguration('log_level').perform(context)],
    )
    return [node, play]


def generate_launch_description():
    declared = [DeclareLaunchArgument(name, default_value=default, description=text) for name, default, text in ARGUMENTS]
    return LaunchDescription(declared + [OpaqueFunction(function=launch_setup)])
