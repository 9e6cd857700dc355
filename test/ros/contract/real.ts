/**
 * The rclnodejs contract suites on the real rclnodejs, for Node's own test runner: rclnodejs cannot be loaded
 * inside jest ("Must use import to load ES Module"). test/ros/rclnodejs.test.ts runs this file from `npm test`
 * where ROS 2 is sourced; there a rclnodejs that does not load fails every test with the reason.
 */
import { describe } from 'node:test';
import { loadRclnodejs, loadRclnodejsNative } from '../../../src/ros/rclnodejs/loadRclnodejs';
import { NODE_TEST } from './nodeTestApi';
import { rclnodejsSuites } from './suites';

describe(`with rclnodejs (ROS 2 ${process.env.ROS_DISTRO ?? 'not sourced'})`, () =>
  rclnodejsSuites(NODE_TEST, () => ({ rcl: loadRclnodejs(), native: loadRclnodejsNative() })));
