"""Runs the vla_bridge node on a physical arm.

    ros2 launch vla_bridge bringup.launch.py embodiment:=franka_panda policy:=/path/to/policy \
        instruction:="put the carrot on the plate"

The node starts unconfigured and waits for an explicit `ros2 lifecycle set /vla_bridge configure` and
`activate` (autostart:=true does both once the policy has loaded). dry_run:=true sends every command to
~/preview/<command topic> instead of the controllers.
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import LifecycleNode
from launch_ros.parameter_descriptions import ParameterValue

ARGUMENTS = [
    ('embodiment', 'franka_panda', 'A shipped embodiment (franka_panda, ur5e, widowx_250s, so101) or the path of an embodiment YAML'),
    ('policy', '', 'The policy folder (ONNX model, manifest, tokenizer, normalization statistics)'),
    ('instruction', '', 'The language instruction (can be changed later on ~/instruction or ~/set_instruction)'),
    ('autostart', 'false', 'Configure and activate once the policy has loaded; on a physical arm, prefer explicit lifecycle commands'),
    ('watchdog_resume', 'manual', 'After a watchdog stop: manual holds the arm until ~/reset (a physical arm), auto moves again by itself'),
    ('dry_run', 'false', 'Publish commands only on ~/preview/<command topic>'),
    ('log_level', 'info', 'Log level of the node: debug, info, warn, error'),
]


def generate_launch_description():
    declared = [DeclareLaunchArgument(name, default_value=default, description=text) for name, default, text in ARGUMENTS]
    node = LifecycleNode(
        package='vla_bridge',
        executable='vla_bridge_node',
        name='vla_bridge',
        namespace='',
        output='screen',
        emulate_tty=True,
        parameters=[{
            'embodiment': ParameterValue(LaunchConfiguration('embodiment'), value_type=str),
            'policy': ParameterValue(LaunchConfiguration('policy'), value_type=str),
            'instruction': ParameterValue(LaunchConfiguration('instruction'), value_type=str),
            'autostart': ParameterValue(LaunchConfiguration('autostart'), value_type=bool),
            'dry_run': ParameterValue(LaunchConfiguration('dry_run'), value_type=bool),
            'watchdog_resume': ParameterValue(LaunchConfiguration('watchdog_resume'), value_type=str),
        }],
        arguments=['--ros-args', '--log-level', LaunchConfiguration('log_level')],
    )
    return LaunchDescription(declared + [node])
