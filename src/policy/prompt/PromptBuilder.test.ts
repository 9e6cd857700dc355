import { join } from 'node:path';
import { integerTokenTable, rt2Normalized } from '../decode/rt2Integers';
import { type PromptSpec, PromptSchema } from '../manifest/PolicyManifest';
import { PromptBuilder } from './PromptBuilder';
import { TextTokenizer } from './TextTokenizer';

const POLICIES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'policies');
// A Llama-2-style BPE (SentencePiece "▁", byte fallback, a post-processor that adds <s>) made by
// tools/export_test_models.py.
const tokenizer = TextTokenizer.load(join(POLICIES, 'tiny_rt2', 'tokenizer.json'));
const at = (path: (string | number)[]) => ({ file: 'manifest.yaml', path: path.join('.') });
const spec = (fields: Record<string, unknown>): PromptSpec => PromptSchema.parse({ tokenizer: 'tokenizer.json', ...fields });
const tokens = (ids: number[]) => ids.map((id) => tokenizer.tokenOf(id));

describe('PromptBuilder', () => {
  test('OpenVLA\'s exact prompt: lowercased instruction, one <s>, then "▁" after Out:', () => {
    const b = new PromptBuilder(spec({ preset: 'openvla' }), tokenizer, at);
    expect(b.text('Pick up the Red cup')).toBe('In: What action should the robot take to pick up the red cup?\nOut:');
    const ids = b.build('Pick up the Red cup');
    expect(tokens(ids)).toEqual([
      '<s>',
      '▁In',
      ':',
      '▁What',
      '▁action',
      '▁should',
      '▁the',
      '▁robot',
      '▁take',
      '▁to',
      '▁pick',
      '▁up',
      '▁the',
      '▁red',
      '▁cup',
      '?',
      '<0x0A>',
      'Out',
      ':',
      '▁',
    ]);
  });

  test('BOS appears exactly once even though the tokenizer post-processor adds one', () => {
    const b = new PromptBuilder(spec({ template: '{instruction}', bos_token: '<s>' }), tokenizer, at);
    const ids = b.build('open the drawer');
    expect(ids.filter((id) => id === tokenizer.requireId('<s>', {})).length).toBe(1);
    expect(ids[0]).toBe(tokenizer.requireId('<s>', {}));
  });

  test('bos_token null means no BOS; case is kept unless asked', () => {
    const b = new PromptBuilder(spec({ template: 'Task: {instruction}', bos_token: null }), tokenizer, at);
    expect(tokens(b.build('Open'))).toEqual(['▁Task', ':', '▁', 'O', 'p', 'e', 'n']);
  });

  test('the suffix is not doubled when the prompt already ends with it', () => {
    const b = new PromptBuilder(spec({ template: '{instruction} ', bos_token: null, ensure_suffix: ['▁'] }), tokenizer, at);
    expect(tokens(b.build('up')).slice(-2)).toEqual(['▁up', '▁']);
  });

  test('an empty instruction is an error', () => {
    const b = new PromptBuilder(spec({ preset: 'openvla' }), tokenizer, at);
    expect(() => b.build(' \n ')).toThrow('the instruction is empty');
  });

  test('a prompt longer than max_tokens is an error, not truncated', () => {
    const b = new PromptBuilder(spec({ preset: 'openvla', max_tokens: 10 }), tokenizer, at);
    expect(() => b.build('pick up the cup')).toThrow('the prompt is 19 tokens, the policy takes at most 10');
  });

  test('a template that already holds the BOS token is refused', () => {
    expect(() => new PromptBuilder(spec({ template: '<s>{instruction}', bos_token: '<s>' }), tokenizer, at)).toThrow(
      'the template already contains the BOS token "<s>"',
    );
  });

  test('a prompt section must say its BOS token and have {instruction} once', () => {
    const r = PromptSchema.safeParse({ tokenizer: 't.json', template: 'do {instruction} {instruction}' });
    expect(r.success).toBe(false);
    const messages = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(['template: must contain {instruction} exactly once', expect.stringContaining('bos_token: missing')]);
  });

  test('a preset and its own fields together are refused', () => {
    const r = PromptSchema.safeParse({ tokenizer: 't.json', preset: 'openvla', bos_token: '<s>' });
    expect(r.success ? [] : r.error.issues.map((i) => i.message)).toEqual(['preset: openvla sets bos_token; remove one of the two']);
  });
});

describe('RT-2 integer tokens', () => {
  test('each integer 0..255 maps to its whole-number token ("▁17")', () => {
    const table = integerTokenTable(tokenizer, 256, {});
    expect(tokenizer.tokenOf(table.ids[17]!)).toBe('▁17');
    expect(table.valueOf.get(table.ids[255]!)).toBe(255);
    expect(rt2Normalized(0, 256)).toBe(-1);
    expect(rt2Normalized(255, 256)).toBe(1);
  });

  test('a vocabulary without whole-number tokens is refused, naming the missing integer', () => {
    const llamaLike = TextTokenizer.load(join(POLICIES, 'tiny_openvla', 'tokenizer.json'));
    expect(() => integerTokenTable(llamaLike, 256, {})).toThrow(/has none for 10$/);
  });
});
