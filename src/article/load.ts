import { extractHtml } from './extract-html.js';
import { extractJson } from './extract-json.js';
import { extractMarkdown } from './extract-markdown.js';
import type { Article } from './schema.js';

export type ArticleFormat = 'json' | 'html' | 'markdown';

export interface LoadOptions {
  /** The article's URL when the input names none (for JSON: fills a missing `url`). */
  url?: string;
  /** Boilerplate patterns (case-insensitive regexes); default DEFAULT_BOILERPLATE. */
  boilerplate?: string[];
}

/** JSON if it starts with `{`; HTML if it starts with a doctype/<html> or has head/body/article tags; else Markdown. */
export function detectFormat(text: string): ArticleFormat {
  const head = text.replace(/^\ufeff/, '').trimStart();
  if (head.startsWith('{')) return 'json';
  if (/^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html[\s>])/i.test(head)) return 'html';
  // Markdown may hold a stray inline tag; whole-page structure tags mean a page.
  if (/<(?:head|body|article)[\s>]/i.test(head.slice(0, 200_000))) return 'html';
  return 'markdown';
}

/** Any supported input → a validated Article. Throws ArticleError with a one-line message. */
export function loadArticle(text: string, opts: LoadOptions = {}): Article {
  const options = { ...(opts.url !== undefined ? { url: opts.url } : {}), ...(opts.boilerplate !== undefined ? { boilerplate: opts.boilerplate } : {}) };
  switch (detectFormat(text)) {
    case 'json':
      return extractJson(text, options);
    case 'html':
      return extractHtml(text, options);
    case 'markdown':
      return extractMarkdown(text, options);
  }
}
