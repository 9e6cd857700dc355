import type { LifecycleHandlers, TransitionOutcome } from './NodeHost';
import { availableTransitions, InProcessNodeHost } from './InProcessNodeHost';

function handlers(outcomes: Partial<Record<keyof LifecycleHandlers, TransitionOutcome | 'throw'>>): LifecycleHandlers {
  const run = (key: keyof LifecycleHandlers) => (): TransitionOutcome => {
    const o = outcomes[key] ?? 'success';
    if (o === 'throw') throw new Error(`${key} broke`);
    return o;
  };
  return {
    onConfigure: run('onConfigure'),
    onActivate: run('onActivate'),
    onDeactivate: run('onDeactivate'),
    onCleanup: run('onCleanup'),
    onShutdown: run('onShutdown'),
    onError: run('onError'),
  };
}

describe('InProcessNodeHost lifecycle', () => {
  it('follows rcl_lifecycle: a failed shutdown still finalizes; an error whose handling fails finalizes', () => {
    const a = new InProcessNodeHost();
    a.setLifecycleHandlers(handlers({ onShutdown: 'failure' }));
    expect(a.trigger('shutdown')).toBe('finalized');
    expect(() => a.trigger('configure')).toThrow(/configure is not available from state finalized/);

    const b = new InProcessNodeHost();
    b.setLifecycleHandlers(handlers({ onConfigure: 'throw', onError: 'failure' }));
    expect(b.trigger('configure')).toBe('finalized');
    expect(b.logs.map((l) => l.message)).toContain('lifecycle callback threw: onConfigure broke');
  });

  it('lists the transitions available from each state', () => {
    expect(availableTransitions('unconfigured')).toEqual(['configure', 'shutdown']);
    expect(availableTransitions('inactive')).toEqual(['activate', 'cleanup', 'shutdown']);
    expect(availableTransitions('active')).toEqual(['deactivate', 'shutdown']);
    expect(availableTransitions('finalized')).toEqual([]);
  });

  it('refuses to call a service that does not exist or has another type', async () => {
    const host = new InProcessNodeHost({ nodeName: 'n', namespace: '/ns' });
    host.createService('std_srvs/srv/Trigger', '~/reset', () => ({ success: true, message: '' }));
    expect(host.serviceNames()).toEqual(['/ns/n/reset']);
    await expect(host.callService('std_srvs/srv/Trigger', '~/nope', {})).rejects.toThrow(/no service \/ns\/n\/nope/);
    await expect(host.callService('vla_bridge/srv/SetInstruction', '~/reset', { instruction: 'x' })).rejects.toThrow(
      /has type std_srvs\/srv\/Trigger/,
    );
    expect(() => host.createService('std_srvs/srv/Trigger', '/ns/n/reset', () => ({ success: true, message: '' }))).toThrow(
      /already exists/,
    );
  });
});
