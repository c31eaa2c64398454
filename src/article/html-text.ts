import { parseHTML } from 'linkedom';

/**
 * The little of the DOM crier uses (linkedom implements it; the project compiles without lib.dom),
 * and DOM → plain-text paragraphs.
 */

export interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  parentNode: DomNode | null;
}

export interface DomElement extends DomNode {
  tagName: string;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  remove(): void;
}

export interface DomDocument {
  documentElement: DomElement | null;
  body: DomElement | null;
  head: DomElement | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

const ELEMENT = 1;
const TEXT = 3;

/** Elements that are never article prose. */
const SKIP = new Set([
  'SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'IFRAME', 'OBJECT', 'EMBED', 'CANVAS', 'VIDEO', 'AUDIO', 'BUTTON', 'FORM',
  'INPUT', 'SELECT', 'TEXTAREA', 'NAV', 'ASIDE', 'FOOTER', 'FIGURE', 'FIGCAPTION', 'PICTURE', 'IMG', 'MENU', 'DIALOG', 'HEAD',
]);
const BLOCK = new Set([
  'ADDRESS', 'ARTICLE', 'BLOCKQUOTE', 'DD', 'DETAILS', 'DIV', 'DL', 'DT', 'FIELDSET', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HEADER',
  'HR', 'LI', 'MAIN', 'OL', 'P', 'PRE', 'SECTION', 'SUMMARY', 'TABLE', 'TBODY', 'TD', 'TFOOT', 'TH', 'THEAD', 'TR', 'UL', 'CAPTION',
]);
// "note": hatnotes and other parenthetic asides ("X redirects here. For the film, see…").
const NOISE_ROLE = /^(?:navigation|complementary|contentinfo|banner|menu|menubar|search|dialog|alert|note)$/i;
const HIDDEN_STYLE = /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)/i;
/** Footnote markers: <sup class="reference">[1]</sup>, <sup>[a]</sup>. */
const FOOTNOTE = /^\s*\[(?:\d{1,3}|[a-z]|note \d+)\]\s*$/i;
const NOISE_CLASS =
  /(?:^|[\s_-])(?:share|sharing|social|related|newsletter|subscribe|promo|advert|ads?|sponsor|comments?|breadcrumbs?|byline-share|tags?-list|paywall|cookie|popup|modal|sidebar|widget)(?:$|[\s_-])/i;

const CONTAINERS = new Set(['HTML', 'BODY', 'MAIN', 'ARTICLE']);

/**
 * Nav/aside/footer and hidden elements; with `byClass`, also share/related/newsletter widgets
 * recognised by class or id (never the page's main containers, whose classes say anything).
 */
export function isNoise(el: DomElement, byClass: boolean): boolean {
  const name = el.nodeName.toUpperCase();
  if (SKIP.has(name)) return true;
  if (el.getAttribute('hidden') !== null || el.getAttribute('aria-hidden') === 'true') return true;
  if (HIDDEN_STYLE.test(el.getAttribute('style') ?? '')) return true;
  if (NOISE_ROLE.test(el.getAttribute('role') ?? '')) return true;
  if (name === 'SUP' && (/(?:^|\s)reference(?:\s|$)/.test(el.getAttribute('class') ?? '') || FOOTNOTE.test(el.textContent ?? ''))) return true;
  if (!byClass || CONTAINERS.has(name)) return false;
  const marks = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`;
  return NOISE_CLASS.test(marks);
}

/** True when elements nest deeper than `limit` (Readability slows down sharply on such pages). */
export function nestsDeeperThan(root: DomNode, limit: number): boolean {
  const stack: { node: DomNode; depth: number }[] = [{ node: root, depth: 0 }];
  let visited = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: DomNode; depth: number };
    if (depth > limit) return true;
    if (++visited > 200_000) return true;
    for (const child of Array.from(node.childNodes)) if (child.nodeType === ELEMENT) stack.push({ node: child, depth: depth + 1 });
  }
  return false;
}

/**
 * Paragraphs of plain text, in document order. Headings and list items are paragraphs of their own,
 * and so is text between two line breaks in a row (`text<br><br>text`, as Blogger and old CMSs write).
 */
export function paragraphsOf(root: DomNode, opts: { byClass?: boolean; splitAdjacent?: boolean } = {}): string[] {
  const byClass = opts.byClass === true;
  // Inline elements with nothing at all between them ("<span>Name</span><span>Role</span>") read as
  // one run of text; a page's styles set them apart. With splitAdjacent they are separate lines.
  const splitAdjacent = opts.splitAdjacent === true;
  const out: string[] = [];
  let buffer = '';
  /** Whether the buffer ends with a <br> and only white space since. */
  const afterBreak = (): boolean => /\n[ \t\r\f\v\u00a0]*$/.test(buffer);
  const flush = (): void => {
    const text = buffer
      .split('\n')
      .map((line) => line.replace(/[ \t\r\f\v\u00a0]+/g, ' ').trim())
      .filter((line) => line !== '')
      .join('\n');
    if (text !== '') out.push(text);
    buffer = '';
  };
  const walk = (node: DomNode, pre: boolean, depth: number): void => {
    if (depth > 200) return;
    if (node.nodeType === TEXT) {
      const text = node.textContent ?? '';
      buffer += pre ? text : text.replace(/\s+/g, ' ');
      return;
    }
    if (node.nodeType !== ELEMENT && node.nodeType !== 9 && node.nodeType !== 11) return;
    const name = node.nodeName.toUpperCase();
    if (node.nodeType === ELEMENT && isNoise(node as DomElement, byClass)) return;
    if (name === 'BR') {
      if (afterBreak()) flush();
      else buffer += '\n';
      return;
    }
    const block = BLOCK.has(name);
    if (block) flush();
    const children = Array.from(node.childNodes);
    let previous: DomNode | undefined;
    for (const child of children) {
      if (splitAdjacent && previous?.nodeType === ELEMENT && child.nodeType === ELEMENT) buffer += '\n';
      walk(child, pre || name === 'PRE', depth + 1);
      previous = child;
    }
    if (block) flush();
  };
  walk(root, false, 0);
  flush();
  return out;
}

/**
 * An HTML fragment (a feed item's description or content, a CMS webhook's post body, markup
 * a CMS put into a meta tag) as plain text: paragraphs separated by a blank line, scripts,
 * figures and navigation dropped, entities decoded. Text without markup comes back trimmed.
 */
export function htmlToText(html: string | undefined): string | undefined {
  if (html === undefined) return undefined;
  const source = html.trim();
  if (source === '') return undefined;
  if (!/[<&]/.test(source)) return source;
  const page = `<!doctype html><html><head></head><body>${source}</body></html>`;
  const doc = (parseHTML(page) as unknown as { document: DomDocument }).document;
  if (doc.body === null) return undefined;
  const text = paragraphsOf(doc.body).join('\n\n').trim();
  return text === '' ? undefined : text;
}
