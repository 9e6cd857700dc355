import type { RclLifecycleNode, RclLifecycleState, RclTransitionCallback } from '../../../src/ros/rclnodejs/rclnodejsApi';
import { FakeNode } from './FakeNode';

/** lifecycle.CallbackReturnCode of rclnodejs 2.2.0. */
export const CODES = { SUCCESS: 97, FAILURE: 98, ERROR: 99 } as const;

/**
 * rclnodejs's LifecycleNode (lib/lifecycle.js) over rcl_lifecycle's state machine: transitions run their
 * callbacks synchronously and move on by the returned code (SUCCESS, FAILURE back to the start, ERROR through
 * errorprocessing).
 */
type Primary = 'unconfigured' | 'inactive' | 'active' | 'finalized';
const IDS: Record<string, number> = {
  unconfigured: 1,
  inactive: 2,
  active: 3,
  finalized: 4,
  configuring: 10,
  cleaningup: 11,
  shuttingdown: 12,
  activating: 13,
  deactivating: 14,
  errorprocessing: 15,
};
const RULES: Record<string, { from: Primary[]; via: string; to: Primary; fail: Primary | 'start' }> = {
  configure: { from: ['unconfigured'], via: 'configuring', to: 'inactive', fail: 'start' },
  activate: { from: ['inactive'], via: 'activating', to: 'active', fail: 'start' },
  deactivate: { from: ['active'], via: 'deactivating', to: 'inactive', fail: 'start' },
  cleanup: { from: ['inactive'], via: 'cleaningup', to: 'unconfigured', fail: 'start' },
  shutdown: { from: ['unconfigured', 'inactive', 'active'], via: 'shuttingdown', to: 'finalized', fail: 'finalized' },
};

export class FakeLifecycleNode extends FakeNode implements RclLifecycleNode {
  private label = 'unconfigured';
  private readonly transitionCallbacks = new Map<string, RclTransitionCallback>();

  get currentState(): RclLifecycleState {
    return { id: IDS[this.label]!, label: this.label };
  }

  registerOnConfigure(cb: RclTransitionCallback): void {
    this.transitionCallbacks.set('configuring', cb);
  }
  registerOnActivate(cb: RclTransitionCallback): void {
    this.transitionCallbacks.set('activating', cb);
  }
  registerOnDeactivate(cb: RclTransitionCallback): void {
    this.transitionCallbacks.set('deactivating', cb);
  }
  registerOnCleanup(cb: RclTransitionCallback): void {
    this.transitionCallbacks.set('cleaningup', cb);
  }
  registerOnShutdown(cb: RclTransitionCallback): void {
    this.transitionCallbacks.set('shuttingdown', cb);
  }
  registerOnError(cb: RclTransitionCallback): void {
    this.transitionCallbacks.set('errorprocessing', cb);
  }

  configure(): RclLifecycleState {
    return this.change('configure');
  }
  activate(): RclLifecycleState {
    return this.change('activate');
  }
  deactivate(): RclLifecycleState {
    return this.change('deactivate');
  }
  cleanup(): RclLifecycleState {
    return this.change('cleanup');
  }
  shutdown(): RclLifecycleState {
    return this.change('shutdown');
  }

  private change(transition: string): RclLifecycleState {
    const rule = RULES[transition]!;
    const start = this.label as Primary;
    if (!rule.from.includes(start)) throw new Error(`No transition available from state ${transition}`);
    const previous = { ...this.currentState };
    this.label = rule.via;
    const code = this.run(rule.via, previous);
    if (code === CODES.SUCCESS) this.label = rule.to;
    else if (code === CODES.FAILURE) this.label = rule.fail === 'start' ? start : rule.fail;
    else {
      this.label = 'errorprocessing';
      this.label = this.run('errorprocessing', previous) === CODES.SUCCESS ? 'unconfigured' : 'finalized';
    }
    return this.currentState;
  }

  private run(state: string, previous: RclLifecycleState): number {
    const cb = this.transitionCallbacks.get(state);
    if (cb === undefined) return CODES.SUCCESS;
    try {
      return cb(previous);
    } catch {
      return CODES.ERROR;
    }
  }
}
