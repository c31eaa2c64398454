/**
 * Telegram post templates (per target, `template:` in the config).
 *
 * A template is Telegram HTML with placeholders; every placeholder value is plain text
 * from the article and is escaped when it is inserted, so only the template's own tags
 * reach Telegram. Placeholders:
 *
 *   {title}     the article title (required: the full title is always shown)
 *   {subtitle}  the deck / standfirst
 *   {summary}   the summary, else the lead paragraph (shortened to fit when needed)
 *   {byline}    "By A, B and C · Source" (authors and source name)
 *   {authors}   "A, B and C"
 *   {source}    the original source's name
 *   {hashtags}  "#Tag #Other" from the article's tags (hashtags.map / hashtags.max)
 *   {url}       the article URL with this target's tracking parameters; as text, or
 *               as the only placeholder allowed inside an attribute: <a href="{url}">
 *   {link}      an inline "Read more" link (buttonText) to the article; empty when the
 *               post has a URL button. Added at the end when a template has neither
 *               {link} nor {url} and the post has no button.
 *
 * Allowed tags (Telegram's): b strong i em u ins s strike del tg-spoiler
 * span class="tg-spoiler", a href, code [class="language-x"], pre, blockquote [expandable],
 * tg-emoji emoji-id. Write `&lt; &gt; &amp; &quot;` for literal < > & ". Use a newline,
 * not <br> or <p>. A line whose placeholders are all empty and that has no text of its
 * own is dropped, and empty lines never pile up.
 *
 * Example:  "<b>{title}</b>\n<i>{subtitle}</i>\n\n{summary}\n\n{hashtags}\n<a href=\"{url}\">Read on our site</a>"
 */
import { escapeAttr, escapeHtml } from './html.js';

