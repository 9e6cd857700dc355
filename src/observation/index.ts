export type { CompressedImageFrame, ImageFrame, JointStateSample, Observation, RawImageFrame } from './Observation';
export { type AssemblerOptions, type CameraSource, isObservation, type MissingData, ObservationAssembler, type ObservationSources, observationSourcesFor, type SensorAges } from './ObservationAssembler';
