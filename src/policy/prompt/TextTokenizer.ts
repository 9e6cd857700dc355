import { readJsonFile } from '../../config/readJsonFile';
import { describeError, type ErrorLocation, VlaError } from '../../errors';

/** The part of @huggingface/tokenizers' Tokenizer that the runtime uses. */
interface HfTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
  decode(ids: number[], options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean }): string;
  token_to_id(token: string): number | undefined;
  id_to_token(id: number): string | undefined;
  get_vocab(withAddedTokens?: boolean): Map<string, number>;
}

type HfTokenizerClass = new (tokenizerJson: object, tokenizerConfig: object) => HfTokenizer;

let tokenizerClass: HfTokenizerClass | undefined;

function hfTokenizerClass(): HfTokenizerClass {
  // The package is ESM-first with a CommonJS build: required lazily, so loading the runtime stays cheap.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  tokenizerClass ??= (require('@huggingface/tokenizers') as { Tokenizer: HfTokenizerClass }).Tokenizer;
  return tokenizerClass;
}

/**
 * A Hugging Face tokenizer.json, without its post-processor: the runtime adds BOS and suffix tokens itself, as the
 * manifest says, so that a tokenizer that also adds <s> can never double it.
 */
export class TextTokenizer {
  readonly file: string;
  private readonly tokenizer: HfTokenizer;
  private vocabCache: Map<string, number> | undefined;

  private constructor(file: string, tokenizer: HfTokenizer) {
    this.file = file;
    this.tokenizer = tokenizer;
  }

  static load(file: string, where: ErrorLocation = {}): TextTokenizer {
    const json = readJsonFile(file, 'TOKENIZER_INVALID', 'the tokenizer', where);
    if (typeof json !== 'object' || json === null || !('model' in json)) {
      throw new VlaError('TOKENIZER_INVALID', 'not a Hugging Face tokenizer.json (no "model" section)', {
        file,
        hint: 'export it with tokenizer.save_pretrained() or tokenizers.Tokenizer.save()',
      });
    }
    try {
      return new TextTokenizer(file, new (hfTokenizerClass())(json, {}));
    } catch (err) {
      throw new VlaError('TOKENIZER_INVALID', `cannot build the tokenizer: ${describeError(err)}`, { file });
    }
  }

  /** Token ids of `text`, with no special tokens added. */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** Text of `ids`, special tokens kept, no clean-up (FAST reads character codes: nothing may be rewritten). */
  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  /** Vocabulary including added tokens. */
  vocab(): Map<string, number> {
    this.vocabCache ??= this.tokenizer.get_vocab(true);
    return this.vocabCache;
  }

  get vocabSize(): number {
    let max = -1;
    for (const id of this.vocab().values()) if (id > max) max = id;
    return max + 1;
  }

  /** Id of a token string, or a TOKENIZER_INVALID error naming the manifest field that asked for it. */
  requireId(token: string, where: ErrorLocation): number {
    const id = this.vocab().get(token);
    if (id === undefined) {
      throw new VlaError('TOKENIZER_INVALID', `token ${JSON.stringify(token)} is not in ${this.file}`, {
        ...where,
        hint: 'use a token string exactly as it appears in the tokenizer vocabulary',
      });
    }
    return id;
  }

  tokenOf(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }
}
