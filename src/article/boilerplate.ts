import { DEFAULT_BOILERPLATE } from '../../config/schema.js';
import { ArticleError } from './schema.js';

/** Site boilerplate: configurable paragraph patterns, share rows, and the "Copyright/Disclaimer" trailer. */

export interface Boilerplate {
  /** True when the plain-text paragraph (or line) is site boilerplate. */
  matches(text: string): boolean;
  /** Drop boilerplate lines from a multi-line paragraph; undefined when nothing is left. */
  clean(text: string): string | undefined;
}

/** Lines that start the trailer: once the body has begun, nothing after them is the article. */
const TRAILER = /^\s*(?:copyright\b|©|\(c\)\s*(?:copyright|\d{4})|disclaimer\b|all rights reserved\b)/i;

/** Words a row of share/social buttons converts to: "Share · Tweet · Email", "Share on Facebook | WhatsApp". */
const SHARE_WORDS = new Set([
  'share', 'sharing', 'tweet', 'email', 'mail', 'print', 'facebook', 'twitter', 'x', 'linkedin', 'whatsapp', 'telegram', 'reddit',
  'pinterest', 'copy', 'copied', 'pocket', 'flipboard', 'mastodon', 'bluesky', 'threads', 'messenger', 'vk', 'save', 'bookmark', 'gift',
]);
const CONNECTORS = new Set(['on', 'this', 'via', 'to', 'by', 'the', 'article', 'story', 'page', 'link', 'post']);

const cache = new Map<string, RegExp[]>();

/** Compile patterns (case-insensitive). An invalid pattern is an ArticleError naming it. */
export function compileBoilerplate(patterns: readonly string[] = DEFAULT_BOILERPLATE): RegExp[] {
  const key = patterns.join('\u0000');
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const compiled = patterns.map((pattern) => {
    try {
      return new RegExp(pattern, 'iu');
    } catch {
      try {
        return new RegExp(pattern, 'i');
      } catch (error) {
        throw new ArticleError(`boilerplate pattern ${JSON.stringify(pattern)} is not a valid regex: ${(error as Error).message}`);
      }
    }
  });
  if (cache.size > 50) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

export function isTrailerStart(text: string): boolean {
  return text.split('\n').some((line) => TRAILER.test(line));
}

export function isSocialRow(text: string): boolean {
  if (text.length > 200) return false;
  const tokens = text.toLowerCase().replace(/e-mail/g, 'email').split(/[\s|·•,:/\-–—]+/).filter((t) => t !== '');
  return tokens.some((t) => SHARE_WORDS.has(t)) && tokens.every((t) => SHARE_WORDS.has(t) || CONNECTORS.has(t));
}

export function boilerplate(patterns?: readonly string[]): Boilerplate {
  const res = compileBoilerplate(patterns);
  const matches = (text: string): boolean => {
    const t = text.trim();
    return t === '' || isSocialRow(t) || res.some((re) => re.test(t));
  };
  return {
    matches,
    clean(text) {
      if (matches(text)) return undefined;
      const lines = text.split('\n').filter((line) => !matches(line));
      const out = lines.join('\n').trim();
      return out === '' ? undefined : out;
    },
  };
}
