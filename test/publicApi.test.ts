import * as api from '../src';

/**
 * The package's entry point (package.json `main`, built from src/index.ts) offers what a program embedding
 * vla_bridge needs, and those pieces work together from there alone.
 */
describe('the public API', () => {
  it('offers errors, embodiments, the pipeline, bags, evaluation, policies, safety and the node', () => {
    const offered = [
      'VlaError',
      'describeError',
      'loadEmbodiment',
      'ControlLoop',
      'runEpisode',
      'InferenceScheduler',
      'BagReader',
      'McapRecorder',
      'runEval',
      'loadPolicy',
      'GuardedPolicy',
      'PolicyRuntime',
      'SafetyLayer',
      'SafetyFilter',
      'VlaBridgeNode',
      'commandModeFor',
    ] as const;
    expect(offered.filter((name) => typeof api[name] !== 'function')).toEqual([]);
  });

  it('loads an embodiment and reports a bad one as a VlaError with a code', () => {
    const panda = api.loadEmbodiment('franka_panda');
    expect(panda.name).toBe('franka_panda');
    let caught: unknown;
    try {
      api.loadEmbodiment('no_such_robot');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(api.VlaError);
    expect(api.isVlaError(caught) && typeof caught.code).toBe('string');
  });

  it("offers the node's names and message converters", () => {
    const panda = api.loadEmbodiment('franka_panda');
    expect(api.commandTopics(panda).map(api.resolvedPreviewTopic)).toEqual([
      '/vla_bridge/preview/panda_arm_controller/joint_trajectory',
      '/vla_bridge/preview/gripper_controller/commands',
    ]);
    expect(api.RESOLVED_NODE_TOPICS.safetyEvents).toBe('/vla_bridge/safety_events');
    const event: api.SafetyEvent = { tS: 1.5, limit: 'velocity', severity: 'warn', target: 'panda_joint1', requested: 2, applied: 1 };
    const msg: api.SafetyEventMsg = api.safetyEventToMsg(event);
    expect(msg.severity).toBe(api.SAFETY_EVENT_SEVERITY.warn);
    expect(api.safetyEventFromMsg(msg)).toMatchObject(event);
  });
});
