import { ManualClock } from '../time/ManualClock';
import type { VlaError } from '../errors';
import type { ImageMsg, JointStateMsg } from '../msgs/rosMessages';
import { secondsToTime } from '../time/rosTime';
import { LoopbackTransport } from '../transport/LoopbackTransport';
import { type AssemblerOptions, isObservation, ObservationAssembler, type ObservationSources } from './ObservationAssembler';

const sources: ObservationSources = {
  jointStatesTopic: '/joint_states',
  jointNames: ['a', 'b'],
  jointStateTimeoutS: 0.1,
  cameras: [
    { name: 'front', topic: '/front', type: 'sensor_msgs/msg/Image', timeoutS: 0.5 },
    { name: 'wrist', topic: '/wrist', type: 'sensor_msgs/msg/Image', timeoutS: 0.5 },
  ],
};

function js(tS: number, names: string[], position: number[]): JointStateMsg {
  return { header: { stamp: secondsToTime(tS), frame_id: '' }, name: names, position, velocity: [], effort: [] };
}

function img(tS: number, value = 0): ImageMsg {
  return {
    header: { stamp: secondsToTime(tS), frame_id: 'cam' },
    height: 1,
    width: 1,
    encoding: 'rgb8',
    is_bigendian: 0,
    step: 3,
    data: new Uint8Array([value, value, value]),
  };
}

/** Messages are received at the clock's time: `at(t)` moves it (each test's messages arrive when stamped unless said otherwise). */
function setup(options: AssemblerOptions = {}) {
  const clock = new ManualClock(1);
  const transport = new LoopbackTransport(clock);
  const errors: VlaError[] = [];
  const warnings: string[] = [];
  const assembler = new ObservationAssembler(transport, sources, {
    onInvalidMessage: (e) => errors.push(e),
    onStampWarning: (m) => warnings.push(m),
    ...options,
  });
  const joints = transport.createPublisher('/joint_states', 'sensor_msgs/msg/JointState');
  const front = transport.createPublisher('/front', 'sensor_msgs/msg/Image');
  const wrist = transport.createPublisher('/wrist', 'sensor_msgs/msg/Image');
  const at = (tS: number): void => clock.set(tS);
  return { assembler, joints, front, wrist, errors, warnings, at };
}

