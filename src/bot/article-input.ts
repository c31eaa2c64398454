/**
 * What `/post` and `/preview` work on: the article behind a link (fetched safely and
 * extracted), or an editor's own short text with a link.
 *
 * Short post mapping (`/post <url> text…`, or `/post` replying to a message):
 *   title   = the text's first line,
 *   summary = the remaining lines (when any),
 *   url     = the link,
 *   id      = "p" + a hash of the canonical link and the text — so the same short post
 *             sent twice is one article, and a short post about an article that was
 *             already published is a new post rather than a silent duplicate.
 * The link comes from the command (first http(s) URL in it) or, failing that, from the
 * replied-to message (its first link). Text without any link is refused.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../../config/schema.js';
import { loadArticle } from '../article/load.js';
import { ArticleError, canonicalUrl, toArticle, type Article } from '../article/schema.js';
import { decodeBody } from '../net/decode-body.js';
import { FetchError, safeFetch } from '../net/safe-fetch.js';

export type PostRequest =
  | { kind: 'url'; url: string }
  | { kind: 'text'; url: string; text: string }
  | { kind: 'usage'; message: string };

/** The parts of a Telegram message a /post may quote. */
export interface QuotedMessage {
  text?: string;
  caption?: string;
  entities?: ReadonlyArray<{ type: string; offset: number; length: number; url?: string }>;
  caption_entities?: ReadonlyArray<{ type: string; offset: number; length: number; url?: string }>;
}

