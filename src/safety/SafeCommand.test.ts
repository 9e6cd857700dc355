import { isSafeCommand, mintSafeCommand, unsafeReason } from './SafeCommand';

describe('mintSafeCommand', () => {
  it("gives a joint command arrays of its own: later changes to the limiter's buffers do not reach it", () => {
    const position = Float64Array.of(0.1, 0.2);
    const velocity = Float64Array.of(0, 0);
    const command = mintSafeCommand({
      kind: 'joint',
      stampS: 1,
      jointNames: ['a', 'b'],
      positions: position,
      velocities: velocity,
      holding: false,
    });
    position[0] = 9;
    velocity[1] = 9;
    expect(Array.from(command.positions)).toEqual([0.1, 0.2]);
    expect(Array.from(command.velocities)).toEqual([0, 0]);
    expect(unsafeReason(command)).toBeUndefined();
  });

  it('notices a joint command changed after minting', () => {
    const command = mintSafeCommand({
      kind: 'joint',
      stampS: 1,
      jointNames: ['a'],
      positions: Float64Array.of(0.5),
      velocities: Float64Array.of(0),
      holding: false,
    });
    command.positions[0] = NaN;
    expect(isSafeCommand(command)).toBe(true);
    expect(unsafeReason(command)).toBe('the command was changed after the safety layer checked it');
    command.positions[0] = 0.5;
    expect(unsafeReason(command)).toBeUndefined();
  });

  it('freezes the command and the tuples of twist and pose commands', () => {
    const linear: [number, number, number] = [0.1, 0, 0];
    const twist = mintSafeCommand({
      kind: 'twist',
      stampS: 0,
      frameId: 'base',
      linearMPerS: linear,
      angularRadPerS: [0, 0, 0],
      holding: false,
    });
    linear[0] = 5;
    expect(twist.linearMPerS[0]).toBe(0.1);
    expect(() => ((twist.linearMPerS as number[])[0] = 5)).toThrow(TypeError);
    const pose = mintSafeCommand({
      kind: 'pose',
      stampS: 0,
      frameId: 'base',
      positionM: [0.4, 0, 0.3],
      orientationXyzw: [0, 0, 0, 1],
      holding: false,
    });
    expect(() => ((pose.orientationXyzw as number[])[3] = 0)).toThrow(TypeError);
    expect(() => ((pose as { holding: boolean }).holding = true)).toThrow(TypeError);
    expect(unsafeReason(pose)).toBeUndefined();
  });

  it('brands nothing else: a copy or a hand-made command is not safe', () => {
    const command = mintSafeCommand({
      kind: 'joint',
      stampS: 1,
      jointNames: ['a'],
      positions: Float64Array.of(0.5),
      velocities: Float64Array.of(0),
      holding: false,
    });
    expect(unsafeReason({ ...command })).toBe('the command did not come from the safety layer');
    expect(unsafeReason(Object.create(command))).toBe('the command did not come from the safety layer');
    expect(unsafeReason(null)).toBe('the command did not come from the safety layer');
  });
});
