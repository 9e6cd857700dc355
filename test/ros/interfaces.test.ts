import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@foxglove/rosmsg';
import { MessageReader, MessageWriter } from '@foxglove/rosmsg2-serialization';
import { MessageDefinitionLibrary } from '../../src/bag/definitions/MessageDefinitionLibrary';
import { statusToMsg } from '../../src/ros/node/statusMessages';
import { SAFETY_EVENT_SEVERITY, VLA_MSG_TYPES } from '../../src/msgs/vlaMessages';
import { actionChunkFromMsg, actionChunkToMsg, safetyEventFromMsg, safetyEventToMsg } from '../../src/outputs/vlaConverters';
import type { ActionChunk } from '../../src/policy/Policy';
import { SAFETY_LIMITS, type SafetyEvent } from '../../src/safety/SafetyEvent';

const ROOT = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const msgFiles = readdirSync(join(ROOT, 'msg')).filter((f) => f.endsWith('.msg'));
const srvFiles = readdirSync(join(ROOT, 'srv')).filter((f) => f.endsWith('.srv'));

/** The field names of a .msg text (constants excluded), in order. */
function fields(text: string): string[] {
  return parse(text, { ros2: true })[0]!
    .definitions.filter((d) => d.isConstant !== true)
    .map((d) => d.name);
}

