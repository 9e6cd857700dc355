import { nodeKeyMatches, resolveParameterRules } from './parameterRules';

describe('nodeKeyMatches (rcl rules for params file node keys)', () => {
  it.each([
    ['/**', '/vla_bridge', true],
    ['/**', '/ns/deep/vla_bridge', true],
    ['vla_bridge', '/vla_bridge', true],
    ['/vla_bridge', '/vla_bridge', true],
    ['/*', '/vla_bridge', true],
    ['/**/vla_bridge', '/vla_bridge', true],
    ['/**/vla_bridge', '/a/b/vla_bridge', true],
    ['/*/vla_bridge', '/ns/vla_bridge', true],
    ['/ns/vla_bridge', '/ns/vla_bridge', true],
    ['ns/vla_bridge', '/ns/vla_bridge', true],
    ['/ns/*', '/ns/vla_bridge', true],
    // A bare name means the root namespace; other nodes, namespaces and partial names do not match.
    ['vla_bridge', '/ns/vla_bridge', false],
    ['/*/vla_bridge', '/vla_bridge', false],
    ['/*', '/ns/vla_bridge', false],
    ['/vla_bridge', '/vla_bridge_2', false],
    ['/other', '/vla_bridge', false],
    ['/vla.bridge', '/vla_bridge', false],
  ])('%s against %s: %s', (key, fqn, expected) => {
    expect(nodeKeyMatches(key, fqn)).toBe(expected);
  });
});

describe('resolveParameterRules', () => {
  it('applies matching entries in rcl order, a later one winning, and ignores the others', () => {
    const rules = [
      {
        name: '/vla_bridge',
        parameters: [
          { name: 'policy', type: 4, value: '/p/a' },
          { name: 'autostart', type: 1, value: true },
        ],
      },
      { name: '/other', parameters: [{ name: 'policy', type: 4, value: '/p/other' }] },
      {
        name: '/**',
        parameters: [
          { name: 'policy', type: 4, value: '/p/b' },
          { name: 'command_rate_hz', type: 2, value: 100 },
        ],
      },
    ];
    expect(Object.fromEntries(resolveParameterRules(rules, '/vla_bridge'))).toEqual({
      policy: '/p/b',
      autostart: true,
      command_rate_hz: 100,
    });
    expect(Object.fromEntries(resolveParameterRules(rules, '/ns/vla_bridge'))).toEqual({ policy: '/p/b', command_rate_hz: 100 });
  });
});
