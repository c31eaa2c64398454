import { cleanByline, hasWriterLabel, looksLikeName, type BylineContext } from './byline.js';
import type { DateCandidate } from './html-date.js';
import { looseKey } from './html-headline.js';
import { paragraphsOf, type DomDocument, type DomElement } from './html-text.js';
import { findDate } from './parse-date.js';

/**
 * What the page shows around its headline: byline lines ("By …", "Por … · Valencia · 14 feb
 * 2023", "Harriet Cole | 26 January 2023"), datelines ("Published … | Last updated …"),
 * byline elements (class or data attribute "byline"/"author"), rel=author links and <time>
 * elements. Read before Readability edits the document.
 */

export interface HeaderFindings {
  /** Byline texts with the weight of the evidence each is. */
  bylines: Array<{ text: string; weight: number }>;
  dates: DateCandidate[];
}

const UPDATED = /\b(?:updated|last updated|modified|last modified|last changed|changed|geändert|modifié|mis à jour|aktualisiert|aktualizováno|atualizado|actualizado|aggiornato|bijgewerkt|zaktualizowano)\b/i;
const PUBLISHED = /\b(?:published|posted|publié|publicado|veröffentlicht|pubblicato|gepubliceerd|opublikowano|publikováno)\b/i;
const BYLINE_MARK = /byline|author|writer|firma|contributors?|autor|auteur/i;
const NOT_BYLINE = /comment|avatar|bio\b|image|img|photo|related|teaser|recommend|share|social|follow/i;
const OUTSIDE = /^(?:ASIDE|FOOTER|NAV|FORM)$/;
const OUTSIDE_MARK = /comment|related|teaser|recommend|sidebar|most-read|more-from|newsletter|footer/i;

/** Inside comments, related-stories boxes, asides or the footer: nothing there is about this article. */
function outsideArticle(el: DomElement): boolean {
  for (let node = el.parentNode as DomElement | null; node !== null && node.nodeType === 1; node = node.parentNode as DomElement | null) {
    if (OUTSIDE.test(node.nodeName.toUpperCase())) return true;
    if (OUTSIDE_MARK.test(`${node.getAttribute('class') ?? ''} ${node.getAttribute('id') ?? ''}`)) return true;
  }
  return false;
}

const marks = (el: DomElement): string =>
  ['class', 'id', 'rel', 'itemprop', 'data-component', 'data-qa', 'data-testid'].map((a) => el.getAttribute(a) ?? '').join(' ');

/** Dates in one line: each part of "Published 14 May 2020 | Last updated 2 June 2020" with its kind. */
function lineDates(line: string, weight: number): DateCandidate[] {
  if (line.length > 160) return [];
  const out: DateCandidate[] = [];
  for (const part of line.split(/\s[|·•]\s|\s{2,}/)) {
    const found = findDate(part);
    if (found === undefined) continue;
    const label = part.slice(0, found.index);
    // A dateline is a label, not a sentence.
    if (label.split(/\s+/).length > 8 || /[.!?]\s*$/.test(label)) continue;
    const raw = part.slice(found.index, found.index + found.length);
    if (UPDATED.test(label)) out.push({ raw, weight, kind: 'modified' });
    else out.push({ raw, weight: PUBLISHED.test(label) ? weight * 1.5 : weight, kind: 'published' });
  }
  return out;
}

/** Byline evidence in one line near the headline. */
function lineByline(line: string, near: boolean, ctx: BylineContext): { text: string; weight: number } | undefined {
  if (line.length > 200) return undefined;
  if (hasWriterLabel(line) || /\s(?:by|von|por|par|door)\s+\p{Lu}/u.test(line)) {
    return cleanByline(line, ctx) !== undefined ? { text: line, weight: 2 } : undefined;
  }
  // "Harriet Cole | 26 January 2023", "Kalle Wirtanen Posted on Nov 29": a name with a date.
  const names = cleanByline(line, ctx);
  if (names === undefined || !names.every((n) => n.split(/\s+/).length >= 2)) return undefined;
  if (findDate(line) !== undefined || PUBLISHED.test(line)) return { text: line, weight: 1.5 };
  // A line that is only names, right under the headline.
  if (near && looksLikeName(line.replace(/\s+(?:and|&)\s+/g, ' ')) && line.split(/\s+/).length <= 9) return { text: line, weight: 1 };
  return undefined;
}

