import { createHash } from 'node:crypto';
import { z } from 'zod';

/** http(s) URL, refused otherwise: every link crier posts must be clickable. */
export const HttpUrl = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(2048, 'must be at most 2048 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

const Text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

/** The one canonical payload. Everything that comes in becomes an Article first. */
export const ArticleInput = z
  .object({
    id: z
      .union([z.string().trim().min(1).max(200), z.number().int().nonnegative()])
      .transform((v) => String(v))
      .optional(),
    url: HttpUrl,
    title: z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
    subtitle: Text(2000).optional(),
    summary: Text(10_000).optional(),
    authors: z.array(Text(200)).max(50).optional(),
    publishedAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
    /** When the CMS last changed it: a revision older than the one published is not applied (a webhook retried late). */
    updatedAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
    tags: z.array(Text(200)).max(100).optional(),
    image: z
      .object({
        url: HttpUrl,
        alt: Text(1000).optional(),
        /** Point of interest for cropping, each 0..1 from the top-left corner. */
        focus: z.object({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) }).optional(),
      })
      .optional(),
    body: Text(500_000).optional(),
    source: z.object({ name: Text(200).optional(), url: HttpUrl.optional() }).optional(),
    /** The article's language, a BCP 47 tag ("en", "ar-EG", "zh-Hans"): dates and fonts on the title card follow it. */
    lang: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/, 'must be a language tag such as "en" or "ar-EG"')
      .optional(),
    /** How urgently it goes out: breaking jumps the queue and ignores quiet hours and spacing; low waits behind everything else. Default normal. */
    priority: z.enum(['breaking', 'normal', 'low']).optional(),
  })
  .strict();

/** How urgently an article goes out (queues/schedule.ts maps it onto BullMQ). */
export const PRIORITIES = ['breaking', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export type ArticleInput = z.input<typeof ArticleInput>;

export interface Article {
  id: string;
  url: string;
  title: string;
  subtitle?: string;
  summary?: string;
  authors: string[];
  publishedAt?: string;
  /** When the CMS last changed it (ISO 8601, UTC): orders revisions that arrive out of order. */
  updatedAt?: string;
  tags: string[];
  image?: { url: string; alt?: string; focus?: { x: number; y: number } };
  body?: string;
  source?: { name?: string; url?: string };
  lang?: string;
  /** Absent means normal (the stored JSON of a normal article does not change). */
  priority?: Priority;
}

/** Query parameters that only track the click and never change what the page is. */
const TRACKING_PARAMS = /^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref_src|ref_url|cmpid|s_cid)$/i;

/** The canonical form of an article URL: no fragment, no tracking parameters, sorted query. */
export function canonicalUrl(raw: string): string {
  const url = new URL(raw);
  url.hash = '';
  const kept = [...url.searchParams.entries()].filter(([key]) => !TRACKING_PARAMS.test(key));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = '';
  for (const [key, value] of kept) url.searchParams.append(key, value);
  url.hostname = url.hostname.toLowerCase();
  return url.toString();
}

/** The URL as given, minus tracking parameters (utm_*, fbclid…) and the fragment is kept. */
export function stripTracking(raw: string): string {
  const url = new URL(raw);
  const keys = [...new Set([...url.searchParams.keys()])];
  let changed = false;
  for (const key of keys) {
    if (TRACKING_PARAMS.test(key)) {
      url.searchParams.delete(key);
      changed = true;
    }
  }
  return changed ? url.toString() : raw;
}

/** Stable article id: the CMS id when given, else a hash of the canonical URL. */
export function articleId(input: { id?: string | undefined; url: string }): string {
  if (input.id !== undefined && input.id !== '') return input.id;
  return 'u' + createHash('sha256').update(canonicalUrl(input.url)).digest('hex').slice(0, 20);
}

/** Collapse runs of whitespace; keep paragraph breaks in bodies. */
function tidy(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const out = text.replace(/\r\n?/g, '\n').replace(/[ \t\f\v\u00a0]+/g, ' ').replace(/ *\n */g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  return out === '' ? undefined : out;
}

export class ArticleError extends Error {
  override readonly name = 'ArticleError';
}

/** One line per problem, naming the field: "title: must not be empty". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${path}: is required`;
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Validate and normalize anything that claims to be an Article. Throws ArticleError. */
export function toArticle(input: unknown): Article {
  const parsed = ArticleInput.safeParse(input);
  if (!parsed.success) throw new ArticleError(`invalid article: ${describeZodError(parsed.error)}`);
  const a = parsed.data;
  const article: Article = {
    id: articleId({ id: a.id, url: a.url }),
    url: stripTracking(a.url.trim()),
    title: tidy(a.title) ?? a.title,
    authors: (a.authors ?? []).map((s) => tidy(s)).filter((s): s is string => s !== undefined),
    tags: dedupe((a.tags ?? []).map((s) => tidy(s)).filter((s): s is string => s !== undefined)),
  };
  const subtitle = tidy(a.subtitle);
  if (subtitle !== undefined) article.subtitle = subtitle;
  const summary = tidy(a.summary);
  if (summary !== undefined) article.summary = summary;
  if (a.publishedAt !== undefined) article.publishedAt = new Date(a.publishedAt).toISOString();
  if (a.updatedAt !== undefined) article.updatedAt = new Date(a.updatedAt).toISOString();
  if (a.image !== undefined) {
    article.image = { url: a.image.url };
    const alt = tidy(a.image.alt);
    if (alt !== undefined) article.image.alt = alt;
    if (a.image.focus !== undefined) article.image.focus = a.image.focus;
  }
  const body = tidy(a.body);
  if (body !== undefined) article.body = body;
  if (a.source !== undefined) {
    const source: { name?: string; url?: string } = {};
    const name = tidy(a.source.name);
    if (name !== undefined) source.name = name;
    if (a.source.url !== undefined) source.url = a.source.url;
    if (source.name !== undefined || source.url !== undefined) article.source = source;
  }
  if (a.lang !== undefined) article.lang = a.lang;
  if (a.priority !== undefined && a.priority !== 'normal') article.priority = a.priority;
  return article;
}

/** Distinct values, compared case-insensitively, first spelling kept. */
export function dedupe(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = v.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
