/**
 * Telegram HTML helpers for the formatter: everything taken from an article goes through
 * `escapeHtml` (text) or `escapeAttr` (attribute values) after the plain text has been
 * chosen and measured, so a cut can never fall inside a tag or an entity.
 */

/** Text for Telegram's HTML parse mode: `&`, `<`, `>` escaped. */
export function escapeHtml(text: string): string {
  if (!/[&<>]/.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A double-quoted attribute value: `"` escaped as well. */
export function escapeAttr(value: string): string {
  return escapeHtml(value).replace(/"/g, '&quot;');
}

// eslint-disable-next-line no-control-regex -- the characters cleanText rewrites, control characters included
const NEEDS_CLEANING = /[\ud800-\udfff\r\u0000-\u0009\u000b-\u001f\u2028-\u202e]|\u030a|\u0333|\u033f/;

/**
 * Text as Telegram will keep it: TDLib turns control characters (tab included) into
 * spaces and drops `\r`, U+2028..U+202E and the combining marks U+030A, U+0333, U+033F
 * from every message, so the formatter does the same before measuring. Unpaired
 * surrogates (invalid UTF-8 once sent) become U+FFFD.
 */
export function cleanText(text: string): string {
  // Most text has none of these: one scan instead of four replacements.
  if (!NEEDS_CLEANING.test(text)) return text;
  return text
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/\r/g, '')
    // eslint-disable-next-line no-control-regex -- these control characters are exactly what Telegram rewrites
    .replace(/[\u0000-\u0009\u000b-\u001f]/g, ' ')
    .replace(/[\u2028-\u202e]|\u030a|\u0333|\u033f/g, '');
}

/** One line of plain text: newlines and runs of spaces collapsed. */
export function oneLine(text: string): string {
  const clean = cleanText(text);
  // Only runs of spaces and other whitespace need collapsing; single spaces are kept as they are.
  return (/\s\s|[^\S ]/.test(clean) ? clean.replace(/\s+/g, ' ') : clean).trim();
}

/** A block of plain text: lines trimmed, at most one empty line in a row. */
export function block(text: string): string {
  return cleanText(text)
    .split('\n')
    .map((line) => (/[ \t]{2}|\t/.test(line) ? line.replace(/[ \t]+/g, ' ') : line).trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** An article URL with this target's tracking parameters; unchanged when there are none. */
export function withTracking(url: string, tracking: Readonly<Record<string, string>>): string {
  const entries = Object.entries(tracking);
  if (entries.length === 0) return url;
  const parsed = new URL(url);
  for (const [key, value] of entries) parsed.searchParams.set(key, value);
  return parsed.toString();
}
