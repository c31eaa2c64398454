/**
 * Markdown → a flat list of blocks (headings, separators, code, paragraphs). Deliberately forgiving:
 * converters produce odd Markdown and nothing here may throw.
 */

export type Block =
  | { kind: 'heading'; level: number; raw: string }
  | { kind: 'separator' }
  | { kind: 'code'; text: string }
  /**
   * `lines` are visual lines: soft-wrapped source lines are joined, hard breaks and list items split.
   * `sourceLines` are the lines as written (a header may put byline and dateline on consecutive lines).
   */
  | { kind: 'paragraph'; lines: string[]; list: boolean; sourceLines: string[] };

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
/** `***`, `---`, `___`, `* * *`, and the escaped forms converters write: `\*`, `\*\*\*`, also `•••`, `◆`. */
const SEPARATOR = /^ {0,3}(?:(?:\\?\*[ \t]*)+|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}|(?:\\?_[ \t]*){3,}|[•◆◇·~ \t]{1,}|(?:#[ \t]*){3,})$/;
const LIST_ITEM = /^[ \t]*(?:[-*+•▪◦]|\d{1,3}[.)])[ \t]+(\S.*)$/;
const TABLE_RULE = /^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$/;
const REF_DEFINITION = /^ {0,3}\[[^\]]+\]:[ \t]+\S+/;

/** Where a hard line break marker ("  ", "\\", "<br>") ends the line, or -1. String ops: regexes anchored at $ are quadratic on long space runs. */
function hardBreakAt(line: string): number {
  if (line.endsWith('\\')) return line.length - 1;
  if (line.endsWith('  ')) return line.trimEnd().length;
  const trimmed = line.trimEnd();
  const br = /<br\s{0,5}\/?>$/i.exec(trimmed.slice(-12));
  return br === null ? -1 : trimmed.length - br[0].length;
}

export function splitBlocks(markdown: string): Block[] {
  const lines = markdown.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  let source: string[] = [];
  let list = false;
  let joinNext = false;

  const flush = (): void => {
    const kept = para.map((l) => l.trim()).filter((l) => l !== '');
    if (kept.length > 0) blocks.push({ kind: 'paragraph', lines: kept, list, sourceLines: source.map((l) => l.trim()).filter((l) => l !== '') });
    para = [];
    source = [];
    list = false;
    joinNext = false;
  };

  for (let i = 0; i < lines.length; i++) {
    // Blockquote markers only wrap content; the text inside is what matters.
    const line = (lines[i] ?? '').replace(/^ {0,3}(?:>[ \t]?)+/, '');
    const fence = FENCE.exec(line);
    if (fence !== null) {
      flush();
      const marker = fence[1] ?? '```';
      const body: string[] = [];
      for (i++; i < lines.length && !(lines[i] ?? '').trimStart().startsWith(marker); i++) body.push(lines[i] ?? '');
      if (body.join('').trim() !== '') blocks.push({ kind: 'code', text: body.join('\n') });
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    const setext = SETEXT.exec(line);
    if (setext !== null && para.length > 0 && !list) {
      const level = (setext[1] ?? '').startsWith('=') ? 1 : 2;
      blocks.push({ kind: 'heading', level, raw: para.join(' ').trim() });
      para = [];
      source = [];
      joinNext = false;
      continue;
    }
    if (SEPARATOR.test(line)) {
      flush();
      blocks.push({ kind: 'separator' });
      continue;
    }
    const atx = ATX.exec(line);
    if (atx !== null) {
      flush();
      const raw = (atx[2] ?? '').trim();
      if (raw !== '') blocks.push({ kind: 'heading', level: (atx[1] ?? '#').length, raw });
      continue;
    }
    if (REF_DEFINITION.test(line) || TABLE_RULE.test(line) || /^\s*<!--.*-->\s*$/.test(line)) continue;
    const item = LIST_ITEM.exec(line);
    if (item !== null) {
      if (para.length > 0 && !list) flush();
      list = true;
      para.push(item[1] ?? '');
      source.push(item[1] ?? '');
      joinNext = false;
      continue;
    }
    let text = line;
    const table = /^\s*\|(.*)\|\s*$/.exec(text);
    if (table !== null) text = (table[1] ?? '').split('|').map((c) => c.trim()).filter((c) => c !== '').join(' | ');
    const hard = hardBreakAt(text);
    const hardBreak = hard >= 0;
    if (hardBreak) text = text.slice(0, hard);
    if (joinNext && para.length > 0) para[para.length - 1] = `${para[para.length - 1] ?? ''} ${text.trim()}`;
    else para.push(text);
    source.push(text);
    joinNext = !hardBreak && !list;
    if (table !== null) joinNext = false;
  }
  flush();
  return blocks;
}