const URL_TOKEN = /(^|[\s([])(https?:\/\/[^\s<>"]+)/i;
/** Every such link in a text (URL_TOKEN, global). */
const URL_TOKENS = new RegExp(URL_TOKEN.source, 'gi');
const OTHER_SCHEME = /(^|\s)([a-z][a-z0-9+.-]*:\/\/\S+)/i;

/**
 * A URL as typed in a sentence, without the punctuation that follows it. A closing bracket
 * stays when the URL opened one (Wikipedia's …/Foo_(bar)); a URL written inside brackets
 * "(https://…)" loses the one that closes the sentence's.
 */
const trimUrl = (url: string | undefined): string | undefined => {
  if (url === undefined) return undefined;
  let out = url;
  for (;;) {
    const next = out.replace(/[.,;:!?'’”»]+$/u, '');
    const closing = /[)\]]$/.exec(next)?.[0];
    if (closing === undefined) return next;
    const opening = closing === ')' ? '(' : '[';
    const count = (c: string) => next.split(c).length - 1;
    if (count(opening) >= count(closing)) return next;
    out = next.slice(0, -1);
  }
};

/** Links in a message: `url` entities, `text_link` targets, then bare http(s) URLs in the text. */
export function linksOf(message: QuotedMessage): string[] {
  const text = message.text ?? message.caption ?? '';
  const entities = message.entities ?? message.caption_entities ?? [];
  const out: string[] = [];
  for (const e of entities) {
    if (e.type === 'text_link' && e.url !== undefined) out.push(e.url);
    if (e.type === 'url') out.push(text.slice(e.offset, e.offset + e.length));
  }
  const bare = trimUrl(URL_TOKEN.exec(text)?.[2]);
  if (bare !== undefined) out.push(bare);
  // A url entity may be a bare domain (example.com/x): it gets https. A text_link to tg://,
  // mailto: or any other scheme is no article.
  return out.filter((u) => /^https?:\/\//i.test(u) || !/^[a-z][a-z0-9+.-]*:/i.test(u)).map((u) => (/^https?:\/\//i.test(u) ? u : `https://${u}`));
}

const tidyText = (text: string, url: string | undefined): string => {
  const without = url === undefined ? text : text.split(url).join(' ');
  return without
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .replace(/^[\p{P}\s]+$/u, '');
};

/** Read `/post` arguments (the text after the command) and the replied-to message, if any. */
export function parsePostRequest(payload: string, replied?: QuotedMessage): PostRequest {
  const usage =
    'Send /post followed by a link (/post https://…) to publish an article, ' +
    'or /post <link> <your text> to publish a short post with that link.';
  const all = [...payload.matchAll(URL_TOKENS)].map((m) => m[2] as string);
  if (new Set(all.map((u) => trimUrl(u))).size > 1) {
    return { kind: 'usage', message: 'One link per /post: send each article in a /post of its own.' };
  }
  const raw = all[0];
  const found = trimUrl(raw);
  if (found === undefined) {
    const other = OTHER_SCHEME.exec(payload)?.[2];
    if (other !== undefined) return { kind: 'usage', message: `Only http and https links can be posted, not ${other.split(':')[0]}.` };
  }
  let url = found;
  let text = tidyText(payload, raw);
  if (replied !== undefined) {
    const quotedLinks = linksOf(replied);
    url ??= quotedLinks[0];
    if (text === '') text = tidyText(replied.text ?? replied.caption ?? '', quotedLinks.find((l) => l === url));
  }
  if (url === undefined) {
    if (text === '') return { kind: 'usage', message: usage };
    return { kind: 'usage', message: 'A post needs a link to the article: send /post <link> <your text>, or reply to a message that has a link.' };
  }
  return text === '' ? { kind: 'url', url } : { kind: 'text', url, text };
}

/** An editor's short text with a link, as an Article (mapping in the module comment). */
export function shortPostArticle(url: string, text: string): Article {
  const [first = '', ...rest] = text.split('\n');
  let canonical: string;
  try {
    canonical = canonicalUrl(url);
  } catch {
    throw new ArticleError(`invalid article: url: must be an http(s) URL`);
  }
  const id = 'p' + createHash('sha256').update(`${canonical}\n${text}`).digest('hex').slice(0, 20);
  const summary = rest.join('\n').trim();
  return toArticle({
    id,
    url,
    title: first.slice(0, 1000),
    ...(summary !== '' ? { summary: summary.slice(0, 10_000) } : {}),
  });
}

export const PAGE_TIMEOUT_MS = 10_000;
export const PAGE_MAX_BYTES = 5 * 1024 * 1024;

/** A reason to show an editor when a page cannot become an article. */
export class ArticleInputError extends Error {
  override readonly name = 'ArticleInputError';
}

/**
 * Fetch the page behind a link (http(s) only, timeout, size cap, no private/loopback/
 * link-local addresses unless `bot.allowPrivateNetwork`) and extract its Article.
 */
export async function fetchArticle(url: string, config: Config, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Article> {
  let page;
  try {
    page = await safeFetch(url, {
      timeoutMs: opts.timeoutMs ?? PAGE_TIMEOUT_MS,
      maxBytes: PAGE_MAX_BYTES,
      allowPrivateNetwork: config.bot.allowPrivateNetwork,
      accept: 'text/html,application/xhtml+xml,text/markdown;q=0.9,application/json;q=0.8,*/*;q=0.5',
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
    });
  } catch (error) {
    if (error instanceof FetchError) throw new ArticleInputError(fetchReason(error));
    throw error;
  }
  if (/^(image|audio|video|font)\/|^application\/(pdf|zip|octet-stream)/i.test(page.contentType)) {
    throw new ArticleInputError(`That link is not an article page (it is ${page.contentType.split(';')[0]}).`);
  }
  try {
    return loadArticle(decodeBody(page.body, page.contentType).text, {
      url: page.finalUrl,
      boilerplate: [...config.extract.boilerplate, ...config.extract.extraBoilerplate],
    });
  } catch (error) {
    if (error instanceof ArticleError) throw new ArticleInputError(`I could not find an article on that page: ${error.message}`);
    throw error;
  }
}

function fetchReason(error: FetchError): string {
  switch (error.code) {
    case 'private_address':
      return `I won't fetch that link: ${error.message.replace(/^refused: /, '')}. Links to private, loopback or link-local addresses are not allowed.`;
    case 'bad_url':
      return `That is not a link I can fetch: ${error.message.replace(/^bad url: /, '')}.`;
    case 'timeout':
      return 'The page took too long to answer. Try again later.';
    case 'too_large':
      return 'The page is too large to be an article.';
    case 'http_status':
      return `The site answered ${error.status ?? 'an error'} for that link.`;
    case 'network':
      return `I could not reach that site (${error.message.replace(/^network: /, '')}).`;
  }
}
