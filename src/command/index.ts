export { CommandPublisher, type CommandPublisherOptions, type SentMessage } from './CommandPublisher';
export { type CommandMode, type CommandModeOptions, type CommandSafety, type CommandTick, commandModeFor } from './CommandMode';
export { JointPositionMode, JointVelocityMode } from './JointModes';
export { CartesianTwistMode } from './CartesianTwistMode';
export { CartesianPoseMode } from './CartesianPoseMode';
