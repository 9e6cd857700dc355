/**
 * What the policy sees at one instant. Shapes follow the ROS messages they come from (sensor_msgs/Image,
 * sensor_msgs/JointState) so that the ROS, bag and sim transports fill them the same way.
 */

/** A camera frame in sensor_msgs/Image layout (raw) or sensor_msgs/CompressedImage layout (jpeg/png). */
export type ImageFrame = RawImageFrame | CompressedImageFrame;

export interface RawImageFrame {
  kind: 'raw';
  /** Header stamp, seconds. */
  stampS: number;
  frameId: string;
  width: number;
  height: number;
  /** sensor_msgs/image_encodings: rgb8, bgr8, rgba8, bgra8, mono8, 16UC1, ... */
  encoding: string;
  /** Bytes per row. */
  step: number;
  isBigEndian: boolean;
  data: Uint8Array;
}

export interface CompressedImageFrame {
  kind: 'compressed';
  stampS: number;
  frameId: string;
  /** `jpeg` or `png` (CompressedImage.format may carry more text, e.g. "rgb8; jpeg compressed bgr8"). */
  format: string;
  data: Uint8Array;
}

/** Joint state in the embodiment's command joint order (mapped by name from the message). */
export interface JointStateSample {
  stampS: number;
  /** rad or m. */
  position: Float64Array;
  /** rad/s or m/s, when the source measured it. */
  velocity?: Float64Array;
}

export interface Observation {
  /** The instant the observation describes (the joint state's stamp), seconds. */
  stampS: number;
  /** Camera name (embodiment `topics.cameras[].name`) -> latest frame. */
  images: ReadonlyMap<string, ImageFrame>;
  jointState: JointStateSample;
  instruction: string;
}
