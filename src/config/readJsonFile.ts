import { VlaError, type ErrorCode, type ErrorLocation } from '../errors';
import { readTextFile } from './readTextFile';

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

const NON_FINITE = /^(-?Infinity|NaN)/;
const MARK = '\u0000non-finite:';

/**
 * Python's json module writes NaN, Infinity and -Infinity as bare words. They are read as those numbers (so
 * the caller can name the very field that holds one), and only outside strings.
 */
function parseWithNonFinite(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const word = c === '-' || c === 'I' || c === 'N' ? NON_FINITE.exec(text.slice(i, i + 9)) : null;
    if (word !== null) {
      out += JSON.stringify(MARK + word[1]!);
      i += word[1]!.length - 1;
    } else out += c;
  }
  return JSON.parse(out, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(MARK) ? Number(value.slice(MARK.length)) : value,
  );
}

/**
 * Reads and parses a JSON file (Python's NaN/Infinity words included, as numbers). A file that is not JSON is
 * named with where the parse stopped, and its contents are never echoed: the parser's own message quotes the
 * text, which may be anything (a path in a manifest pointing at a private file must not leak it).
 */
export function readJsonFile(file: string, code: ErrorCode, what: string, where: ErrorLocation = {}): unknown {
  const text = readTextFile(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    try {
      return parseWithNonFinite(text);
    } catch {
      // Not JSON even with Python's words: report the first error, without the text.
    }
    const position = /position (\d+)/.exec((err as Error).message);
    const at = position === null ? '' : (({ line, column }) => ` (line ${line}, column ${column})`)(lineColumn(text, Number(position[1])));
    throw new VlaError(code, `${what} is not valid JSON${at}`, {
      file,
      hint: `it is named at ${where.path ?? 'the manifest'}; give a JSON file`,
    });
  }
}
