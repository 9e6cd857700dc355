import { expandTopicName } from './expandTopicName';

describe('expandTopicName', () => {
  it('expands private, relative and absolute names as rcl does', () => {
    expect(expandTopicName('~/status', 'vla_bridge')).toBe('/vla_bridge/status');
    expect(expandTopicName('~/status', 'vla_bridge', '/robot1')).toBe('/robot1/vla_bridge/status');
    expect(expandTopicName('~/status', 'vla_bridge', 'robot1/')).toBe('/robot1/vla_bridge/status');
    expect(expandTopicName('joint_states', 'vla_bridge', '/robot1')).toBe('/robot1/joint_states');
    expect(expandTopicName('joint_states', 'vla_bridge')).toBe('/joint_states');
    expect(expandTopicName('/diagnostics', 'vla_bridge', '/robot1')).toBe('/diagnostics');
    expect(expandTopicName('~', 'vla_bridge', '/ns')).toBe('/ns/vla_bridge');
    expect(expandTopicName('{node}/x', 'n', '/ns')).toBe('/ns/n/x');
  });
});
