/**
 * A `vla-bridge run` process on the in-memory rclnodejs, for test/ros/signals.test.ts: runNode with real signal
 * handling, a pipeline double whose controlled stop takes 0.3 s, configured and activated at once. Prints
 * `active` once the arm runs, `stop completed` when the controlled stop has reached its end, and runNode's own
 * progress lines.
 */
import { runNode } from '../../src/ros/runNode';
import { FakeBridgeFactory } from '../support/ros/FakeBridge';
import { FakeRclnodejs } from '../support/ros/FakeRclnodejs';

const rcl = new FakeRclnodejs();
const factory = new FakeBridgeFactory({ loadAtOnce: true, stopTakesS: 0.3 });

runNode({
  rosArgs: ['--ros-args', '-p', 'embodiment:=franka_panda', '-p', 'policy:=/policies/demo'],
  loadRcl: () => rcl,
  loadNative: () => rcl.native,
  createBridge: factory.create,
  log: (line) => console.log(line),
}).then(
  () => {
    if (factory.bridges[0]?.stopsCompleted === 1) console.log('stop completed');
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);

const activate = setInterval(() => {
  const node = rcl.nodes[0] as ReturnType<FakeRclnodejs['createLifecycleNode']> | undefined;
  if (node === undefined) return;
  if (node.currentState.label === 'unconfigured') node.configure();
  else if (node.currentState.label === 'inactive') node.activate();
  if (node.currentState.label === 'active') {
    clearInterval(activate);
    console.log('active');
  }
}, 10);
