/**
 * The rclnodejs contract suites on the fake rclnodejs, for Node's own test runner: proves, where ROS 2 is
 * absent, that the runner test/ros/rclnodejs.test.ts uses for the real rclnodejs runs and reports them.
 */
import { describe } from 'node:test';
import { FakeRclnodejs } from '../../support/ros/FakeRclnodejs';
import { NODE_TEST } from './nodeTestApi';
import { rclnodejsSuites } from './suites';

describe('with FakeRclnodejs (plain Node)', () =>
  rclnodejsSuites(NODE_TEST, () => {
    const rcl = new FakeRclnodejs();
    return { rcl, native: rcl.native };
  }));
