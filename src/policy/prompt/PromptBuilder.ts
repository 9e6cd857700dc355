import { type ErrorLocation, VlaError } from '../../errors';
import { OPENVLA_PROMPT, type PromptSpec } from '../manifest/PolicyManifest';
import { checkInstructionLength } from './instructionLimit';
import type { TextTokenizer } from './TextTokenizer';

/** The prompt after resolving a preset: what decides the token ids, all explicit. */
export interface ResolvedPrompt {
  template: string;
  lowercaseInstruction: boolean;
  bosToken: string | null;
  ensureSuffix: readonly string[];
  maxTokens: number;
}

function resolvePrompt(spec: PromptSpec): ResolvedPrompt {
  if (spec.preset === 'openvla') {
    return {
      template: OPENVLA_PROMPT.template,
      lowercaseInstruction: OPENVLA_PROMPT.lowercase_instruction,
      bosToken: OPENVLA_PROMPT.bos_token,
      ensureSuffix: OPENVLA_PROMPT.ensure_suffix,
      maxTokens: spec.max_tokens,
    };
  }
  return {
    template: spec.template ?? '{instruction}',
    lowercaseInstruction: spec.lowercase_instruction ?? false,
    bosToken: spec.bos_token ?? null,
    ensureSuffix: spec.ensure_suffix ?? [],
    maxTokens: spec.max_tokens,
  };
}

const PROMPT_CACHE_SIZE = 16;

/** Instruction -> prompt token ids: template, lowercasing, exactly one BOS (or none), the suffix tokens. */
export class PromptBuilder {
  readonly prompt: ResolvedPrompt;
  readonly tokenizer: TextTokenizer;
  private readonly bosId: number | null;
  private readonly suffixIds: readonly number[];
  /** A policy is asked the same instruction step after step: its ids are kept (a few, most recent). */
  private readonly cache = new Map<string, readonly number[] | VlaError>();

  constructor(spec: PromptSpec, tokenizer: TextTokenizer, at: (path: (string | number)[]) => ErrorLocation) {
    this.prompt = resolvePrompt(spec);
    this.tokenizer = tokenizer;
    const { bosToken, template } = this.prompt;
    this.bosId =
      bosToken === null ? null : tokenizer.requireId(bosToken, at(['prompt', spec.preset === undefined ? 'bos_token' : 'preset']));
    if (bosToken !== null && template.includes(bosToken)) {
      throw new VlaError('POLICY_INVALID', `the template already contains the BOS token ${JSON.stringify(bosToken)}`, {
        ...at(['prompt', 'template']),
        hint: 'remove it from the template: bos_token puts it first, exactly once',
      });
    }
    this.suffixIds = this.prompt.ensureSuffix.map((t, i) =>
      tokenizer.requireId(
        t,
        at(['prompt', spec.preset === undefined ? 'ensure_suffix' : 'preset', ...(spec.preset === undefined ? [i] : [])]),
      ),
    );
  }

  /** The instruction as the model reads it: trimmed, lowercased if the manifest says so, inside the template. */
  text(instruction: string): string {
    const trimmed = instruction.trim();
    if (trimmed === '') {
      throw new VlaError('ARGUMENT_INVALID', 'the instruction is empty', {
        path: 'instruction',
        hint: 'tell the policy what to do, e.g. "pick up the red cup"',
      });
    }
    return this.prompt.template.replace('{instruction}', this.prompt.lowercaseInstruction ? trimmed.toLowerCase() : trimmed);
  }

  /**
   * Tokenizes once per distinct instruction: the ids, or the refusal, are kept for the few most recent ones,
   * so an instruction that fails (too long for the model) is not tokenized again on every attempt.
   */
  build(instruction: string): number[] {
    checkInstructionLength(instruction, 'instruction');
    let entry = this.cache.get(instruction);
    if (entry === undefined) {
      try {
        entry = this.encode(instruction);
      } catch (err) {
        if (!(err instanceof VlaError)) throw err;
        entry = err;
      }
      if (this.cache.size >= PROMPT_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(instruction, entry);
    }
    if (entry instanceof VlaError) throw entry;
    return [...entry];
  }

  private encode(instruction: string): number[] {
    const ids = this.tokenizer.encode(this.text(instruction));
    if (this.bosId !== null) ids.unshift(this.bosId);
    const n = this.suffixIds.length;
    if (n > 0 && !this.suffixIds.every((id, i) => ids[ids.length - n + i] === id)) ids.push(...this.suffixIds);
    if (ids.length > this.prompt.maxTokens) {
      throw new VlaError('ARGUMENT_INVALID', `the prompt is ${ids.length} tokens, the policy takes at most ${this.prompt.maxTokens}`, {
        path: 'instruction',
        hint: 'shorten the instruction (or raise prompt.max_tokens if the model was trained on longer prompts)',
      });
    }
    return ids;
  }
}
