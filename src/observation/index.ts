export type { CompressedImageFrame, ImageFrame, JointStateSample, Observation, RawImageFrame } from './Observation';
export {
  type AssemblerOptions,
  type CameraSource,
  isObservation,
  type MissingData,
  ObservationAssembler,
  type ObservationSources,
  observationSourcesFor,
  type SensorAges,
} from './ObservationAssembler';
export {
  type ConvertContext,
  compressedImageMsgToFrame,
  frameToImageMsg,
  frameToMsg,
  imageMsgToFrame,
  JointStateMapper,
  sampleToJointStateMsg,
} from './convert';
export {
  describeStamp,
  IMPLAUSIBLE_LAG_S,
  judgedByReceiveTime,
  judgeStamp,
  type ObservationTimeBase,
  type StampVerdict,
} from './stampTime';
export { closestInTime, convertEach, inTimeOrder, onTimeBase, recentWindow, type Stamped, type TimeBaseOptions } from './streams';
