import * as api from '../index';
import { loadEmbodiment } from '../config/loadEmbodiment';
import { SafetyLayer, safetyDiagnosticStatus } from './index';

describe('the package index', () => {
  it('exports the safety layer, its types and isSafeCommand, and not mintSafeCommand', () => {
    expect(api.SafetyLayer).toBe(SafetyLayer);
    expect(typeof api.isSafeCommand).toBe('function');
    expect(api.SAFETY_LIMITS).toContain('watchdog_policy');
    expect(Object.keys(api)).not.toContain('mintSafeCommand');
  });
});

describe('safetyDiagnosticStatus', () => {
  it('is OK with counters while limits are enforced, ERROR while the arm is held', () => {
    const layer = SafetyLayer.fromEmbodiment(loadEmbodiment('so101'));
    const q = new Float64Array(6);
    layer.enforce({ tS: 0, measured: { stampS: 0, position: q }, proposal: null });
    layer.enforce({ tS: 0.01, measured: { stampS: 0.01, position: q }, proposal: new Float64Array([1, 0, 0, 0, 0, 0]) });
    const ok = safetyDiagnosticStatus(layer, 'so101');
    expect(ok).toMatchObject({ level: 0, name: 'vla_bridge: safety layer', hardware_id: 'so101' });
    expect(ok.values).toContainEqual({ key: 'interventions.acceleration', value: '1' });
    layer.estop();
    layer.enforce({ tS: 0.02, measured: { stampS: 0.02, position: q }, proposal: null });
    const held = safetyDiagnosticStatus(layer);
    expect(held).toMatchObject({ level: 2, message: 'e-stop latched: holding until reset' });
    expect(held.values).toContainEqual({ key: 'holding_for', value: 'estop' });
  });

  it('is OK while the arm holds after a requested stop, which is not counted as an intervention', () => {
    const layer = SafetyLayer.fromEmbodiment(loadEmbodiment('so101'));
    const q = new Float64Array(6);
    layer.enforce({ tS: 0, measured: { stampS: 0, position: q }, proposal: null });
    layer.stop();
    const { events, command } = layer.enforce({ tS: 0.01, measured: { stampS: 0.01, position: q }, proposal: q });
    expect(events).toEqual([expect.objectContaining({ limit: 'stop', severity: 'info' })]);
    expect(command.holding).toBe(true);
    const status = safetyDiagnosticStatus(layer);
    expect(status).toMatchObject({ level: 0, message: 'stopped on request: holding' });
    expect(status.values).toContainEqual({ key: 'holding_for', value: 'stop' });
    expect(status.values).toContainEqual({ key: 'interventions.stop', value: '0' });
    layer.reset();
    layer.enforce({ tS: 0.02, measured: { stampS: 0.02, position: q }, proposal: q });
    expect(safetyDiagnosticStatus(layer)).toMatchObject({ level: 0, message: 'limits enforced' });
  });
});
