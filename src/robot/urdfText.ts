import { VlaError } from '../errors';

/** Scans of a URDF's raw text: refusing document types before any parser sees it, and naming elements' lines. */

/**
 * 1-based lines of `<tag ... name="value"` elements, indexed in one pass over the text per tag (on first use),
 * so that naming the line of every joint stays linear in the size of the file.
 */
export class ElementLines {
  private readonly byTag = new Map<string, Map<string, number[]>>();

  constructor(private readonly text: string) {}

  /** The line of the nth (1-based) element `<tag name="name">`. */
  of(tag: string, name: string, occurrence = 1): number | undefined {
    let index = this.byTag.get(tag);
    if (index === undefined) {
      index = new Map();
      const re = new RegExp(`<${tag}\\b[^>]*?\\bname\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g');
      let line = 1;
      let last = 0;
      for (let m = re.exec(this.text); m !== null; m = re.exec(this.text)) {
        for (let i = last; i < m.index; i++) if (this.text.charCodeAt(i) === 10) line++;
        last = m.index;
        const key = (m[1] ?? m[2] ?? '').trim();
        const seen = index.get(key);
        if (seen === undefined) index.set(key, [line]);
        else seen.push(line);
      }
      this.byTag.set(tag, index);
    }
    return index.get(name)?.[occurrence - 1];
  }
}

/**
 * A document type declaration can define entities, and external ones make a parser open files or URLs (XXE).
 * A URDF never needs one: it is refused outright, before any parser sees the text.
 */
export function refuseDoctype(text: string, file: string | undefined): void {
  const live = text.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '));
  const m = /<!(DOCTYPE|ENTITY)\b/i.exec(live);
  if (m === null) return;
  throw new VlaError(
    'XML_INVALID',
    `the file declares <!${m[1]!.toUpperCase()}>: document types and entities are refused (no entity is ever expanded)`,
    {
      file,
      line: live.slice(0, m.index).split('\n').length,
      hint: 'remove the <!DOCTYPE ...> block and write the values out; a URDF needs no entities',
    },
  );
}