describe('package interfaces (msg/, srv/)', () => {
  it.each(msgFiles)('msg/%s parses as ROS 2 interface syntax', (file) => {
    const [root] = parse(read(`msg/${file}`), { ros2: true });
    expect(root!.definitions.length).toBeGreaterThan(0);
    for (const d of root!.definitions) expect(d.name).toMatch(/^[a-z][a-z0-9_]*$|^[A-Z][A-Z0-9_]*$/);
  });

  it.each(srvFiles)('srv/%s parses as a request and a response', (file) => {
    const parts = read(`srv/${file}`).split(/^---\s*$/m);
    expect(parts).toHaveLength(2);
    for (const part of parts) expect(parse(part, { ros2: true })[0]!.definitions.length).toBeGreaterThan(0);
  });

  it('SafetyEvent.msg SEVERITY_* constants are the codes the converters write', () => {
    const constants = parse(read('msg/SafetyEvent.msg'), { ros2: true })[0]!.definitions.filter(
      (d) => d.isConstant === true && d.name.startsWith('SEVERITY_'),
    );
    expect(Object.fromEntries(constants.map((d) => [d.name.slice('SEVERITY_'.length).toLowerCase(), Number(d.value)]))).toEqual(
      SAFETY_EVENT_SEVERITY,
    );
  });

  it('CMakeLists.txt generates exactly the interfaces in msg/ and srv/', () => {
    const cmake = read('CMakeLists.txt');
    const listed = [...cmake.matchAll(/"((?:msg|srv)\/[A-Za-z0-9_]+\.(?:msg|srv))"/g)].map((m) => m[1]).sort();
    expect(listed).toEqual([...msgFiles.map((f) => `msg/${f}`), ...srvFiles.map((f) => `srv/${f}`)].sort());
  });

  it('are registered so that `ros2 interface show vla_bridge/msg/SafetyEvent` and `ros2 topic echo` find them once install/setup.bash is sourced', () => {
    const cmake = read('CMakeLists.txt');
    const xml = read('package.xml');
    // Packages the interfaces refer to (pkg/Type) must be generation dependencies and package dependencies.
    const referenced = new Set(
      [...msgFiles.map((f) => `msg/${f}`), ...srvFiles.map((f) => `srv/${f}`)].flatMap((f) =>
        [...read(f).matchAll(/^\s*([a-z][a-z0-9_]*)\/[A-Z]\w*/gm)].map((m) => m[1]!),
      ),
    );
    const generation =
      /rosidl_generate_interfaces\(\$\{PROJECT_NAME\}[\s\S]*?DEPENDENCIES([^)]*)\)/.exec(cmake)?.[1]?.trim().split(/\s+/) ?? [];
    for (const pkg of referenced) {
      expect(generation).toContain(pkg);
      expect(cmake).toContain(`find_package(${pkg} REQUIRED)`);
      expect(xml).toContain(`<depend>${pkg}</depend>`);
    }
    expect(cmake).toMatch(/find_package\(rosidl_default_generators REQUIRED\)/);
    expect(cmake).toMatch(/ament_export_dependencies\(rosidl_default_runtime\)/);
    expect(xml).toContain('<buildtool_depend>rosidl_default_generators</buildtool_depend>');
    expect(xml).toContain('<exec_depend>rosidl_default_runtime</exec_depend>');
    expect(xml).toContain('<member_of_group>rosidl_interface_packages</member_of_group>');
  });

  it('the converters fill exactly the fields of the .msg files', () => {
    const event: SafetyEvent = {
      tS: 3.5,
      limit: 'position',
      target: 'j1',
      requested: 2,
      applied: 1.5,
      severity: 'error',
      message: 'clamped',
    };
    expect(Object.keys(safetyEventToMsg(event)).sort()).toEqual(fields(read('msg/SafetyEvent.msg')).sort());
    const chunk: ActionChunk = {
      observationStampS: 1,
      actions: new Float64Array(2),
      horizon: 1,
      dims: 2,
      stepsToExecute: 1,
      stepDtS: 0.1,
      space: { names: ['a', 'b'], kind: 'absolute', frame: 'joint' },
    };
    expect(Object.keys(actionChunkToMsg(chunk)).sort()).toEqual(fields(read('msg/ActionChunk.msg')).sort());
    const status = statusToMsg({
      stampS: 1,
      nodeName: 'vla_bridge',
      lifecycle: 'active',
      mode: 'running',
      reason: '',
      embodiment: 'e',
      policy: 'p',
      instruction: 'i',
      dryRun: false,
      estopped: false,
      commandRateHz: 100,
      policyRateHz: 10,
    });
    expect(Object.keys(status).sort()).toEqual(fields(read('msg/PolicyStatus.msg')).sort());
  });

  it('what the converters produce is CDR-serializable with the definitions a bag records, and reads back', () => {
    const library = new MessageDefinitionLibrary();
    const event: SafetyEvent = {
      tS: 12.25,
      limit: 'velocity',
      target: 'panda_joint4',
      requested: 3.2,
      applied: 2.175,
      severity: 'warn',
      message: 'velocity limit',
    };
    const chunk: ActionChunk = {
      observationStampS: 7.5,
      actions: Float64Array.from([0.1, -0.2, 0.3, 0.4, 0.5, -0.6]),
      horizon: 2,
      dims: 3,
      stepsToExecute: 1,
      stepDtS: 0.2,
      space: { names: ['x', 'y', 'gripper'], kind: 'delta', frame: 'end_effector', gripperIndex: 2 },
      tokens: [31744, 31800, 31999],
      inferenceS: 0.05,
    };
    const roundTrip = (type: string, msg: unknown): unknown => {
      const definitions = library.parsed(type);
      expect(definitions).toBeDefined();
      const bytes = new MessageWriter(definitions!).writeMessage(msg);
      return new MessageReader(definitions!).readMessage(bytes);
    };
    expect(safetyEventFromMsg(roundTrip(VLA_MSG_TYPES.safetyEvent, safetyEventToMsg(event)) as never)).toEqual(event);
    const back = actionChunkFromMsg(roundTrip(VLA_MSG_TYPES.actionChunk, actionChunkToMsg(chunk)) as never)!;
    expect({ ...back, actions: Array.from(back.actions) }).toEqual({ ...chunk, actions: Array.from(chunk.actions) });
    const status = statusToMsg({
      stampS: 1.5,
      nodeName: 'n',
      lifecycle: 'inactive',
      mode: 'ready',
      reason: '',
      embodiment: 'ur5e',
      policy: 'p',
      instruction: 'wave',
      dryRun: true,
      estopped: false,
      commandRateHz: 125,
      policyRateHz: 10,
    });
    expect(roundTrip(VLA_MSG_TYPES.policyStatus, status)).toMatchObject({
      lifecycle_state: 2,
      mode: 'ready',
      dry_run: true,
      command_rate_hz: 125,
    });
  });

  it('refuses messages that do not describe a valid event or chunk', () => {
    const base = safetyEventToMsg({ tS: 0, limit: 'estop', severity: 'error' });
    expect(safetyEventFromMsg({ ...base, limit: 'made_up' })).toBeUndefined();
    expect(safetyEventFromMsg({ ...base, severity: 7 })).toBeUndefined();
    const chunk = actionChunkToMsg({
      observationStampS: 0,
      actions: new Float64Array(4),
      horizon: 2,
      dims: 2,
      stepsToExecute: 1,
      stepDtS: 0.1,
      space: { names: ['a', 'b'], kind: 'absolute', frame: 'joint' },
    });
    expect(actionChunkFromMsg({ ...chunk, horizon: 3 })).toBeUndefined();
    expect(actionChunkFromMsg({ ...chunk, kind: 'relative' })).toBeUndefined();
    expect(actionChunkFromMsg({ ...chunk, gripper_index: 2 })).toBeUndefined();
  });
});

describe('SafetyEvent.msg documents every limit the layer reports', () => {
  it.each(SAFETY_LIMITS.map((l) => [l]))('%s', (limit) => {
    const text = readFileSync(join(__dirname, '..', '..', 'msg', 'SafetyEvent.msg'), 'utf8');
    expect(text).toMatch(new RegExp(`\\b${limit}\\b`));
  });
});
