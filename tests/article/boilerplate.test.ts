import { describe, expect, it } from 'vitest';
import { boilerplate, compileBoilerplate, isSocialRow, isTrailerStart } from '../../src/article/boilerplate.js';
import { ArticleError } from '../../src/article/schema.js';

const bp = boilerplate();

describe('default boilerplate', () => {
  it.each([
    'All Valley Post articles can be read in 27 languages by activating the Translate Website button below.',
    'To receive the Evening Digest newsletter, click here.',
    'Sign up for our free newsletter.',
    'Follow us on Bluesky and Threads. Feel free to repost and share widely.',
    'Note to readers: please click the share buttons above.',
    '*Omar Haddad is a regular contributor to Valley Post.*',
    'Ana Ruiz is the managing editor of The Coast Weekly.',
    'Copyright © Omar Haddad, Valley Post, 2024',
    '© 2024 Valley Post',
    'Become a Member of Valley Post',
    'Disclaimer: the views are the author’s own.',
    'The views expressed in this article are solely those of the author.',
    'Read more:',
    'More articles by: Omar Haddad',
    'Listen to this article',
    '5 min read',
    'Share this story',
    'Share on Facebook | WhatsApp | Email',
  ])('should drop "%s"', (text) => {
    expect(bp.matches(text)).toBe(true);
  });

  it.each([
    'The council said the vote was close.',
    'Burns is the director of the agency and a former ambassador.',
    'Readers of the report were surprised: the copyright law changed in 2019.',
    'She said she would follow the money.',
    'Share prices fell 3% on Tuesday.',
    'The newsletter, first printed in 1911, is now digital-only, the museum said.',
  ])('should keep "%s"', (text) => {
    expect(bp.matches(text)).toBe(false);
  });

  it('should drop only the boilerplate lines of a multi-line paragraph', () => {
    expect(bp.clean('Real line one.\nFollow us on Telegram\nReal line two.')).toBe('Real line one.\nReal line two.');
    expect(bp.clean('Follow us on X')).toBeUndefined();
  });

  it('should recognise trailer starts and share rows', () => {
    expect(isTrailerStart('Some line\nCopyright 2024 X')).toBe(true);
    expect(isTrailerStart('All rights reserved.')).toBe(true);
    expect(isTrailerStart('The copyright holder agreed.')).toBe(false);
    expect(isSocialRow('Share · Tweet · Email · Print')).toBe(true);
    expect(isSocialRow('Share the road')).toBe(false);
  });

  it('should name an invalid pattern in an ArticleError', () => {
    expect(() => compileBoilerplate(['ok', '[bad'])).toThrow(ArticleError);
    expect(() => compileBoilerplate(['ok', '[bad'])).toThrow(/^boilerplate pattern "\[bad" is not a valid regex/);
  });
});