export const PLACEHOLDERS = ['title', 'subtitle', 'summary', 'byline', 'authors', 'source', 'hashtags', 'url', 'link'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Plain-text values for a template; `link` is the inline link's visible text ('' for none). */
export type TemplateValues = Record<Placeholder, string>;

export const DEFAULT_TEMPLATE = '<b>{title}</b>\n<i>{subtitle}</i>\n\n{summary}\n\n{byline}\n{hashtags}\n\n{link}';

/** Longest text a template may add of its own, so the title and the link always fit. */
export const MAX_TEMPLATE_TEXT = 900;

type Token = { kind: 'html'; html: string; text: string } | { kind: 'value'; name: Placeholder; attr: boolean };

interface Line {
  tokens: Token[];
  /** May vanish when its placeholders are all empty (no own text, tags balanced within). */
  droppable: boolean;
}

export interface CompiledTemplate {
  source: string;
  lines: Line[];
  uses: ReadonlySet<Placeholder>;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const TAGS: Record<string, { attrs: Record<string, RegExp | 'url' | 'flag'>; required?: string }> = {
  b: { attrs: {} }, strong: { attrs: {} }, i: { attrs: {} }, em: { attrs: {} }, u: { attrs: {} }, ins: { attrs: {} },
  s: { attrs: {} }, strike: { attrs: {} }, del: { attrs: {} }, 'tg-spoiler': { attrs: {} }, pre: { attrs: {} },
  span: { attrs: { class: /^tg-spoiler$/ }, required: 'class' },
  a: { attrs: { href: 'url' }, required: 'href' },
  code: { attrs: { class: /^language-[A-Za-z0-9.+#_-]+$/ } },
  blockquote: { attrs: { expandable: 'flag' } },
  'tg-emoji': { attrs: { 'emoji-id': /^[1-9]\d{0,18}$/ }, required: 'emoji-id' },
};

const ENTITY = /^&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});/;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
const TAG = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[A-Za-z-]+(?:\s*=\s*"[^"<>]*")?)*)\s*>/;
const ATTR = /([A-Za-z-]+)(?:\s*=\s*"([^"]*)")?/g;

function decodeEntity(name: string): string {
  if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
  if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
  return NAMED[name] as string;
}

/** Compile a template; throws TemplateError naming the problem and where it is. */
export function compileTemplate(source: string): CompiledTemplate {
  const lines: Line[] = [];
  const uses = new Set<Placeholder>();
  const stack: string[] = [];
  let tokens: Token[] = [];
  let lineDepth = 0;
  let minDepth = 0;
  let ownText = '';
  const endLine = () => {
    const hasValue = tokens.some((t) => t.kind === 'value');
    lines.push({ tokens, droppable: hasValue && ownText.trim() === '' && stack.length === lineDepth && minDepth >= lineDepth });
    tokens = [];
    ownText = '';
    lineDepth = minDepth = stack.length;
  };
  const literal = (html: string, text: string) => {
    tokens.push({ kind: 'html', html, text });
    ownText += text;
  };

  for (let i = 0; i < source.length; ) {
    const rest = source.slice(i);
    const where = `at character ${i + 1}`;
    const ph = /^\{([A-Za-z_]+)\}/.exec(rest);
    if (ph !== null) {
      const name = ph[1] as Placeholder;
      if (!PLACEHOLDERS.includes(name)) throw new TemplateError(`unknown placeholder {${ph[1]}} ${where}; known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`);
      if (name === 'link' && stack.some((t) => t === 'a' || t === 'code' || t === 'pre')) throw new TemplateError(`{link} cannot be inside <${stack[stack.length - 1]}> ${where}`);
      tokens.push({ kind: 'value', name, attr: false });
      uses.add(name);
      i += ph[0].length;
    } else if (rest.startsWith('\n')) {
      endLine();
      i++;
    } else if (rest.startsWith('&')) {
      const m = ENTITY.exec(rest);
      if (m === null) throw new TemplateError(`"&" must be written as &amp; ${where}`);
      literal(m[0], decodeEntity(m[1] as string));
      i += m[0].length;
    } else if (rest.startsWith('<')) {
      const m = TAG.exec(rest);
      if (m === null) throw new TemplateError(`"<" must be written as &lt; ${where}`);
      const [whole, slash, rawName, rawAttrs] = m as unknown as [string, string, string, string];
      const name = rawName.toLowerCase();
      const spec = TAGS[name];
      if (spec === undefined) throw new TemplateError(`unsupported tag <${name}> ${where}; Telegram allows ${Object.keys(TAGS).join(', ')} (use a newline instead of <br> or <p>)`);
      if (slash === '/') {
        if (rawAttrs.trim() !== '') throw new TemplateError(`end tag </${name}> cannot have attributes ${where}`);
        const open = stack.pop();
        if (open === undefined) throw new TemplateError(`</${name}> closes nothing ${where}`);
        if (open !== name) throw new TemplateError(`</${name}> does not close <${open}> ${where}`);
        minDepth = Math.min(minDepth, stack.length);
        literal(`</${name}>`, '');
      } else {
        if (name === 'a' && stack.includes('a')) throw new TemplateError(`<a> cannot be inside <a> ${where}`);
        tokens.push(...openTag(name, rawAttrs, spec, where, uses));
        stack.push(name);
      }
      i += whole.length;
    } else if (rest.startsWith('>')) {
      literal('&gt;', '>');
      i++;
    } else {
      const ch = String.fromCodePoint(rest.codePointAt(0) as number);
      literal(ch, ch);
      i += ch.length;
    }
  }
  endLine();
  if (stack.length > 0) throw new TemplateError(`<${stack[stack.length - 1]}> is never closed`);
  if (!lines.some((l) => l.tokens.some((t) => t.kind === 'value' && t.name === 'title' && !t.attr))) throw new TemplateError('must contain {title} (outside any attribute)');
  const own = lines.map((l) => l.tokens.map((t) => (t.kind === 'html' ? t.text : '')).join('')).join('\n');
  if ([...own].length > MAX_TEMPLATE_TEXT) throw new TemplateError(`its own text must be at most ${MAX_TEMPLATE_TEXT} characters`);
  return { source, lines, uses };
}

function openTag(name: string, rawAttrs: string, spec: (typeof TAGS)[string], where: string, uses: Set<Placeholder>): Token[] {
  const out: Token[] = [{ kind: 'html', html: `<${name}`, text: '' }];
  const seen = new Set<string>();
  for (const m of rawAttrs.matchAll(ATTR)) {
    const attr = (m[1] as string).toLowerCase();
    const value = m[2];
    const rule = spec.attrs[attr];
    if (rule === undefined) throw new TemplateError(`attribute "${attr}" is not allowed on <${name}> ${where}`);
    seen.add(attr);
    if (rule === 'flag') {
      out.push({ kind: 'html', html: ` ${attr}`, text: '' });
      continue;
    }
    if (value === undefined) throw new TemplateError(`attribute "${attr}" of <${name}> needs a value ${where}`);
    if (rule === 'url') {
      if (value === '{url}') {
        out.push({ kind: 'html', html: ` ${attr}="`, text: '' }, { kind: 'value', name: 'url', attr: true }, { kind: 'html', html: '"', text: '' });
        uses.add('url');
        continue;
      }
      if (/[{}]/.test(value)) throw new TemplateError(`{url} is the only placeholder allowed in an attribute ${where}`);
      if (!/^(https?:\/\/[^\s]+|tg:\/\/[^\s]+)$/i.test(value)) throw new TemplateError(`href must be {url} or an http(s) URL ${where}`);
    } else if (!rule.test(value)) throw new TemplateError(`attribute "${attr}" of <${name}> has an invalid value ${where}`);
    out.push({ kind: 'html', html: ` ${attr}="${escapeAttr(value.replace(/&amp;/g, '&'))}"`, text: '' });
  }
  if (spec.required !== undefined && !seen.has(spec.required)) throw new TemplateError(`<${name}> needs ${spec.required}="…" ${where}`);
  out.push({ kind: 'html', html: '>', text: '' });
  return out;
}

/** A template's error message, or undefined when Telegram will accept what it produces. */
export function validateTelegramTemplate(template: string): string | undefined {
  try {
    compileTemplate(template);
    return undefined;
  } catch (error) {
    if (error instanceof TemplateError) return error.message;
    throw error;
  }
}

export interface Rendered {
  html: string;
  /** The visible text Telegram will show (what its limits count). */
  text: string;
}

/** Fill a compiled template with plain-text values (escaped here). */
export function renderTemplate(template: CompiledTemplate, values: TemplateValues, linkUrl: string): Rendered {
  const kept: Rendered[] = [];
  for (const line of template.lines) {
    const empty = line.tokens.every((t) => t.kind === 'html' || values[t.name] === '');
    if (line.droppable && empty) continue;
    let html = '';
    let text = '';
    for (const token of line.tokens) {
      if (token.kind === 'html') {
        html += token.html;
        text += token.text;
      } else if (token.attr) html += escapeAttr(values[token.name]);
      else if (token.name === 'link') {
        if (values.link !== '') {
          html += `<a href="${escapeAttr(linkUrl)}">${escapeHtml(values.link)}</a>`;
          text += values.link;
        }
      } else {
        html += escapeHtml(values[token.name]);
        text += values[token.name];
      }
    }
    kept.push({ html, text });
  }
  // No empty line at either end, never two in a row (a line of bare tags counts as text).
  const blank = (l: Rendered) => l.text.trim() === '' && l.html.trim() === '';
  const lines = kept.filter((l, i) => !blank(l) || (i > 0 && !blank(kept[i - 1] as Rendered)));
  while (lines.length > 0 && blank(lines[0] as Rendered)) lines.shift();
  while (lines.length > 0 && blank(lines[lines.length - 1] as Rendered)) lines.pop();
  return { html: lines.map((l) => l.html).join('\n'), text: lines.map((l) => l.text).join('\n') };
}
