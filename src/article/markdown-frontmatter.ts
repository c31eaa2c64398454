import { parse as parseYaml } from 'yaml';
import { parseDate } from './parse-date.js';
import type { Extracted } from './extract-common.js';
import { ArticleError } from './schema.js';

/** Optional YAML front matter (`---` … `---`): Article fields (and common aliases) that win over extraction. */

/** Front matter may set any field an extractor can. */
export type FrontMatterFields = Extracted;

const FRONT = /^\ufeff?[ \t]*---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

export function splitFrontMatter(text: string): { data: Record<string, unknown> | undefined; content: string } {
  const m = FRONT.exec(text);
  if (m === null) return { data: undefined, content: text };
  let data: unknown;
  try {
    data = parseYaml(m[1] ?? '', { prettyErrors: false, uniqueKeys: false });
  } catch (error) {
    const first = ((error as Error).message.split('\n')[0] ?? '').trim();
    throw new ArticleError(`front matter: not valid YAML: ${first}`);
  }
  const content = text.slice(m[0].length);
  if (data === null || data === undefined) return { data: {}, content };
  if (typeof data !== 'object' || Array.isArray(data)) throw new ArticleError('front matter: must be a YAML mapping of article fields');
  return { data: data as Record<string, unknown>, content };
}

function pick(data: Record<string, unknown>, ...keys: string[]): unknown {
  const lower = new Map(Object.entries(data).map(([k, v]) => [k.toLowerCase().replace(/[-_ ]/g, ''), v]));
  for (const key of keys) {
    const value = lower.get(key.toLowerCase());
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v.trim() || undefined : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

function names(v: unknown): string[] | undefined {
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/\s*(?:;|,|\band\b|&)\s*/) : v === undefined ? [] : [v];
  const out = list
    .map((item) => (item !== null && typeof item === 'object' ? str((item as Record<string, unknown>).name) : str(item)))
    .filter((s): s is string => s !== undefined);
  return out.length > 0 ? out : undefined;
}

/** The Article fields present in front matter, normalised; unknown keys are ignored. */
export function frontMatterFields(data: Record<string, unknown>): FrontMatterFields {
  const out: FrontMatterFields = {};
  const id = str(pick(data, 'id'));
  if (id !== undefined) out.id = id;
  const url = str(pick(data, 'url', 'canonical', 'canonicalurl', 'permalink', 'link'));
  if (url !== undefined) out.url = url;
  const title = str(pick(data, 'title', 'headline'));
  if (title !== undefined) out.title = title;
  const subtitle = str(pick(data, 'subtitle', 'deck', 'subheading', 'subhead', 'dek'));
  if (subtitle !== undefined) out.subtitle = subtitle;
  const summary = str(pick(data, 'summary', 'description', 'excerpt', 'lead', 'abstract'));
  if (summary !== undefined) out.summary = summary;
  const authors = names(pick(data, 'authors', 'author', 'byline'));
  if (authors !== undefined) out.authors = authors;
  const date = pick(data, 'publishedAt', 'published', 'publishedat', 'date', 'datepublished', 'pubdate');
  if (date !== undefined) {
    const iso = parseDate(date);
    if (iso === undefined) throw new ArticleError(`front matter: publishedAt: cannot read ${JSON.stringify(String(date)).slice(0, 80)} as a date`);
    out.publishedAt = iso;
  }
  const tags = pick(data, 'tags', 'keywords', 'categories', 'topics');
  if (tags !== undefined) {
    const list = Array.isArray(tags) ? tags.map(str) : typeof tags === 'string' ? tags.split(/\s*,\s*/) : [];
    out.tags = list.filter((t): t is string => t !== undefined && t !== '');
  }
  const image = pick(data, 'image', 'cover', 'coverimage', 'ogimage');
  const imageAlt = str(pick(data, 'imagealt', 'alt'));
  if (typeof image === 'string') out.image = { url: image, ...(imageAlt !== undefined ? { alt: imageAlt } : {}) };
  else if (image !== undefined && typeof image === 'object' && !Array.isArray(image)) {
    const img = image as Record<string, unknown>;
    const imageUrl = str(img.url ?? img.src);
    if (imageUrl !== undefined) {
      out.image = { url: imageUrl };
      const alt = str(img.alt) ?? imageAlt;
      if (alt !== undefined) out.image.alt = alt;
      const focus = img.focus as { x?: unknown; y?: unknown } | undefined;
      if (focus !== undefined && typeof focus.x === 'number' && typeof focus.y === 'number') out.image.focus = { x: focus.x, y: focus.y };
    }
  }
  const body = str(pick(data, 'body', 'content'));
  if (body !== undefined) out.body = body;
  const source = pick(data, 'source');
  const sourceUrl = str(pick(data, 'sourceurl'));
  const sourceName = str(pick(data, 'sourcename', 'publisher', 'sitename'));
  if (source !== undefined || sourceUrl !== undefined || sourceName !== undefined) {
    const s: { name?: string; url?: string } = {};
    if (source !== null && typeof source === 'object') {
      const name = str((source as Record<string, unknown>).name);
      const u = str((source as Record<string, unknown>).url);
      if (name !== undefined) s.name = name;
      if (u !== undefined) s.url = u;
    } else if (str(source) !== undefined) s.name = str(source) as string;
    if (sourceName !== undefined && s.name === undefined) s.name = sourceName;
    if (sourceUrl !== undefined && s.url === undefined) s.url = sourceUrl;
    out.source = s;
  }
  return out;
}