describe('ObservationAssembler', () => {
  it('maps joint states by name, whatever order and extra joints the message has', () => {
    const { assembler, joints } = setup();
    joints.publish(js(1, ['extra', 'b', 'a'], [9, 2, 1]));
    expect(Array.from(assembler.latestJointState()!.position)).toEqual([1, 2]);
  });

  it('reports what is missing until every source delivered, then assembles at the joint state stamp', () => {
    const { assembler, joints, front, wrist } = setup();
    expect(assembler.assemble('go')).toEqual({ missing: ['/joint_states', '/front', '/wrist'] });
    joints.publish(js(1, ['a', 'b'], [1, 2]));
    front.publish(img(0.98));
    expect(assembler.assemble('go')).toEqual({ missing: ['/wrist'] });
    wrist.publish(img(0.99));
    const obs = assembler.assemble('go');
    expect(isObservation(obs) && obs.stampS).toBe(1);
    expect(isObservation(obs) && [...obs.images.keys()]).toEqual(['front', 'wrist']);
  });

  it('picks, for each camera, the frame closest in time to the joint state', () => {
    const { assembler, joints, front, wrist } = setup();
    for (const t of [0.9, 0.95, 1.0, 1.05]) front.publish(img(t, Math.round(t * 100)));
    for (const t of [0.93, 1.01, 1.09]) wrist.publish(img(t, Math.round(t * 100)));
    joints.publish(js(1.0, ['a', 'b'], [0, 0]));
    const obs = assembler.assemble('go', ['front', 'wrist']);
    if (!isObservation(obs)) throw new Error('no observation');
    expect(obs.images.get('front')!.stampS).toBeCloseTo(1.0, 9);
    expect(obs.images.get('wrist')!.stampS).toBeCloseTo(1.01, 9);
    expect(assembler.lastSkewS).toBeCloseTo(0.01, 9);
  });

  it('judges staleness on stamps against the clock, per source timeout', () => {
    const { assembler, joints, front, wrist } = setup();
    joints.publish(js(1, ['a', 'b'], [0, 0]));
    front.publish(img(1));
    wrist.publish(img(0.6));
    expect(assembler.ages(1.05)).toEqual({
      jointStateAgeS: expect.closeTo(0.05, 9),
      cameraAgesS: { front: expect.closeTo(0.05, 9), wrist: expect.closeTo(0.45, 9) },
    });
    expect(assembler.stale(1.05)).toEqual([]);
    expect(assembler.stale(1.2)).toEqual(['/joint_states', '/wrist']);
  });

  it('drops and reports a message it cannot convert, and keeps going', () => {
    const { assembler, joints, errors, at } = setup();
    joints.publish(js(1, ['a', 'b'], [1, 2]));
    at(2);
    joints.publish(js(2, ['a'], [5]));
    at(3);
    joints.publish(js(3, ['a', 'b'], [3, 4]));
    expect(assembler.invalidMessages).toBe(1);
    expect(errors[0]!.joint).toBe('b');
    expect(Array.from(assembler.latestJointState()!.position)).toEqual([3, 4]);
  });

  it('ignores messages older than the latest (out-of-order delivery)', () => {
    const { assembler, joints, front, at } = setup();
    at(2);
    joints.publish(js(2, ['a', 'b'], [2, 2]));
    joints.publish(js(1, ['a', 'b'], [1, 1]));
    front.publish(img(2));
    front.publish(img(1));
    expect(assembler.latestJointState()!.stampS).toBe(2);
    expect(assembler.latestFrame('front')!.stampS).toBe(2);
  });

  it('judges frames stamped zero by their receive time, warns once per topic, and keeps stamped topics on their stamps', () => {
    const { assembler, joints, front, wrist, warnings, at } = setup();
    at(5);
    joints.publish(js(5, ['a', 'b'], [0, 0]));
    front.publish(img(0));
    wrist.publish(img(4.98));
    at(5.2);
    front.publish(img(0));
    // Before: the zero-stamped camera was 5 s old forever ("holding for camera"); now it is 0 s old when it arrives.
    expect(assembler.latestFrame('front')!.stampS).toBeCloseTo(5.2, 9);
    expect(assembler.latestFrame('wrist')!.stampS).toBeCloseTo(4.98, 9);
    expect(assembler.stale(5.25)).toEqual(['/joint_states']);
    expect(assembler.stale(5.8)).toEqual(['/joint_states', '/front', '/wrist']);
    expect(warnings).toEqual([
      expect.stringMatching(/^\/front: header\.stamp is zero; freshness is judged by the time each message is received/),
    ]);
    expect(assembler.receiveTimedMessages.get('/front')).toBe(2);
    joints.publish(js(5.2, ['a', 'b'], [0, 0]));
    const obs = assembler.assemble('go');
    expect(isObservation(obs) && obs.images.get('front')!.stampS).toBeCloseTo(5.2, 9); // matched in time on the receive time
  });

  it('judges stamps from another clock (sim time against wall time, or ahead of the clock) by receive time', () => {
    const { assembler, joints, front, wrist, warnings, at } = setup();
    at(1_700_000_000);
    joints.publish(js(12.5, ['a', 'b'], [0, 0])); // simulated time on a wall-clock receiver
    front.publish(img(1_700_000_003)); // 3 s ahead: would look fresh for 3 s after the camera stops
    wrist.publish(img(1_700_000_000));
    expect(assembler.latestJointState()!.stampS).toBe(1_700_000_000);
    expect(assembler.latestFrame('front')!.stampS).toBe(1_700_000_000);
    expect(assembler.stale(1_700_000_000.05)).toEqual([]);
    expect(assembler.stale(1_700_000_001)).toEqual(['/joint_states', '/front', '/wrist']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^\/joint_states: header\.stamp is 1699999988 s behind the receiver's clock/);
    expect(warnings[1]).toMatch(/^\/front: header\.stamp is 3 s ahead of the receiver's clock/);
  });

  it('keeps late data stale: a stamp a few seconds behind is judged by the stamp, with one warning', () => {
    const { assembler, joints, warnings, at } = setup();
    at(10);
    joints.publish(js(8, ['a', 'b'], [0, 0]));
    expect(assembler.stale(10)).toContain('/joint_states');
    expect(warnings).toEqual([expect.stringMatching(/^\/joint_states: messages arrive 2 s after their header\.stamp/)]);
    expect(assembler.receiveTimedMessages.size).toBe(0);
  });

  it("the 'receive' time base judges every message by when it arrived, whatever its stamp", () => {
    const { assembler, joints, front, wrist, warnings, at } = setup({ timeBase: 'receive' });
    at(3);
    joints.publish(js(1, ['a', 'b'], [0, 0]));
    front.publish(img(2.9));
    wrist.publish(img(0));
    expect(assembler.ages(3.1)).toEqual({
      jointStateAgeS: expect.closeTo(0.1, 9),
      cameraAgesS: { front: expect.closeTo(0.1, 9), wrist: expect.closeTo(0.1, 9) },
    });
    expect(warnings).toEqual([]);
  });
});