/**
 * Scan the page's text blocks around the headline (`blocks`: paragraphsOf the whole body),
 * and the document's byline elements and <time> elements.
 */
export function readHeader(doc: DomDocument, blocks: readonly string[], title: string | undefined, ctx: BylineContext): HeaderFindings {
  const out: HeaderFindings = { bylines: [], dates: [] };
  const key = title === undefined ? '' : looseKey(title);
  const at = key === '' ? -1 : blocks.findIndex((b) => looseKey(b) === key);
  const from = at < 0 ? 0 : Math.max(0, at - 4);
  const to = at < 0 ? Math.min(blocks.length, 12) : Math.min(blocks.length, at + 11);
  // A line of names alone is a byline only between the headline and the text: after prose it is a signature, a caption.
  let prose = false;
  for (let i = from; i < to; i++) {
    if (i === at) continue;
    for (const line of (blocks[i] ?? '').split('\n')) {
      const text = line.trim();
      if (text === '') continue;
      const byline = lineByline(text, at >= 0 && i > at && i <= at + 3 && !prose, ctx);
      if (byline !== undefined) out.bylines.push(byline);
      out.dates.push(...lineDates(text, 1));
      if (i > at && text.length >= 80 && /[.!?。]["”’]?$/.test(text)) prose = true;
    }
  }
  // "This entry was posted on Monday, September 14th, 2009 at 8:41 pm": anywhere, as a last resort.
  for (const block of blocks) {
    const m = /\b(?:posted|published|publié|publicado|veröffentlicht)\s+(?:on|am|le|el)\s+/i.exec(block);
    const found = m === null ? undefined : findDate(block.slice(m.index + m[0].length, m.index + m[0].length + 80));
    if (m !== null && found !== undefined && found.index === 0) {
      out.dates.push({ raw: block.slice(m.index + m[0].length).slice(0, found.length), weight: 0.5, kind: 'published' });
      break;
    }
  }

  const elements = Array.from(doc.querySelectorAll('[class],[id],[rel],[itemprop],[data-component],[data-qa],[data-testid]')) as DomElement[];
  let bylineEls = 0;
  for (const el of elements) {
    if (bylineEls >= 4) break;
    const m = marks(el);
    if (!BYLINE_MARK.test(m) || NOT_BYLINE.test(m) || outsideArticle(el)) continue;
    const text = paragraphsOf(el, { splitAdjacent: true }).join('\n').trim();
    if (text === '' || text.length > 300) continue;
    const isLink = el.nodeName.toUpperCase() === 'A';
    if (isLink && !/(?:^|\s)author(?:\s|$)/i.test(el.getAttribute('rel') ?? '') && !/author/i.test(el.getAttribute('class') ?? '')) continue;
    out.bylines.push({ text, weight: 2 });
    bylineEls++;
  }

  let plain = 0;
  for (const el of Array.from(doc.querySelectorAll('time')) as DomElement[]) {
    if (outsideArticle(el)) continue;
    const raw = el.getAttribute('datetime') ?? el.textContent ?? '';
    const cls = `${el.getAttribute('class') ?? ''} ${el.getAttribute('itemprop') ?? ''}`;
    const around = (el.parentNode as DomElement | null)?.textContent ?? '';
    if (/published|pubdate|entry-date|dt-published/i.test(cls) || el.getAttribute('pubdate') !== null) out.dates.push({ raw, weight: 2, kind: 'published' });
    else if (/updated|modified/i.test(cls) || (UPDATED.test(around.slice(0, around.indexOf(el.textContent ?? '\u0000'))) && !PUBLISHED.test(around))) out.dates.push({ raw, weight: 1, kind: 'modified' });
    else if (plain++ === 0) out.dates.push({ raw, weight: 1, kind: 'published' });
  }
  return out;
}
