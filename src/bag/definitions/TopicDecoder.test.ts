import { MessageWriter } from '@foxglove/rosmsg2-serialization';
import { MessageDefinitionLibrary } from './MessageDefinitionLibrary';
import { parseDefinitionText } from './parseDefinitionText';
import { type DecodableTopic, TopicDecoder } from './TopicDecoder';

const library = new MessageDefinitionLibrary({ msgDirectories: [] });
const STRING: DecodableTopic = { name: '/chatter', type: 'std_msgs/msg/String', serializationFormat: 'cdr', file: 'bag.mcap' };

function encode(text: string, message: unknown): Uint8Array {
  return new MessageWriter(parseDefinitionText(text)).writeMessage(message);
}

describe('TopicDecoder', () => {
  it('decodes with the definition stored in the bag, even for a type it does not know', () => {
    const text = 'float64 x\nstring label\n';
    const topic: DecodableTopic = {
      name: '/custom',
      type: 'my_pkg/msg/Custom',
      serializationFormat: 'cdr',
      file: 'b.mcap',
      definition: { encoding: 'ros2msg', text },
    };
    const warnings: string[] = [];
    const decoder = TopicDecoder.create(topic, library, (w) => warnings.push(w));
    expect(decoder.decode(encode(text, { x: 2.5, label: 'hi' }), 0n)).toEqual({ x: 2.5, label: 'hi' });
    expect(warnings).toEqual([]);
  });

  it('prefers the stored definition over its own when both read the bytes', () => {
    // A newer String with an extra field: the bag's definition is the truth for the bag's bytes.
    const text = 'string data\nuint32 extra\n';
    const decoder = TopicDecoder.create({ ...STRING, definition: { encoding: 'ros2msg', text } }, library, () => undefined);
    expect(decoder.decode(encode(text, { data: 'a', extra: 7 }), 0n)).toEqual({ data: 'a', extra: 7 });
  });

  it('switches to its own definition, once and with a warning, when the stored one leaves bytes over', () => {
    const warnings: string[] = [];
    const decoder = TopicDecoder.create({ ...STRING, definition: { encoding: 'ros2msg', text: 'uint8 level\n' } }, library, (w) =>
      warnings.push(w),
    );
    const bytes = encode('string data\n', { data: 'hello world' });
    expect(decoder.decode(bytes, 0n)).toEqual({ data: 'hello world' });
    expect(decoder.decode(bytes, 1n)).toEqual({ data: 'hello world' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/\/chatter.*does not match/);
  });

  it('uses its own definition when the stored one does not parse or is empty ("unknown")', () => {
    for (const definition of [
      { encoding: 'ros2msg', text: 'NotAType[] x\n' },
      { encoding: 'unknown', text: '' },
    ]) {
      const decoder = TopicDecoder.create({ ...STRING, definition }, library, () => undefined);
      expect(decoder.decode(encode('string data\n', { data: 'x' }), 0n)).toEqual({ data: 'x' });
    }
  });

  it('refuses a non-CDR topic and an unknown type without definition (BAG_UNSUPPORTED, input)', () => {
    expect(() => TopicDecoder.create({ ...STRING, serializationFormat: 'protobuf' }, library, () => undefined)).toThrow(
      expect.objectContaining({ code: 'BAG_UNSUPPORTED', kind: 'input' }),
    );
    expect(() =>
      TopicDecoder.create({ name: '/x', type: 'my_pkg/msg/Unknown', serializationFormat: 'cdr', file: 'b.db3' }, library, () => undefined),
    ).toThrow(/no message definition for my_pkg\/msg\/Unknown/);
  });

  it('reports bytes that no definition reads as BAG_INVALID with the topic and time', () => {
    const decoder = TopicDecoder.create(STRING, library, () => undefined);
    expect(() => decoder.decode(new Uint8Array([0, 1, 0, 0, 0xff, 0xff, 0xff, 0x7f]), 42n)).toThrow(
      expect.objectContaining({ code: 'BAG_INVALID', path: '/chatter', message: expect.stringMatching(/at 42 ns/) }),
    );
  });
});
