import { parseHTML } from 'linkedom';
import { paragraphsOf, type DomDocument } from '../article/html-text.js';

/**
 * An HTML fragment (a feed item's description or content, a CMS webhook's post body) as
 * plain text: paragraphs separated by a blank line, scripts/figures/navigation dropped,
 * entities decoded. Plain text without any markup comes back as it was (trimmed).
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
