/**
 * The ROS 2 managed-node state machine (design.ros2.org/articles/node_lifecycle.html), as rcl_lifecycle
 * implements it: four primary states, five transitions a user can request, and the ids lifecycle_msgs uses.
 */

export const LIFECYCLE_STATES = ['unconfigured', 'inactive', 'active', 'finalized'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export const TRANSITIONS = ['configure', 'activate', 'deactivate', 'cleanup', 'shutdown'] as const;
export type TransitionName = (typeof TRANSITIONS)[number];

/** lifecycle_msgs/msg/State PRIMARY_STATE_* ids. */
export const LIFECYCLE_STATE_IDS: Readonly<Record<LifecycleState, number>> = {
  unconfigured: 1,
  inactive: 2,
  active: 3,
  finalized: 4,
};

interface TransitionRule {
  from: readonly LifecycleState[];
  /** Reached when the callback succeeds. */
  to: LifecycleState;
  /** Reached when it fails: the start state, except for shutdown (rcl_lifecycle's default state machine). */
  onFailure: LifecycleState | 'start';
}

/** Where each transition may start and where it goes. A callback error goes through onError instead. */
export const TRANSITION_RULES: Readonly<Record<TransitionName, TransitionRule>> = {
  configure: { from: ['unconfigured'], to: 'inactive', onFailure: 'start' },
  activate: { from: ['inactive'], to: 'active', onFailure: 'start' },
  deactivate: { from: ['active'], to: 'inactive', onFailure: 'start' },
  cleanup: { from: ['inactive'], to: 'unconfigured', onFailure: 'start' },
  shutdown: { from: ['unconfigured', 'inactive', 'active'], to: 'finalized', onFailure: 'finalized' },
};

export function isLifecycleState(label: string): label is LifecycleState {
  return (LIFECYCLE_STATES as readonly string[]).includes(label);
}
