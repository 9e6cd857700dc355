/**
 * A stream of commands in one dimension order (the embodiment's joint order, or Cartesian axes), as offline
 * evaluation compares them: predicted by the replayed pipeline, or recorded in the bag. NaN in `values` means
 * "not commanded in this message" (a joint a JointTrajectory did not name) and is left out of the metrics.
 */
export interface CommandSample {
  /** Bag time the command applies at, nanoseconds. */
  tNs: bigint;
  /** Log time of the message that carried it, when that is not `tNs` (a JointTrajectory point applies later). */
  sentNs?: bigint;
  values: Float64Array;
}

export interface CommandStream {
  /** Dimension names, in the order of every sample's `values`. */
  names: readonly string[];
  /** Sorted by time. */
  samples: readonly CommandSample[];
}
